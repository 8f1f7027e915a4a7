"""Arguments and options shared by several commands, and checks of their values."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from inexogy.export import CsvDialect
from inexogy.resolutions import OrderedResolution, resolution_for
from inexogy.units import Units
from inexogy.zones import iso

from .when import WHEN_HELP, command_zone, when_option

if TYPE_CHECKING:
    from inexogy_client.models.meter import Meter

    from inexogy import Inexogy

__all__ = [
    "CsvSeparatorOption",
    "DecimalCommaOption",
    "FieldsOption",
    "FromOption",
    "MeterArgument",
    "ToOption",
    "UnitsOption",
    "check_output",
    "check_range",
    "chosen_resolution",
    "csv_dialect",
    "find_meter",
    "say_chosen_resolution",
    "split_fields",
]

MeterArgument = Annotated[
    str,
    typer.Argument(
        metavar="METER",
        help="A meterId, or a serial number (short like 61229886 or full like 1ESY1161229886).",
        show_default=False,
    ),
]
FromOption = Annotated[
    datetime,
    typer.Option(
        "--from",
        parser=when_option,
        metavar="WHEN",
        help=f"Start. {WHEN_HELP}.",
        show_default=False,
    ),
]
ToOption = Annotated[
    datetime | None,
    typer.Option(
        "--to", parser=when_option, metavar="WHEN", help=f"End (default: now). {WHEN_HELP}."
    ),
]
FieldsOption = Annotated[
    str | None,
    typer.Option("--fields", help="Comma-separated field names, e.g. energy,power (default: all)."),
]
UnitsOption = Annotated[
    Units,
    typer.Option(
        "--units", help="si: kWh, W, V, m³ with unit-suffixed names; raw: as the service sends."
    ),
]


def split_fields(fields: str | None) -> list[str] | None:
    """Return the names in a ``--fields`` value (``None``: all); refuse an empty list."""
    if fields is None:
        return None
    names = [name.strip() for name in fields.split(",") if name.strip()]
    if not names:
        raise typer.BadParameter(
            "name at least one field, e.g. energy,power", param_hint="--fields"
        )
    return names


def find_meter(
    client: Inexogy, meter: str, fields: Sequence[str] | None, param_hint: str = "--fields"
) -> Meter:
    """Return the meter ``meter`` names, after checking that it has all of ``fields``.

    A field the meter lacks is a usage error listing the fields it has: the service would
    drop it silently, or answer 500 when no requested field is known.
    """
    found = client.find_meter(meter)
    if fields:
        _check_fields(client, found, fields, param_hint)
    return found


def _check_fields(client: Inexogy, meter: Meter, names: Sequence[str], param_hint: str) -> None:
    known = client.field_names(meter.meter_id)
    unknown = [name for name in names if name not in known]
    if unknown:
        raise typer.BadParameter(
            f"meter {meter.full_serial_number} has no field {', '.join(map(repr, unknown))}; "
            f"it has: {', '.join(known)}",
            param_hint=param_hint,
        )


CsvSeparatorOption = Annotated[
    str,
    typer.Option(
        "--csv-separator",
        help="The field separator of CSV output, one character (e.g. ';' for spreadsheets "
        "in German).",
    ),
]
DecimalCommaOption = Annotated[
    bool,
    typer.Option(
        "--decimal-comma",
        help="Write decimals with a comma (1,5) in CSV output; needs --csv-separator ';'.",
    ),
]


def csv_dialect(separator: str, decimal_comma: bool) -> CsvDialect:
    """Return the CSV dialect the options ask for; a bad one is a usage error."""
    try:
        return CsvDialect(separator=separator, decimal_comma=decimal_comma)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--csv-separator") from None


def chosen_resolution(start: datetime, end: datetime | None) -> OrderedResolution:
    """Return the resolution for a range given without ``--resolution``.

    The finest that gives at most 3000 readings (see ``inexogy.resolutions.resolution_for``).
    Say it with ``say_chosen_resolution`` once the meter is known, so that a wrong meter gets
    its error alone.
    """
    return resolution_for((end or datetime.now(UTC)) - start)


def say_chosen_resolution(chosen: OrderedResolution) -> None:
    """Tell on stderr which resolution ``chosen_resolution`` chose."""
    typer.echo(f"Resolution {chosen} (chosen for the range; --resolution to change)", err=True)


def check_output(path: Path) -> None:
    """Refuse an output file whose folder does not exist, before any data is fetched."""
    if not path.parent.is_dir():
        raise typer.BadParameter(
            f"the folder {path.parent} does not exist: create it or choose another file",
            param_hint="--output",
        )


def check_range(start: datetime, end: datetime | None) -> None:
    """Refuse a range whose end is not after its start, or that lies in the future (usage error)."""
    now = datetime.now(UTC)
    if start >= now:
        raise typer.BadParameter(
            f"the range starts at {start.isoformat(timespec='seconds')}, which is not before "
            f"now ({now.astimezone(start.tzinfo).isoformat(timespec='seconds')}): a meter has "
            "no readings of the future; give an earlier --from",
            param_hint="--from",
        )
    stop = end or now
    if stop <= start:
        raise typer.BadParameter(
            f"the end {iso(stop, command_zone())} is not after the start "
            f"{iso(start, command_zone())}: give a later --to or an earlier --from",
            param_hint="--to",
        )
