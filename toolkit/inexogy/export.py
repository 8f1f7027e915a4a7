"""Atomic export of a polars DataFrame to CSV, JSON lines or Parquet."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Literal

import polars as pl

__all__ = ["FORMATS", "ExportFormat", "format_from_path", "write_frame"]

ExportFormat = Literal["csv", "jsonl", "parquet"]
"""A file format readings can be written to."""

FORMATS: dict[str, ExportFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
"""File name suffixes and the format each one means."""


def format_from_path(path: str | os.PathLike[str]) -> ExportFormat:
    """Return the format a file name's suffix names (.csv, .jsonl or .ndjson, .parquet)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValueError(f"cannot tell the format of {os.fspath(path)!r}: name it {known}")
    return FORMATS[suffix]


def write_frame(frame: pl.DataFrame, path: str | os.PathLike[str], format: ExportFormat) -> Path:
    """Write ``frame`` to ``path`` atomically; returns the path written.

    The data goes to a temporary file in the same directory, which then replaces ``path`` in
    one step: a reader never sees a half-written file, and a failed export leaves nothing
    under the final name (an existing file there stays as it was).
    """
    target = Path(path)
    if format not in ("csv", "jsonl", "parquet"):
        raise ValueError(f"unknown format {format!r}: use csv, jsonl or parquet")
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".partial"
    )
    os.close(handle)
    try:
        if format == "csv":
            frame.write_csv(temporary)
        elif format == "jsonl":
            frame.write_ndjson(temporary)
        else:
            frame.write_parquet(temporary)
        # mkstemp makes the file private (0600); a data export gets the usual 0644.
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    return target
