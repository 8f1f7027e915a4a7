"""The columnar readings path: the bytes of a ``/readings`` answer straight into polars columns.

pyarrow's JSON reader (C++, no Python object per reading; benchmarks/bench_readings.py
measures it against ``orjson.loads``), with polars' own reader for anything unusual, turns the
body into a ``time`` column and one column per field the readings carry: unknown fields too, a
field a reading lacks is null. Everything is
checked where it enters (issue 10's validation boundary, for this path): the body is a JSON list
of readings no larger than the configured limit, every ``time`` is an integer Unix time in ms
between 1970 and 9999, every value is a finite number or an integer that fits in int64.
Anything else raises ``InvalidResponseError`` naming the endpoint and what was wrong; NaN,
infinity and over-long integers never reach a table, and no reading is dropped silently.

This module needs polars and pyarrow (the ``tables`` extra); only the features that do import it.
"""

from __future__ import annotations

import importlib.util
import io
import re
import threading
from typing import TYPE_CHECKING, Any, cast

from .allocator import arrow_memory_pool
from .errors import InvalidResponseError
from .extras import require
from .limits import DEFAULT_RESPONSE_LIMITS
from .validation import MAX_TIME_MS, NOT_FINITE_TOKEN

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "DEFAULT_MAX_RESPONSE_BYTES",
    "MAX_TIME_MS",
    "READINGS_ENDPOINT",
    "concat_frames",
    "readings_frame",
    "tables_available",
]

DEFAULT_MAX_RESPONSE_BYTES = DEFAULT_RESPONSE_LIMITS.for_path("/readings")
"""The largest ``/readings`` answer taken by default: the client's default limit."""

READINGS_ENDPOINT = "GET /readings"

# One answer is parsed at a time. pyarrow's and polars' readers let other Python threads run while
# they parse (orjson does not: benchmarks/bench_readings.py), so requests and writing go on
# meanwhile; but each parse needs a few times the body's size while it runs (and polars' reader
# keeps every core busy with its own thread pool). Two at once would double that memory.
_PARSING = threading.Lock()

_LEADING_SPACE = re.compile(rb"[ \t\r\n]*")

_INTEGER_TYPES = ("Int8", "Int16", "Int32", "Int64", "UInt8", "UInt16", "UInt32")


def tables_available() -> bool:
    """Whether polars (the ``tables`` extra) is installed, so that this path can be taken."""
    return importlib.util.find_spec("polars") is not None


def _polars() -> Any:
    return require("polars", "tables", "readings as tables")


def _invalid(endpoint: str, what: str) -> InvalidResponseError:
    return InvalidResponseError(f"{endpoint}: 200 OK, but {what}", status=200)


def readings_frame(
    content: bytes,
    *,
    lower: int,
    upper: int,
    endpoint: str = READINGS_ENDPOINT,
    max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    slack: int | None = None,
) -> pl.DataFrame:
    """Return the readings of one answer in ``[lower, upper)`` as a DataFrame, checked.

    A reading more than ``slack`` ms outside the span (default: the span's own length; the
    client passes the resolution's longest span, as the typed path allows) is refused.

    Columns: ``time`` (Int64, Unix ms, ascending, unique) and one per field in the order the
    answer first names them, raw units (Int64 where every value is an integer, else Float64).
    Readings outside the span asked for are left out (a server that treats ``to`` as inclusive
    sends the border reading twice); repeated times keep their first reading.
    """
    polars = _polars()
    if len(content) > max_bytes:
        raise _invalid(
            endpoint,
            f"the answer has {len(content):,} bytes, more than the limit of {max_bytes:,} "
            "(raise the client's response_limits for /readings if that is expected)",
        )
    first = _LEADING_SPACE.match(content)
    start = first.end() if first else 0
    opening = content[start : start + 1]
    if not opening:
        raise _invalid(endpoint, "with an empty body: the service had no data to give; try again")
    if opening != b"[":
        raise _invalid(endpoint, "the body is not a JSON list of readings")
    try:
        with _PARSING:
            frame = _parsed(polars, content)
    except Exception as error:  # polars raises ComputeError, but others on odd input
        detail = str(error).splitlines()[0] if str(error) else type(error).__name__
        if "DepthLimitExceeded" in detail:
            detail = f"JSON nested too deeply to be an answer of the API: {detail}"
        elif NOT_FINITE_TOKEN.search(content) or "InvalidNumber" in detail:
            detail = f"a value is not a finite number (NaN, Infinity or out of range): {detail}"
        raise _invalid(endpoint, f"the body is not a valid list of readings ({detail})") from None
    if frame.width == 0:
        if len(frame):
            raise _invalid(endpoint, "a reading is not an object with time and values")
        return cast("pl.DataFrame", polars.DataFrame(schema={"time": polars.Int64}))
    return _checked(polars, frame, content, endpoint, lower, upper, slack)


