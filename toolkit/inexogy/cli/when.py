"""Parse the WHEN arguments of the command line into timezone-aware datetimes.

Accepted forms:

- ``now``, ``today`` (local midnight), ``yesterday``;
- relative to now: ``-7d``, ``-12h``, ``-30m``, ``-90s``, ``-2w`` (a leading ``+`` looks ahead);
- an ISO date (``2024-03-01``, local midnight) or datetime (``2024-03-01T12:00``,
  ``2024-03-01 12:00:00+01:00``, ``2024-03-01T11:00Z``).

A date or datetime without an offset is read in the command's time zone (``--tz``, by default
the system's) and made aware explicitly, so the API always receives an unambiguous instant.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime, time, timedelta, tzinfo

import typer

from inexogy.zones import local_zone

__all__ = [
    "COMMAND_ZONE",
    "WHEN_HELP",
    "command_zone",
    "local_zone",
    "parse_when",
    "use_zone",
    "when_option",
]

WHEN_HELP = (
    "now, today, yesterday; relative: -90s, -30m, -12h, -7d, -2w (+ looks ahead); an ISO "
    "date (2024-03-01: midnight in --tz) or datetime (2024-03-01T12:00 in --tz, "
    "2024-03-01T12:00+01:00, 2024-03-01T11:00Z)"
)

COMMAND_ZONE: ContextVar[tzinfo | None] = ContextVar("inexogy_command_zone", default=None)
"""The zone of the running command, set from ``--tz`` before its options are read."""

_RELATIVE = re.compile(r"^(?P<sign>[+-])(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_when(
    text: str, *, now: Callable[[], datetime] | None = None, tz: tzinfo | None = None
) -> datetime:
    """Return the aware datetime that ``text`` names; raise ``ValueError`` saying what is accepted.

    ``now`` returns the current aware time (injectable for tests); it defaults to the clock.
    Dates, datetimes without offset, ``today`` and ``yesterday`` are read in ``tz`` (default:
    the system's zone).
    """
    zone = local_zone() if tz is None else tz
    current = (now or _now)()
    value = text.strip().lower()
    if value == "now":
        return current
    if value in ("today", "yesterday"):
        day = current.astimezone(zone).date()
        if value == "yesterday":
            day -= timedelta(days=1)
        return _in_zone(datetime.combine(day, time()), zone)
    relative = _RELATIVE.match(value)
    if relative:
        seconds = float(relative["amount"]) * _UNIT_SECONDS[relative["unit"]]
        try:
            return current + timedelta(seconds=seconds if relative["sign"] == "+" else -seconds)
        except OverflowError:
            raise ValueError(
                f"{text.strip()!r} is too far from now: a time must lie between the years 1 "
                "and 9999; give a shorter relative time like -30d, or a date"
            ) from None
    return _parse_absolute(text.strip(), zone)


def _in_zone(naive: datetime, zone: tzinfo) -> datetime:
    """Read a wall-clock time in ``zone``; one that does not exist (a DST gap) moves forward."""
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)


def _parse_absolute(text: str, zone: tzinfo) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: use an ISO date like 2024-03-01, a datetime like "
            "2024-03-01T12:00 (in --tz) or 2024-03-01T12:00+01:00, 'now', 'today', "
            "'yesterday', or a relative time like -7d, -12h, -30m"
        ) from None
    if parsed.tzinfo is None:
        return _in_zone(parsed, zone)
    return parsed


def _now() -> datetime:
    return datetime.now(UTC)


def when_option(text: str) -> datetime:
    """Parse a WHEN option value; a bad one is a usage error (exit status 2) saying what works."""
    try:
        return parse_when(text, tz=command_zone())
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None


def command_zone() -> tzinfo:
    """Return the zone of the running command (``--tz``), else the system's zone."""
    zone = COMMAND_ZONE.get()
    return local_zone() if zone is None else zone


def use_zone(zone: tzinfo) -> None:
    """Make ``zone`` the one WHEN values of the running command are read in (set by ``--tz``)."""
    COMMAND_ZONE.set(zone)
