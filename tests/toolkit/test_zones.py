"""Time zones: names, the one ISO 8601 form, and times converted in tables."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from inexogy import Readings
from inexogy.export import csv_text
from inexogy.zones import at_offset, iso, local_zone, polars_zone, zone_from_name, zone_name

BERLIN = ZoneInfo("Europe/Berlin")


def test_one_iso_form_with_milliseconds_only_when_there_are_some() -> None:
    moment = datetime(2025, 3, 30, 1, 0, tzinfo=UTC)

    assert iso(moment, BERLIN) == "2025-03-30T03:00:00+02:00"
    assert iso(moment + timedelta(milliseconds=250), "UTC") == "2025-03-30T01:00:00.250+00:00"
    assert iso(moment) == "2025-03-30T01:00:00+00:00"
    with pytest.raises(ValueError, match="no time zone"):
        iso(datetime(2025, 1, 1))


@pytest.mark.parametrize(
    ("name", "expected"),
    [("UTC", "UTC"), ("utc", "UTC"), ("Etc/UTC", "UTC"), ("Europe/Berlin", "Europe/Berlin")],
)
def test_zone_names(name: str, expected: str) -> None:
    assert zone_name(zone_from_name(name)) == expected


def test_a_fixed_offset_is_named_by_its_offset_and_unknown_zones_are_refused() -> None:
    assert zone_name(timezone(timedelta(hours=5, minutes=30))) == "+05:30"
    assert zone_name(timezone(timedelta(hours=-3))) == "-03:00"
    assert zone_name(None) == "UTC"
    with pytest.raises(ValueError, match="IANA name like Europe/Berlin"):
        zone_from_name("Mars/Olympus")


def test_the_system_zone_comes_from_tz(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    assert zone_name(local_zone()) == "Asia/Tokyo"


def test_readings_in_a_zone_and_their_csv_text() -> None:
    times = [int(datetime(2025, 3, 30, hour, tzinfo=UTC).timestamp() * 1000) for hour in (0, 1)]
    readings = Readings("m", "one_hour", times, {"energy": [10**10, 2 * 10**10]})

    frame = readings.to_polars("si", tz="Europe/Berlin")

    assert frame.schema["time"] == pl.Datetime("ms", "Europe/Berlin")
    assert csv_text(frame).splitlines() == [
        "time,energy_kWh",
        "2025-03-30T01:00:00+01:00,1.0",
        "2025-03-30T03:00:00+02:00,2.0",
    ]
    assert readings.to_polars()["time"].dtype == pl.Datetime("ms", "UTC")  # the default


def test_polars_takes_fixed_offsets_of_whole_hours_only() -> None:
    assert polars_zone(timezone(timedelta(hours=2))) == "Etc/GMT-2"
    assert polars_zone(timezone(timedelta(hours=-5))) == "Etc/GMT+5"
    assert polars_zone("Europe/Berlin") == "Europe/Berlin"
    times = [int(datetime(2025, 3, 30, 1, tzinfo=UTC).timestamp() * 1000)]
    frame = Readings("m", "one_hour", times, {"energy": [1]}).to_polars(
        tz=timezone(timedelta(hours=-5))
    )
    assert csv_text(frame).splitlines()[1] == "2025-03-29T20:00:00-05:00,1"
    with pytest.raises(ValueError, match="Asia/Kolkata"):
        polars_zone(timezone(timedelta(hours=5, minutes=30)))


def test_at_offset_keeps_the_twins_of_a_repeated_hour_apart() -> None:
    berlin = BERLIN
    first = datetime(2024, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST
    second = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)  # 02:30 CET, an hour later
    assert first.astimezone(berlin) == second.astimezone(berlin)  # PEP 495: one wall clock
    told = [at_offset(first, berlin), at_offset(second, berlin)]
    assert [moment.isoformat() for moment in told] == [
        "2024-10-27T02:30:00+02:00",
        "2024-10-27T02:30:00+01:00",
    ]
    assert told == [first, second]
    assert len({moment: None for moment in told}) == 2
    assert told[1] - told[0] == timedelta(hours=1)
    assert at_offset(first, UTC).tzinfo is UTC
