"""Time zones: naming them, reading them, and the one ISO 8601 form every text output uses.

Every time the toolkit shows or writes is an aware time in the user's zone, written as
``2025-03-30T03:00:00+02:00`` (milliseconds appear only when the time has them:
``2025-03-30T03:00:00.250+02:00``). Python code uses :func:`iso`; polars writers use
:data:`POLARS_DATETIME_FORMAT`, which gives the same text.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "POLARS_DATETIME_FORMAT",
    "Zone",
    "at_offset",
    "iso",
    "local_zone",
    "polars_zone",
    "resolve_zone",
    "zone_from_name",
    "zone_name",
]

Zone = tzinfo | str
"""A time zone: a ``tzinfo`` (``ZoneInfo("Europe/Berlin")``, ``datetime.UTC``) or its name."""

_UTC_NAMES = frozenset(
    {"utc", "z", "etc/utc", "uct", "etc/uct", "universal", "etc/universal", "zulu", "etc/zulu"}
)

POLARS_DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"
"""The ISO 8601 form of :func:`iso` in polars' (chrono's) words, e.g. for ``write_csv``."""


def zone_from_name(name: str) -> tzinfo:
    """Return the zone an IANA name (``Europe/Berlin``), ``UTC`` or ``local`` names.

    Raises ``ValueError`` saying what is accepted for anything else.
    """
    text = name.strip()
    if text.lower() in _UTC_NAMES:
        return UTC
    if text.lower() == "local":
        return local_zone()
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name like Europe/Berlin or "
            "America/New_York, or UTC"
        ) from None


def resolve_zone(zone: Zone | None) -> tzinfo:
    """Return ``zone`` as a ``tzinfo``; ``None`` means UTC, a string is read by name."""
    if zone is None:
        return UTC
    if isinstance(zone, str):
        return zone_from_name(zone)
    return zone


def zone_name(zone: Zone | None) -> str:
    """Return the name polars and people know a zone by: ``Europe/Berlin``, ``UTC``, ``+05:30``.

    A fixed offset other than zero is named by the offset (polars accepts such names).
    """
    resolved = resolve_zone(zone)
    key = getattr(resolved, "key", None)
    if isinstance(key, str):
        return "UTC" if key.lower() in _UTC_NAMES else key
    offset = resolved.utcoffset(None)
    if offset is None or resolved is UTC or offset == timedelta(0):
        return "UTC"
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def polars_zone(zone: Zone | None) -> str:
    """Return the name polars takes for a zone: as :func:`zone_name`, fixed offsets as Etc/GMT.

    Raises ``ValueError`` for a fixed offset that is not whole hours (polars cannot hold it):
    name the zone instead (``Asia/Kolkata`` rather than ``+05:30``).
    """
    name = zone_name(zone)
    if name[0] not in "+-":
        return name
    hours, minutes = int(name[1:3]), int(name[4:6])
    if minutes:
        raise ValueError(
            f"the fixed offset {name} cannot be a column's time zone: name the zone instead, "
            "e.g. Asia/Kolkata (set TZ or pass --tz)"
        )
    # Etc/GMT names count the other way round: Etc/GMT-2 is two hours ahead of UTC.
    return f"Etc/GMT{'-' if name[0] == '+' else '+'}{hours}"


def iso(moment: datetime, zone: Zone | None = None) -> str:
    """Return ``moment`` (aware) in ``zone`` (default: its own) as ``2025-03-30T03:00:00+02:00``.

    Milliseconds are written only when the time has them. A naive datetime is refused.
    """
    if moment.tzinfo is None:
        raise ValueError(f"{moment.isoformat()} has no time zone: pass an aware datetime")
    if zone is not None:
        moment = moment.astimezone(resolve_zone(zone))
    spec = "milliseconds" if moment.microsecond else "seconds"
    return moment.isoformat(timespec=spec)


def at_offset(moment: datetime, zone: tzinfo) -> datetime:
    """Return aware ``moment`` told in ``zone``, its tzinfo the fixed offset it has there.

    ``2024-10-27T02:00:00+01:00`` is then ``02:00`` with ``timezone(timedelta(hours=1))``. Use
    it for times that key a dict: ``ZoneInfo`` times on the repeated hour of a fall back equal
    their twins of the other offset (PEP 495 compares one zone's times by wall clock), so one
    of each pair would be lost; fixed-offset times compare and hash as the instants they are.
    """
    local = moment.astimezone(zone)
    offset = local.utcoffset()
    if zone is UTC or offset is None:
        return local
    return local.replace(tzinfo=timezone(offset))


def local_zone() -> tzinfo:
    """Return the system's time zone: an IANA zone when it can be named, else today's offset.

    ``$TZ`` wins over ``/etc/localtime``; no setting at all gives UTC.
    """
    for candidate in (os.environ.get("TZ", "").lstrip(":"), _zone_of_localtime()):
        if candidate:
            try:
                return zone_from_name(candidate)
            except ValueError:
                continue
    offset = datetime.now().astimezone().utcoffset()
    return UTC if not offset else timezone(offset)


def _zone_of_localtime() -> str:
    link = Path("/etc/localtime")
    try:
        target = str(link.resolve(strict=True))
    except OSError:
        return ""
    marker = "zoneinfo/"
    return target.split(marker, 1)[1] if marker in target else ""
