"""Readings as a table: a polars DataFrame of times and one column per field.

A ``Readings`` table is what ``Inexogy.readings`` returns, built by the columnar path
(``inexogy.columns``: response bytes straight into columns). Values stay in the service's raw
units (see ``inexogy.units``); ``to_polars(units="si")`` and ``write(..., units="si")``
convert them. ``build_readings`` makes the same table from the generated client's typed
models (the typed path), for callers that have those.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from operator import attrgetter, lt
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import attrs
from inexogy_client.models.reading import Reading
from inexogy_client.models.reading_values import ReadingValues
from inexogy_client.types import UNSET

from .chunks import Resolution
from .export import CsvDialect, ExportFormat, format_from_path, write_frame
from .extras import require
from .timestamps import from_ms
from .units import Units, check_units, conversion_for
from .zones import Zone, polars_zone, resolve_zone

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["Chunk", "Readings", "build_readings", "table_in_units"]

Chunk = tuple[int, int, Sequence[Reading]]
"""The answer to one request: its half-open span ``[from, to)`` in ms and its readings."""

Column = list[float | None]


def _polars() -> Any:
    return require("polars", "tables", "readings as tables")


def _value_fields() -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Return the attributes of the generated ``ReadingValues``: values, wire names, extras.

    Learnt from the generated model itself (each value set alone, serialised), so a
    regenerated client with new fields needs no change here. The extras attribute is the
    model's store of undeclared fields (the one attribute not set by ``__init__``); it is read
    directly because its public property may create an empty dict per reading.
    """
    names: list[str] = []
    wire_names: list[str] = []
    extras = ""
    for field in attrs.fields(ReadingValues):
        if not field.init:
            extras = field.name
            continue
        (wire_name,) = ReadingValues(**{str(field.alias): 0}).to_dict()
        names.append(field.name)
        wire_names.append(wire_name)
    return tuple(names), tuple(wire_names), extras


_VALUE_ATTRIBUTES, _VALUE_WIRE_NAMES, _EXTRAS_ATTRIBUTE = _value_fields()
_VALUE_GETTERS = tuple(attrgetter(name) for name in _VALUE_ATTRIBUTES)
_get_extras = attrgetter(_EXTRAS_ATTRIBUTE)
_get_time = attrgetter("time")
_get_value_set = attrgetter("values")


