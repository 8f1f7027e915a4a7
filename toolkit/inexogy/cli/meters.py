"""``inexogy meters``: the account's meters as a table, JSON or CSV.

A module of its own, so that the command most often run imports nothing the readings need.
"""

from __future__ import annotations

from typing import Annotated

import typer

from .options import GlobalOptions
from .params import CsvSeparatorOption, csv_dialect
from .render import MeterFormat, meters_csv, meters_json, show_meters

__all__ = ["meters"]


def meters(
    ctx: typer.Context,
    format: Annotated[MeterFormat, typer.Option("--format", help="table, json or csv.")] = "table",
    csv_separator: CsvSeparatorOption = ",",
) -> None:
    """List the meters of the account."""
    dialect = csv_dialect(csv_separator, decimal_comma=False)
    options = ctx.ensure_object(GlobalOptions)
    with options.open_client() as client:
        found = client.meters()
    if format == "json":
        typer.echo(meters_json(found))
    elif format == "csv":
        typer.echo(meters_csv(found, options.tz, dialect), nl=False)
    else:
        show_meters(found, options.tz)
