"""How the commands show meters, last readings and statistics: tables, JSON and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import timedelta, tzinfo
from typing import Any, Literal

import orjson
from inexogy_client.models.meter import Meter
from inexogy_client.models.statistic import Statistic
from inexogy_client.types import Unset
from rich.console import Group
from rich.table import Table
from rich.text import Text

from inexogy import LastReading
from inexogy.export import CsvDialect
from inexogy.timestamps import from_ms
from inexogy.units import Units, conversion_for, si_name
from inexogy.zones import iso, local_zone

__all__ = [
    "MeterFormat",
    "TableFormat",
    "ViewFormat",
    "describe_age",
    "last_reading_json",
    "last_reading_view",
    "meter_rows",
    "meters_csv",
    "meters_json",
    "meters_table",
    "statistics_json",
    "statistics_rows",
    "statistics_table",
    "to_csv",
]

MeterFormat = Literal["table", "json", "csv"]
"""How ``inexogy meters`` prints."""

TableFormat = Literal["table", "json", "csv"]
"""How ``inexogy statistics`` prints."""

ViewFormat = Literal["table", "json"]
"""How ``inexogy last-reading`` prints."""

_METER_COLUMNS = (
    "meterId",
    "fullSerialNumber",
    "serialNumber",
    "manufacturerId",
    "type",
    "measurementType",
    "location",
    "firstMeasurementTime",
    "lastMeasurementTime",
)


def meter_rows(meters: Sequence[Meter], tz: tzinfo | None = None) -> list[dict[str, str]]:
    """One flat row of text per meter, keyed by the API's field names; times in ``tz``."""
    return [
        {
            "meterId": meter.meter_id,
            "fullSerialNumber": meter.full_serial_number,
            "serialNumber": meter.serial_number,
            "manufacturerId": meter.manufacturer_id,
            "type": meter.type_,
            "measurementType": meter.measurement_type,
            "location": _location(meter),
            "firstMeasurementTime": _measurement_time(meter.first_measurement_time, tz),
            "lastMeasurementTime": _measurement_time(meter.last_measurement_time, tz),
        }
        for meter in meters
    ]


def _location(meter: Meter) -> str:
    place = meter.location
    if isinstance(place, Unset):
        return ""
    street = " ".join(str(part) for part in (place.street, place.street_number) if part)
    town = " ".join(str(part) for part in (place.zip_, place.city) if part)
    return ", ".join(part for part in (street, town) if part)


def _measurement_time(ms: int | Unset, tz: tzinfo | None) -> str:
    if isinstance(ms, Unset) or ms < 0:
        return ""
    return iso(from_ms(ms), tz or local_zone())


def meters_table(meters: Sequence[Meter], tz: tzinfo | None = None) -> Table:
    """Render the meters as a rich table (the most useful columns), times in ``tz``."""
    table = Table(title="Meters", title_justify="left")
    for name in ("meterId", "fullSerialNumber", "type", "measurementType", "location"):
        table.add_column(name, no_wrap=name != "location", overflow="fold")
    table.add_column("lastMeasurementTime", no_wrap=True)
    for row in meter_rows(meters, tz):
        table.add_row(
            row["meterId"],
            row["fullSerialNumber"],
            row["type"],
            row["measurementType"],
            row["location"],
            row["lastMeasurementTime"],
        )
    return table


def meters_json(meters: Sequence[Meter]) -> str:
    """Render the meters as the API describes them: a JSON array of objects."""
    return orjson.dumps([meter.to_dict() for meter in meters], option=orjson.OPT_INDENT_2).decode()


def meters_csv(
    meters: Sequence[Meter],
    tz: tzinfo | None = None,
    dialect: CsvDialect = CsvDialect(),  # noqa: B008 (immutable)
) -> str:
    """Render the meters as CSV, one flat row each, with a header; times in ``tz``."""
    return to_csv(_METER_COLUMNS, meter_rows(meters, tz), dialect)


