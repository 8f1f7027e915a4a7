"""Where an archive keeps what: hive partitions, one file per UTC calendar period.

``DIR/meter=<meterId>/resolution=<resolution>/<period>.parquet``, where a period is a UTC
calendar day for raw readings (``2024-05-03``), a UTC calendar month for the 3-minute,
15-minute and hourly resolutions (``2024-05``) and a UTC calendar year for daily readings
(``2024``). Each file holds the readings whose time lies in ``[period start, period end)``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from attrs import frozen

from ..chunks import Resolution
from ..timestamps import from_ms, to_ms

__all__ = [
    "ARCHIVE_RESOLUTIONS",
    "SUFFIX",
    "Period",
    "PeriodUnit",
    "partition_dir",
    "period_containing",
    "period_named",
    "period_unit",
    "periods_between",
]

PeriodUnit = Literal["day", "month", "year"]
"""How much time one archive file covers."""

ARCHIVE_RESOLUTIONS: dict[str, PeriodUnit] = {
    "raw": "day",
    "three_minutes": "month",
    "fifteen_minutes": "month",
    "one_hour": "month",
    "one_day": "year",
}
"""The resolutions an archive can keep, and the calendar period (UTC) of one file of each."""

SUFFIX = ".parquet"

_NAME_FORMATS: dict[PeriodUnit, tuple[str, re.Pattern[str]]] = {
    "day": ("%Y-%m-%d", re.compile(r"\d{4}-\d{2}-\d{2}")),
    "month": ("%Y-%m", re.compile(r"\d{4}-\d{2}")),
    "year": ("%Y", re.compile(r"\d{4}")),
}


@frozen(order=True)
class Period:
    """One file's worth of time: ``[start_ms, end_ms)`` in Unix ms, and its file stem."""

    start_ms: int
    end_ms: int
    name: str

    @property
    def start(self) -> datetime:
        """The period's first instant (UTC)."""
        return from_ms(self.start_ms)

    @property
    def end(self) -> datetime:
        """The instant after the period (UTC), the start of the next one."""
        return from_ms(self.end_ms)


def period_unit(resolution: str) -> PeriodUnit:
    """Return the period one file covers at ``resolution``; refuse one an archive cannot keep."""
    unit = ARCHIVE_RESOLUTIONS.get(resolution)
    if unit is None:
        known = ", ".join(ARCHIVE_RESOLUTIONS)
        raise ValueError(
            f"an archive keeps the resolutions {known}, not {resolution!r} "
            "(coarser readings fit in one `inexogy readings` export)"
        )
    return unit


def _period_starting(moment: datetime, unit: PeriodUnit) -> Period:
    if unit == "day":
        start = datetime(moment.year, moment.month, moment.day, tzinfo=UTC)
        following = datetime.fromordinal(start.toordinal() + 1).replace(tzinfo=UTC)
    elif unit == "month":
        start = datetime(moment.year, moment.month, 1, tzinfo=UTC)
        year, month = divmod(moment.year * 12 + moment.month, 12)  # month is 0-based here
        following = datetime(year, month + 1, 1, tzinfo=UTC)
    else:
        start = datetime(moment.year, 1, 1, tzinfo=UTC)
        following = datetime(moment.year + 1, 1, 1, tzinfo=UTC)
    return Period(to_ms(start), to_ms(following), start.strftime(_NAME_FORMATS[unit][0]))


def period_containing(ms: int, unit: PeriodUnit) -> Period:
    """Return the UTC calendar period of ``unit`` that contains the instant ``ms``."""
    return _period_starting(from_ms(ms), unit)


def periods_between(first_ms: int, last_ms: int, unit: PeriodUnit) -> list[Period]:
    """Return the periods from the one containing ``first_ms`` to the one containing ``last_ms``."""
    periods: list[Period] = []
    if last_ms < first_ms:
        return periods
    period = period_containing(first_ms, unit)
    while period.start_ms <= last_ms:
        periods.append(period)
        period = period_containing(period.end_ms, unit)
    return periods


def period_named(name: str, unit: PeriodUnit) -> Period | None:
    """Return the period a file stem names (``2024-05``), or ``None`` for any other name."""
    pattern, shape = _NAME_FORMATS[unit]
    if not shape.fullmatch(name):
        return None
    try:
        moment = datetime.strptime(name, pattern).replace(tzinfo=UTC)
    except ValueError:
        return None
    return _period_starting(moment, unit)


def partition_dir(root: Path, meter_id: str, resolution: Resolution | str) -> Path:
    """Return the folder of one meter's files at one resolution."""
    return root / f"meter={meter_id}" / f"resolution={resolution}"
