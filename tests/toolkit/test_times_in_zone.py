"""``tz=`` on ``last_reading`` and ``disaggregation``: the same instants, told in the asked zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from inexogy import AsyncInexogy, Inexogy, LastReading, read_archive
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD
from toolkit_testkit import NOW, SOLAR_SERIAL, MockServer

BERLIN = ZoneInfo("Europe/Berlin")
QUARTER = timedelta(minutes=15)
# Europe/Berlin left summer time on 2024-10-27 at 01:00 UTC: 03:00 CEST became 02:00 CET, so
# the wall times 02:00-03:00 happened twice. Half an hour after the change, 02:30 is the second one.
AFTER_FALL_BACK = datetime(2024, 10, 27, 1, 30, tzinfo=UTC)


def told_in_berlin(moment: datetime) -> bool:
    """Whether ``moment`` shows Berlin's wall clock and offset at that instant."""
    in_berlin = moment.astimezone(BERLIN)
    return (moment.replace(tzinfo=None), moment.utcoffset()) == (
        in_berlin.replace(tzinfo=None),
        in_berlin.utcoffset(),
    )


def test_last_reading_in_a_zone_is_the_same_instant_and_age(api: Inexogy, solar_id: str) -> None:
    in_utc = api.last_reading(solar_id)
    in_berlin = api.last_reading(solar_id, tz="Europe/Berlin")
    assert in_utc.time.tzinfo is UTC
    assert in_berlin.time.tzinfo == BERLIN
    assert in_berlin.time == in_utc.time  # the same instant
    assert in_berlin.time.utcoffset() == timedelta(hours=2)  # June: CEST
    assert in_berlin.time.replace(tzinfo=None) == in_utc.time.replace(tzinfo=None) + timedelta(
        hours=2
    )
    assert in_berlin.time_ms == in_utc.time_ms
    assert in_berlin.age == in_utc.age == NOW - in_utc.time
    assert in_berlin == in_utc  # the zone only tells the time, the reading is the same
    assert "+02:00" in repr(in_berlin)
    assert api.last_reading(solar_id, tz=None).time.tzinfo is UTC


def test_last_reading_on_the_repeated_hour_of_a_fall_back(mock_server: MockServer) -> None:
    with (
        mock_server(clock=AFTER_FALL_BACK.timestamp) as url,
        Inexogy(
            auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url, clock=lambda: AFTER_FALL_BACK
        ) as api,
    ):
        meter = api.find_meter(SOLAR_SERIAL).meter_id
        in_utc = api.last_reading(meter)
        in_berlin = api.last_reading(meter, tz=BERLIN)
    assert in_utc.time <= AFTER_FALL_BACK < in_utc.time + timedelta(minutes=5)
    # Python's == between zones is always False for a time on a repeated hour (PEP 495),
    # so the instants are compared in UTC.
    assert in_berlin.time.astimezone(UTC) == in_utc.time
    # 02:2x on the clock, but the second 02:2x of the night: CET, +01:00, fold=1.
    assert (in_berlin.time.hour, in_berlin.time.fold) == (2, 1)
    assert in_berlin.time.utcoffset() == timedelta(hours=1)
    assert in_berlin.time.isoformat().endswith("+01:00")
    assert in_berlin.age == in_utc.age == AFTER_FALL_BACK - in_utc.time


def test_the_age_of_a_reading_told_in_a_zone_comes_from_the_clock() -> None:
    taken = datetime(2024, 3, 31, 0, 59, tzinfo=UTC)  # 01:59 CET, a minute before spring forward
    now = datetime(2024, 3, 31, 3, 1, tzinfo=BERLIN)  # 01:01 UTC: two minutes later
    last = LastReading(
        "m", int(taken.timestamp() * 1000), {"power": 1}, clock=lambda: now, zone=BERLIN
    )
    assert last.time == taken
    assert last.time.isoformat() == "2024-03-31T01:59:00+01:00"
    assert last.age == timedelta(minutes=2)


def test_disaggregation_in_berlin_across_spring_forward(api: Inexogy, solar_id: str) -> None:
    # The Berlin days 30 and 31 March 2024 (dates are read in tz): 24 + 23 hours.
    in_berlin = api.disaggregation(
        solar_id, date(2024, 3, 30), date(2024, 4, 1), tz="Europe/Berlin"
    )
    start = datetime(2024, 3, 29, 23, tzinfo=UTC)
    in_utc = api.disaggregation(solar_id, start, datetime(2024, 3, 31, 22, tzinfo=UTC))
    assert len(in_berlin) == (24 + 23) * 4
    assert list(in_berlin) == list(in_utc)  # the same instants, in time order
    assert list(in_berlin.values()) == list(in_utc.values())
    assert all(moment.tzinfo is UTC for moment in in_utc)
    assert all(told_in_berlin(moment) for moment in in_berlin)
    keys = list(in_berlin)
    assert keys[0].isoformat() == "2024-03-30T00:00:00+01:00"
    assert keys[-1].isoformat() == "2024-03-31T23:45:00+02:00"
    # Wall times jump from 01:45 CET to 03:00 CEST; the instants stay 15 minutes apart.
    jump = keys.index(datetime(2024, 3, 31, 3, tzinfo=BERLIN))
    assert keys[jump - 1].isoformat() == "2024-03-31T01:45:00+01:00"
    assert keys[jump].isoformat() == "2024-03-31T03:00:00+02:00"
    assert {b - a for a, b in pairwise(keys)} == {QUARTER}
    assert in_berlin[datetime(2024, 3, 31, 1, tzinfo=UTC)] == in_utc[keys[jump]]


