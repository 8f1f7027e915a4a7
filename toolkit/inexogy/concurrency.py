"""How ``Inexogy`` runs the work of a method: a batch of calls in threads, the rest in line.

The synchronous twin of ``async_concurrency``: the same names with the same parameters, so
that ``client.py`` is generated from ``async_client.py`` word for word (``scripts/unasync.py``).
Thread pools and the export machinery are imported when first used: ``inexogy meters`` does
not pay for them.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, ParamSpec, TypeVar

if TYPE_CHECKING:
    import polars as pl

    from .base import Progress
    from .export import CsvDialect, ExportFormat
    from .stream import ExportResult, ExportTarget

__all__ = ["export_chunks", "in_order", "run_all", "run_blocking"]

A = TypeVar("A")
T = TypeVar("T")
P = ParamSpec("P")


class _Skipped(Exception):
    """A call of a long range not started because another one had failed."""


def run_all(
    run: Callable[[A], T],
    batch: Sequence[A],
    max_concurrency: int,
    progress: Progress | None,
) -> list[T]:
    """Return ``run(item)`` for each item of ``batch``, up to ``max_concurrency`` threads at once.

    The results are in batch order; ``progress(done, total)`` is called after each one. When
    one run fails for good, no further run starts and its error is raised once the runs
    already going have ended.
    """
    total = len(batch)
    if total == 1 or max_concurrency == 1:
        results: list[T] = []
        for item in batch:
            results.append(run(item))
            if progress is not None:
                progress(len(results), total)
        return results
    from concurrent.futures import ThreadPoolExecutor, as_completed

    failed = threading.Event()

    def run_one(item: A) -> T:
        if failed.is_set():
            raise _Skipped
        try:
            return run(item)
        except BaseException:
            failed.set()
            raise

    with ThreadPoolExecutor(min(max_concurrency, total), "inexogy") as pool:
        futures = [pool.submit(run_one, item) for item in batch]
        try:
            for done, future in enumerate(as_completed(futures), start=1):
                if future.exception() is not None:
                    break
                if progress is not None:
                    progress(done, total)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    for future in futures:
        error = None if future.cancelled() else future.exception()
        if error is not None and not isinstance(error, _Skipped):
            raise error
    return [future.result() for future in futures]


def in_order(
    run: Callable[[A], T],
    batch: Sequence[A],
    max_concurrency: int,
    progress: Progress | None,
) -> Iterator[T]:
    """Yield ``run(item)`` for each item of ``batch`` in batch order, ``max_concurrency`` at a time.

    ``progress(done, total)`` is called as each result is handed on; at most
    ``max_concurrency`` results are held however long the batch (see ``stream.ordered``).
    """
    from .stream import ordered

    total = len(batch)
    tasks = [functools.partial(run, item) for item in batch]
    for done, result in enumerate(ordered(tasks, max_concurrency), start=1):
        if progress is not None:
            progress(done, total)
        yield result
        del result  # not held while the next chunk is awaited


def export_chunks(
    chunks: Callable[[], Iterator[pl.DataFrame]],
    target: ExportTarget,
    format: ExportFormat,
    dialect: CsvDialect,
) -> ExportResult:
    """Write the chunk tables ``chunks()`` yields to ``target`` (see ``stream.export_frames``)."""
    from .stream import export_frames

    return export_frames(chunks, target, format, dialect)


def run_blocking(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Return ``function(*args, **kwargs)``: blocking work (the disk) runs in line here."""
    return function(*args, **kwargs)
