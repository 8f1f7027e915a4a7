"""How ``AsyncInexogy`` runs the work of a method: calls as tasks, blocking work in threads.

The asynchronous twin of ``concurrency``: the same names with the same parameters, so that
``client.py`` is generated from ``async_client.py`` word for word (``scripts/unasync.py``).
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from .concurrency import _Skipped  # the one marker class, shared with the threaded twin

if TYPE_CHECKING:
    import polars as pl

    from .base import Progress
    from .export import CsvDialect, ExportFormat
    from .stream import ExportResult, ExportTarget

__all__ = ["export_chunks", "in_order", "run_all", "run_blocking"]

A = TypeVar("A")
T = TypeVar("T")
P = ParamSpec("P")


async def run_all(
    run: Callable[[A], Awaitable[T]],
    batch: Sequence[A],
    max_concurrency: int,
    progress: Progress | None,
) -> list[T]:
    """Return ``await run(item)`` for each item of ``batch``, up to ``max_concurrency`` at once.

    The results are in batch order; ``progress(done, total)`` is called after each one. When
    one run fails for good, no further run starts, the running ones are cancelled, and its
    error is raised.
    """
    total = len(batch)
    semaphore = asyncio.Semaphore(max_concurrency)
    done = 0
    failed = False

    async def run_one(item: A) -> T:
        nonlocal done, failed
        async with semaphore:
            if failed:
                raise _Skipped
            try:
                result = await run(item)
            except BaseException:
                failed = True
                raise
        done += 1
        if progress is not None:
            progress(done, total)
        return result

    tasks = [asyncio.ensure_future(run_one(item)) for item in batch]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        error = None if task.cancelled() else task.exception()
        if error is not None and not isinstance(error, _Skipped):
            raise error
    return [task.result() for task in tasks]


async def in_order(
    run: Callable[[A], Awaitable[T]],
    batch: Sequence[A],
    max_concurrency: int,
    progress: Progress | None,
) -> AsyncIterator[T]:
    """Yield ``await run(item)`` for each item of ``batch`` in batch order, as ``in_order`` does.

    ``progress(done, total)`` is called as each result is handed on; at most
    ``max_concurrency`` results are held however long the batch (see ``stream.ordered_async``).
    """
    from .stream import ordered_async

    total = len(batch)
    tasks = [functools.partial(run, item) for item in batch]
    done = 0
    async for result in ordered_async(tasks, max_concurrency):
        done += 1
        if progress is not None:
            progress(done, total)
        yield result
        del result  # not held while the next chunk is awaited


async def export_chunks(
    chunks: Callable[[], AsyncIterator[pl.DataFrame]],
    target: ExportTarget,
    format: ExportFormat,
    dialect: CsvDialect,
) -> ExportResult:
    """Write the chunk tables ``chunks()`` yields to ``target`` (see ``stream.export_frames``).

    The writing runs in a worker thread while the chunks are fetched on the event loop.
    """
    from .stream import export_frames, iterate_from_thread

    loop = asyncio.get_running_loop()

    def frames() -> Iterator[pl.DataFrame]:
        yield from iterate_from_thread(chunks(), loop)

    return await asyncio.to_thread(export_frames, frames, target, format, dialect)


async def run_blocking(function: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Return ``function(*args, **kwargs)`` run in a worker thread: off the event loop."""
    return await asyncio.to_thread(function, *args, **kwargs)
