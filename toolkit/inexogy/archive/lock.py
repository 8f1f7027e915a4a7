"""One sync at a time per archive folder: an advisory lock on ``DIR/.inexogy-sync.lock``.

The lock is taken without waiting (a second sync fails at once with ``ArchiveBusyError``) and
is released by the operating system when the process ends, however it ends: a crashed or
killed sync never leaves the archive locked. The lock file itself stays (removing it would
race with a sync that has just opened it); it holds the pid of the last sync, for the message.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import ArchiveBusyError, ArchiveError

__all__ = ["LOCK_NAME", "locked"]

LOCK_NAME = ".inexogy-sync.lock"


def _try_lock(descriptor: int) -> bool:
    """Take the lock without waiting; return whether it was free."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(descriptor, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _holder(descriptor: int) -> str:
    """Return the pid the lock file names ("" when unreadable)."""
    try:
        os.lseek(descriptor, 0, os.SEEK_SET)
        text = os.read(descriptor, 32).decode("ascii", "replace").strip()
    except OSError:
        return ""
    return text if text.isdigit() else ""


@contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold the archive's lock while the block runs; raise ``ArchiveBusyError`` if it is held."""
    path = directory / LOCK_NAME
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise ArchiveError(
            f"cannot open the lock file {path}: {error.strerror or error}; "
            "the archive folder must be writable"
        ) from error
    if sys.platform == "win32":
        os.lseek(descriptor, 0, os.SEEK_SET)  # msvcrt locks bytes from the current position
    try:
        if not _try_lock(descriptor):
            holder = _holder(descriptor)
            raise ArchiveBusyError(
                f"another inexogy sync{f' (pid {holder})' if holder else ''} is writing to "
                f"{directory}: wait for it to end, then run this one again"
            )
        os.ftruncate(descriptor, 0)
        os.lseek(descriptor, 0, os.SEEK_SET)
        os.write(descriptor, f"{os.getpid()}\n".encode("ascii"))
        yield
    finally:
        os.close(descriptor)
