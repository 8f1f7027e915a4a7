"""Atomic file output: a file appears complete under its final name, or not at all.

Everything is first written to a temporary file beside the target, named
``.NAME.PID-RANDOM.inexogy-partial`` (recognisable, and telling which process writes it),
then renamed over the target in one step. Whatever stops the writing (an error, Ctrl-C,
SIGTERM turned into an exception by ``inexogy.stops``) removes the temporary file; the rename
itself is never interrupted halfway (see ``inexogy.stops.uninterruptible``). A temporary
file left by a process that was killed outright (SIGKILL, power loss) is removed by the next
write to the same target (or by ``remove_stale_temporaries_in`` its folder).

``atomic_path`` yields the temporary path (for writers that open files themselves, such as
Parquet writers), ``atomic_stream`` an open binary stream, ``write_atomically`` calls a
function with that stream.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .stops import Stopped, uninterruptible

__all__ = [
    "TEMPORARY_SUFFIX",
    "atomic_path",
    "atomic_stream",
    "published_count",
    "remove_stale_temporaries",
    "remove_stale_temporaries_in",
    "temporaries_of",
    "write_atomically",
]

TEMPORARY_SUFFIX = ".inexogy-partial"
"""The suffix of every temporary file of an atomic write."""

_PUBLIC_FILE = 0o644
_STALE_AFTER_S = 24 * 3600.0
# The targets being written by this process now, with their temporaries.
_WRITING: dict[Path, Path] = {}


# How many files this process has published, and the last one (for a stopped command's text).
class _Published:
    count = 0
    last: Path | None = None


def temporaries_of(path: str | os.PathLike[str]) -> list[Path]:
    """Return the temporary files of atomic writes to ``path`` that exist now."""
    target = Path(path)
    return sorted(target.parent.glob(f".{_escape_glob(target.name)}.*{TEMPORARY_SUFFIX}"))


def _escape_glob(name: str) -> str:
    return "".join(f"[{char}]" if char in "*?[]" else char for char in name)


def _writer_gone(temporary: Path) -> bool:
    """Whether the process that wrote ``temporary`` no longer runs (or it is a day old)."""
    pid_text = temporary.name[: -len(TEMPORARY_SUFFIX)].rsplit(".", 1)[-1].split("-", 1)[0]
    try:
        if time.time() - temporary.stat().st_mtime > _STALE_AFTER_S:
            return True
    except OSError:
        return False
    if not pid_text.isdigit():
        return True
    pid = int(pid_text)
    if pid == os.getpid():
        return temporary not in _WRITING.values()
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:  # it runs, as another user
        return False
    return False


def remove_stale_temporaries(path: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries of writes to ``path`` whose writer is gone; return them."""
    return _remove_stale(temporaries_of(path))


def remove_stale_temporaries_in(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove the temporaries of writes to any file in ``folder`` whose writer is gone.

    For a folder of many files (an archive partition) where a file whose write was killed is
    not necessarily written again. Returns what was removed (nothing if there is no folder).
    """
    return _remove_stale(sorted(Path(folder).glob(f".*{TEMPORARY_SUFFIX}")))


def _remove_stale(temporaries: list[Path]) -> list[Path]:
    removed = []
    for temporary in temporaries:
        if _writer_gone(temporary):
            with contextlib.suppress(FileNotFoundError):
                temporary.unlink()
                removed.append(temporary)
    return removed


def published_count() -> tuple[int, Path | None]:
    """Return how many files this process has published so far, and the last one."""
    return _Published.count, _Published.last


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; publish it as ``path`` when the block ends well.

    The temporary file exists (empty, mode 0600) when the block starts; write it, or replace
    it. If the block raises (any exception, or ``Stopped``), the temporary file is removed,
    nothing appears under ``path`` and an existing file there stays as it was. The published
    file gets mode 0644: these are exports and charts, not secrets (tokens have their own
    private writer). Stale temporaries of the same target are removed first.
    """
    target = Path(path)
    remove_stale_temporaries(target)
    temporary: Path | None = None
    published = False
    try:
        with uninterruptible():
            handle, name = tempfile.mkstemp(
                dir=target.parent,
                prefix=f".{target.name}.{os.getpid()}-",
                suffix=TEMPORARY_SUFFIX,
            )
            os.close(handle)
            temporary = Path(name)
            _WRITING[target] = temporary
        yield temporary
        with uninterruptible():
            os.chmod(temporary, _PUBLIC_FILE)
            os.replace(temporary, target)
            published = True
            _WRITING.pop(target, None)
            _Published.count += 1
            _Published.last = target
    except BaseException as error:
        if isinstance(error, Stopped) and error.writing is None and not published:
            error.writing = target
        with uninterruptible():
            if temporary is not None and not published:
                temporary.unlink(missing_ok=True)
            _WRITING.pop(target, None)
        raise


@contextlib.contextmanager
def atomic_stream(path: str | os.PathLike[str]) -> Iterator[BinaryIO]:
    """Yield a binary stream whose bytes become ``path`` when the block ends well.

    See ``atomic_path``: on any failure or stop nothing is left but what was there before.
    """
    with atomic_path(path) as temporary, open(temporary, "wb") as stream:
        yield stream


def write_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write`` with a binary stream, then publish what it wrote as ``path``.

    The stream is a temporary file in the same directory, which replaces ``path`` in one
    step once ``write`` returns: a reader never sees a half-written file, and when ``write``
    (or the disk) fails nothing is left under ``path`` (an existing file there stays as it
    was) and the error propagates. Returns ``path``.
    """
    with atomic_stream(path) as stream:
        write(stream)
    return Path(path)
