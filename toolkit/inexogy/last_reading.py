"""The latest reading of a meter, with its age."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from attrs import field, frozen

from .timestamps import from_ms
from .units import to_si

__all__ = ["Clock", "LastReading", "utc_now"]

Clock = Callable[[], datetime]
"""A source of the current time as an aware datetime."""


def utc_now() -> datetime:
    """Return the current time, aware, in UTC."""
    return datetime.now(UTC)


@frozen(repr=False)
class LastReading:
    """The latest reading of a meter.

    ``time_ms`` is the reading's Unix time in ms, ``values`` its raw values keyed by field
    name, ``zone`` the time zone ``time`` is told in (UTC unless another was asked for).
    ``age`` tells how old it is: a meter that stopped sending keeps answering its last
    reading, so check the age before trusting a value as current.
    """

    meter_id: str
    time_ms: int
    values: dict[str, float]
    clock: Clock = field(default=utc_now, repr=False, eq=False)
    # Only how the time is told: the same reading in another zone is the same reading.
    zone: tzinfo = field(default=UTC, repr=False, eq=False, kw_only=True)

    def __repr__(self) -> str:
        taken = self.time.isoformat(timespec="seconds")
        return f"LastReading(meter_id={self.meter_id!r}, time={taken}, values={self.values!r})"

    @property
    def time(self) -> datetime:
        """The reading's time, aware, in ``zone`` (UTC unless another was asked for)."""
        return from_ms(self.time_ms).astimezone(self.zone)

    @property
    def age(self) -> timedelta:
        """How long ago the reading was taken (from the clock's now)."""
        # In UTC: Python subtracts two times of one zone by their wall clocks, which is off by
        # an hour across a change of daylight saving time (a clock in ``zone``).
        return self.clock() - from_ms(self.time_ms)

    def si_values(self) -> dict[str, float]:
        """Return the values converted to kWh, W, V and m³, with unit-suffixed names."""
        return to_si(self.values)
