"""``inexogy usage``: energy drawn and fed in (or gas volume) per local hour, day, ..., year."""

from __future__ import annotations

import io
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, BinaryIO, Literal

import orjson
import typer

from inexogy.export import csv_text
from inexogy.files import write_atomically
from inexogy.usage import Per, period_label
from inexogy.zones import POLARS_DATETIME_FORMAT, iso, zone_name

from .failures import CommandFailedError
from .options import GlobalOptions
from .params import FromOption, MeterArgument, ToOption, check_output, check_range, find_meter
from .progress import ChunkProgress

if TYPE_CHECKING:
    import polars as pl
    from rich.table import Table

__all__ = ["UsageFormat", "usage", "usage_table", "usage_warnings"]

UsageFormat = Literal["table", "csv", "json"]
"""How ``inexogy usage`` prints."""

_TABLE_WIDTH = 160
_PERIOD_WORDS = {"hour": "hour", "day": "day", "week": "week", "month": "month", "year": "year"}
# column: (heading, decimals)
_NUMBERS = {
    "drawn_kWh": ("drawn kWh", 3),
    "fed_in_kWh": ("fed in kWh", 3),
    "volume_m³": ("gas m³", 3),
    "cost": ("cost", 2),
    "credit": ("feed-in credit", 2),
}


def _number(value: Any, decimals: int) -> str:
    return "-" if value is None else f"{value:.{decimals}f}"


def usage_table(
    frame: pl.DataFrame, per: Per, title: str, caption: str | None = None, width: int = 160
) -> Table:
    """Render a usage frame as a rich table with a total row (and a note column when needed).

    The table fits ``width`` columns without cutting a number or a time short: on a narrow
    terminal the period names go first, then the end times (each period ends where the next
    one begins, which the caption then says).
    """
    from rich.table import Table  # rich: imported when the command runs

    numbers = [name for name in _NUMBERS if name in frame.columns]
    rows = list(frame.iter_rows(named=True))
    notes = [_note(row) for row in rows]
    totals = {
        name: None if frame[name].null_count() == frame.height else frame[name].sum()
        for name in numbers
    }
    cells: dict[str, list[str]] = {
        per: [period_label(row["start"], per) for row in rows] + ["total"],
        "start": [iso(row["start"]) for row in rows] + [""],
        "end": [iso(row["end"]) for row in rows] + [""],
    }
    for name in numbers:
        decimals = _NUMBERS[name][1]
        cells[name] = [_number(row[name], decimals) for row in rows] + [
            _number(totals[name], decimals)
        ]
    if any(notes):
        cells["note"] = [*notes, ""]
    headings = {name: _NUMBERS[name][0] if name in _NUMBERS else name for name in cells}

    def needed(names: list[str]) -> int:
        return 1 + sum(3 + max(len(headings[n]), *map(len, cells[n])) for n in names)

    shown = list(cells)
    for dropped in (per, "end"):
        if needed(shown) <= width:
            break
        shown.remove(dropped)
    if "end" not in shown:
        last = iso(rows[-1]["end"]) if rows else ""
        ends = f"Each period ends where the next begins; the last ends at {last}."
        caption = f"{ends} {caption}" if caption else ends
    table = Table(
        title=title, title_justify="left", caption=caption, caption_justify="left", show_footer=True
    )
    for position, name in enumerate(shown):
        footer = "total" if position == 0 else cells[name][-1]
        if name in _NUMBERS:
            table.add_column(headings[name], footer, justify="right", no_wrap=True)
        else:
            table.add_column(headings[name], footer, no_wrap=name != "note")
    for index in range(len(rows)):
        table.add_row(*(cells[name][index] for name in shown))
    return table


def _note(row: dict[str, Any]) -> str:
    notes = []
    glitches = row["glitches"] or ""
    if row["partial"]:
        if "first reading after" in glitches:
            notes.append("partial: the data begins inside")
        elif "last reading before" in glitches:
            notes.append("partial: the data ends inside")
        else:
            notes.append("partial: not over yet")
    if any(row[name] is None for name in _NUMBERS if name in row):
        notes.append("no data at a border")
    if "read 0" in glitches or "went backwards" in glitches:
        notes.append("glitch left out (see warnings)")
    return ", ".join(notes)


