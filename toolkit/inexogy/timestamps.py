"""Conversion between aware datetimes and the service's Unix milliseconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

__all__ = ["from_ms", "to_ms"]

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
