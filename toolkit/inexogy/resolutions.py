"""The readings resolutions from fine to coarse, and choosing one for a range.

The generated ``ReadingsResolution`` lists them alphabetically; people (and ``--help``) want
them in order of spacing.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal, get_args

__all__ = ["MOST_POINTS", "RESOLUTIONS", "OrderedResolution", "resolution_for"]

OrderedResolution = Literal[
    "raw",
    "three_minutes",
    "fifteen_minutes",
    "one_hour",
    "one_day",
    "one_week",
    "one_month",
    "one_year",
]
"""The readings resolutions, finest first (the same values as ``inexogy.Resolution``)."""

RESOLUTIONS: tuple[OrderedResolution, ...] = get_args(OrderedResolution)
"""The readings resolutions, finest first."""

# The typical spacing of readings at each resolution, in seconds (raw: a modern meter's).
_SPACING: dict[OrderedResolution, float] = {
    "raw": 2,
    "three_minutes": 180,
    "fifteen_minutes": 900,
    "one_hour": 3600,
    "one_day": 86400,
    "one_week": 7 * 86400,
    "one_month": 30.44 * 86400,
    "one_year": 365.25 * 86400,
}

MOST_POINTS = 3000
"""How many readings a chosen resolution gives a range at most (when one can)."""


def resolution_for(span: timedelta, most_points: int = MOST_POINTS) -> OrderedResolution:
    """Return the finest resolution that gives ``span`` at most ``most_points`` readings.

    ``one_year`` when even that gives more.
    """
    seconds = span.total_seconds()
    for resolution in RESOLUTIONS:
        if seconds / _SPACING[resolution] <= most_points:
            return resolution
    return "one_year"
