"""How the commands show meters, last readings and statistics: tables, JSON and CSV."""

from __future__ import annotations

import csv
import io
import os
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta, tzinfo
from typing import TYPE_CHECKING, Any, Literal

import orjson
from inexogy_client.types import Unset

from inexogy.export import CsvDialect
from inexogy.meters import location_text
from inexogy.timestamps import from_ms
from inexogy.units import Units, conversion_for, si_name
from inexogy.zones import iso, local_zone

if TYPE_CHECKING:
    # rich is imported by the functions that draw: `inexogy --help` needs none of it.
    from inexogy_client.models.meter import Meter
    from inexogy_client.models.statistic import Statistic
    from rich.console import Console, Group, RenderableType
    from rich.table import Table

    from inexogy import LastReading

__all__ = [
    "PIPE_WIDTH",
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
    "meters_text",
    "print_meters",
    "show_meters",
    "statistics_json",
    "statistics_rows",
    "statistics_table",
    "stdout_console",
    "stdout_is_terminal",
    "to_csv",
]

PIPE_WIDTH = 160
"""The width of tables written to a pipe or a file, where no terminal says how wide to be."""

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
            "location": location_text(meter),
            "firstMeasurementTime": _measurement_time(meter.first_measurement_time, tz),
            "lastMeasurementTime": _measurement_time(meter.last_measurement_time, tz),
        }
        for meter in meters
    ]


def _measurement_time(ms: int | Unset, tz: tzinfo | None) -> str:
    if isinstance(ms, Unset) or ms < 0:
        return ""
    return iso(from_ms(ms), tz or local_zone())


_WHOLE = ("meterId", "fullSerialNumber")  # never cut nor wrapped
_OPTIONAL = ("type", "measurementType", "location", "lastMeasurementTime")  # most useful first
_MORE_COLUMNS = "More columns: --format csv"


def _meter_columns(rows: Sequence[Mapping[str, str]], width: int) -> dict[str, int] | None:
    """Return the table's columns that fit ``width``, with their narrowest widths.

    An id column is as wide as its longest value, the others as their longest word; those
    that do not fit are left out, last first. ``None`` when not even the ids fit.
    """
    widths = {name: max([len(name), *(len(row[name]) for row in rows)]) for name in _WHOLE}
    widths |= {
        name: max([len(name), *(len(word) for row in rows for word in row[name].split())])
        for name in _OPTIONAL
    }
    names = [*_WHOLE, *_OPTIONAL]
    # Borders and padding take 3 characters per column, plus 1.
    while sum(widths[name] for name in names) + 3 * len(names) + 1 > width:
        if len(names) == len(_WHOLE):
            return None
        names.pop()
    return {name: widths[name] for name in names}


def meters_table(meters: Sequence[Meter], width: int, tz: tzinfo | None = None) -> RenderableType:
    """Render the meters for a terminal ``width`` wide (times in ``tz``), never cutting an id.

    A table of the most useful columns: those that do not fit are left out, last first (a
    caption says so); when not even the id and the serial number fit, one block of
    ``name: value`` lines per meter (print those with ``soft_wrap=True``: see
    :func:`print_meters`).
    """
    from rich.table import Table

    rows = meter_rows(meters, tz)
    columns = _meter_columns(rows, width)
    if columns is None:
        return _meters_list(rows)
    table = Table(title="Meters", title_justify="left")
    if len(columns) < len(_WHOLE) + len(_OPTIONAL):
        table.caption = _MORE_COLUMNS
    for name, narrowest in columns.items():
        table.add_column(name, no_wrap=name in _WHOLE, min_width=narrowest)
    for row in rows:
        table.add_row(*(row[name] for name in columns))
    return table


def meters_text(meters: Sequence[Meter], width: int, tz: tzinfo | None = None) -> str | None:
    """Return the table :func:`meters_table` draws, as a non-terminal shows it, without rich.

    For output to a pipe or a file (no colours): the same text, character for character,
    for a fraction of the start-up. ``None`` when only rich can draw it (the narrow list
    layout, or texts rich measures its own way): print :func:`meters_table` then.
    """
    from .plain_table import PlainColumn, draw_table

    rows = meter_rows(meters, tz)
    columns = _meter_columns(rows, width)
    if columns is None:
        return None
    return draw_table(
        "Meters",
        [PlainColumn(name, no_wrap=name in _WHOLE, min_width=w) for name, w in columns.items()],
        [[row[name] for name in columns] for row in rows],
        width,
        caption="" if len(columns) == len(_WHOLE) + len(_OPTIONAL) else _MORE_COLUMNS,
    )


