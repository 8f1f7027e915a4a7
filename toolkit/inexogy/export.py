"""Export of readings tables to CSV, JSON lines or Parquet: whole, or chunk by chunk.

``write_frame`` writes one DataFrame atomically. The chunk writers (``open_writer``) append one
DataFrame after the other to a binary stream: CSV and JSON lines by appending rows, Parquet as
one row group per chunk of a single file (pyarrow's ``ParquetWriter``). Every chunk is aligned
to the columns written so far (a field a chunk lacks is null there); a chunk bringing a field or
a value type the file does not have yet raises ``SchemaChangedError`` carrying the widened
schema, so that the caller can start over with it (see ``inexogy.stream``). The in-memory and
the streamed paths therefore give the same file.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, Literal, Protocol

from attrs import frozen

from inexogy.files import write_atomically
from inexogy.zones import POLARS_DATETIME_FORMAT

from .allocator import arrow_memory_pool
from .errors import InexogyError
from .extras import require

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "FORMATS",
    "CsvDialect",
    "ExportFormat",
    "FrameWriter",
    "SchemaChangedError",
    "csv_text",
    "format_from_path",
    "open_writer",
    "write_csv",
    "write_frame",
]

ExportFormat = Literal["csv", "jsonl", "parquet"]
"""A file format readings can be written to."""

FORMATS: dict[str, ExportFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".parquet": "parquet",
}
"""File name suffixes and the format each one means."""

_FORBIDDEN_SEPARATORS = {'"', "\n", "\r"}


@frozen
class CsvDialect:
    """How CSV is written: the field ``separator`` and whether decimals use a comma.

    Spreadsheets in German (and many other) locales expect ``separator=";"`` and
    ``decimal_comma=True`` (``1,5``). A decimal comma needs a separator other than ``,``.
    """

    separator: str = ","
    decimal_comma: bool = False

    def __attrs_post_init__(self) -> None:
        if len(self.separator) != 1 or len(self.separator.encode()) != 1:
            raise ValueError(
                f"the CSV separator must be one ASCII character, e.g. ';', not {self.separator!r}"
            )
        if self.separator in _FORBIDDEN_SEPARATORS:
            raise ValueError(f"the CSV separator cannot be {self.separator!r}: use ',' or ';'")
        if self.decimal_comma and self.separator == ",":
            raise ValueError("a decimal comma needs another CSV separator: use ';'")


class SchemaChangedError(InexogyError):
    """A chunk has fields or value types the columns already written lack.

    ``schema`` is the widened schema (column names and polars types, in order): writing again
    from the start with it gives a file that holds every chunk.
    """

    def __init__(self, schema: Mapping[str, Any]) -> None:
        super().__init__(
            "the readings' fields changed within the range (a field appeared, or turned from "
            "integers to fractions) after the first rows were written"
        )
        self.schema = dict(schema)


def format_from_path(path: str | os.PathLike[str]) -> ExportFormat:
    """Return the format a file name's suffix names (.csv, .jsonl or .ndjson, .parquet)."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise ValueError(f"cannot tell the format of {os.fspath(path)!r}: name it {known}")
    return FORMATS[suffix]


def csv_text(
    frame: pl.DataFrame,
    dialect: CsvDialect = CsvDialect(),
) -> str:
    """Return ``frame`` as CSV text, times in ISO 8601 with offset (``...T03:00:00+02:00``)."""
    return str(
        frame.write_csv(
            datetime_format=POLARS_DATETIME_FORMAT,
            separator=dialect.separator,
            decimal_comma=dialect.decimal_comma,
        )
    )


def write_csv(
    frame: pl.DataFrame,
    stream: IO[bytes],
    dialect: CsvDialect = CsvDialect(),
    *,
    include_header: bool = True,
) -> None:
    """Write ``frame`` as CSV to a binary stream, times and dialect as in :func:`csv_text`."""
    frame.write_csv(
        stream,
        include_header=include_header,
        datetime_format=POLARS_DATETIME_FORMAT,
        separator=dialect.separator,
        decimal_comma=dialect.decimal_comma,
    )


def _check_format(format: str) -> None:
    if format not in ("csv", "jsonl", "parquet"):
        raise ValueError(f"unknown format {format!r}: use csv, jsonl or parquet")


def write_frame(
    frame: pl.DataFrame,
    path: str | os.PathLike[str],
    format: ExportFormat,
    dialect: CsvDialect = CsvDialect(),
) -> Path:
    """Write ``frame`` to ``path`` atomically; returns the path written.

    See :func:`~inexogy.files.write_atomically`: a reader never sees a half-written file,
    and a failed export leaves nothing under the final name (an existing file there stays
    as it was). The bytes are those the chunk writers give for a single chunk; times are
    written as ``2025-03-30T03:00:00+02:00`` in the frame's zone.
    """
    _check_format(format)

    def write(stream: BinaryIO) -> None:
        writer = open_writer(stream, format, dialect)
        writer.write(frame)
        writer.close()

    return write_atomically(path, write)