def test_disaggregation_zone_as_tzinfo_and_default_utc(api: Inexogy, solar_id: str) -> None:
    start = datetime(2024, 6, 10, tzinfo=UTC)
    default = api.disaggregation(solar_id, start, start + timedelta(hours=1))
    assert list(default) == [start + n * QUARTER for n in range(4)]
    assert all(moment.tzinfo is UTC for moment in default)
    told = api.disaggregation(solar_id, start, start + timedelta(hours=1), tz=BERLIN)
    assert [moment.isoformat() for moment in told] == [
        "2024-06-10T02:00:00+02:00",
        "2024-06-10T02:15:00+02:00",
        "2024-06-10T02:30:00+02:00",
        "2024-06-10T02:45:00+02:00",
    ]
    assert told == default
    assert all(told_in_berlin(moment) for moment in told)


def test_an_unknown_zone_is_refused_saying_what_to_pass(api: Inexogy, solar_id: str) -> None:
    with pytest.raises(ValueError, match=r"unknown time zone 'Mars/Olympus'.*Europe/Berlin"):
        api.last_reading(solar_id, tz="Mars/Olympus")
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        api.disaggregation(solar_id, date(2024, 6, 10), tz="Mars/Olympus")


@pytest.mark.anyio
async def test_async_last_reading_and_disaggregation_in_a_zone(mock_server: MockServer) -> None:
    later = AFTER_FALL_BACK + timedelta(days=9)
    with mock_server(clock=later.timestamp) as url:
        async with AsyncInexogy(
            auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url, clock=lambda: later
        ) as api:
            in_utc = await api.last_reading(SOLAR_SERIAL)
            in_berlin = await api.last_reading(SOLAR_SERIAL, tz="Europe/Berlin")
            fall = await api.disaggregation(
                SOLAR_SERIAL, date(2024, 10, 27), date(2024, 10, 28), tz=BERLIN
            )
            fall_utc = await api.disaggregation(
                SOLAR_SERIAL,
                datetime(2024, 10, 26, 22, tzinfo=UTC),
                datetime(2024, 10, 27, 23, tzinfo=UTC),
            )
    assert in_berlin.time.tzinfo == BERLIN
    assert in_berlin.time == in_utc.time
    assert in_berlin.time.utcoffset() == timedelta(hours=1)  # November: CET
    assert in_berlin.age == in_utc.age == later - in_utc.time
    assert len(fall) == 25 * 4  # the Berlin day of the fall back lasts 25 hours
    assert list(fall) == list(fall_utc)
    assert list(fall.values()) == list(fall_utc.values())
    assert all(told_in_berlin(moment) for moment in fall)
    # 02:00-02:45 twice on the clock, first in CEST, then in CET: both kept, apart.
    twice = [m.isoformat() for m in fall if m.hour == 2 and m.minute == 0]
    assert twice == ["2024-10-27T02:00:00+02:00", "2024-10-27T02:00:00+01:00"]


def test_read_archive_in_a_zone(api: Inexogy, tmp_path: Path) -> None:
    summary = api.sync(tmp_path, [SOLAR_SERIAL], start=datetime(2024, 6, 13, tzinfo=UTC))
    solar = summary.meters[0].meter_id
    in_utc = read_archive(tmp_path, solar, lazy=False)
    in_berlin = read_archive(tmp_path, solar, tz="Europe/Berlin").collect()
    assert in_utc.schema["time"] == pl.Datetime("ms", "UTC")
    assert in_berlin.schema["time"] == pl.Datetime("ms", "Europe/Berlin")
    assert in_berlin.height == in_utc.height > 0
    assert in_berlin["time"].to_list() == in_utc["time"].to_list()  # the same instants
    assert in_berlin.drop("time").equals(in_utc.drop("time"))
    assert in_utc["time"][0] == datetime(2024, 6, 1, tzinfo=UTC)  # the archive keeps months
    assert in_berlin["time"][0].isoformat() == "2024-06-01T02:00:00+02:00"
    empty = read_archive(tmp_path, solar, end=datetime(2024, 1, 1, tzinfo=UTC), tz=BERLIN)
    assert empty.collect_schema()["time"] == pl.Datetime("ms", "Europe/Berlin")