def usage_warnings(frame: pl.DataFrame) -> list[str]:
    """Return one warning per distinct glitch or gap reported in the ``glitches`` column."""
    warnings: list[str] = []
    for text in frame["glitches"].drop_nulls().to_list():
        for note in text.split("; "):
            if note not in warnings:
                warnings.append(note)
    return warnings


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with its times as ISO 8601 text (``2025-03-30T03:00:00+02:00``)."""
    return frame.with_columns(
        frame["start"].dt.to_string(POLARS_DATETIME_FORMAT),
        frame["end"].dt.to_string(POLARS_DATETIME_FORMAT),
    )


def _render(
    frame: pl.DataFrame, format: UsageFormat, per: Per, title: str, caption: str, width: int
) -> str:
    from rich.console import Console

    if format == "csv":
        return csv_text(frame)
    if format == "json":
        rows = _as_text(frame).to_dicts()
        return orjson.dumps(rows, option=orjson.OPT_INDENT_2).decode() + "\n"
    console = Console(width=width, file=io.StringIO(), record=True)
    console.print(usage_table(frame, per, title, caption, width))
    return console.export_text()


def usage(
    ctx: typer.Context,
    meter: MeterArgument,
    start: FromOption,
    per: Annotated[
        Per,
        typer.Option(
            "--per",
            help="The period: hour, day, week (from Monday), month or year, in --tz.",
            show_default=False,
        ),
    ],
    end: ToOption = None,
    price: Annotated[
        float | None,
        typer.Option(
            "--price",
            min=0,
            metavar="P",
            help="Price per kWh drawn (gas: per m³): adds a cost column.",
        ),
    ] = None,
    feed_in_price: Annotated[
        float | None,
        typer.Option(
            "--feed-in-price",
            min=0,
            metavar="P",
            help="Price paid per kWh fed in: adds a feed-in credit column.",
        ),
    ] = None,
    format: Annotated[UsageFormat, typer.Option("--format", help="table, csv or json.")] = "table",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            dir_okay=False,
            help="Write to this file (atomically) instead of stdout.",
        ),
    ] = None,
) -> None:
    """Energy drawn and fed in (gas: volume) per hour, day, week, month or year, with costs.

    Whole local periods of --tz (a global option, also accepted here): --from is rounded down
    to the start of its period, --to up to the end of its. Each value is the difference of the
    meter's register between the period's borders; a period not over yet is marked partial;
    glitched registers (0, or jumping back) are left out and reported.
    """
    from rich.console import Console

    check_range(start, end)
    if output is not None:
        check_output(output)
    options = ctx.ensure_object(GlobalOptions)
    with options.open_client() as client, ChunkProgress("Fetching registers") as progress:
        found = find_meter(client, meter, None)
        frame = client.usage(
            found.meter_id,
            start,
            end,
            per=per,
            tz=options.tz,
            price=price,
            feed_in_price=feed_in_price,
            progress=progress,
        )
    title = _title(found.full_serial_number, per, options.tz, frame)
    terminal = Console()
    width = terminal.width if output is None and terminal.is_terminal else _TABLE_WIDTH
    text = _render(frame, format, per, title, _caption(frame, price, feed_in_price), width)
    if output is None:
        typer.echo(text, nl=False)
    for warning in usage_warnings(frame):
        typer.echo(f"inexogy: warning: {warning}", err=True)
    if output is None:
        return
    try:
        written = write_atomically(output, lambda stream: _write_text(stream, text))
    except OSError as error:
        raise CommandFailedError(f"cannot write {output}: {error.strerror or error}") from None
    typer.echo(f"Wrote the usage of {found.full_serial_number} per {per} to {written}", err=True)


def _write_text(stream: BinaryIO, text: str) -> None:
    stream.write(text.encode())


def _caption(frame: pl.DataFrame, price: float | None, feed_in_price: float | None) -> str:
    gas = "volume_m³" in frame.columns
    parts = [
        "Differences of the meter's "
        + ("volume register" if gas else "registers (energy drawn, energy fed in)")
        + " between the period borders."
    ]
    if price is not None:
        parts.append(f"cost = {'m³' if gas else 'kWh drawn'} x {price:g}")
    if feed_in_price is not None and "credit" in frame.columns:
        parts.append(f"feed-in credit = kWh fed in x {feed_in_price:g}")
    return " ".join(parts[:1]) + ("" if len(parts) == 1 else " " + "; ".join(parts[1:]) + ".")


def _title(serial: str, per: Per, tz: tzinfo, frame: pl.DataFrame) -> str:
    if frame.height == 0:
        return f"Usage of {serial} per {per} ({zone_name(tz)})"
    first, last = frame["start"][0], frame["end"][-1]
    return (
        f"Usage of {serial} per {_PERIOD_WORDS[per]}, {zone_name(tz)}, {iso(first)} to {iso(last)}"
    )
