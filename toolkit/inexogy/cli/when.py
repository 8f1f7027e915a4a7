"""Parse the WHEN arguments of the command line into timezone-aware datetimes.

Accepted forms:

- ``now``, ``today`` (local midnight), ``yesterday``;
- relative to now: ``-7d``, ``-12h``, ``-30m``, ``-90s``, ``-2w`` (a leading ``+`` looks ahead);
- an ISO date (``2024-03-01``, local midnight) or datetime (``2024-03-01T12:00``,
  ``2024-03-01 12:00:00+01:00``, ``2024-03-01T11:00Z``).

A date or datetime without an offset is read in the local time zone and made aware
explicitly, so the API always receives an unambiguous instant.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

__all__ = ["WHEN_HELP", "local_zone", "parse_when", "when_option"]

WHEN_HELP = (
    "now, today, yesterday; relative: -90s, -30m, -12h, -7d, -2w (+ looks ahead); an ISO "
    "date (2024-03-01: local midnight) or datetime (2024-03-01T12:00 local, "
    "2024-03-01T12:00+01:00, 2024-03-01T11:00Z)"
)

_RELATIVE = re.compile(r"^(?P<sign>[+-])(?P<amount>\d+(?:\.\d+)?)\s*(?P<unit>[smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_when(text: str, *, now: Callable[[], datetime] | None = None) -> datetime:
    """Return the aware datetime that ``text`` names; raise ``ValueError`` saying what is accepted.

    ``now`` returns the current aware time (injectable for tests); it defaults to the clock.
    """
    current = (now or _now)()
    value = text.strip().lower()
    if value == "now":
        return current
    if value in ("today", "yesterday"):
        midnight = datetime.combine(current.astimezone().date(), time())
        if value == "yesterday":
            midnight -= timedelta(days=1)
        return midnight.astimezone()
    relative = _RELATIVE.match(value)
    if relative:
        seconds = float(relative["amount"]) * _UNIT_SECONDS[relative["unit"]]
        return current + timedelta(seconds=seconds if relative["sign"] == "+" else -seconds)
    return _parse_absolute(text.strip())


def _parse_absolute(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time: use an ISO date like 2024-03-01, a datetime like "
            "2024-03-01T12:00 (local time) or 2024-03-01T12:00+01:00, 'now', or a relative "
            "time like -7d, -12h, -30m"
        ) from None
    if parsed.tzinfo is None:
        # astimezone() on a naive datetime reads it as local time with that date's offset
        # (daylight saving included), not today's offset.
        return parsed.astimezone()
    return parsed


def _now() -> datetime:
    return datetime.now(UTC)


def local_zone() -> tzinfo:
    """Return the local time zone, as an IANA zone when it can be named, else today's offset."""
    for candidate in (os.environ.get("TZ", "").lstrip(":"), _zone_of_localtime()):
        if candidate:
            try:
                return ZoneInfo(candidate)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


def _zone_of_localtime() -> str:
    link = Path("/etc/localtime")
    try:
        target = str(link.resolve(strict=True))
    except OSError:
        return ""
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else ""


def when_option(text: str) -> datetime:
    """Parse a WHEN option value; a bad one is a usage error (exit status 2) saying what works."""
    try:
        return parse_when(text)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
