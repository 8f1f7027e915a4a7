"""``inexogy plot``: a chart of one field of a meter over a range, as a PNG file."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from inexogy.plot import DEFAULT_HEIGHT, DEFAULT_WIDTH, plot_readings
from inexogy.resolutions import OrderedResolution, resolution_for

from .failures import CommandFailedError
from .options import GlobalOptions
from .params import FromOption, MeterArgument, ToOption, check_output, check_range, find_meter
from .progress import ChunkProgress
from .when import local_zone

__all__ = ["plot"]


def plot(
    ctx: typer.Context,
    meter: MeterArgument,
    start: FromOption,
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", dir_okay=False, help="The PNG file to write.", show_default=False
        ),
    ],
    end: ToOption = None,
    resolution: Annotated[
        OrderedResolution | None,
        typer.Option("--resolution", help="Default: the finest that gives at most 3000 points."),
    ] = None,
    field: Annotated[
        str, typer.Option("--field", help="The field to draw, e.g. power, energy, power1.")
    ] = "power",
    width: Annotated[
        int, typer.Option("--width", min=100, max=10000, help="Pixels.")
    ] = DEFAULT_WIDTH,
    height: Annotated[
        int, typer.Option("--height", min=100, max=10000, help="Pixels.")
    ] = DEFAULT_HEIGHT,
) -> None:
    """Draw one field of a meter over a range as a PNG chart (SI units, local time)."""
    check_range(start, end)
    if output.suffix.lower() != ".png":
        raise typer.BadParameter(f"{output} does not end in .png", param_hint="--output")
    check_output(output)
    chosen = resolution or resolution_for((end or datetime.now(UTC)) - start)
    with (
        ctx.ensure_object(GlobalOptions).open_client() as client,
        ChunkProgress("Fetching readings") as progress,
    ):
        found = find_meter(client, meter, [field], "--field")
        table = client.readings(
            found.meter_id, start, end, resolution=chosen, fields=[field], progress=progress
        )
    title = f"{found.full_serial_number} · {field} · {chosen}"
    try:
        written = plot_readings(
            table, output, field=field, title=title, width=width, height=height, tz=local_zone()
        )
    except ValueError as error:  # no readings in the range
        raise CommandFailedError(f"{error}: choose a range within the meter's data") from None
    except OSError as error:
        raise CommandFailedError(f"cannot write {output}: {error.strerror or error}") from None
    typer.echo(f"Wrote a chart of {len(table)} readings to {written}", err=True)
