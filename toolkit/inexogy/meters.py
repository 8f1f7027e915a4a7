"""Finding a meter by its id or one of its serial numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeAlias

from inexogy_client.models import Meter
from inexogy_client.types import Unset

from .errors import NotFoundError

__all__ = ["MeterRef", "known_meter_id", "location_text", "match_meter", "meter_repr"]

MeterRef: TypeAlias = "str | Meter"
"""A meter as the clients take it: its meterId, a serial number (short, full or printed), or
the ``Meter`` itself."""

_METER_ID = re.compile(r"[0-9a-f]{32}")

_KEYS: tuple[tuple[str, Callable[[Meter], str | Unset]], ...] = (
    ("meterId", lambda meter: meter.meter_id),
    ("full serial number", lambda meter: meter.full_serial_number),
    ("printed serial number", lambda meter: meter.printed_full_serial_number),
    ("serial number", lambda meter: meter.serial_number),
)


def location_text(meter: Meter) -> str:
    """Return where ``meter`` is in one line, ``Street 35, 01069 City`` ("" when not known)."""
    place = meter.location
    if isinstance(place, Unset):
        return ""
    street = " ".join(str(part) for part in (place.street, place.street_number) if part)
    town = " ".join(str(part) for part in (place.zip_, place.city) if part)
    return ", ".join(part for part in (street, town) if part)


def meter_repr(meter: Meter) -> str:
    """Return a meter's repr: one line with its id, serial number, type and location.

    The generated repr lists all 16 properties, unset ones included, nested location and
    all; a list of meters in a notebook should read as one line each.
    """
    shown = {
        "meter_id": meter.meter_id,
        "full_serial_number": meter.full_serial_number,
        "type_": meter.type_,
        "measurement_type": meter.measurement_type,
        "location": location_text(meter) or None,
    }
    return "Meter(" + ", ".join(f"{k}={v!r}" for k, v in shown.items() if v is not None) + ")"


# The generated class cannot know the toolkit: its repr is given here, once, for every Meter
# (a client, sync or async, imports this module).
Meter.__repr__ = meter_repr  # type: ignore[method-assign, assignment]


def known_meter_id(meter: MeterRef) -> str | None:
    """Return the meterId ``meter`` gives without asking the service, or ``None``.

    A ``Meter`` gives its id and a 32-hex-digit string is one (the service's ids look like
    that); anything else is a serial number to look up among the account's meters.
    """
    if isinstance(meter, Meter):
        return meter.meter_id
    if not isinstance(meter, str):
        raise TypeError(
            f"a meter is a meterId, a serial number or a Meter, not {type(meter).__name__}"
        )
    return meter if _METER_ID.fullmatch(meter) else None


def match_meter(meters: Sequence[Meter], meter: str) -> Meter:
    """Return the meter whose meterId, full, printed or short serial number is ``meter``.

    Case and surrounding spaces do not matter. Raises ``NotFoundError`` when no meter matches
    or when a short serial number matches several meters.
    """
    wanted = meter.strip().casefold()
    for what, key in _KEYS:
        found = [
            candidate
            for candidate in meters
            if isinstance(value := key(candidate), str) and value.casefold() == wanted
        ]
        if len(found) == 1:
            return found[0]
        if found:
            ids = ", ".join(candidate.meter_id for candidate in found)
            raise NotFoundError(
                f"{meter!r} is the {what} of several meters ({ids}): give the meterId "
                "or the full serial number"
            )
    known = ", ".join(candidate.full_serial_number for candidate in meters) or "none"
    raise NotFoundError(
        f"no meter {meter!r} in this account (its meters: {known}); give a meterId "
        "or a serial number from `inexogy meters`"
    )
