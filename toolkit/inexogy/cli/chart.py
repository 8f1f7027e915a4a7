"""``inexogy plot``: readings of a meter as lines, or its usage per period as bars (PNG, SVG)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

import typer

from inexogy.plot import DEFAULT_HEIGHT, DEFAULT_WIDTH, chart_format, plot_readings, plot_usage
from inexogy.resolutions import OrderedResolution, resolution_for
from inexogy.usage import Per
from inexogy.zones import zone_name

from .failures import CommandFailedError
from .options import GlobalOptions
from .params import (
    FromOption,
    MeterArgument,
    ToOption,
    check_output,
    check_range,
    find_meter,
    split_fields,
)
from .progress import ChunkProgress

__all__ = ["ChartKind", "per_for", "plot"]


ChartKind = Literal["power", "usage"]
"""What ``inexogy plot`` draws: readings as lines, or usage per period as bars."""

_RESOLUTION_WORDS = {
    "raw": "Raw readings",
    "three_minutes": "3-minute readings",
    "fifteen_minutes": "15-minute readings",
    "one_hour": "Hourly readings",
    "one_day": "Daily readings",
    "one_week": "Weekly readings",
    "one_month": "Monthly readings",
    "one_year": "Yearly readings",
}
# The longest span drawn with bars of each period (a few dozen bars at most).
_PER_SPANS: tuple[tuple[Per, timedelta], ...] = (
    ("hour", timedelta(days=3)),
    ("day", timedelta(days=62)),
    ("week", timedelta(days=366)),
    ("month", timedelta(days=5 * 366)),
)


def per_for(span: timedelta) -> Per:
    """Return the period that draws ``span`` with a readable number of bars."""
    for per, longest in _PER_SPANS:
        if span <= longest:
            return per
    return "year"


def plot(
    ctx: typer.Context,
    meter: MeterArgument,
    start: FromOption,
    output: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="The chart file: .png or .svg.",
            show_default=False,
        ),
    ],
    end: ToOption = None,
    kind: Annotated[
        ChartKind,
        typer.Option(
            "--kind", help="power: readings as lines; usage: kWh drawn and fed in per period."
        ),
    ] = "power",
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            help="A field to draw (repeat it, or separate by commas), e.g. power, power1, "
            "voltage1 (default: power). --kind power only.",
            show_default=False,
        ),
    ] = None,
    per: Annotated[
        Per | None,
        typer.Option(
            "--per",
            help="--kind usage: hour, day, week, month or year (default: from the range).",
            show_default=False,
        ),
    ] = None,
    resolution: Annotated[
        OrderedResolution | None,
        typer.Option("--resolution", help="Default: the finest that gives at most 3000 points."),
    ] = None,
    width: Annotated[
        int, typer.Option("--width", min=100, max=10000, help="Pixels.")
    ] = DEFAULT_WIDTH,
    height: Annotated[
        int, typer.Option("--height", min=100, max=10000, help="Pixels.")
    ] = DEFAULT_HEIGHT,
) -> None:
    """Draw a chart: readings over a range as lines, or usage per period as bars (PNG or SVG).

    Times are shown in --tz. Power charts show drawn power above zero and fed-in power below.
    """
    check_range(start, end)
    try:
        chart_format(output)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--output") from None
    check_output(output)
    options = ctx.ensure_object(GlobalOptions)
    stop = end or datetime.now(UTC)
    if kind == "usage":
        if field or resolution:
            raise typer.BadParameter(
                "--kind usage draws kWh drawn and fed in: drop --field and --resolution",
                param_hint="--field" if field else "--resolution",
            )
        _plot_usage(options, meter, start, end, per or per_for(stop - start), output, width, height)
        return
    if per is not None:
        raise typer.BadParameter("--per belongs to --kind usage", param_hint="--per")
    fields = split_fields(",".join(field)) if field else ["power"]
    assert fields is not None
    chosen = resolution or resolution_for(stop - start)
    with (
        options.open_client() as client,
        ChunkProgress("Fetching readings") as progress,
    ):
        found = find_meter(client, meter, fields, "--field")
        table = client.readings(
            found.meter_id, start, end, resolution=chosen, fields=fields, progress=progress
        )
    title = f"{_RESOLUTION_WORDS[chosen]} of {found.full_serial_number}, {zone_name(options.tz)}"
    try:
        written = plot_readings(
            table, output, field=fields, title=title, width=width, height=height, tz=options.tz
        )
    except ValueError as error:  # no readings in the range, too many units
        raise CommandFailedError(f"{error}: choose a range within the meter's data") from None
    except OSError as error:
        raise CommandFailedError(f"cannot write {output}: {error.strerror or error}") from None
    if any(name.startswith(("energy", "volume")) for name in fields):
        typer.echo(
            "inexogy: note: energy and volume are the meter's rising registers; "
            "for kWh per period draw --kind usage",
            err=True,
        )
    typer.echo(f"Wrote a chart of {len(table)} readings to {written}", err=True)


def _plot_usage(
    options: GlobalOptions,
    meter: str,
    start: datetime,
    end: datetime | None,
    per: Per,
    output: Path,
    width: int,
    height: int,
) -> None:
    with options.open_client() as client, ChunkProgress("Fetching registers") as progress:
        found = find_meter(client, meter, None)
        frame = client.usage(found.meter_id, start, end, per=per, tz=options.tz, progress=progress)
    gas = "volume_m³" in frame.columns
    what = "Gas (m³)" if gas else "Energy drawn and fed in (kWh)"
    title = f"{what} per {per}, {found.full_serial_number}, {zone_name(options.tz)}"
    if frame.height:
        first, last = frame["start"][0], frame["end"][-1]
        title += f", {first:%Y-%m-%d %H:%M} to {last:%Y-%m-%d %H:%M}"
    try:
        written = plot_usage(frame, output, per=per, title=title, width=width, height=height)
    except ValueError as error:
        raise CommandFailedError(f"{error}: choose a range within the meter's data") from None
    except OSError as error:
        raise CommandFailedError(f"cannot write {output}: {error.strerror or error}") from None
    typer.echo(f"Wrote a chart of {frame.height} periods to {written}", err=True)
