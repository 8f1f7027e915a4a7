"""Conversion between aware datetimes and the service's Unix milliseconds."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TypeAlias

__all__ = ["Moment", "from_ms", "to_moment", "to_ms"]

Moment: TypeAlias = datetime | date | str
"""A time as the clients take it: an aware datetime, a ``date`` (its start) or an ISO string."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_ms(moment: datetime, name: str = "datetime") -> int:
    """Unix time in milliseconds of an aware datetime; a naive one is refused.

    ``name`` names the argument in the error message.
    """
    if not isinstance(moment, datetime):
        raise TypeError(f"{name} must be a datetime, not {type(moment).__name__}")
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{name} {moment.isoformat()} has no time zone, so the moment it means is unknown: "
            "pass an aware datetime, e.g. datetime(2024, 3, 1, tzinfo=timezone.utc) or "
            "datetime(2024, 3, 1, tzinfo=ZoneInfo('Europe/Berlin'))"
        )
    return (moment - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    """Return the aware UTC datetime of a Unix time in milliseconds."""
    return _EPOCH + timedelta(milliseconds=ms)


def to_moment(value: Moment, name: str = "datetime", tz: tzinfo = UTC) -> datetime:
    """Return the aware datetime ``value`` names; ``tz`` reads dates and offset-less strings.

    An aware datetime is returned as it is and a naive one is refused (see :func:`to_ms`). A
    ``date`` means the start of that day in ``tz``. A string is ISO 8601: a date
    (``2024-03-01``, that day's start in ``tz``) or a datetime (``2024-03-01T12:00Z``,
    ``2024-03-01 12:00+01:00``; without an offset it is read in ``tz``). ``name`` names the
    argument in error messages.
    """
    if isinstance(value, datetime):
        to_ms(value, name)  # refuses a naive one, with a message saying what to pass
        return value
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=tz)
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be a datetime, a date or an ISO string, not {type(value).__name__}"
        )
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{name} {value!r} is not an ISO date or datetime: write it like 2024-03-01, "
            "2024-03-01T12:00 or 2024-03-01T12:00+01:00"
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)
