"""Atomic file output: a file appears complete under its final name, or not at all."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

__all__ = ["write_atomically"]

_PUBLIC_FILE = 0o644


def write_atomically(path: str | os.PathLike[str], write: Callable[[BinaryIO], None]) -> Path:
    """Call ``write`` with a binary stream, then publish what it wrote as ``path``.

    The stream is a temporary file in the same directory, which replaces ``path`` in one
    step once ``write`` returns: a reader never sees a half-written file, and when ``write``
    (or the disk) fails nothing is left under ``path`` (an existing file there stays as it
    was) and the error propagates. Returns ``path``. The file gets mode 0644: these are
    exports and charts, not secrets (tokens have their own private writer).
    """
    target = Path(path)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
        os.chmod(temporary, _PUBLIC_FILE)  # mkstemp creates 0600
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
