"""Running a sync: fetch the planned periods with bounded concurrency, write each file at once.

The requests run in worker threads (``Inexogy``) or tasks (``AsyncInexogy``); every file is
written by the caller's thread as soon as its period has arrived, so an interrupted sync
loses at most the periods in flight. The whole sync holds the archive's lock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from contextlib import contextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from attrs import frozen
from inexogy_client.models import Meter

from ..chunks import Resolution
from ..files import remove_stale_temporaries_in
from ..meters import match_meter
from ..timestamps import from_ms
from .errors import ArchiveError
from .layout import partition_dir, period_unit
from .lock import locked
from .plan import PeriodTask, Plan, SyncedPeriod, plan_sync
from .store import write_period_file

if TYPE_CHECKING:
    import polars as pl

    from ..readings import Readings

__all__ = [
    "AsyncFetch",
    "Fetch",
    "PeriodDone",
    "SyncSummary",
    "prepared",
    "run_async",
    "run_threaded",
    "select_meters",
    "summary",
    "workers_for",
]

logger = logging.getLogger("inexogy.archive")

PeriodDone = Callable[[SyncedPeriod], None]
"""Called with each period's description right after its file is written."""

Fetch = Callable[[str, datetime, datetime, Resolution], "Readings"]
"""Fetches one meter's readings in ``[start, end)`` at a resolution (``Inexogy.readings``)."""
AsyncFetch = Callable[[str, datetime, datetime, Resolution], Awaitable["Readings"]]
"""The awaitable twin of ``Fetch`` (``AsyncInexogy.readings``)."""


@frozen
class SyncSummary:
    """What a sync did: the files it fetched and wrote, the ones it left as they were.

    ``fetched`` and ``skipped`` are in meter, then time order; ``left_out`` maps the meterId
    of each meter not synced to the reason (e.g. it never sent data); ``requests`` counts
    the readings requests sent (retries not included).
    """

    directory: Path
    resolution: Resolution
    meters: list[Meter]
    fetched: list[SyncedPeriod]
    skipped: list[SyncedPeriod]
    left_out: dict[str, str]

    @property
    def requests(self) -> int:
        """The readings requests the fetched periods took."""
        return sum(period.requests for period in self.fetched)

    @property
    def readings(self) -> int:
        """The readings written."""
        return sum(period.readings or 0 for period in self.fetched)


def select_meters(available: Sequence[Meter], wanted: str | Sequence[str] | None) -> list[Meter]:
    """Return the meters ``wanted`` names (meterIds or serials), each once; all when ``None``."""
    if wanted is None:
        return list(available)
    names = [wanted] if isinstance(wanted, str) else list(wanted)
    if not names:
        raise ValueError("name at least one meter, or pass None for every meter of the account")
    chosen: dict[str, Meter] = {}
    for name in names:
        meter = match_meter(available, name)
        chosen.setdefault(meter.meter_id, meter)
    return list(chosen.values())


def _archive_root(directory: str | Path) -> Path:
    root = Path(directory)
    if root.exists() and not root.is_dir():
        raise ArchiveError(f"{root} is a file, not a folder: choose a folder for the archive")
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ArchiveError(
            f"cannot create the archive folder {root}: {error.strerror or error}"
        ) from None
    return root


@contextmanager
def prepared(
    directory: str | Path,
    meters: Sequence[Meter],
    resolution: Resolution,
    start: datetime | None,
    now: datetime,
) -> Iterator[tuple[Path, Plan]]:
    """Lock the archive, clear what a killed sync left, and plan the sync; unlock at the end."""
    period_unit(resolution)  # refuse an unsupported resolution before touching the disk
    root = _archive_root(directory)
    with locked(root):
        for meter in meters:
            # A file whose writer was killed may be final by now, never written again: its
            # temporary goes here (the lock proves that no other sync is writing).
            removed = remove_stale_temporaries_in(partition_dir(root, meter.meter_id, resolution))
            if removed:
                logger.info(
                    "removed %d unfinished file(s) of meter %s", len(removed), meter.meter_id
                )
        plan = plan_sync(root, meters, resolution, start, now)
        for kept in plan.skipped:
            logger.debug("final, skipped: %s", kept.path)
        yield root, plan


