"""Planning a sync: which periods of which meters to fetch, which to leave as they are."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from attrs import field, frozen
from inexogy_client.models import Meter

from ..chunks import Resolution, split_range
from ..timestamps import from_ms, to_ms
from .layout import SUFFIX, Period, partition_dir, period_unit, periods_between
from .store import FileFacts, is_final

__all__ = ["PeriodTask", "Plan", "SyncedPeriod", "plan_sync"]


@frozen
class SyncedPeriod:
    """One archive file a sync looked at: fetched (and written), or skipped as final.

    ``readings`` is the number of readings written (``None`` for a skipped file); ``final``
    says whether the file now holds the period for good (``False``: the still-open period,
    fetched again by the next sync); ``requests`` is how many readings requests it took.
    """

    meter_id: str
    serial: str
    resolution: Resolution
    period: str
    start: datetime
    end: datetime
    path: Path
    fetched: bool
    final: bool
    requests: int = 0
    readings: int | None = None


@frozen
class PeriodTask:
    """A period to fetch: its file, the span to request and whether it will be final."""

    meter_id: str
    serial: str
    resolution: Resolution
    period: Period
    path: Path
    fetch_end_ms: int
    final: bool

    @property
    def facts(self) -> FileFacts:
        """What the file will record about itself."""
        return FileFacts(
            self.meter_id,
            self.resolution,
            self.period.name,
            self.period.start_ms,
            self.period.end_ms,
            self.final,
        )

    @property
    def requests(self) -> int:
        """How many readings requests the span takes."""
        return len(split_range(self.period.start_ms, self.fetch_end_ms, self.resolution))

    def done(self, readings: int) -> SyncedPeriod:
        """Describe the task once its file is written with ``readings`` readings."""
        return SyncedPeriod(
            self.meter_id,
            self.serial,
            self.resolution,
            self.period.name,
            self.period.start,
            self.period.end,
            self.path,
            fetched=True,
            final=self.final,
            requests=self.requests,
            readings=readings,
        )


@frozen
class Plan:
    """What a sync will do: periods to fetch, periods kept, and meters left out (with why)."""

    tasks: list[PeriodTask] = field(factory=list)
    skipped: list[SyncedPeriod] = field(factory=list)
    left_out: dict[str, str] = field(factory=dict)


def _serial(meter: Meter) -> str:
    serial = meter.full_serial_number
    return serial if isinstance(serial, str) and serial else meter.meter_id


def _known_ms(value: object) -> int | None:
    """Return a measurement time of the meter list; ``None`` when unset or -1 (no data)."""
    return value if isinstance(value, int) and value >= 0 else None


def plan_sync(
    root: Path,
    meters: Sequence[Meter],
    resolution: Resolution,
    start: datetime | None,
    now: datetime,
) -> Plan:
    """Plan the sync of ``meters`` into ``root``.

    Each meter is covered from the period containing ``start`` (else its first measurement;
    whichever is later) to the period containing its last measurement (or ``now``, if
    earlier). A period that ended before the meter's last measurement is final once fetched;
    the one after it is still open. A period whose file is already final is skipped.
    """
    unit = period_unit(resolution)
    now_ms = to_ms(now, "now")
    wanted_ms = None if start is None else to_ms(start, "start")
    plan = Plan()
    for meter in meters:
        first_ms = _known_ms(meter.first_measurement_time)
        last_ms = _known_ms(meter.last_measurement_time)
        if meter.first_measurement_time == -1:
            plan.left_out[meter.meter_id] = "it has never sent data"
            continue
        if first_ms is None and wanted_ms is None:
            plan.left_out[meter.meter_id] = (
                "its first measurement time is unknown: give a start (--from)"
            )
            continue
        begin_ms = max(ms for ms in (first_ms, wanted_ms) if ms is not None)
        horizon_ms = now_ms if last_ms is None else min(last_ms, now_ms)
        if begin_ms > horizon_ms:
            last = from_ms(horizon_ms).isoformat(timespec="seconds")
            plan.left_out[meter.meter_id] = f"it has no data after the start (its last is {last})"
            continue
        folder = partition_dir(root, meter.meter_id, resolution)
        for period in periods_between(begin_ms, horizon_ms, unit):
            task = PeriodTask(
                meter.meter_id,
                _serial(meter),
                resolution,
                period,
                folder / f"{period.name}{SUFFIX}",
                fetch_end_ms=min(period.end_ms, now_ms),
                final=period.end_ms <= horizon_ms,
            )
            if task.final and is_final(task.path, task.facts):
                plan.skipped.append(
                    SyncedPeriod(
                        task.meter_id,
                        task.serial,
                        resolution,
                        period.name,
                        period.start,
                        period.end,
                        task.path,
                        fetched=False,
                        final=True,
                    )
                )
            else:
                plan.tasks.append(task)
    return plan
