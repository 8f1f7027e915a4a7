"""Splitting a long time range into the spans one ``/readings`` request may cover.

The service refuses ``to - from`` longer than a limit that depends on the resolution (raw 1
day, three_minutes 10 days, fifteen_minutes 31 days, one_hour 93 days, one_day 10 years,
one_week 20 years, one_month 50 years, one_year 100 years). A range is cut into half-open
spans ``[from, to)``, each within the limit, whose inner borders sit on the resolution's
interval grid in UTC (midnight for raw and daily data, Monday midnight for weekly data, the
first of a month or of January for monthly and yearly data), so no aggregated interval is
split between two requests.
"""

from __future__ import annotations

from datetime import UTC, datetime

from attrs import frozen
from inexogy_client.models.readings_resolution import ReadingsResolution

from .timestamps import from_ms, to_ms

__all__ = [
    "RESOLUTION_SPANS",
    "Resolution",
    "ResolutionSpan",
    "grid_after",
    "grid_before",
    "on_grid",
    "split_range",
]

Resolution = ReadingsResolution
"""A readings resolution: raw, three_minutes, fifteen_minutes, one_hour, one_day, ..."""

_MINUTE = 60_000
_DAY = 86_400_000
# 1970-01-01 was a Thursday: weeks start on Monday, 4 days later.
_MONDAY_OFFSET = 4 * _DAY


@frozen
class ResolutionSpan:
    """The longest span one request may cover at a resolution, and its border grid.

    ``max_span`` is in ms (for the calendar resolutions a lower bound of the calendar span, so
    a request never exceeds the limit however the service counts years). ``grid`` is the
    interval in ms that inner borders are aligned to, measured from ``grid_offset``;
    ``calendar`` is ``"month"`` or ``"year"`` when borders are calendar based instead.
    """

    max_span: int
    grid: int = 0
    grid_offset: int = 0
    calendar: str | None = None


RESOLUTION_SPANS: dict[str, ResolutionSpan] = {
    "raw": ResolutionSpan(_DAY, grid=_DAY),
    "three_minutes": ResolutionSpan(10 * _DAY, grid=3 * _MINUTE),
    "fifteen_minutes": ResolutionSpan(31 * _DAY, grid=15 * _MINUTE),
    "one_hour": ResolutionSpan(93 * _DAY, grid=60 * _MINUTE),
    "one_day": ResolutionSpan(3650 * _DAY, grid=_DAY),
    "one_week": ResolutionSpan(7300 * _DAY, grid=7 * _DAY, grid_offset=_MONDAY_OFFSET),
    "one_month": ResolutionSpan(50 * 365 * _DAY, calendar="month"),
    "one_year": ResolutionSpan(100 * 365 * _DAY, calendar="year"),
}
"""The limit and border grid of every resolution the service knows."""


def _align_down(ms: int, span: ResolutionSpan) -> int:
    """Return the last grid border at or before ``ms``."""
    if span.calendar is not None:
        moment = from_ms(ms)
        month = 1 if span.calendar == "year" else moment.month
        return to_ms(datetime(moment.year, month, 1, tzinfo=UTC))
    return ms - (ms - span.grid_offset) % span.grid


def split_range(start_ms: int, end_ms: int, resolution: str) -> list[tuple[int, int]]:
    """Cut ``[start_ms, end_ms)`` into consecutive half-open spans the resolution allows.

    The spans cover the range exactly: the first starts at ``start_ms``, each starts where
    the previous ended, the last ends at ``end_ms``. An empty range gives no span.
    """
    span = RESOLUTION_SPANS.get(resolution)
    if span is None:
        known = ", ".join(RESOLUTION_SPANS)
        raise ValueError(f"unknown resolution {resolution!r}: use one of {known}")
    spans: list[tuple[int, int]] = []
    lower = start_ms
    while lower < end_ms:
        # Every grid step is shorter than the limit, so the aligned border lies after lower.
        upper = min(_align_down(lower + span.max_span, span), end_ms)
        spans.append((lower, upper))
        lower = upper
    return spans


def _span_of(resolution: str) -> ResolutionSpan:
    span = RESOLUTION_SPANS.get(resolution)
    if span is None:
        known = ", ".join(RESOLUTION_SPANS)
        raise ValueError(f"unknown resolution {resolution!r}: use one of {known}")
    return span


def on_grid(ms: int, resolution: str) -> bool:
    """Whether an aggregated reading of ``resolution`` sits at ``ms`` (a border of its grid)."""
    return _align_down(ms, _span_of(resolution)) == ms


def grid_before(ms: int, resolution: str) -> int:
    """Return the last border of the resolution's grid strictly before ``ms``."""
    return _align_down(ms - 1, _span_of(resolution))


def grid_after(ms: int, resolution: str) -> int:
    """Return the first border of the resolution's grid strictly after ``ms``."""
    span = _span_of(resolution)
    if span.calendar is None:
        return _align_down(ms, span) + span.grid
    moment = from_ms(_align_down(ms, span))
    if span.calendar == "year" or moment.month == 12:
        return to_ms(datetime(moment.year + 1, 1, 1, tzinfo=UTC))
    return to_ms(datetime(moment.year, moment.month + 1, 1, tzinfo=UTC))