def summary(
    root: Path,
    resolution: Resolution,
    meters: Sequence[Meter],
    plan: Plan,
    fetched: list[SyncedPeriod],
) -> SyncSummary:
    """Return the summary of a finished sync, in meter and time order."""
    order = {meter.meter_id: index for index, meter in enumerate(meters)}

    def key(period: SyncedPeriod) -> tuple[int, datetime]:
        return order[period.meter_id], period.start

    return SyncSummary(
        root,
        resolution,
        list(meters),
        sorted(fetched, key=key),
        sorted(plan.skipped, key=key),
        dict(plan.left_out),
    )


def workers_for(tasks: Sequence[PeriodTask], max_concurrency: int) -> int:
    """Periods fetched at once, so that at most ``max_concurrency`` requests are in flight.

    ``Inexogy.readings`` runs the requests of one period in parallel itself.
    """
    per_period = max((task.requests for task in tasks), default=1)
    return max(1, max_concurrency // max(1, per_period))


def _frame(readings: Readings | None) -> pl.DataFrame:
    if readings is None:
        from .read import empty_frame

        return empty_frame()
    return readings.to_polars()


def _span(task: PeriodTask) -> tuple[datetime, datetime] | None:
    """Return the span to request; ``None`` when the open period has not begun (nothing to ask)."""
    if task.fetch_end_ms <= task.period.start_ms:
        return None
    return task.period.start, from_ms(task.fetch_end_ms)


def _store(task: PeriodTask, frame: pl.DataFrame) -> SyncedPeriod:
    """Write one period's file; return its description."""
    write_period_file(task.path, frame, task.facts)
    done = task.done(frame.height)
    logger.info(
        "wrote %s (%d readings, %s)", task.path, done.readings, "final" if done.final else "open"
    )
    return done


def _write(task: PeriodTask, frame: pl.DataFrame, on_period: PeriodDone | None) -> SyncedPeriod:
    done = _store(task, frame)
    if on_period is not None:
        on_period(done)
    return done


def run_threaded(
    tasks: Sequence[PeriodTask], fetch: Fetch, max_concurrency: int, on_period: PeriodDone | None
) -> list[SyncedPeriod]:
    """Fetch the periods in worker threads; write each file in this thread as it arrives.

    A sliding window: a period starts only when one before it is written, so no more than
    the periods in flight are ever held in memory. On a failure (or Ctrl-C) no further
    period starts and the files written so far stay.
    """

    def fetch_one(task: PeriodTask) -> pl.DataFrame:
        span = _span(task)
        readings = None if span is None else fetch(task.meter_id, *span, task.resolution)
        return _frame(readings)

    done: list[SyncedPeriod] = []
    if not tasks:
        return done
    waiting = iter(tasks)
    workers = workers_for(tasks, max_concurrency)
    pool = ThreadPoolExecutor(workers, "inexogy-sync")
    interrupted = False
    try:
        running = {pool.submit(fetch_one, task): task for task in islice(waiting, workers)}
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                task = running.pop(future)
                done.append(_write(task, future.result(), on_period))
                for following in islice(waiting, 1):
                    running[pool.submit(fetch_one, following)] = following
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        # After Ctrl-C, do not wait for the requests in flight: their answers are dropped.
        pool.shutdown(wait=not interrupted, cancel_futures=True)
    return done


async def run_async(
    tasks: Sequence[PeriodTask],
    fetch: AsyncFetch,
    max_concurrency: int,
    on_period: PeriodDone | None,
) -> list[SyncedPeriod]:
    """Fetch the periods as asyncio tasks, in a sliding window; write each file as it arrives."""

    async def fetch_one(task: PeriodTask) -> pl.DataFrame:
        span = _span(task)
        readings = None if span is None else await fetch(task.meter_id, *span, task.resolution)
        return _frame(readings)

    done: list[SyncedPeriod] = []
    waiting = iter(tasks)
    workers = workers_for(tasks, max_concurrency)
    running: dict[asyncio.Task[pl.DataFrame], PeriodTask] = {
        asyncio.ensure_future(fetch_one(task)): task for task in islice(waiting, workers)
    }
    try:
        while running:
            finished, _ = await asyncio.wait(running, return_when=asyncio.FIRST_COMPLETED)
            for arrival in finished:
                task = running.pop(arrival)
                # Encoding and writing a file is blocking work: off the event loop. The thread
                # ends its (atomic) write even if this task is cancelled meanwhile.
                written = await asyncio.to_thread(_store, task, arrival.result())
                done.append(written)
                if on_period is not None:
                    on_period(written)
                for following in islice(waiting, 1):
                    running[asyncio.ensure_future(fetch_one(following))] = following
    finally:
        for pending in running:
            pending.cancel()
        await asyncio.gather(*running, return_exceptions=True)
    return done