class Readings:
    """Readings of one meter as a table, raw units (10^-10 kWh, mW, mV, litres).

    ``frame`` is a polars DataFrame: ``time`` (Int64 Unix ms, ascending, unique) and one column
    per field, named as the service names it, null where a reading lacked the field.
    ``times`` and ``columns`` give the same as Python lists (copies, made on each access).
    Made by ``Inexogy.readings``; to make one yourself pass either ``times`` (Unix ms) and
    ``columns`` (one list of values per field), or ``frame=`` a raw-unit DataFrame.
    """

    __slots__ = ("_frame", "_lists", "meter_id", "resolution")

    def __init__(
        self,
        meter_id: str,
        resolution: Resolution,
        times: Sequence[int] | None = None,
        columns: Mapping[str, Sequence[float | None]] | None = None,
        *,
        frame: pl.DataFrame | None = None,
    ) -> None:
        if frame is not None and (times is not None or columns is not None):
            raise TypeError("pass either frame, or times and columns, not both")
        self.meter_id = meter_id
        self.resolution = resolution
        self._frame = frame
        # Without polars (a bare install) a table is kept as lists; the frame is made on use.
        self._lists = (list(times or []), dict(columns or {})) if frame is None else None

    @property
    def frame(self) -> pl.DataFrame:
        """The table as a polars DataFrame, raw units, ``time`` in Unix ms (needs polars)."""
        if self._frame is None:
            assert self._lists is not None
            self._frame = _frame_of(*self._lists)
            self._lists = None
        return self._frame

    @classmethod
    def from_columns(
        cls,
        meter_id: str,
        resolution: Resolution,
        times: Sequence[int],
        columns: Mapping[str, Sequence[float | None]],
    ) -> Readings:
        """Return the table of ``times`` (Unix ms) and one list of values per field."""
        return cls(meter_id, resolution, frame=_frame_of(times, columns))

    def __repr__(self) -> str:
        # One line whatever the size: a raw day holds 43,200 rows per field.
        times = self.times
        if times:
            first = from_ms(times[0]).isoformat(timespec="seconds")
            last = from_ms(times[-1]).isoformat(timespec="seconds")
            span = f"{first} .. {last}"
        else:
            span = "no rows"
        return (
            f"Readings(meter_id={self.meter_id!r}, resolution={self.resolution!r}, "
            f"rows={len(self)}, {span}, fields={self.fields!r})"
        )

    def __len__(self) -> int:
        return len(self._lists[0]) if self._lists is not None else len(self.frame)

    @property
    def times(self) -> list[int]:
        """The times of the readings, Unix ms, ascending (a new list on each access)."""
        if self._lists is not None:
            return list(self._lists[0])
        return cast(list[int], self.frame.get_column("time").to_list())

    @property
    def columns(self) -> Mapping[str, Column]:
        """Each field's values, one per time, ``None`` where missing, by field name.

        A read-only view: a field's list is made when it is looked up (a new list each time),
        so ``"power" in table.columns`` costs nothing however long the table.
        """
        if self._lists is not None:
            return {name: list(values) for name, values in self._lists[1].items()}
        return _ColumnsView(self.frame)

    @property
    def fields(self) -> list[str]:
        """The field names, in column order."""
        if self._lists is not None:
            return list(self._lists[1])
        return self.frame.columns[1:]

    def to_polars(self, units: Units = "raw", *, tz: Zone | None = None) -> pl.DataFrame:
        """Return the readings as a DataFrame: ``time`` (Datetime ms in ``tz``), a column per field.

        ``tz`` is a zone name (``"Europe/Berlin"``) or ``tzinfo``; the default is UTC. With
        ``units="si"`` known fields are converted and renamed (``energy`` -> ``energy_kWh``,
        ``power`` -> ``power_W``, ...); fields of unknown unit stay raw.
        """
        return table_in_units(self.frame, units, tz)

    def to_pandas(self, units: Units = "raw", *, tz: Zone | None = None) -> pd.DataFrame:
        """Return the readings as a pandas DataFrame (needs the ``pandas`` extra).

        The same table as :meth:`to_polars`: ``time`` (datetime64 in ``tz``, default UTC) and
        one column per field, converted and renamed with ``units="si"``; a missing value is NaN.
        """
        check_units(units)
        zone = resolve_zone(tz)
        require("pandas", "pandas", "Readings.to_pandas")
        import pandas as pd

        times = pd.to_datetime(self.times, unit="ms", utc=True)
        data: dict[str, Any] = {"time": times if tz is None else times.tz_convert(zone)}
        for field, values in self.columns.items():
            column = pd.Series(values, dtype="float64" if None in values else None)
            conversion = conversion_for(field) if units == "si" else None
            if conversion is not None:
                column = (column / conversion.divisor).round(conversion.precision)
                field = conversion.name(field)
            data[field] = column.to_numpy()
        return pd.DataFrame(data)

    def write(
        self,
        path: str | os.PathLike[str],
        format: ExportFormat | None = None,
        *,
        units: Units = "raw",
        tz: Zone | None = None,
        csv_separator: str = ",",
        decimal_comma: bool = False,
    ) -> Path:
        """Write the readings to a CSV, JSON lines or Parquet file, atomically.

        ``format`` defaults to the one the file name's suffix names; times are written in
        ``tz`` (default UTC) as ``2025-03-30T03:00:00+02:00``, and Parquet keeps the zone in
        its schema. ``csv_separator`` and ``decimal_comma`` shape CSV for spreadsheets that
        expect ``;`` and ``1,5`` (German locales). Returns the path written.
        """
        chosen = format_from_path(path) if format is None else format
        dialect = CsvDialect(separator=csv_separator, decimal_comma=decimal_comma)
        return write_frame(self.to_polars(units, tz=tz), path, chosen, dialect)


class _ColumnsView(Mapping[str, Column]):
    """The value columns of a readings frame as Python lists, made on lookup."""

    __slots__ = ("_frame",)

    def __init__(self, frame: pl.DataFrame) -> None:
        self._frame = frame

    def __getitem__(self, name: str) -> Column:
        if name == "time" or name not in self._frame.columns:
            raise KeyError(name)
        return cast(Column, self._frame.get_column(name).to_list())

    def __contains__(self, name: object) -> bool:
        return name != "time" and name in self._frame.columns

    def __iter__(self) -> Iterator[str]:
        return iter(self._frame.columns[1:])

    def __len__(self) -> int:
        return self._frame.width - 1

    def __repr__(self) -> str:
        return f"<columns {self._frame.columns[1:]!r} of {len(self._frame)} readings>"


def _frame_of(times: Sequence[int], columns: Mapping[str, Sequence[float | None]]) -> pl.DataFrame:
    """Return the raw-unit frame of ``times`` and one list of values per field."""
    polars = _polars()
    series = [polars.Series("time", times, dtype=polars.Int64)]
    series += [polars.Series(name, values, strict=False) for name, values in columns.items()]
    frame: pl.DataFrame = polars.DataFrame(series)
    return frame


