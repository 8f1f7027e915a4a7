"""Energy per local period: kWh drawn and fed in (or m³ of gas) per hour, day, week, month, year.

A meter's registers (``energy``, ``energyOut``, gas ``volume``) only ever rise, so what was used
in a period is the register at its end minus the register at its start. The periods are local
to a time zone: a Berlin day across a change of daylight saving time lasts 23 or 25 hours, weeks
start on Monday, months and years follow the calendar.

Only the registers at the period borders are needed. They are read at the coarsest
resolution whose grid holds them all exactly (the service aggregates on UTC grids: UTC month
borders are on the ``one_month`` grid, Berlin ones only on the ``one_hour`` grid), each with
the grid points just before and after it, so that a glitch can be told from a real value. Borders
close together are fetched in one request, distant ones in small requests of a few readings.

Glitches: the service sometimes answers a register of 0, or one lower than an earlier reading.
Such readings are found (the zeros, and whatever is not in the longest non-decreasing run of
the other values) and never used: a border whose register glitched is read again at the
3-minute grid, and the nearest sound reading within half an hour is used instead, which keeps
every period non-negative and the periods adding up to the register difference over the whole
range. The ``glitches`` column says what was done.

A period that is not over yet ends at the latest sound reading before now and is marked
``partial``; periods that have not begun are left out. A period in which the meter's data
begins (or ends) starts at its first (ends at its last) reading and is partial too.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

from attrs import define, field, frozen
from inexogy_client.types import Unset

from .chunks import RESOLUTION_SPANS, Resolution, grid_after, grid_before, on_grid
from .errors import InexogyError
from .extras import require
from .timestamps import from_ms, to_ms
from .units import conversion_for
from .zones import Zone, iso, polars_zone, resolve_zone

if TYPE_CHECKING:
    import polars as pl
    from inexogy_client.models.reading import Reading

__all__ = [
    "PERIODS",
    "Per",
    "UsageError",
    "UsagePlanner",
    "UsageRequest",
    "glitch_free",
    "period_borders",
    "period_label",
    "period_start",
]

Per = Literal["hour", "day", "week", "month", "year"]
"""The length of the periods usage is given for."""

PERIODS: tuple[Per, ...] = ("hour", "day", "week", "month", "year")
"""Every period length, shortest first."""

# The aggregated resolutions, coarsest first: the borders are read at the first whose grid
# holds them all.
_BORDER_RESOLUTIONS: tuple[Resolution, ...] = (
    "one_year",
    "one_month",
    "one_week",
    "one_day",
    "one_hour",
    "fifteen_minutes",
    "three_minutes",
)
_FINEST: Resolution = "three_minutes"
_NEAR_MS = 30 * 60_000  # how far from a glitched border a substitute reading may lie
_LATEST_WINDOW_MS = 86_400_000  # where the latest reading of a running period is looked for
# Two borders' windows share a request when the readings between them are fewer than this:
# a request costs about as much as a few hundred readings.
_MERGE_GAP_READINGS = 400
_TYPICAL_STEP_MS: Mapping[str, int] = {"one_month": 31 * 86_400_000, "one_year": 366 * 86_400_000}

_ATTRIBUTES = {"energy": "energy", "energyOut": "energy_out", "volume": "volume"}
_COLUMNS = {"energy": "drawn_kWh", "energyOut": "fed_in_kWh", "volume": "volume_m³"}


class UsageError(InexogyError, ValueError):
    """The usage asked for cannot be computed (e.g. the meter has no register)."""


def period_label(start: datetime, per: Per) -> str:
    """Name a period for people: ``2025-03-30 03:00``, ``Sun 2025-03-30``, ``2025-W14``, ..."""
    if per == "hour":
        # The hour that repeats when clocks go back: the second one says so.
        return f"{start:%Y-%m-%d %H:%M}" + (" (again)" if start.fold else "")
    if per == "day":
        return f"{start:%a %Y-%m-%d}"
    if per == "week":
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if per == "month":
        return f"{start:%B %Y}"
    return f"{start:%Y}"


def period_start(moment: datetime, per: Per, tz: tzinfo) -> datetime:
    """Return the start (in ``tz``) of the local period of length ``per`` holding ``moment``."""
    local = moment.astimezone(tz)
    if per == "hour":
        return local.replace(minute=0, second=0, microsecond=0)
    day = local.date()
    if per == "week":
        day -= timedelta(days=day.weekday())
    elif per == "month":
        day = day.replace(day=1)
    elif per == "year":
        day = day.replace(month=1, day=1)
    elif per != "day":
        raise ValueError(f"unknown period {per!r}: use one of {', '.join(PERIODS)}")
    return _local_midnight(day.year, day.month, day.day, tz)


def _local_midnight(year: int, month: int, day: int, tz: tzinfo) -> datetime:
    # Through UTC and back: a midnight that does not exist (a DST gap) becomes the real moment.
    return (
        datetime.combine(datetime(year, month, day).date(), time(), tz)
        .astimezone(UTC)
        .astimezone(tz)
    )


def _next_start(start: datetime, per: Per, tz: tzinfo) -> datetime:
    """Return the start of the period after the one starting at ``start``."""
    if per == "hour":
        # Hours are counted in elapsed time: a 25-hour day has 25 of them.
        return (start.astimezone(UTC) + timedelta(hours=1)).astimezone(tz)
    day = start.date()
    if per == "day":
        following = day + timedelta(days=1)
    elif per == "week":
        following = day + timedelta(days=7)
    elif per == "month":
        following = day.replace(year=day.year + day.month // 12, month=day.month % 12 + 1)
    else:
        following = day.replace(year=day.year + 1)
    return _local_midnight(following.year, following.month, following.day, tz)


def period_borders(start: datetime, end: datetime, per: Per, tz: tzinfo) -> list[datetime]:
    """Return the borders of the whole local periods covering ``[start, end)``, in ``tz``.

    The first border is the start of the period holding ``start``, the last the first border
    at or after ``end``: n periods have n + 1 borders.
    """
    # Compared in UTC: datetimes sharing a tzinfo compare by wall clock, which repeats.
    stop = end.astimezone(UTC)
    if stop <= start.astimezone(UTC):
        raise ValueError(f"the range is empty: {iso(end)} is not after {iso(start)}")
    borders = [period_start(start, per, tz)]
    while borders[-1].astimezone(UTC) < stop:
        borders.append(_next_start(borders[-1], per, tz))
    return borders


def glitch_free(values: Sequence[int]) -> list[bool]:
    """Which values of a register series (in time order) are sound.

    A register never falls: a 0 is a glitch, and so is every value outside the longest
    non-decreasing subsequence of the others. Among equally long subsequences the one keeping
    higher values wins (a glitch is a register that jumps back, more often than one that
    jumps ahead).
    """
    candidates = [index for index, value in enumerate(values) if value > 0]
    # The longest non-decreasing run found from the end on the negated values: a run that
    # keeps higher values wins ties.
    keys = [-values[index] for index in reversed(candidates)]
    tails: list[int] = []
    tail_positions: list[int] = []
    previous = [-1] * len(keys)
    for position, key in enumerate(keys):
        slot = bisect_right(tails, key)
        if slot == len(tails):
            tails.append(key)
            tail_positions.append(position)
        else:
            tails[slot] = key
            tail_positions[slot] = position
        previous[position] = tail_positions[slot - 1] if slot else -1
    sound = [False] * len(values)
    position = tail_positions[-1] if tail_positions else -1
    while position >= 0:
        sound[candidates[len(candidates) - 1 - position]] = True
        position = previous[position]
    return sound


@frozen
class UsageRequest:
    """One ``/readings`` request of a usage: a resolution and a half-open span in ms."""

    resolution: Resolution
    low: int
    high: int


@frozen
class _Border:
    """A period border: where it lies, the grid it is read at, and whether it is "now"."""

    ms: int
    resolution: Resolution
    latest: bool = False


@define
class _Register:
    """The readings of one register gathered so far, by time, and which are sound."""

    values: dict[int, int] = field(factory=dict)
    times: list[int] = field(factory=list)
    sound: dict[int, bool] = field(factory=dict)

    def add(self, ms: int, value: int) -> None:
        self.values.setdefault(ms, value)

    def settle(self) -> None:
        """Sort the times and find the glitches among all values gathered."""
        self.times = sorted(self.values)
        verdicts = glitch_free([self.values[ms] for ms in self.times])
        self.sound = dict(zip(self.times, verdicts, strict=True))

    def sound_near(self, ms: int) -> int | None:
        """Return the time of the sound reading nearest ``ms`` within 30 minutes (later on ties)."""
        low = bisect_left(self.times, ms - _NEAR_MS)
        high = bisect_right(self.times, ms + _NEAR_MS)
        best: int | None = None
        for candidate in self.times[low:high]:
            if self.sound[candidate] and (best is None or abs(candidate - ms) <= abs(best - ms)):
                best = candidate
        return best

    def first_sound(self, low: int, high: int) -> int | None:
        """Return the time of the earliest sound reading in ``[low, high]``."""
        for candidate in self.times[bisect_left(self.times, low) : bisect_right(self.times, high)]:
            if self.sound[candidate]:
                return candidate
        return None

    def latest_sound(self, low: int, high: int) -> int | None:
        """Return the time of the latest sound reading in ``[low, high]``."""
        for candidate in reversed(
            self.times[bisect_left(self.times, low) : bisect_right(self.times, high)]
        ):
            if self.sound[candidate]:
                return candidate
        return None


@frozen
class _Value:
    """A register at a border: the raw value, the time it was read, and what was done."""

    value: int | None
    ms: int | None
    note: str | None = None
    shifted: bool = False


def _grid_of(borders: Sequence[int]) -> Resolution:
    """Return the coarsest resolution whose grid holds every one of the borders."""
    for resolution in _BORDER_RESOLUTIONS:
        if all(on_grid(ms, resolution) for ms in borders):
            return resolution
    odd = next(ms for ms in borders if not on_grid(ms, _FINEST))
    raise UsageError(
        f"the period border {iso(from_ms(odd))} lies on none of the service's grids (the finest "
        "is 3 minutes): choose a time zone whose offset is a whole number of minutes"
    )


def _merge(windows: list[tuple[int, int]], resolution: Resolution) -> list[tuple[int, int]]:
    """Merge sorted windows into requests: near ones together, within the span allowed."""
    limit = RESOLUTION_SPANS[resolution].max_span
    step = RESOLUTION_SPANS[resolution].grid or _TYPICAL_STEP_MS[resolution]
    merged: list[tuple[int, int]] = []
    for low, high in sorted(windows):
        if merged:
            first, last = merged[-1]
            if low - last <= _MERGE_GAP_READINGS * step and max(high, last) - first <= limit:
                merged[-1] = (first, max(high, last))
                continue
        merged.append((low, high))
    return merged


class UsagePlanner:
    """Plans the requests of a usage, takes their answers, and computes the periods.

    The client runs it: :meth:`requests` gives the first round of requests, :meth:`add` takes
    each answer, :meth:`next_requests` the second round (re-reading glitched borders; empty
    when there is none), :meth:`frame` the result. No I/O happens here.
    """

    def __init__(
        self,
        registers: Sequence[str],
        start: datetime,
        end: datetime | None,
        per: Per,
        tz: Zone | None,
        now: datetime,
    ) -> None:
        if per not in PERIODS:
            raise ValueError(f"unknown period {per!r}: use one of {', '.join(PERIODS)}")
        start_ms = to_ms(start, "start")
        self.registers = tuple(registers)
        self.per = per
        self.tz = resolve_zone(tz)
        self.now_ms = to_ms(now, "now")
        stop = now if end is None else end
        if to_ms(stop, "end") <= start_ms:
            raise ValueError(
                f"the range is empty: start {iso(start)} is not before "
                f"{'now' if end is None else 'end'} ({iso(stop)})"
            )
        self.borders = [to_ms(border) for border in period_borders(start, stop, per, self.tz)]
        if self.borders[0] >= self.now_ms:
            raise UsageError(
                f"the range begins after now ({iso(now, self.tz)}): there is no usage yet"
            )
        # Periods that begin after now are left out; one running now ends at the latest reading.
        while len(self.borders) > 2 and self.borders[-2] >= self.now_ms:
            self.borders.pop()
        self.partial = self.borders[-1] > self.now_ms
        exact = self.borders[:-1] if self.partial else self.borders
        grid = _grid_of(exact)
        self._plan = [_Border(ms, grid) for ms in exact]
        if self.partial:
            self._plan.append(_Border(self.now_ms, _FINEST, latest=True))
        self._gathered = {name: _Register() for name in self.registers}
        self._refined = False

    @classmethod
    def for_fields(
        cls,
        field_names: Sequence[str],
        start: datetime,
        end: datetime | None,
        per: Per,
        tz: Zone | None,
        now: datetime,
    ) -> UsagePlanner:
        """Plan the usage of a meter with these fields: energy (and energyOut) or gas volume."""
        if "energy" in field_names:
            registers = ["energy"] + (["energyOut"] if "energyOut" in field_names else [])
        elif "volume" in field_names:
            registers = ["volume"]
        else:
            raise UsageError(
                "this meter has no energy or volume register (its fields: "
                f"{', '.join(field_names) or 'none'}), so its usage cannot be computed"
            )
        return cls(registers, start, end, per, tz, now)

    @property
    def fields(self) -> list[str]:
        """The register fields requested."""
        return list(self.registers)

    def requests(self) -> list[UsageRequest]:
        """Return the first round of requests: every border with the grid points around it."""
        windows: dict[Resolution, list[tuple[int, int]]] = {}
        for border in self._plan:
            if border.latest:
                low = max(border.ms - _LATEST_WINDOW_MS, self.borders[-2])
                window = (low, border.ms + 1)
            else:
                resolution = border.resolution
                window = (grid_before(border.ms, resolution), grid_after(border.ms, resolution) + 1)
            windows.setdefault(border.resolution, []).append(window)
        return self._requests(windows)

    def _requests(self, windows: dict[Resolution, list[tuple[int, int]]]) -> list[UsageRequest]:
        return [
            UsageRequest(resolution, low, high)
            for resolution, spans in windows.items()
            for low, high in _merge(spans, resolution)
        ]

    def add(self, readings: Sequence[Reading]) -> None:
        """Take the readings one request answered."""
        for name in self.registers:
            register = self._gathered[name]
            attribute = _ATTRIBUTES[name]
            for reading in readings:
                value = getattr(reading.values, attribute)
                if not isinstance(value, Unset) and value is not None:
                    register.add(int(reading.time), int(value))

    def next_requests(self) -> list[UsageRequest]:
        """Return the second round: glitched borders read again at the 3-minute grid (once)."""
        if self._refined:
            return []
        self._refined = True
        for register in self._gathered.values():
            register.settle()
        windows: set[tuple[int, int]] = set()
        for border in self._plan:
            if border.latest:
                continue
            for register in self._gathered.values():
                if border.ms in register.values and not register.sound[border.ms]:
                    windows.add((border.ms - _NEAR_MS, border.ms + _NEAR_MS + 1))
        return self._requests({_FINEST: sorted(windows)} if windows else {})

    def _value_at(self, name: str, index: int, role: Literal["start", "end"]) -> _Value:
        """Return the register ``name`` at border ``index`` as a period's start or end.

        The note says what went wrong, if anything. Where the border has no reading at all
        (the meter's data begins or ends inside the period), the nearest reading inside the
        period stands in and the value is ``shifted``: the period is then partial.
        """
        border = self._plan[index]
        register = self._gathered[name]
        if border.latest:
            latest = register.latest_sound(self.borders[-2], border.ms)
            return _Value(None, None) if latest is None else _Value(register.values[latest], latest)
        where = iso(from_ms(border.ms), self.tz)
        if border.ms not in register.values:
            found = None
            if role == "start" and index + 1 < len(self._plan):
                found = register.first_sound(border.ms + 1, self._plan[index + 1].ms - 1)
                which = "first reading after it"
            elif role == "end" and index > 0:
                found = register.latest_sound(self._plan[index - 1].ms + 1, border.ms - 1)
                which = "last reading before it"
            if found is None:
                return _Value(None, None, f"no reading at {where}")
            used = iso(from_ms(found), self.tz)
            note = f"no reading at {where}, used the {which}, at {used}"
            return _Value(register.values[found], found, note, shifted=True)
        if register.sound[border.ms]:
            return _Value(register.values[border.ms], border.ms)
        what = "read 0" if register.values[border.ms] == 0 else "went backwards"
        near = register.sound_near(border.ms)
        if near is None:
            return _Value(None, None, f"{what} at {where}, no sound reading within 30 minutes")
        used = iso(from_ms(near), self.tz)
        return _Value(register.values[near], near, f"{what} at {where}, used the reading of {used}")

    def periods(self) -> Iterator[dict[str, Any]]:
        """One row per period: start, end (aware, in the zone), partial, raw differences, notes."""
        for register in self._gathered.values():
            register.settle()
        for index in range(len(self._plan) - 1):
            row: dict[str, Any] = {
                "start": from_ms(self.borders[index]).astimezone(self.tz),
                "end": from_ms(self.borders[index + 1]).astimezone(self.tz),
                "partial": self._plan[index + 1].latest,
            }
            notes: dict[str, list[str]] = {}
            for name in self.registers:
                before = self._value_at(name, index, "start")
                after = self._value_at(name, index + 1, "end")
                for note in (before.note, after.note):
                    if note and name not in notes.setdefault(note, []):
                        notes[note].append(name)
                difference = None
                if before.value is not None and after.value is not None:
                    difference = after.value - before.value
                    if difference < 0:  # only when the latest reading precedes the period
                        difference = None
                if before.shifted and before.ms is not None:
                    row["start"] = from_ms(before.ms).astimezone(self.tz)
                    row["partial"] = True
                if (after.shifted or self._plan[index + 1].latest) and after.ms is not None:
                    row["end"] = from_ms(after.ms).astimezone(self.tz)
                    row["partial"] = True
                row[name] = difference
            row["glitches"] = (
                "; ".join(f"{' and '.join(names)}: {note}" for note, names in notes.items()) or None
            )
            yield row

    def frame(
        self, *, price: float | None = None, feed_in_price: float | None = None
    ) -> pl.DataFrame:
        """Return the usage as a DataFrame (see ``Inexogy.usage``)."""
        polars = require("polars", "tables", "usage tables")
        rows = list(self.periods())
        tz_name = polars_zone(self.tz)
        columns: list[Any] = [
            polars.Series(name, [to_ms(row[name]) for row in rows], dtype=polars.Int64)
            .cast(polars.Datetime("ms", "UTC"))
            .dt.convert_time_zone(tz_name)
            for name in ("start", "end")
        ] + [
            polars.Series("partial", [row["partial"] for row in rows], dtype=polars.Boolean),
        ]
        for name in self.registers:
            conversion = conversion_for(name)
            assert conversion is not None
            raw = polars.Series(name, [row[name] for row in rows], dtype=polars.Int64)
            columns.append(
                (raw.cast(polars.Float64) / conversion.divisor)
                .round(conversion.decimals)
                .alias(_COLUMNS[name])
            )
        frame = polars.DataFrame(columns)
        drawn = "volume_m³" if "volume" in self.registers else "drawn_kWh"
        if price is not None:
            frame = frame.with_columns((polars.col(drawn) * price).round(6).alias("cost"))
        if feed_in_price is not None and "energyOut" in self.registers:
            frame = frame.with_columns(
                (polars.col("fed_in_kWh") * feed_in_price).round(6).alias("credit")
            )
        result: pl.DataFrame = frame.with_columns(
            polars.Series("glitches", [row["glitches"] for row in rows], dtype=polars.String)
        )
        return result
