"""Atomic export of a polars DataFrame to CSV, JSON lines or Parquet."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Literal

from inexogy.files import write_atomically
from inexogy.zones import POLARS_DATETIME_FORMAT

if TYPE_CHECKING:
    import polars as pl

__all__ = ["FORMATS", "ExportFormat", "csv_text", "format_from_path", "write_csv", "write_frame"]

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

    See :func:`~inexogy.files.write_atomically`: a reader never sees a half-written file,
    and a failed export leaves nothing under the final name (an existing file there stays
    as it was). Times are written as ``2025-03-30T03:00:00+02:00`` in the frame's zone.
    """
    if format not in ("csv", "jsonl", "parquet"):
        raise ValueError(f"unknown format {format!r}: use csv, jsonl or parquet")
    if format == "csv":
        return write_atomically(path, lambda stream: write_csv(frame, stream))
    if format == "jsonl":
        return write_atomically(path, frame.write_ndjson)
    return write_atomically(path, frame.write_parquet)


def csv_text(frame: pl.DataFrame) -> str:
    """Return ``frame`` as CSV text, times in ISO 8601 with offset (``...T03:00:00+02:00``)."""
    return frame.write_csv(datetime_format=POLARS_DATETIME_FORMAT)


def write_csv(frame: pl.DataFrame, stream: IO[bytes]) -> None:
    """Write ``frame`` as CSV to a binary stream, times as in :func:`csv_text`."""
    frame.write_csv(stream, datetime_format=POLARS_DATETIME_FORMAT)