class FrameWriter(Protocol):
    """Writes DataFrames one after the other to one stream, as one file."""

    rows: int
    """Rows written so far."""

    def write(self, frame: pl.DataFrame) -> None:
        """Append ``frame``'s rows (aligned to the columns written so far)."""

    def close(self) -> None:
        """Finish the file (only a header if no row came; Parquet's footer), stream left open."""

    def discard(self) -> None:
        """Let go of the stream after a failure; what was written is incomplete."""


def open_writer(
    stream: BinaryIO,
    format: ExportFormat,
    dialect: CsvDialect = CsvDialect(),
    schema: Mapping[str, Any] | None = None,
) -> FrameWriter:
    """Return a writer of ``format`` appending to ``stream``.

    ``schema`` (names and polars types) fixes the columns from the start, e.g. the one a
    ``SchemaChangedError`` carried; otherwise the first chunk's columns are taken.
    """
    _check_format(format)
    if format == "csv":
        return _CsvWriter(stream, dialect, schema)
    if format == "jsonl":
        return _JsonLinesWriter(stream, schema)
    return _ParquetWriter(stream, schema)


class _Aligned:
    """Aligns each chunk to the schema of the file: same columns, same order, same types."""

    def __init__(self, schema: Mapping[str, Any] | None) -> None:
        self.schema: dict[str, Any] | None = dict(schema) if schema is not None else None
        self.rows = 0

    def align(self, frame: pl.DataFrame) -> pl.DataFrame:
        polars = require("polars", "tables", "export")
        if self.schema is None:
            if len(frame):  # an empty chunk says nothing of the columns to come
                self.schema = dict(frame.schema)
            return frame
        widened = dict(self.schema)
        for name, dtype in frame.schema.items():
            known = widened.get(name)
            if known is None:
                widened[name] = dtype
            elif known != dtype and dtype != polars.Null:
                supertype = _supertype(polars, known, dtype)
                if supertype != known:
                    widened[name] = supertype
        if widened != self.schema:
            raise SchemaChangedError(widened)
        if list(frame.schema.items()) == list(self.schema.items()):
            return frame
        return frame.select(
            polars.col(name).cast(dtype)
            if name in frame.columns
            else polars.lit(None, dtype).alias(name)
            for name, dtype in self.schema.items()
        )

    def discard(self) -> None:
        """Let go of the stream after a failure: nothing to release for text formats."""

    def empty(self) -> pl.DataFrame:
        polars = require("polars", "tables", "export")
        empty: pl.DataFrame = polars.DataFrame(
            schema=self.schema or {"time": polars.Datetime("ms", "UTC")}
        )
        return empty


def _supertype(polars: Any, known: Any, dtype: Any) -> Any:
    """Return the type holding values of both (as ``pl.concat(how="diagonal_relaxed")``)."""
    empty = polars.concat(
        [polars.DataFrame(schema={"c": known}), polars.DataFrame(schema={"c": dtype})],
        how="vertical_relaxed",
    )
    return empty.schema["c"]


class _CsvWriter(_Aligned):
    def __init__(
        self, stream: BinaryIO, dialect: CsvDialect, schema: Mapping[str, Any] | None
    ) -> None:
        super().__init__(schema)
        self._stream = stream
        self._dialect = dialect
        self._header_written = False

    def write(self, frame: pl.DataFrame) -> None:
        frame = self.align(frame)
        if not len(frame):
            return
        self._write(frame)

    def _write(self, frame: pl.DataFrame) -> None:
        write_csv(frame, self._stream, self._dialect, include_header=not self._header_written)
        self._header_written = True
        self.rows += len(frame)

    def close(self) -> None:
        if not self._header_written:
            self._write(self.empty())


class _JsonLinesWriter(_Aligned):
    def __init__(self, stream: BinaryIO, schema: Mapping[str, Any] | None) -> None:
        super().__init__(schema)
        self._stream = stream

    def write(self, frame: pl.DataFrame) -> None:
        frame = self.align(frame)
        if len(frame):
            frame.write_ndjson(self._stream)
            self.rows += len(frame)

    def close(self) -> None:
        """JSON lines need no header or footer."""


class _ParquetWriter(_Aligned):
    def __init__(self, stream: BinaryIO, schema: Mapping[str, Any] | None) -> None:
        super().__init__(schema)
        self._stream = stream
        self._writer: Any = None

    def write(self, frame: pl.DataFrame) -> None:
        frame = self.align(frame)
        if len(frame):
            self._write(frame)

    def _write(self, frame: pl.DataFrame) -> None:
        table = frame.to_arrow()
        if self._writer is None:
            self._open(table.schema)
        self._writer.write_table(table, row_group_size=max(len(frame), 1))
        self.rows += len(frame)

    def close(self) -> None:
        if self._writer is None:
            self._open(self.empty().to_arrow().schema)
        self._writer.close()

    def _open(self, schema: Any) -> None:
        parquet = require("pyarrow.parquet", "tables", "Parquet export")
        self._writer = parquet.ParquetWriter(
            self._stream, schema, compression="zstd", memory_pool=arrow_memory_pool()
        )

    def discard(self) -> None:
        if self._writer is not None and self._writer.is_open:
            self._writer.close()  # the footer of an incomplete file its caller throws away
