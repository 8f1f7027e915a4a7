"""Long ranges against the live simulator: chunk borders without gap or duplicate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from inexogy import AsyncInexogy, Inexogy, to_ms
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD
from toolkit_testkit import MockServer

BERLIN = ZoneInfo("Europe/Berlin")


def assert_regular(times: list[int], start: datetime, end: datetime, step_ms: int) -> None:
    """Every step from start to end, each once: no gap, no duplicate."""
    assert times == list(range(to_ms(start), to_ms(end), step_ms))


def assert_every_second(times: list[int], start: datetime, end: datetime) -> None:
    """Raw readings: every second at the meter's own millisecond phase, each once."""
    phase = times[0] - to_ms(start)
    assert 0 < phase < 1000
    assert times == list(range(to_ms(start) + phase, to_ms(end), 1000))


def test_two_and_a_half_days_raw_are_216000_readings_in_three_requests(
    api: Inexogy, solar_id: str
) -> None:
    start = datetime(2024, 6, 10, tzinfo=UTC)
    end = start + timedelta(days=2, hours=12)
    progress: list[tuple[int, int]] = []
    table = api.readings(
        solar_id,
        start,
        end,
        fields=["energy", "power"],
        progress=lambda d, t: progress.append((d, t)),
    )
    assert len(table) == 216_000  # one reading per second
    assert_every_second(table.times, start, end)
    assert sorted(progress) == [(1, 3), (2, 3), (3, 3)]
    energy = table.columns["energy"]
    assert all(a <= b for a, b in pairwise(energy))


def test_a_raw_range_across_the_spring_daylight_saving_change(api: Inexogy, solar_id: str) -> None:
    # Berlin skipped 02:00-03:00 on 2024-03-31: these two local days last 47 hours.
    start = datetime(2024, 3, 30, tzinfo=BERLIN)
    end = datetime(2024, 4, 1, tzinfo=BERLIN)
    table = api.readings(solar_id, start, end, fields=["power"])
    assert len(table) == 47 * 3600
    assert_every_second(table.times, start, end)


def test_fifteen_minute_readings_across_the_autumn_change(mock_server: MockServer) -> None:
    # Berlin repeated 02:00-03:00 on 2024-10-27: that local day lasts 25 hours.
    start = datetime(2024, 10, 27, tzinfo=BERLIN)
    end = datetime(2024, 10, 28, tzinfo=BERLIN)
    with (
        mock_server(clock=datetime(2024, 11, 1, tzinfo=UTC).timestamp) as url,
        Inexogy(auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url) as api,
    ):
        table = api.readings(
            api.find_meter("61229886").meter_id, start, end, resolution="fifteen_minutes"
        )
    assert len(table) == 25 * 4
    assert_regular(table.times, start, end, 900_000)


def test_five_months_of_fifteen_minute_readings_in_five_requests(
    api: Inexogy, solar_id: str
) -> None:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    end = datetime(2024, 6, 1, tzinfo=UTC)
    progress: list[tuple[int, int]] = []
    table = api.readings(
        solar_id,
        start,
        end,
        resolution="fifteen_minutes",
        fields=["energy"],
        progress=lambda d, t: progress.append((d, t)),
    )
    assert_regular(table.times, start, end, 900_000)
    assert len(progress) == 5


def test_an_open_range_ends_now(api: Inexogy, solar_id: str) -> None:
    start = datetime(2024, 6, 15, 10, tzinfo=UTC)
    table = api.readings(solar_id, start, resolution="one_hour")
    assert table.times == [to_ms(start), to_ms(start + timedelta(hours=1))]


@pytest.mark.anyio
async def test_async_long_raw_range_with_bounded_concurrency(async_api: AsyncInexogy) -> None:
    solar = (await async_api.find_meter("1ESY1161229886")).meter_id
    start = datetime(2024, 5, 1, 18, tzinfo=UTC)
    end = datetime(2024, 5, 3, 6, tzinfo=UTC)
    progress: list[tuple[int, int]] = []
    table = await async_api.readings(
        solar, start, end, fields=["power"], progress=lambda d, t: progress.append((d, t))
    )
    assert_every_second(table.times, start, end)
    assert [done for done, _ in progress] == [1, 2, 3]
    assert {total for _, total in progress} == {3}
