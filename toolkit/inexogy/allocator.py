"""Memory the C allocator keeps after a chunk is written, given back to the operating system.

A long export parses one answer after another: each parse needs several times the body's size
for a moment, and glibc's ``malloc`` keeps most of what is freed (per thread arena, so the more
fetch threads, the more it keeps) for later. The peak memory of a long export then grows with
the range although no more than the in-flight chunks are alive (``inexogy.stream``).
:func:`release_free_memory` hands the free pages back (glibc's ``malloc_trim``) and
:func:`limit_arenas` caps the arenas a process's threads spread over (``mallopt``). On other C
libraries (musl, macOS, Windows) both do nothing: only glibc has these calls and this habit.
"""

from __future__ import annotations

import ctypes
import functools
import gc
import sys
from typing import Any

__all__ = ["arrow_memory_pool", "limit_arenas", "release_free_memory"]

_M_ARENA_MAX = -8  # glibc's malloc.h


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
    """Free what only reference cycles keep, then return free memory to the operating system.

    The answers themselves are freed as soon as they are parsed (``inexogy.limits`` breaks
    the cycle between an ``httpx.Response`` and its stream); collecting here is for any other
    cycle holding a chunk's memory, so that it does not wait for the collector's own time.
    Giving the pages back is glibc's ``malloc_trim`` (nothing elsewhere).
    """
    gc.collect()
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