def stdout_is_terminal() -> bool:
    """Whether rich treats stdout as a terminal: its rules, without importing rich."""
    if (compatible := os.environ.get("TTY_COMPATIBLE", "")) in ("0", "1"):
        return compatible == "1"
    if (force_color := os.environ.get("FORCE_COLOR")) is not None:
        return force_color != ""
    try:
        return sys.stdout.isatty()
    except ValueError:  # closed
        return False


def stdout_console() -> Console:
    """Return a rich console on stdout: the terminal's width, else :data:`PIPE_WIDTH`."""
    from rich.console import Console  # imported when printing: `--help` needs no rich

    # The service's texts (a meter's location...) are printed as they are: not read as rich
    # markup ("[...]") or emoji codes (":...:"), which also spares loading rich's emoji table.
    console = Console(markup=False, emoji=False)
    if not console.is_terminal:
        console = Console(width=PIPE_WIDTH, markup=False, emoji=False)
    return console


def show_meters(meters: Sequence[Meter], tz: tzinfo | None = None) -> None:
    """Print the meters table on stdout: to a pipe or a file without rich (see plain_table)."""
    text = None if stdout_is_terminal() else meters_text(meters, PIPE_WIDTH, tz)
    if text is None:
        print_meters(stdout_console(), meters, tz)
    else:
        sys.stdout.write(text)


def print_meters(console: Console, meters: Sequence[Meter], tz: tzinfo | None = None) -> None:
    """Print the meters as :func:`meters_table` lays them out for the console's width.

    The list layout is printed without cropping: a line longer than a very narrow terminal
    wraps there, but keeps the whole id.
    """
    from rich.table import Table

    view = meters_table(meters, console.width, tz)
    console.print(view, soft_wrap=not isinstance(view, Table))


def _meters_list(rows: Sequence[Mapping[str, str]]) -> RenderableType:
    """Return the meters as blocks of ``name: value`` lines, for a narrow terminal."""
    from rich.console import Group
    from rich.text import Text

    names: tuple[str, ...] = ("meterId", "fullSerialNumber", "type", "measurementType")
    names += ("location", "lastMeasurementTime")
    blocks: list[Text] = [Text("Meters", style="bold")]
    for row in rows:
        lines = [f"{name}: {row[name]}" for name in names if row[name]]
        blocks.append(Text("\n".join(["", *lines]), no_wrap=True, overflow="ignore"))
    return Group(*blocks)


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
    return conversion.convert(value)


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.10g}"


def last_reading_view(
    reading: LastReading, title: str, units: Units, tz: tzinfo | None = None
) -> Group:
    """Render the last reading: a title, its time in ``tz`` and age, and a table of the fields."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

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
    """One row per field: count, minimum, maximum, mean, variance.

    With ``units="si"`` converted, to the precision the meter resolves in that unit.
    """
    rows = []
    for field, statistic in statistics.items():
        conversion = conversion_for(field) if units == "si" else None
        if conversion is None:
            rows.append(
                {
                    "field": field,
                    "count": statistic.count,
                    "minimum": statistic.minimum,
                    "maximum": statistic.maximum,
                    "mean": statistic.mean,
                    "variance": statistic.variance,
                }
            )
            continue
        rows.append(
            {
                "field": si_name(field),
                "count": statistic.count,
                "minimum": conversion.convert(statistic.minimum),
                "maximum": conversion.convert(statistic.maximum),
                "mean": conversion.convert(statistic.mean),
                # In the unit squared: twice the decimal places.
                "variance": round(
                    statistic.variance / conversion.divisor**2, 2 * conversion.precision
                ),
            }
        )
    return rows


def statistics_table(statistics: Mapping[str, Statistic], title: str, units: Units) -> Table:
    """Render the statistics as a rich table, one row per field."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column("field", no_wrap=True)
    for name in ("count", "minimum", "maximum", "mean", "variance"):
        table.add_column(name, justify="right", no_wrap=True)
    for row in statistics_rows(statistics, units):
        table.add_row(
            row["field"],
            str(row["count"]),
            *(_number(row[name]) for name in ("minimum", "maximum", "mean", "variance")),
        )
    return table


def statistics_json(statistics: Mapping[str, Statistic], units: Units) -> str:
    """Render the statistics as one JSON object keyed by field name."""
    return orjson.dumps(
        {row.pop("field"): row for row in statistics_rows(statistics, units)}
    ).decode()
