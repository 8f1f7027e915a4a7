"""Every method of Inexogy and AsyncInexogy against the live simulator."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest
from inexogy import (
    AsyncInexogy,
    BadRequestError,
    Inexogy,
    LastReading,
    NotFoundError,
    PermissionDeniedError,
    ServerError,
    to_ms,
)
from toolkit_testkit import NOW, SOLAR_SERIAL

HOUR = timedelta(hours=1)
DEVICES = ["BASE_LOAD-1", "REFRIGERATOR-1", "DISHWASHER-1", "WASHING_MACHINE-1"]
# /disaggregation names the same devices in German (recorded: the Elixir library's tests)
LOCALIZED_DEVICES = ["Grundlast-1", "Kühlschrank-1", "Spülmaschine-1", "Waschmaschine-1"]
DAY_START = datetime(2024, 6, 10, tzinfo=UTC)


def test_meters_and_find_meter_by_every_identity(api: Inexogy) -> None:
    meters = api.meters()
    solar = next(m for m in meters if m.full_serial_number == SOLAR_SERIAL)
    assert solar.serial_number == "61229886"
    assert solar.manufacturer_id == "ESY"
    assert solar.type_ == "EASYMETER"
    for identity in (solar.meter_id, SOLAR_SERIAL, "61229886", " 1esy1161229886 "):
        assert api.find_meter(identity).meter_id == solar.meter_id
    with pytest.raises(NotFoundError, match="no meter 'nope'"):
        api.find_meter("nope")


def test_field_names_and_devices(api: Inexogy, solar_id: str) -> None:
    assert api.field_names(solar_id) == [
        "energy", "energy1", "energy2", "energyOut", "energyOut1", "energyOut2",
        "power", "power1", "power2", "power3", "voltage1", "voltage2", "voltage3",
    ]  # fmt: skip
    assert api.devices(solar_id) == DEVICES


def test_readings_of_one_hour_raw_are_every_second(api: Inexogy, solar_id: str) -> None:
    table = api.readings(solar_id, DAY_START, DAY_START + HOUR, fields=["energy", "power"])
    assert len(table) == 3600
    assert 0 < table.times[0] - int(DAY_START.timestamp() * 1000) < 1000  # the meter's phase
    assert {b - a for a, b in zip(table.times, table.times[1:], strict=False)} == {1000}
    assert set(table.columns) == {"energy", "power"}
    frame = table.to_polars("si")
    assert frame.columns == ["time", "energy_kWh", "power_W"]
    assert frame.schema["time"] == pl.Datetime("ms", "UTC")
    assert frame["energy_kWh"].to_list()[0] == round(table.columns["energy"][0] / 1e10, 4)


def test_newer_meters_use_the_newer_field_names(api: Inexogy) -> None:
    modern = api.find_meter("00412873").meter_id
    table = api.readings(
        modern, DAY_START, DAY_START + timedelta(minutes=15), resolution="three_minutes"
    )
    assert len(table) == 5
    assert "phase1Power" in table.columns
    assert "phase1Power_W" in table.to_polars("si").columns


def test_last_reading_and_its_age(api: Inexogy, solar_id: str) -> None:
    last = api.last_reading(solar_id)
    assert isinstance(last, LastReading)
    assert last.time.tzinfo is not None
    assert timedelta(0) <= last.age < timedelta(minutes=5)
    assert last.age == NOW - last.time
    assert "energy" in last.values
    assert last.si_values()["energy_kWh"] == round(last.values["energy"] / 1e10, 4)


def test_statistics_per_field(api: Inexogy, solar_id: str) -> None:
    stats = api.statistics(solar_id, DAY_START, DAY_START + HOUR, fields=["power"])
    assert set(stats) == {"power"}
    power = stats["power"]
    assert power.count == 3600
    assert power.minimum <= power.mean <= power.maximum


def test_load_profile_and_raw_load_profile(api: Inexogy) -> None:
    rlm = api.find_meter("10512345").meter_id
    rows = api.load_profile(rlm, date(2024, 6, 1), date(2024, 6, 2))
    assert len(rows) == 2 * 96
    assert rows[0]["time"] == to_ms(datetime(2024, 6, 1, tzinfo=UTC))
    assert {"1.29", "2.29", "3.29", "status"} <= set(rows[0])
    daily = api.load_profile(rlm, date(2024, 6, 1), date(2024, 6, 2), resolution="one_day")
    # German local midnight (CEST: 22:00Z the day before)
    assert [row["time"] for row in daily] == [
        to_ms(datetime(2024, 5, 31, 22, tzinfo=UTC)),
        to_ms(datetime(2024, 6, 1, 22, tzinfo=UTC)),
    ]
    text = api.raw_load_profile(rlm, date(2024, 6, 1))
    assert text.startswith("\x02P.01(")


def test_disaggregation_and_activities(api: Inexogy, solar_id: str) -> None:
    split = api.disaggregation(solar_id, DAY_START, DAY_START + HOUR)
    assert list(split) == [DAY_START + n * timedelta(minutes=15) for n in range(4)]
    for devices in split.values():
        assert list(devices) == LOCALIZED_DEVICES
        assert all(isinstance(energy, int) and energy >= 0 for energy in devices.values())
    activities = api.activities(solar_id, DAY_START, DAY_START + timedelta(days=2))
    assert activities
    for activity in activities:
        assert to_ms(DAY_START) <= activity.begin_time <= activity.end_time
        assert activity.device_name in DEVICES


def test_gas_volume_converts_to_cubic_metres(api: Inexogy) -> None:
    gas = api.last_reading(api.find_meter("7ELS8135823805").meter_id)
    assert set(gas.values) == {"volume", "actualityDuration", "storageNumber"}
    assert gas.si_values()["volume_m³"] == gas.values["volume"] / 1000
    assert gas.si_values()["storageNumber"] == gas.values["storageNumber"]


def test_website_access_code(api: Inexogy) -> None:
    assert api.website_access_code("demo@inexogy.com")


def test_virtual_meters(api: Inexogy) -> None:
    virtual = api.find_meter("00000001")
    parts = {meter.serial_number for meter in api.virtual_meter(virtual.meter_id)}
    assert parts == {"61229886", "00412873"}
    with pytest.raises(PermissionDeniedError, match="permission") as caught:
        api.create_virtual_meter([virtual.meter_id])
    assert caught.value.status == 403
    with pytest.raises(ServerError) as not_implemented:
        api.delete_virtual_meter(virtual.meter_id)
    assert not_implemented.value.status == 501


def test_bad_request_carries_the_server_text(api: Inexogy) -> None:
    unknown = "0123" * 8  # shaped like a meterId, so sent as it is (no lookup by serial)
    with pytest.raises(
        BadRequestError, match=f"Unable to find meter with meterId: {unknown}"
    ) as caught:
        api.field_names(unknown)
    assert caught.value.status == 400


@pytest.mark.anyio
async def test_async_client_every_method(async_api: AsyncInexogy) -> None:
    meter = await async_api.find_meter(SOLAR_SERIAL)
    meter_id = meter.meter_id
    assert {m.meter_id for m in await async_api.meters()} >= {meter_id}
    assert "energy" in await async_api.field_names(meter_id)
    assert isinstance(await async_api.devices(meter_id), list)
    table = await async_api.readings(
        meter_id, DAY_START, DAY_START + HOUR, resolution="three_minutes"
    )
    assert len(table) == 20
    last = await async_api.last_reading(meter_id, fields=["power"])
    assert set(last.values) == {"power"}
    stats = await async_api.statistics(meter_id, DAY_START, DAY_START + HOUR)
    assert stats["energy"].count == 3600
    rlm = (await async_api.find_meter("10512345")).meter_id
    assert await async_api.load_profile(rlm, date(2024, 6, 1), date(2024, 6, 1))
    assert await async_api.raw_load_profile(rlm, date(2024, 6, 1))
    assert isinstance(await async_api.disaggregation(meter_id, DAY_START, DAY_START + HOUR), dict)
    assert isinstance(await async_api.activities(meter_id, DAY_START, DAY_START + HOUR), list)
    assert await async_api.website_access_code("demo@inexogy.com")
    virtual = (await async_api.find_meter("00000001")).meter_id
    assert len(await async_api.virtual_meter(virtual)) == 2
    with pytest.raises(PermissionDeniedError):
        await async_api.create_virtual_meter([meter_id])
    with pytest.raises(ServerError):
        await async_api.delete_virtual_meter(virtual)


def test_naive_datetimes_are_refused_before_any_request(api: Inexogy, solar_id: str) -> None:
    with pytest.raises(ValueError, match="no time zone"):
        api.readings(solar_id, datetime(2024, 6, 1))
    with pytest.raises(ValueError, match="no time zone"):
        api.statistics(solar_id, DAY_START, datetime(2024, 6, 11))
