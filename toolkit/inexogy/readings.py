"""Readings as columns: one list of times and one list per field.

The columns are gathered from the generated models with one C-level ``map`` per field: in
the usual case (no field missing, times in order) no Python-level step runs per reading
(see benchmarks/bench_readings.py).

A ``Readings`` table is what ``Inexogy.readings`` returns. Values stay in the service's raw
units (see ``inexogy.units``); ``to_polars(units="si")`` and ``write(..., units="si")``
convert them.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from itertools import islice
from operator import attrgetter, lt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs
from attrs import define
from inexogy_client.models.reading import Reading
from inexogy_client.models.reading_values import ReadingValues
from inexogy_client.types import UNSET

from .chunks import Resolution
from .export import ExportFormat, format_from_path, write_frame
from .extras import require
from .timestamps import from_ms
from .units import Units, conversion_for
from .zones import Zone, polars_zone

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = ["Chunk", "Readings", "build_readings"]

Chunk = tuple[int, int, Sequence[Reading]]
"""The answer to one request: its half-open span ``[from, to)`` in ms and its readings."""

Column = list[float | None]


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


@define(eq=False, repr=False)
class Readings:
    """Readings of one meter as columns.

    ``times`` holds Unix milliseconds in ascending order without duplicates; ``columns`` maps
    each field name (as the service names it) to its values, one per time, ``None`` where a
    reading lacked the field. Values are raw (10^-10 kWh, mW, mV, litres).
    """

    meter_id: str
    resolution: Resolution
    times: list[int]
    columns: dict[str, Column]

    def __len__(self) -> int:
        return len(self.times)

    def __repr__(self) -> str:
        # One line whatever the size: a raw day holds 43,200 rows per field.
        if self.times:
            first = from_ms(self.times[0]).isoformat(timespec="seconds")
            last = from_ms(self.times[-1]).isoformat(timespec="seconds")
            span = f"{first} .. {last}"
        else:
            span = "no rows"
        return (
            f"Readings(meter_id={self.meter_id!r}, resolution={self.resolution!r}, "
            f"rows={len(self.times)}, {span}, fields={list(self.columns)!r})"
        )

    @property
    def fields(self) -> list[str]:
        """The field names, in column order."""
        return list(self.columns)

    def to_polars(self, units: Units = "raw", *, tz: Zone | None = None) -> pl.DataFrame:
        """Return the readings as a DataFrame: ``time`` (Datetime ms in ``tz``), a column per field.

        ``tz`` is a zone name (``"Europe/Berlin"``) or ``tzinfo``; the default is UTC. With
        ``units="si"`` known fields are converted and renamed (``energy`` -> ``energy_kWh``,
        ``power`` -> ``power_W``, ...); fields of unknown unit stay raw.
        """
        if units not in ("raw", "si"):
            raise ValueError(f"unknown units {units!r}: use 'raw' or 'si'")
        require("polars", "tables", "Readings.to_polars")
        import polars as pl

        time = pl.Series("time", self.times, dtype=pl.Int64).cast(pl.Datetime("ms", "UTC"))
        series = [time.dt.convert_time_zone(polars_zone(tz))]
        for field, values in self.columns.items():
            column = pl.Series(field, values, strict=False)
            conversion = conversion_for(field) if units == "si" else None
            if conversion is not None:
                # Rounded to what the meter resolves: this also removes the float noise of
                # polars' division by a reciprocal (87.981, not 87.98100000000001).
                column = (
                    (column.cast(pl.Float64) / conversion.divisor)
                    .round(conversion.precision)
                    .alias(conversion.name(field))
                )
            series.append(column)
        return pl.DataFrame(series)

    def to_pandas(self, units: Units = "raw") -> pd.DataFrame:
        """Return the readings as a pandas DataFrame (needs the ``pandas`` extra).

        The same table as :meth:`to_polars`: ``time`` (datetime64 UTC) and one column per
        field, converted and renamed with ``units="si"``; a missing value is NaN.
        """
        if units not in ("raw", "si"):
            raise ValueError(f"unknown units {units!r}: use 'raw' or 'si'")
        require("pandas", "pandas", "Readings.to_pandas")
        import pandas as pd

        data: dict[str, Any] = {"time": pd.to_datetime(self.times, unit="ms", utc=True)}
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
    ) -> Path:
        """Write the readings to a CSV, JSON lines or Parquet file, atomically.

        ``format`` defaults to the one the file name's suffix names; times are written in
        ``tz`` (default UTC) as ``2025-03-30T03:00:00+02:00``, and Parquet keeps the zone in
        its schema. Returns the path written.
        """
        chosen = format_from_path(path) if format is None else format
        return write_frame(self.to_polars(units, tz=tz), path, chosen)


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
    return Readings(meter_id=meter_id, resolution=resolution, times=times, columns=columns)


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
