"""Readings of a meter at any resolution, as arrays, and their JSON.

Raw readings come at the meter's own times (see :class:`~inexogy_mock.meters.MeterClock`:
electricity every second at the meter's millisecond phase, gas once per quarter hour):
``energy`` is the counter at the start of the reading's 1-second slot, ``power`` the value of
that slot. Aggregated readings sit on interval boundaries: counters at the interval start,
rates as the mean over the interval's slots (up to the last reading for the interval that is
still running). So every resolution agrees with every other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np

from .meters import Field, MeterModel
from .rendering import readings_json
from .signals import SLOT_MS, Int64Array, SlotGrid

_DAY_MS = 86_400_000
_YEAR_MS = 366 * _DAY_MS
_MONDAY_MS = 4 * _DAY_MS  # 1970-01-05 was a Monday

STEP_MS: dict[str, int] = {
    "three_minutes": 180_000,
    "fifteen_minutes": 900_000,
    "one_hour": 3_600_000,
    "one_day": _DAY_MS,
    "one_week": 7 * _DAY_MS,
}

SPAN_LIMITS: dict[str, tuple[int, str]] = {
    # resolution: (longest to - from in ms, how the service words it); a year counts 366 days
    "raw": (_DAY_MS, "1 day"),
    "three_minutes": (10 * _DAY_MS, "10 days"),
    "fifteen_minutes": (31 * _DAY_MS, "31 days"),
    "one_hour": (93 * _DAY_MS, "93 days"),
    "one_day": (10 * _YEAR_MS, "10 years"),
    "one_week": (20 * _YEAR_MS, "20 years"),
    "one_month": (50 * _YEAR_MS, "50 years"),
    "one_year": (100 * _YEAR_MS, "100 years"),
}


def span_error(resolution: str, start_ms: int, end_ms: int) -> str | None:
    """Return the service's message when the span is too long for the resolution."""
    limit, words = SPAN_LIMITS[resolution]
    if end_ms - start_ms > limit:
        return f"The interval length must not exceed {words} at this resolution"
    return None


@dataclass(frozen=True)
class ReadingTable:
    """Readings as columns: times in ms and one int64 array per field."""

    times: Int64Array
    columns: dict[str, Int64Array]

    def __len__(self) -> int:
        return int(self.times.size)


def _calendar_starts(resolution: str, low_ms: int, high_ms: int) -> list[int]:
    """Return the month or year starts (UTC) in ``[low_ms, high_ms)``."""
    moment = datetime.fromtimestamp(low_ms / 1000, UTC)
    year, month = moment.year, moment.month
    if resolution == "one_year":
        month = 1
    starts: list[int] = []
    while True:
        start = int(datetime(year, month, 1, tzinfo=UTC).timestamp() * 1000)
        if start >= high_ms:
            return starts
        if start >= low_ms:
            starts.append(start)
        if resolution == "one_year":
            year += 1
        else:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _next_calendar(resolution: str, start_ms: int) -> int:
    """Return the month or year start after the one at ``start_ms``."""
    moment = datetime.fromtimestamp(start_ms / 1000, UTC)
    if resolution == "one_year" or moment.month == 12:
        following = datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    else:
        following = datetime(moment.year, moment.month + 1, 1, tzinfo=UTC)
    return int(following.timestamp() * 1000)


