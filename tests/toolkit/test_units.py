"""The unit table: both field generations, unknown fields kept raw."""

from __future__ import annotations

import pytest
from inexogy import conversion_for, si_name, to_si


@pytest.mark.parametrize(
    ("field", "name", "raw", "si"),
    [
        ("energy", "energy_kWh", 123_400_000_000, 12.34),
        ("energyOut2", "energyOut2_kWh", 10_000_000_000, 1.0),
        ("energyProducer8", "energyProducer8_kWh", 25_000_000_000, 2.5),
        ("power", "power_W", 1_234_500, 1234.5),
        ("power3", "power3_W", -1500, -1.5),
        ("phase1Power", "phase1Power_W", -1500, -1.5),
        ("voltage1", "voltage1_V", 230_100, 230.1),
        ("phase2Voltage", "phase2Voltage_V", 229_900, 229.9),
        ("volume", "volume_m³", 12_345, 12.345),
    ],
)
def test_known_fields_convert_with_unit_suffix(field: str, name: str, raw: int, si: float) -> None:
    assert si_name(field) == name
    assert to_si({field: raw}) == {name: pytest.approx(si)}


@pytest.mark.parametrize(
    "field", ["actualityDuration", "storageNumber", "DISHWASHER-1", "powerful"]
)
def test_unknown_fields_stay_raw_under_their_name(field: str) -> None:
    assert conversion_for(field) is None
    assert si_name(field) == field
    assert to_si({field: 42}) == {field: 42}


def test_to_si_converts_every_field_of_a_reading() -> None:
    values = {"energy": 5e10, "power1": 2000, "phase1Voltage": 231_000, "storageNumber": 3}
    assert to_si(values) == {
        "energy_kWh": 5.0,
        "power1_W": 2.0,
        "phase1Voltage_V": 231.0,
        "storageNumber": 3,
    }