def to_csv(
    header: Sequence[str],
    rows: Sequence[Mapping[str, Any]],
    dialect: CsvDialect = CsvDialect(),  # noqa: B008 (immutable)
) -> str:
    """Rows as CSV text with a header line, in ``dialect`` (separator, decimal comma)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(header), lineterminator="\n", delimiter=dialect.separator
    )
    writer.writeheader()
    if dialect.decimal_comma:
        rows = [
            {
                name: str(value).replace(".", ",") if isinstance(value, float) else value
                for name, value in row.items()
            }
            for row in rows
        ]
    writer.writerows(rows)
    return buffer.getvalue()


def describe_age(age: timedelta) -> str:
    """Describe a reading's age for people: ``42 s``, ``5 min 3 s``, ``2 h 10 min``, ``3 d 4 h``."""
    seconds = int(age.total_seconds())
    if seconds < 0:
        return f"{-seconds} s in the future"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    if minutes:
        return f"{minutes} min {seconds} s"
    return f"{seconds} s"


def _unit(field: str, units: Units) -> str:
    conversion = conversion_for(field)
    if conversion is None:
        return ""
    return conversion.unit if units == "si" else conversion.raw_unit


def _value(field: str, value: float, units: Units) -> float:
    conversion = conversion_for(field)
    if units == "raw" or conversion is None:
        return value
    return value / conversion.divisor


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.10g}"


def last_reading_view(
    reading: LastReading, title: str, units: Units, tz: tzinfo | None = None
) -> Group:
    """Render the last reading: a title, its time in ``tz`` and age, and a table of the fields."""
    taken = iso(reading.time, tz or local_zone())
    table = Table()
    table.add_column("field", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("unit", no_wrap=True)
    for field, value in reading.values.items():
        table.add_row(field, _number(_value(field, value, units)), _unit(field, units))
    return Group(
        Text(title, style="bold"), Text(f"taken {taken}, {describe_age(reading.age)} ago"), table
    )


def last_reading_json(reading: LastReading, units: Units, tz: tzinfo | None = None) -> str:
    """Render the last reading as one JSON object: meter, time (in ``tz``), age, values."""
    values = reading.si_values() if units == "si" else reading.values
    document = {
        "meterId": reading.meter_id,
        "time": iso(reading.time, tz or local_zone()),
        "ageSeconds": round(reading.age.total_seconds(), 3),
        "values": values,
    }
    return orjson.dumps(document).decode()


def statistics_rows(statistics: Mapping[str, Statistic], units: Units) -> list[dict[str, Any]]:
    """One row per field: count, minimum, maximum, mean, variance (SI-scaled when asked)."""
    rows = []
    for field, statistic in statistics.items():
        conversion = conversion_for(field) if units == "si" else None
        divisor = 1.0 if conversion is None else conversion.divisor
        rows.append(
            {
                "field": si_name(field) if conversion is not None else field,
                "count": statistic.count,
                "minimum": statistic.minimum / divisor,
                "maximum": statistic.maximum / divisor,
                "mean": statistic.mean / divisor,
                "variance": statistic.variance / divisor**2,
            }
        )
    return rows


def statistics_table(statistics: Mapping[str, Statistic], title: str, units: Units) -> Table:
    """Render the statistics as a rich table, one row per field."""
    table = Table(title=title, title_justify="left")
    table.add_column("field", no_wrap=True)
    for name in ("count", "minimum", "maximum", "mean", "variance"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in statistics_rows(statistics, units):
        table.add_row(
            row["field"],
            str(row["count"]),
            *(f"{row[name]:.6g}" for name in ("minimum", "maximum", "mean", "variance")),
        )
    return table


def statistics_json(statistics: Mapping[str, Statistic], units: Units) -> str:
    """Render the statistics as one JSON object keyed by field name."""
    return orjson.dumps(
        {row.pop("field"): row for row in statistics_rows(statistics, units)}
    ).decode()
