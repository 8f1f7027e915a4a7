"""Splitting long ranges into the spans each resolution allows."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from inexogy import RESOLUTION_SPANS, from_ms, split_range, to_ms

DAY = 86_400_000


def ms(*args: int) -> int:
    return to_ms(datetime(*args, tzinfo=UTC))  # type: ignore[misc]


def test_raw_range_of_two_and_a_half_days_gives_three_day_aligned_spans() -> None:
    start = ms(2024, 3, 1)
    spans = split_range(start, start + 5 * DAY // 2, "raw")
    assert spans == [
        (start, start + DAY),
        (start + DAY, start + 2 * DAY),
        (start + 2 * DAY, start + 5 * DAY // 2),
    ]


def test_inner_borders_sit_on_utc_midnight_for_raw() -> None:
    start = ms(2024, 3, 1, 13, 7)
    spans = split_range(start, ms(2024, 3, 3, 1), "raw")
    assert spans == [
        (start, ms(2024, 3, 2)),
        (ms(2024, 3, 2), ms(2024, 3, 3)),
        (ms(2024, 3, 3), ms(2024, 3, 3, 1)),
    ]


def test_fifteen_minute_borders_fall_on_quarter_hours() -> None:
    start = ms(2024, 1, 1, 0, 7)
    spans = split_range(start, ms(2024, 12, 31), "fifteen_minutes")
    for low, high in spans:
        assert high - low <= 31 * DAY
    for _, border in spans[:-1]:
        assert border % (15 * 60_000) == 0


def test_weekly_borders_are_mondays() -> None:
    spans = split_range(ms(1990, 1, 3), ms(2030, 1, 1), "one_week")
    assert len(spans) == 3
    for _, border in spans[:-1]:
        assert from_ms(border).weekday() == 0
        assert from_ms(border).time() == datetime.min.time()


@pytest.mark.parametrize(("resolution", "month"), [("one_month", None), ("one_year", 1)])
def test_calendar_resolutions_split_on_first_days(resolution: str, month: int | None) -> None:
    spans = split_range(ms(1900, 5, 17), ms(2100, 1, 1), resolution)
    assert len(spans) >= 2
    for _, border in spans[:-1]:
        moment = from_ms(border)
        assert moment.day == 1
        assert moment.hour == 0
        if month is not None:
            assert moment.month == month


def test_empty_range_gives_no_span() -> None:
    assert split_range(5, 5, "raw") == []


def test_unknown_resolution_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="fifteen_minutes"):
        split_range(0, DAY, "two_minutes")


@given(
    start=st.integers(min_value=0, max_value=4_000_000_000_000),
    length=st.integers(min_value=1, max_value=400 * DAY),
    resolution=st.sampled_from(["raw", "three_minutes", "fifteen_minutes", "one_hour"]),
)
def test_spans_cover_the_range_exactly_within_the_limit(
    start: int, length: int, resolution: str
) -> None:
    spans = split_range(start, start + length, resolution)
    assert spans[0][0] == start
    assert spans[-1][1] == start + length
    for (_, high), (low, _) in pairwise(spans):
        assert high == low
    for low, high in spans:
        assert 0 < high - low <= RESOLUTION_SPANS[resolution].max_span