def _parsed(polars: Any, content: bytes) -> pl.DataFrame:
    """Parse a JSON list of objects into a DataFrame, every row's keys considered for the schema.

    The usual answer, a compact list (``[{...},{...}]``, as the service sends it), is read as
    JSON lines by pyarrow's reader (C++, in parallel blocks, without the GIL): each ``},{``
    becomes a line break. The split is exact for valid JSON of readings: a ``},{`` inside a
    string would leave a line ending within the string, one inside nested values unbalanced
    brackets, so any wrong split fails to parse, and so does any line holding more than one
    object. On any failure, and for anything that is not plainly a list of flat readings, the
    whole-document reader of polars decides (and its error is the one reported).
    """
    frame = _from_json_lines(polars, content)
    if frame is not None:
        return frame
    whole: pl.DataFrame = polars.read_json(io.BytesIO(content), infer_schema_length=None)
    return whole


# Every byte but the brackets: what is left of a list of flat readings is ``{{}}`` per reading.
_NOT_BRACKETS = bytes(byte for byte in range(256) if byte not in b"{}[]")

# pyarrow reads an integer beyond int64 as a float, where polars keeps it exact (and the checks
# refuse it): a float column reaching this magnitude is left to polars' verdict.
_INT64_RANGE = 2.0**63


def _from_json_lines(polars: Any, content: bytes) -> pl.DataFrame | None:
    """Read a list of readings as JSON lines with pyarrow, or None when polars must decide.

    Only a non-empty list of flat readings is read this way: every line
    ``{"time": .., "values": {..}}`` with no deeper object and no list, checked on the brackets
    alone before parsing (pyarrow's parser recurses: a deeply nested body would exhaust the
    stack). The lines are made block by block as pyarrow reads them (``_JsonLines``): the body
    is not copied whole.
    """
    first = content.find(b"[") + 1
    last = content.rfind(b"]")
    if last <= first or content[last + 1 :].strip():
        return None
    # A line per reading: the line breaks the body has, and one for each ``},{``.
    rows = content.count(b"\n", first, last) + content.count(_BETWEEN, first, last) + 1
    if content.translate(None, _NOT_BRACKETS) != b"[" + b"{{}}" * rows + b"]":
        return None
    pyarrow_json = require("pyarrow.json", "tables", "readings as tables")
    try:
        lines = _JsonLines(content, first, last)
        # pyarrow's thread pool parses blocks in parallel: on a quiet 2-core machine a raw week
        # came about 1.2x faster with it, a year of 15-minute readings 1.5x (benchmarks/);
        # only on a machine already saturated by other processes did it lose (1.0x to 1.2x).
        table = pyarrow_json.read_json(lines, memory_pool=arrow_memory_pool())
    except Exception:  # pyarrow raises ArrowInvalid and others on odd input: polars decides
        return None
    if table.num_rows != rows:
        return None
    frame: pl.DataFrame = polars.from_arrow(table)
    if _has_float_beyond_int64(polars, frame):
        return None
    return frame


_BETWEEN = b"},{"


class _JsonLines(io.RawIOBase):
    """``content[start:stop]`` read as JSON lines, block by block: each ``},{`` a line break.

    A block never ends inside a ``},{``, so every one is replaced. Measured on a raw day (22 MB),
    this needs some 20 MB less than replacing in the whole body at once, and is no slower.
    """

    def __init__(self, content: bytes, start: int, stop: int) -> None:
        super().__init__()
        self._content = content
        self._position = start
        self._stop = stop

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        content, start = self._content, self._position
        if start >= self._stop:
            return b""
        end = self._stop if size is None or size < 0 else min(self._stop, start + max(size, 3))
        if end < self._stop:
            if content[end - 2 : end + 1] == _BETWEEN:
                end -= 2
            elif content[end - 1 : end + 2] == _BETWEEN:
                end -= 1
        self._position = end
        return content[start:end].replace(_BETWEEN, b"}\n{")


def _has_float_beyond_int64(polars: Any, frame: pl.DataFrame) -> bool:
    """Whether a float column of the raw frame holds a magnitude an int64 cannot."""
    columns = [frame.get_column(name) for name in frame.columns]
    for column in list(columns):
        if isinstance(column.dtype, polars.Struct):
            columns.extend(column.struct.field(field) for field in column.struct.fields)
    return any(column.dtype.is_float() and _beyond_int64(column) for column in columns)


def _beyond_int64(column: pl.Series) -> bool:
    """Whether a float column holds a magnitude an int64 cannot (or NaN)."""
    largest = cast("float | None", column.abs().max()) if len(column) else None
    return largest is not None and not largest < _INT64_RANGE


# An integer token of 19 digits or more (a number without fraction or exponent).
_LONG_INTEGER = re.compile(rb"(?<![\d.eE+-])-?(\d{19,})(?![\d.eE])")


def _has_integer_beyond_int64(content: bytes) -> bool:
    """Whether the body writes an integer outside int64 (scanned only when a float is that big)."""
    return any(
        not -(2**63) <= int(match.group(0)) < 2**63 for match in _LONG_INTEGER.finditer(content)
    )


