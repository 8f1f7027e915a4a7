"""Memory the allocators keep after a chunk is written, given back to the operating system.

A long export parses one answer after another: each parse needs several times the body's size
for a moment, and the allocators keep much of what is freed for later: glibc's ``malloc`` per
thread arena, in its heap once its mapping threshold has grown, and pyarrow's own pool
(mimalloc or jemalloc). The peak memory of a long export then grows with the range although no
more than the in-flight chunks are alive (``inexogy.stream``). :func:`release_free_memory`
hands the free pages back (glibc's ``malloc_trim``), :func:`limit_arenas` and
:func:`map_large_blocks` set glibc up (``mallopt``), :func:`arrow_memory_pool` is the pool the
toolkit gives pyarrow, and :func:`prepare_for_long_exports` does all of it for a command. On
other C libraries (musl, macOS, Windows) the glibc calls do nothing: only glibc has these calls
and this habit.
"""

from __future__ import annotations

import ctypes
import functools
import os
import sys
from typing import Any

__all__ = [
    "RAW_IN_FLIGHT",
    "arrow_memory_pool",
    "limit_arenas",
    "map_large_blocks",
    "prepare_for_long_exports",
    "release_free_memory",
]

_M_ARENA_MAX = -8  # glibc's malloc.h
_M_MMAP_THRESHOLD = -3


@functools.cache
def _glibc() -> Any | None:
    """Return the process's C library when it is glibc, else ``None``."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        library = ctypes.CDLL(None)
        library.gnu_get_libc_version  # noqa: B018 (glibc names itself; musl lacks the call)
        library.malloc_trim.argtypes = [ctypes.c_size_t]
        library.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    except (OSError, AttributeError):
        return None
    return library


def release_free_memory() -> None:
    """Return the free memory of glibc's arenas to the operating system (elsewhere: nothing).

    No collection of reference cycles is needed first: an answer's body is freed as soon as
    it is parsed (``inexogy.limits`` breaks the cycle between an ``httpx.Response`` and its
    stream), and a full collection per chunk cost more time than the chunk's write.
    """
    library = _glibc()
    if library is not None:
        library.malloc_trim(0)


def limit_arenas(count: int) -> None:
    """Let the process's threads share at most ``count`` glibc malloc arenas (else nothing).

    Meant for the start of a command that runs a long export, not for a library import: it
    changes the allocator of the whole process.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    library = _glibc()
    if library is not None:
        library.mallopt(_M_ARENA_MAX, count)


def map_large_blocks(threshold: int = 256 * 1024) -> None:
    """Give every block of ``threshold`` bytes or more its own mapping, freed at once (glibc).

    glibc maps a large block on its own and unmaps it when freed, but raises that threshold
    to the size of each mapped block freed (up to 32 MB): after the first answer's body (a
    raw day: 22 MB) is freed, the next bodies and parse buffers come from the heap, where
    freed memory stays until trimmed and fragments. A fixed threshold keeps them out of it:
    measured on 3 raw days to Parquet, some 30 MB less at the peak. Like :func:`limit_arenas`,
    for the start of a command, not a library import. Elsewhere it does nothing.
    """
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1 byte, not {threshold}")
    library = _glibc()
    if library is not None:
        library.mallopt(_M_MMAP_THRESHOLD, threshold)


def arrow_memory_pool() -> Any:
    """Return the pyarrow memory pool for reading answers and writing Parquet: the C library's.

    pyarrow's default pool (mimalloc or jemalloc, depending on the build) keeps what a chunk
    freed for later, out of reach of :func:`release_free_memory`: measured on a raw day (22 MB
    of JSON parsed, then written to Parquet), it kept some 70 MB more than the system pool,
    whose freed memory ``malloc_trim`` returns. Passed to each call rather than made the
    process's default, which belongs to the program.
    """
    from .extras import require

    pyarrow = require("pyarrow", "tables", "readings as tables")
    return pyarrow.system_memory_pool()


RAW_IN_FLIGHT = 1
"""Raw requests a long export keeps in flight: a raw day is one request of tens of MB, and one
at a time, each fetched once the day before is written, keeps the peak at one day's worth (a
second in flight gained a few seconds on 30 days for ~40 MB more at the peak:
benchmarks/bench_export.py)."""


def prepare_for_long_exports() -> None:
    """Set up the process's allocators for a long export; for a command's start, not a library.

    The fetch threads share two glibc arenas (:func:`limit_arenas`), large blocks get their
    own mappings (:func:`map_large_blocks`), and pyarrow's default pool becomes the C
    library's (``ARROW_DEFAULT_MEMORY_POOL=system``, read when pyarrow loads, so it counts only
    if pyarrow is not loaded yet; a value the user set is kept): pyarrow's Parquet writer
    takes some of its buffers from the default pool whatever pool it is given, and its usual
    default (mimalloc) kept ~27 MB that a raw day had freed.
    """
    limit_arenas(2)
    map_large_blocks()
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