def table_in_units(frame: pl.DataFrame, units: Units, tz: Zone | None = None) -> pl.DataFrame:
    """Return a raw-unit frame (``time`` in Unix ms) with ``time`` as Datetime ms, in ``units``.

    ``time`` is in the zone ``tz`` (default UTC). With ``units="si"`` known fields are
    converted and renamed (``energy`` -> ``energy_kWh``, ...); fields of unknown unit stay raw.
    """
    check_units(units)
    pl = _polars()
    time = pl.col("time").cast(pl.Datetime("ms", "UTC"))
    expressions = [time.dt.convert_time_zone(polars_zone(tz))]
    for field in frame.columns[1:]:
        conversion = conversion_for(field) if units == "si" else None
        if conversion is None:
            expressions.append(pl.col(field))
        else:
            # polars divides by multiplying with the reciprocal; rounding to the raw unit
            # gives back the value a decimal division would (87.981, not ...01).
            expressions.append(
                (pl.col(field).cast(pl.Float64) / conversion.divisor)
                .round(conversion.precision)
                .alias(conversion.name(field))
            )
    return frame.select(expressions)


def build_readings(meter_id: str, resolution: Resolution, chunks: Iterable[Chunk]) -> Readings:
    """Merge the answers of consecutive requests into one ``Readings`` table.

    Readings outside their request's span are dropped (a server that treats ``to`` as
    inclusive would otherwise give the border reading twice), and so is any reading whose
    time was already seen. Readings out of time order are sorted at the end.
    """
    times: list[int] = []
    value_sets: list[ReadingValues] = []
    in_order = True
    for lower, upper, readings in chunks:
        if not readings:
            continue
        chunk_times = list(map(_get_time, readings))
        chunk_values = list(map(_get_value_set, readings))
        after = times[-1] if times else lower - 1
        # The usual answer: ascending, inside its span, after what came before. Then the
        # whole chunk is taken without a Python step per reading.
        if (
            chunk_times[0] > after
            and chunk_times[0] >= lower
            and chunk_times[-1] < upper
            and all(map(lt, chunk_times, islice(chunk_times, 1, None)))
        ):
            times += chunk_times
            value_sets += chunk_values
        else:
            in_order &= _add_one_by_one(times, value_sets, lower, upper, chunk_times, chunk_values)
    columns = _columns(value_sets)
    if not in_order:
        times, columns = _sorted_unique(times, columns)
    return Readings(meter_id, resolution, times, columns)


def _add_one_by_one(
    times: list[int],
    value_sets: list[ReadingValues],
    lower: int,
    upper: int,
    chunk_times: list[int],
    chunk_values: list[ReadingValues],
) -> bool:
    """Add the readings of an irregular chunk; return whether the times are still ascending."""
    in_order = True
    for time, values in zip(chunk_times, chunk_values, strict=True):
        if not lower <= time < upper:
            continue
        if times and time <= times[-1]:
            if time == times[-1]:
                continue
            in_order = False
        times.append(time)
        value_sets.append(values)
    return in_order


def _columns(value_sets: list[ReadingValues]) -> dict[str, Column]:
    """One column per field any reading has, ``None`` where a reading lacks it.

    Each column is gathered with one C-level map over the readings' value sets.
    """
    count = len(value_sets)
    columns: dict[str, Column] = {}
    if not count:
        return columns
    for wire_name, getter in zip(_VALUE_WIRE_NAMES, _VALUE_GETTERS, strict=True):
        column = list(map(getter, value_sets))
        missing = column.count(UNSET)
        if missing == count:
            continue
        if missing:
            column = [None if value is UNSET else value for value in column]
        columns[wire_name] = column
    extras = list(map(_get_extras, value_sets))
    if any(extras):
        for index, extra in enumerate(extras):
            for name, value in (extra or {}).items():
                if name not in columns:
                    columns[name] = [None] * count
                columns[name][index] = value
    return columns


def _sorted_unique(
    times: list[int], columns: dict[str, Column]
) -> tuple[list[int], dict[str, Column]]:
    """Reorder the rows by time, keeping the first row of each time."""
    order: list[int] = []
    seen: set[int] = set()
    for index in sorted(range(len(times)), key=times.__getitem__):
        if times[index] not in seen:
            seen.add(times[index])
            order.append(index)
    return (
        [times[index] for index in order],
        {name: [column[index] for index in order] for name, column in columns.items()},
    )
