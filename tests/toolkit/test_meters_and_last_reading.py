"""Finding a meter by any of its identities; the age of the last reading."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from inexogy import LastReading, NotFoundError
from inexogy.meters import match_meter
from inexogy_client.models import Meter


def meter(meter_id: str, manufacturer: str, serial: str) -> Meter:
    return Meter(
        meter_id=meter_id,
        manufacturer_id=manufacturer,
        serial_number=serial,
        full_serial_number=f"1{manufacturer}11{serial}",
        type_="EASYMETER",
        measurement_type="ELECTRICITY",
    )


METERS = [
    meter("a" * 32, "ESY", "61229886"),
    meter("b" * 32, "EMH", "61229886"),
    meter("c" * 32, "ESY", "1"),
]


def test_a_meter_is_found_by_id_or_full_serial_number() -> None:
    assert match_meter(METERS, "B" * 32).meter_id == "b" * 32
    assert match_meter(METERS, "1EMH1161229886").meter_id == "b" * 32
    assert match_meter(METERS, "1").meter_id == "c" * 32


def test_a_short_serial_number_of_two_meters_is_ambiguous() -> None:
    with pytest.raises(NotFoundError, match=r"several meters .*full serial number"):
        match_meter(METERS, "61229886")


def test_an_unknown_meter_names_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="1ESY1161229886, 1EMH1161229886, 1ESY111"):
        match_meter(METERS, "42")


def test_the_age_of_the_last_reading_comes_from_the_clock() -> None:
    taken = datetime(2024, 6, 1, 12, tzinfo=UTC)
    now = taken + timedelta(minutes=3, seconds=2)
    last = LastReading("m", int(taken.timestamp() * 1000), {"power": 1500}, clock=lambda: now)
    assert last.time == taken
    assert last.age == timedelta(minutes=3, seconds=2)
    assert last.si_values() == {"power_W": 1.5}
    assert "clock" not in repr(last)
