"""The ``/meters`` answer of each account, rendered once per change instead of per request.

A meter object changes with time only through ``lastMeasurementTime`` (and
``firstMeasurementTime`` while it is -1), which move when the meter sends its next reading.
So the rendered list stays the same from the instant it is rendered until the next reading of
any of the account's meters, or until the account's meters change (a virtual meter created:
:attr:`~inexogy_mock.accounts.Registry.generation`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import orjson

from .accounts import Registry
from .meters import MeterModel


@dataclass(frozen=True)
class _Rendered:
    generation: int
    since_ms: int
    until_ms: int | None  # None: until the meters change
    body: bytes


def next_reading_ms(meter: MeterModel, now_ms: int) -> int | None:
    """Return the time of the meter's first reading after ``now_ms`` (None: it sends none)."""
    first = meter.first_slot()
    if first is None:
        return None
    slot = max(first, meter.clock.first_slot(now_ms + 1))
    return int(meter.clock.times(np.array([slot], dtype=np.int64))[0])


class MeterListCache:
    """The rendered meter list (JSON bytes) of each account, until a meter sends a reading."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._rendered: dict[str, _Rendered] = {}

    def body(self, email: str, now_ms: int) -> bytes:
        """Return the JSON list of the account's meters at ``now_ms``."""
        cached = self._rendered.get(email)
        if (
            cached is not None
            and cached.generation == self._registry.generation
            and cached.since_ms <= now_ms
            and (cached.until_ms is None or now_ms < cached.until_ms)
        ):
            return cached.body
        meters = self._registry.meters(email)
        body = orjson.dumps([meter.to_json(now_ms) for meter in meters])
        changes = [
            change
            for change in (next_reading_ms(meter, now_ms) for meter in meters)
            if change is not None
        ]
        until = min(changes) if changes else None
        self._rendered[email] = _Rendered(self._registry.generation, now_ms, until, body)
        return body
