"""Reading an archive back as one table (polars), any span of any of its meters."""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from ..chunks import Resolution
from ..extras import require
from ..timestamps import to_ms
from ..units import Units, conversion_for
from ..zones import Zone, polars_zone
from .errors import ArchiveError
from .layout import SUFFIX, period_named, period_unit

if TYPE_CHECKING:
    import polars as pl

__all__ = ["empty_frame", "read_archive"]

_FEATURE = "reading the archive"
_METER_PREFIX = "meter="


def _polars() -> Any:
    return require("polars", "tables", _FEATURE)


def empty_frame() -> pl.DataFrame:
    """Return a table of no readings: just the ``time`` column."""
    polars = _polars()
    frame: pl.DataFrame = polars.DataFrame(schema={"time": polars.Datetime("ms", "UTC")})
    return frame


def _in_si(polars: Any, field: str) -> Any:
    """Return the expression converting a raw column to its SI unit (unknown units: as is)."""
    conversion = conversion_for(field)
    if conversion is None:
        return polars.col(field)
    return (
        (polars.col(field).cast(polars.Float64) / conversion.divisor)
        .round(conversion.precision)
        .alias(conversion.name(field))
    )


def _meters_in(root: Path) -> list[str]:
    return sorted(
        entry.name.removeprefix(_METER_PREFIX)
        for entry in root.iterdir()
        if entry.is_dir() and entry.name.startswith(_METER_PREFIX)
    )


def _files(
    root: Path,
    meters: Sequence[str],
    resolution: Resolution,
    start_ms: int | None,
    end_ms: int | None,
) -> dict[str, list[Path]]:
    """Return each meter's archive files whose period overlaps ``[start_ms, end_ms)``."""
    unit = period_unit(resolution)
    found: dict[str, list[Path]] = {}
    for meter in meters:
        folder = root / f"{_METER_PREFIX}{meter}" / f"resolution={resolution}"
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob(f"*{SUFFIX}")):
            period = period_named(path.stem, unit)
            if period is None:
                continue
            if start_ms is not None and period.end_ms <= start_ms:
                continue
            if end_ms is not None and period.start_ms >= end_ms:
                continue
            found.setdefault(meter, []).append(path)
    return found


@overload
def read_archive(
    directory: str | os.PathLike[str],
    meter: str | Sequence[str] | None = ...,
    *,
    start: datetime | None = ...,
    end: datetime | None = ...,
    resolution: Resolution = ...,
    units: Units = ...,
    tz: Zone | None = ...,
    lazy: Literal[True] = ...,
) -> pl.LazyFrame: ...


@overload
def read_archive(
    directory: str | os.PathLike[str],
    meter: str | Sequence[str] | None = ...,
    *,
    start: datetime | None = ...,
    end: datetime | None = ...,
    resolution: Resolution = ...,
    units: Units = ...,
    tz: Zone | None = ...,
    lazy: Literal[False],
) -> pl.DataFrame: ...


def read_archive(
    directory: str | os.PathLike[str],
    meter: str | Sequence[str] | None = None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    resolution: Resolution = "fifteen_minutes",
    units: Units = "raw",
    tz: Zone | None = None,
    lazy: bool = True,
) -> pl.LazyFrame | pl.DataFrame:
    """Return the readings an archive kept by ``inexogy sync`` holds, as one polars table.

    ``meter`` is a meterId (as in the folder names ``meter=<meterId>``), several, or ``None``
    for every meter in the archive. ``start`` and ``end`` bound the readings' times
    (``[start, end)``; aware datetimes); only the files that overlap the span are read.
    Columns: ``meter``, ``time`` (Datetime ms in ``tz``: a zone name like ``"Europe/Berlin"``
    or a ``tzinfo``; default UTC), then one per field; a field a file lacks
    is null there. Rows are grouped by meter (in the order given; sorted meterIds for all),
    then in time order. Values are raw, or with ``units="si"`` converted and renamed as
    ``Readings.to_polars`` does (``energy`` -> ``energy_kWh``, ...). The result is a
    ``LazyFrame`` (nothing is read until collected), or with ``lazy=False`` a
    ``DataFrame``. Raises ``ArchiveError`` for a folder that does not exist or a meter the
    archive does not hold.
    """
    if units not in ("raw", "si"):
        raise ValueError(f"unknown units {units!r}: use 'raw' or 'si'")
    zone = polars_zone(tz)
    polars = _polars()
    root = Path(directory)
    if not root.is_dir():
        raise ArchiveError(f"no archive at {root}: run `inexogy sync {root}` first")
    start_ms = None if start is None else to_ms(start, "start")
    end_ms = None if end is None else to_ms(end, "end")
    present = _meters_in(root)
    if meter is None:
        meters = present
    else:
        meters = [meter] if isinstance(meter, str) else list(meter)
        unknown = [name for name in meters if name not in present]
        if unknown:
            raise ArchiveError(
                f"the archive at {root} holds no meter {', '.join(map(repr, unknown))} "
                f"(it holds: {', '.join(present) or 'none'}); give a meterId, not a serial number"
            )
    by_meter = _files(root, meters, resolution, start_ms, end_ms)
    if not by_meter:
        frame = empty_frame().select(polars.lit(None, polars.String).alias("meter"), "time").clear()
        frame = frame.with_columns(polars.col("time").dt.convert_time_zone(zone))
        return frame.lazy() if lazy else frame
    schemas = [polars.read_parquet_schema(path) for files in by_meter.values() for path in files]
    merged = polars.concat(
        [polars.DataFrame(schema=schema) for schema in schemas], how="diagonal_relaxed"
    ).schema
    fields = [name for name in merged if name != "time"]
    # The meter comes from the folder name, not from polars' hive parsing, which would also
    # take any "name=value" folder above the archive for a column.
    table = polars.concat(
        [
            polars.scan_parquet(
                files,
                schema=merged,
                hive_partitioning=False,
                missing_columns="insert",
                cast_options=polars.ScanCastOptions(integer_cast="allow-float"),
            ).select(polars.lit(meter_id, polars.String).alias("meter"), "time", *fields)
            for meter_id, files in by_meter.items()
        ],
        how="vertical",
    )
    instant = polars.Datetime("ms", "UTC")
    if start_ms is not None:
        table = table.filter(polars.col("time") >= polars.lit(start_ms).cast(instant))
    if end_ms is not None:
        table = table.filter(polars.col("time") < polars.lit(end_ms).cast(instant))
    if units == "si":
        table = table.select("meter", "time", *(_in_si(polars, name) for name in fields))
    if zone != "UTC":
        table = table.with_columns(polars.col("time").dt.convert_time_zone(zone))
    # Each meter's files are listed in period order and each is in time order: so is the scan.
    result: pl.LazyFrame | pl.DataFrame = table if lazy else table.collect()
    return result
