"""The data commands: ``last-reading``, ``readings`` and ``statistics``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from inexogy.allocator import RAW_IN_FLIGHT, prepare_for_long_exports
from inexogy.export import FORMATS, ExportFormat, format_from_path
from inexogy.resolutions import OrderedResolution
from inexogy.zones import iso

from .failures import CommandFailedError
from .options import GlobalOptions
from .params import (
    CsvSeparatorOption,
    DecimalCommaOption,
    FieldsOption,
    FromOption,
    MeterArgument,
    ToOption,
    UnitsOption,
    check_output,
    check_range,
    chosen_resolution,
    csv_dialect,
    find_meter,
    say_chosen_resolution,
    split_fields,
)
from .progress import ChunkProgress
from .render import (
    TableFormat,
    ViewFormat,
    last_reading_json,
    last_reading_view,
    statistics_json,
    statistics_rows,
    statistics_table,
    stdout_console,
    to_csv,
)

__all__ = ["last_reading", "readings", "statistics"]


def last_reading(
    ctx: typer.Context,
    meter: MeterArgument,
    units: UnitsOption = "si",
    format: Annotated[ViewFormat, typer.Option("--format", help="table or json.")] = "table",
    fields: FieldsOption = None,
) -> None:
    """Show the latest reading of a meter and how old it is."""
    options = ctx.ensure_object(GlobalOptions)
    with options.open_client() as client:
        names = split_fields(fields)
        found = find_meter(client, meter, names)
        reading = client.last_reading(found.meter_id, fields=names)
    if format == "json":
        typer.echo(last_reading_json(reading, units, options.tz))
    else:
        title = f"Last reading of {found.full_serial_number} ({found.meter_id})"
        stdout_console().print(last_reading_view(reading, title, units, options.tz))


"""Raw requests of ``inexogy readings`` in flight at once (other resolutions: the client's)."""


def readings(
    ctx: typer.Context,
    meter: MeterArgument,
    start: FromOption,
    end: ToOption = None,
    resolution: Annotated[
        OrderedResolution | None,
        typer.Option(
            "--resolution",
            help="The readings' spacing; raw is as the meter sent them "
            "(default: the finest giving at most 3000 readings).",
            show_default=False,
        ),
    ] = None,
    fields: FieldsOption = None,
    units: UnitsOption = "si",
    format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="csv, jsonl or parquet (default: from --output, else csv)."),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write to this file (atomically: complete, or not at all) instead of stdout.",
        ),
    ] = None,
    csv_separator: CsvSeparatorOption = ",",
    decimal_comma: DecimalCommaOption = False,
) -> None:
    """Fetch readings over any range as CSV, JSON lines or Parquet (as many requests as needed).

    The readings are streamed: each request's readings are written, in time order, as soon
    as those before them are, so memory stays bounded however long the range.
    """
    check_range(start, end)
    prepare_for_long_exports()  # allocators that give freed memory back (see allocator)
    chosen = _chosen_format(format, output)
    if chosen == "parquet" and output is None:
        raise typer.BadParameter(
            "parquet is binary: name a file with --output", param_hint="--format"
        )
    if output is not None:
        check_output(output)
    dialect = csv_dialect(csv_separator, decimal_comma)
    names = split_fields(fields)
    resolution_given = resolution is not None
    resolution = resolution or chosen_resolution(start, end)
    options = ctx.ensure_object(GlobalOptions)
    client_args = {"max_concurrency": RAW_IN_FLIGHT} if resolution == "raw" else {}
    with (
        options.open_client(**client_args) as client,
        ChunkProgress("Fetching readings") as progress,
    ):
        found = find_meter(client, meter, names)
        if not resolution_given:
            say_chosen_resolution(resolution)
        if output is None:
            sys.stdout.flush()
        try:
            result = client.export(
                found.meter_id,
                sys.stdout.buffer if output is None else output,
                start,
                end,
                format=chosen,
                resolution=resolution,
                fields=names,
                units=units,
                tz=options.tz,
                csv_separator=dialect.separator,
                decimal_comma=dialect.decimal_comma,
                progress=progress,
            )
        except OSError as error:
            raise CommandFailedError(f"cannot write {output}: {error.strerror or error}") from None
    if output is None:
        sys.stdout.flush()
    if not result.rows:
        typer.echo(f"No readings of {found.full_serial_number} in this range.", err=True)
    if result.path is not None:
        typer.echo(
            f"Wrote {result.rows} readings of {found.full_serial_number} to {result.path}",
            err=True,
        )


def _chosen_format(format: ExportFormat | None, output: Path | None) -> ExportFormat:
    """Return the format asked for, else the one the file name says, else CSV."""
    if output is None:
        return format or "csv"
    if format is None:
        try:
            return format_from_path(output)
        except ValueError as error:
            raise typer.BadParameter(f"{error}, or pass --format", param_hint="--output") from None
    named = FORMATS.get(output.suffix.lower())
    if named is not None and named != format:
        raise typer.BadParameter(
            f"{output} names {named}, not {format}: rename the file or drop --format",
            param_hint="--format",
        )
    return format


def statistics(
    ctx: typer.Context,
    meter: MeterArgument,
    start: FromOption,
    end: ToOption = None,
    fields: FieldsOption = None,
    units: UnitsOption = "si",
    format: Annotated[TableFormat, typer.Option("--format", help="table, json or csv.")] = "table",
    csv_separator: CsvSeparatorOption = ",",
    decimal_comma: DecimalCommaOption = False,
) -> None:
    """Show count, minimum, maximum, mean and variance of each field over a range."""
    check_range(start, end)
    dialect = csv_dialect(csv_separator, decimal_comma)
    names = split_fields(fields)
    options = ctx.ensure_object(GlobalOptions)
    with options.open_client() as client:
        found = find_meter(client, meter, names)
        result = client.statistics(found.meter_id, start, end, fields=names)
    if format == "json":
        typer.echo(statistics_json(result, units))
    elif format == "csv":
        rows = statistics_rows(result, units)
        header = ("field", "count", "minimum", "maximum", "mean", "variance")
        typer.echo(to_csv(header, rows, dialect), nl=False)
    else:
        until = "now" if end is None else iso(end, options.tz)
        title = f"Statistics of {found.full_serial_number}, {iso(start, options.tz)} to {until}"
        stdout_console().print(statistics_table(result, title, units))