def interval_starts(resolution: str, low_ms: int, high_ms: int) -> Int64Array:
    """Return the interval boundaries of a resolution in ``[low_ms, high_ms)``."""
    if low_ms >= high_ms:
        return np.zeros(0, dtype=np.int64)
    if resolution in ("one_month", "one_year"):
        return np.array(_calendar_starts(resolution, low_ms, high_ms), dtype=np.int64)
    step = STEP_MS[resolution]
    anchor = _MONDAY_MS if resolution == "one_week" else 0
    first = anchor + -(-(low_ms - anchor) // step) * step
    return np.arange(first, high_ms, step, dtype=np.int64)


def counter_values(definition: Field, slots: Int64Array | SlotGrid) -> Int64Array:
    """Return a counter field at the start of each slot."""
    if not definition.signal.terms:  # a register that never moves
        size = slots.offset.size if isinstance(slots, SlotGrid) else slots.size
        return np.full(size, definition.offset, dtype=np.int64)
    sums = definition.signal.sums(slots)
    units = (sums * definition.num) // definition.den
    if definition.step > 1:
        units = units // definition.step * definition.step
    return definition.offset + units


def raw_slots(meter: MeterModel, from_ms: int, to_ms: int, now_ms: int) -> Int64Array:
    """Return the slots of the meter's raw readings with times in ``[from_ms, to_ms)``."""
    first = meter.first_slot()
    end = meter.end_slot(now_ms)
    if first is None or end == 0:
        return np.zeros(0, dtype=np.int64)
    slots = meter.clock.slots(from_ms, to_ms)
    return slots[(slots >= first) & (slots < end)]


def compute_readings(
    meter: MeterModel,
    names: Sequence[str],
    from_ms: int,
    to_ms: int,
    now_ms: int,
    resolution: str = "raw",
) -> ReadingTable:
    """Return the readings of some fields of a meter in ``[from_ms, to_ms)``, never after now."""
    empty = ReadingTable(np.zeros(0, dtype=np.int64), {n: np.zeros(0, np.int64) for n in names})
    if resolution == "raw":
        slots = raw_slots(meter, from_ms, to_ms, now_ms)
        return ReadingTable(meter.clock.times(slots), _columns(meter, names, slots, None))
    first = meter.first_ms
    end_slot = meter.end_slot(now_ms)
    if first is None or end_slot == 0:
        return empty
    starts = interval_starts(resolution, max(from_ms, first), min(to_ms, end_slot * SLOT_MS))
    if starts.size == 0:
        return empty
    start_slots = starts // SLOT_MS
    if resolution in ("one_month", "one_year"):
        end_slots = np.append(
            start_slots[1:], _next_calendar(resolution, int(starts[-1])) // SLOT_MS
        )
    else:
        end_slots = start_slots + STEP_MS[resolution] // SLOT_MS
    end_slots = np.minimum(end_slots, end_slot)
    return ReadingTable(starts, _columns(meter, names, start_slots, end_slots))


def _columns(
    meter: MeterModel, names: Sequence[str], start_slots: Int64Array, end_slots: Int64Array | None
) -> dict[str, Int64Array]:
    """Return counters at the interval starts and rates per slot (raw) or as interval means."""
    columns = {}
    starts = SlotGrid.of(start_slots)
    ends = None if end_slots is None else SlotGrid.of(end_slots)
    for name in names:
        definition = meter.fields[name]
        if definition.counter:
            columns[name] = counter_values(definition, starts)
        elif end_slots is None or ends is None:
            columns[name] = definition.signal.values(starts)
        elif not definition.aggregated:
            columns[name] = np.zeros(start_slots.size, dtype=np.int64)
        else:
            totals = definition.signal.sums(ends) - definition.signal.sums(starts)
            columns[name] = np.rint(totals / (end_slots - start_slots)).astype(np.int64)
    return columns


def render(table: ReadingTable, extra: dict[str, Int64Array] | None = None) -> bytes:
    """Return the JSON array of readings (see :mod:`inexogy_mock.rendering`)."""
    columns = dict(table.columns)
    if extra:
        columns.update(extra)
    return readings_json(table.times, columns)


def render_one(table: ReadingTable, index: int) -> bytes:
    """Return one reading of a table as a JSON object."""
    inner = ",".join(f'"{name}":{int(values[index])}' for name, values in table.columns.items())
    return f'{{"time":{int(table.times[index])},"values":{{{inner}}}}}'.encode()
