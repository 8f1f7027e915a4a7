"""Finding a meter by its id or one of its serial numbers."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TypeAlias

from inexogy_client.models import Meter
from inexogy_client.types import Unset

from .errors import NotFoundError

__all__ = ["MeterRef", "known_meter_id", "match_meter"]

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
