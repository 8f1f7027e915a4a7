"""Long ranges streamed: fetched with bounded concurrency, handed on in order, written as they come.

``ordered`` (threads) and ``ordered_async`` (tasks) run fetches at most ``max_in_flight`` at a
time and yield their results in the order of the fetches: a chunk that arrives early waits
until every chunk before it has been handed on, and a new fetch starts only when the consumer
is done with the chunk handed on before (asks for the next one), so at most
``max_in_flight`` results exist at once, the one being written included, however long the
range. ``export_frames`` writes such a stream of chunk tables to a file,
under a temporary name renamed over the target only when complete
(``inexogy.files.write_atomically``), or to an open binary stream such as stdout.
"""

from __future__ import annotations

import asyncio
import os
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, TypeVar

from attrs import frozen

from .allocator import release_free_memory
from .export import (
    CsvDialect,
    ExportFormat,
    FrameWriter,
    SchemaChangedError,
    format_from_path,
    open_writer,
)
from .files import write_atomically
from .readings import table_in_units
from .units import Units
from .zones import Zone

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "ExportResult",
    "ExportTarget",
    "export_format",
    "export_frames",
    "in_units",
    "in_units_async",
    "iterate_from_thread",
    "ordered",
    "ordered_async",
]

T = TypeVar("T")

ExportTarget = str | os.PathLike[str] | BinaryIO
"""Where an export goes: a file path (written atomically) or an open binary stream."""

FrameSource = Callable[[], Iterable["pl.DataFrame"]]
"""Starts the chunk tables of a range over again, in time order."""


@frozen
class ExportResult:
    """What an export wrote: ``path`` (``None`` for a stream), ``rows`` and ``format``."""

    path: Path | None
    rows: int
    format: ExportFormat


def ordered(tasks: Iterable[Callable[[], T]], max_in_flight: int) -> Iterator[T]:
    """Run ``tasks`` in threads, at most ``max_in_flight`` at once; yield results in task order.

    A result handed on counts as in flight until the next one is asked for: with
    ``max_in_flight=1``, fetching and consuming alternate. When a task fails, its error is
    raised in its turn; tasks not started yet never start and the running ones are waited
    for. Closing the iterator early does the same.
    """
    if max_in_flight < 1:
        raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
    pending = iter(tasks)
    window: deque[Future[T]] = deque()
    with ThreadPoolExecutor(max_in_flight, "inexogy") as pool:
        try:
            window.extend(pool.submit(task) for task in islice(pending, max_in_flight))
            while window:
                result = window.popleft().result()
                yield result
                del result  # not held while the next chunk is awaited
                following = next(pending, None)
                if following is not None:
                    window.append(pool.submit(following))
        finally:
            for future in window:
                future.cancel()


async def ordered_async(
    tasks: Iterable[Callable[[], Awaitable[T]]], max_in_flight: int
) -> AsyncIterator[T]:
    """Run ``tasks`` as asyncio tasks, as :func:`ordered` does threads, with the same guarantees."""
    if max_in_flight < 1:
        raise ValueError(f"max_in_flight must be at least 1, not {max_in_flight}")
    pending = iter(tasks)
    window: deque[asyncio.Future[T]] = deque()
    try:
        window.extend(asyncio.ensure_future(task()) for task in islice(pending, max_in_flight))
        while window:
            result = await window.popleft()
            yield result
            del result
            following = next(pending, None)
            if following is not None:
                window.append(asyncio.ensure_future(following()))
    finally:
        for future in window:
            future.cancel()
        await asyncio.gather(*window, return_exceptions=True)


def export_frames(
    frames: FrameSource,
    target: ExportTarget,
    format: ExportFormat,
    dialect: CsvDialect = CsvDialect(),  # noqa: B008 (immutable)
) -> ExportResult:
    """Write the chunk tables ``frames()`` yields to ``target`` as one ``format`` file.

    Each chunk is written as soon as it is handed on. To a path, the file is written under a
    temporary name and renamed over ``path`` only when complete; should a chunk bring a field
    (or a value type) the columns written so far lack, the file is started over with the
    widened columns (the range is fetched again: this happens only when a meter's fields
    change within the range). To a stream, such a change raises ``SchemaChangedError``.
    """
    if not isinstance(target, str | os.PathLike):
        return ExportResult(None, _write_all(frames, open_writer(target, format, dialect)), format)
    schema: Mapping[str, Any] | None = None
    while True:
        rows = 0

        def write(stream: BinaryIO, schema: Mapping[str, Any] | None = schema) -> None:
            nonlocal rows
            rows = _write_all(frames, open_writer(stream, format, dialect, schema))

        try:
            path = write_atomically(target, write)
        except SchemaChangedError as changed:
            schema = changed.schema
            continue
        return ExportResult(path, rows, format)


def _write_all(frames: FrameSource, writer: FrameWriter) -> int:
    """Write every chunk ``frames()`` yields with ``writer``, finish the file; return the rows."""
    try:
        for frame in frames():
            writer.write(frame)
            del frame  # not held while the next chunk is awaited
            release_free_memory()  # bodies in httpx's reference cycles too: see allocator
        writer.close()
    except BaseException:
        writer.discard()
        raise
    return writer.rows


def in_units(
    frames: Iterator[pl.DataFrame], units: Units, tz: Zone | None = None
) -> Iterator[pl.DataFrame]:
    """Yield each raw chunk table converted to ``units`` (as ``Readings.to_polars`` does)."""
    for frame in frames:
        converted = table_in_units(frame, units, tz)
        del frame
        yield converted
        del converted


async def in_units_async(
    frames: AsyncIterator[pl.DataFrame], units: Units, tz: Zone | None = None
) -> AsyncIterator[pl.DataFrame]:
    """Yield each raw chunk table converted to ``units``, asynchronously (see :func:`in_units`)."""
    async for frame in frames:
        converted = table_in_units(frame, units, tz)
        del frame
        yield converted
        del converted


def export_format(target: ExportTarget, format: ExportFormat | None) -> ExportFormat:
    """Return the format an export to ``target`` writes: ``format``, else the path's suffix."""
    if format is not None:
        return format
    if isinstance(target, str | os.PathLike):
        return format_from_path(target)
    raise ValueError("name the format (csv, jsonl or parquet) when exporting to a stream")


def iterate_from_thread(items: AsyncIterator[T], loop: asyncio.AbstractEventLoop) -> Iterator[T]:
    """Iterate ``items``, an async iterator of ``loop``, from a worker thread.

    Each item is awaited on the loop (which keeps running the requests meanwhile); the async
    iterator is closed on the loop when this one ends, fails or is closed.
    """

    async def following() -> T:
        return await anext(items)

    try:
        while True:
            try:
                item = asyncio.run_coroutine_threadsafe(following(), loop).result()
            except StopAsyncIteration:
                return
            yield item
            del item
    finally:
        closing = getattr(items, "aclose", None)
        if closing is not None:
            asyncio.run_coroutine_threadsafe(closing(), loop).result()
