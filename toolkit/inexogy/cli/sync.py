"""The ``sync`` command: keep a local Parquet archive of readings current."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from .options import GlobalOptions
from .when import WHEN_HELP, when_option

if TYPE_CHECKING:  # the archive's modules are imported by the command when it runs
    from inexogy.archive import SyncedPeriod, SyncSummary

__all__ = ["sync"]

ArchiveResolution = Literal["raw", "three_minutes", "fifteen_minutes", "one_hour", "one_day"]

INTERRUPTED_EXIT = 130  # the shell's code for a command stopped by Ctrl-C (128 + SIGINT)


def _fetched_line(period: SyncedPeriod) -> str:
    state = "final" if period.final else "open, fetched again next time"
    return (
        f"fetched  {period.serial}  {period.period}  "
        f"{period.readings:,} readings ({state}) -> {period.path}"
    )


def _kept_lines(summary: SyncSummary, verbose: bool) -> list[str]:
    """Say which final files were left as they were: each one with -v, else a range per meter."""
    if verbose:
        return [f"kept     {kept.serial}  {kept.period}  (final)" for kept in summary.skipped]
    lines = []
    for meter in summary.meters:
        kept = [period for period in summary.skipped if period.meter_id == meter.meter_id]
        if kept:
            span = kept[0].period if len(kept) == 1 else f"{kept[0].period} .. {kept[-1].period}"
            lines.append(f"kept     {kept[0].serial}  {len(kept)} final period(s) {span}")
    return lines


def _left_out_lines(summary: SyncSummary) -> list[str]:
    serials = {meter.meter_id: meter.full_serial_number for meter in summary.meters}
    return [
        f"left out {serials.get(meter_id) or meter_id}: {reason}"
        for meter_id, reason in summary.left_out.items()
    ]


def sync(
    ctx: typer.Context,
    directory: Annotated[
        Path,
        typer.Argument(
            metavar="DIR",
            file_okay=False,
            help="The archive folder (created if missing): DIR/meter=ID/resolution=R/*.parquet.",
            show_default=False,
        ),
    ],
    meter: Annotated[
        list[str] | None,
        typer.Option(
            "--meter",
            metavar="METER",
            help="A meterId or serial number; repeat for several (default: every meter).",
            show_default=False,
        ),
    ] = None,
    resolution: Annotated[
        ArchiveResolution,
        typer.Option(
            "--resolution",
            help="raw: one file per UTC day; three_minutes, fifteen_minutes, one_hour: per "
            "UTC month; one_day: per UTC year.",
        ),
    ] = "fifteen_minutes",
    start: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            parser=when_option,
            metavar="WHEN",
            help=f"Archive from the period containing WHEN (default: each meter's first "
            f"measurement). {WHEN_HELP}.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Keep a local Parquet archive of readings current: fetch only what is missing or open."""
    from inexogy.allocator import RAW_IN_FLIGHT, prepare_for_long_exports

    prepare_for_long_exports()  # a sync is a long export too (see allocator)
    options = ctx.ensure_object(GlobalOptions)
    client_args = {"max_concurrency": RAW_IN_FLIGHT} if resolution == "raw" else {}
    written: list[SyncedPeriod] = []

    def report(period: SyncedPeriod) -> None:
        written.append(period)
        typer.echo(_fetched_line(period))

    wanted: Sequence[str] | None = meter or None
    with options.open_client(**client_args) as client:
        try:
            summary = client.sync(
                directory, wanted, resolution=resolution, start=start, on_period=report
            )
        except KeyboardInterrupt:
            typer.echo(
                f"inexogy: interrupted: the {len(written)} file(s) written are complete; "
                "run the same command again to finish",
                err=True,
            )
            raise typer.Exit(INTERRUPTED_EXIT) from None
    for line in (*_kept_lines(summary, options.verbose), *_left_out_lines(summary)):
        typer.echo(line)
    typer.echo(
        f"{summary.directory}: fetched {len(summary.fetched)} period(s) in {summary.requests} "
        f"request(s), {summary.readings:,} readings; kept {len(summary.skipped)} final period(s)"
    )