def _checked(
    polars: Any,
    frame: pl.DataFrame,
    content: bytes,
    endpoint: str,
    lower: int,
    upper: int,
    slack: int | None,
) -> pl.DataFrame:
    """Validate the raw ``time``/``values`` frame and flatten it to time + one column per field."""
    if "time" not in frame.columns:
        raise _invalid(endpoint, "a reading has no time")
    time = frame.get_column("time")
    if str(time.dtype) not in _INTEGER_TYPES:
        kind = "a number with a fraction" if time.dtype.is_float() else _kind(time.dtype)
        raise _invalid(endpoint, f"a reading's time is {kind}, not an integer (Unix ms)")
    if time.null_count():
        raise _invalid(endpoint, "a reading's time is null, not an integer (Unix ms)")
    time = time.cast(polars.Int64)
    if len(time):
        first, last = _bounds(time)
        if first < 0 or last > MAX_TIME_MS:
            bad = first if first < 0 else last
            raise _invalid(
                endpoint, f"a reading's time {bad} is not a Unix time in ms (1970 to 9999)"
            )
        # A reading next to the span is a border case (left out below); one more than the
        # longest span of a request away is a broken answer, refused rather than dropped.
        slack = upper - lower if slack is None else slack
        if first < lower - slack or last > upper + slack:
            bad = first if first < lower - slack else last
            raise _invalid(
                endpoint, f"a reading's time {bad} lies far outside the span [{lower}, {upper})"
            )
    if "values" not in frame.columns:
        raise _invalid(endpoint, "a reading has no values")
    values = frame.get_column("values")
    if not isinstance(values.dtype, polars.Struct):
        raise _invalid(endpoint, f"a reading's values are {_kind(values.dtype)}, not an object")
    if values.null_count():
        raise _invalid(endpoint, "a reading's values are missing or null, not an object")
    columns = [time]
    for field in values.struct.fields:
        if field == "time":
            raise _invalid(endpoint, "a reading has a field named time, which is not a value")
        columns.append(_checked_values(polars, values.struct.field(field), content, endpoint))
    flat: pl.DataFrame = polars.DataFrame(columns)
    return _in_span(polars, flat, lower, upper)


def _checked_values(polars: Any, column: pl.Series, content: bytes, endpoint: str) -> pl.Series:
    """Return a field's column as Int64 or Float64; anything else is not a reading value."""
    dtype = column.dtype
    name = column.name
    if dtype == polars.Null:
        return column.cast(polars.Int64)
    if str(dtype) in _INTEGER_TYPES:
        return column.cast(polars.Int64)
    if dtype.is_integer():  # UInt64, Int128: polars keeps integers too big for int64 exact
        raise _invalid(endpoint, f"the field {name!r} has an integer that does not fit in int64")
    if dtype.is_float():
        column = column.cast(polars.Float64)
        if not column.is_finite().fill_null(True).all():
            raise _invalid(endpoint, f"the field {name!r} has a value that is not finite")
        if _beyond_int64(column) and _has_integer_beyond_int64(content):
            # Both readers widen such an integer to a float when the column has fractions too.
            raise _invalid(
                endpoint, f"the field {name!r} has an integer that does not fit in int64"
            )
        return column
    raise _invalid(endpoint, f"the field {name!r} holds {_kind(dtype)} where a number belongs")


def _kind(dtype: Any) -> str:
    """How a polars dtype reads in an error text: the JSON type it came from."""
    text = str(dtype)
    for prefix, kind in (
        ("String", "a string"),
        ("Boolean", "a boolean"),
        ("Struct", "an object"),
        ("List", "a list"),
        ("Null", "null"),
        ("Int", "a number"),
        ("UInt", "a number"),
        ("Float", "a number"),
    ):
        if text.startswith(prefix):
            return kind
    return text


def _bounds(times: pl.Series) -> tuple[int, int]:
    """Return the smallest and the largest of a non-empty integer column."""
    return cast(int, times.min()), cast(int, times.max())


def _in_span(polars: Any, frame: pl.DataFrame, lower: int, upper: int) -> pl.DataFrame:
    """Keep the readings in ``[lower, upper)``, ascending, the first of each time."""
    time = frame.get_column("time")
    if not len(time):
        return frame
    first, last = _bounds(time)
    if first < lower or last >= upper:
        frame = frame.filter((polars.col("time") >= lower) & (polars.col("time") < upper))
        time = frame.get_column("time")
    if len(time) > 1 and not (time.diff().drop_nulls() > 0).all():
        frame = frame.unique(subset="time", keep="first", maintain_order=True).sort(
            "time", maintain_order=True
        )
    return frame


def concat_frames(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """Stack chunk frames (consecutive spans) into one: columns in order of first appearance.

    A field missing from a chunk is null there; a field that is integer in one chunk and
    fractional in another becomes Float64.
    """
    polars = _polars()
    frames = [frame for frame in frames if frame.width > 1 or len(frame)] or frames[:1]
    if not frames:
        return cast("pl.DataFrame", polars.DataFrame(schema={"time": polars.Int64}))
    if len(frames) == 1:
        return frames[0]
    return cast("pl.DataFrame", polars.concat(frames, how="diagonal_relaxed", rechunk=False))
