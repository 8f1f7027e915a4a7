"""The ``/meters`` answer of each account, rendered once per reading slot instead of per request.

A meter object changes with time only through ``lastMeasurementTime`` (and
``firstMeasurementTime`` while it is -1), which move in whole reading slots: a first measurement
sits on a 15-minute boundary and the last one is "now" floored to the slot. So the rendered
list is the same for every instant of one slot, until the account's meters change (a virtual
meter created: :attr:`~inexogy_mock.accounts.Registry.generation`).
"""

from __future__ import annotations

import orjson

from .accounts import Registry
from .signals import SLOT_MS


class MeterListCache:
    """The rendered meter list (JSON bytes) of each account, per reading slot."""

    def __init__(self, registry: Registry) -> None:
        self._registry = registry
        self._rendered: dict[str, tuple[tuple[int, int], bytes]] = {}

    def body(self, email: str, now_ms: int) -> bytes:
        """Return the JSON list of the account's meters at ``now_ms``."""
        key = (now_ms // SLOT_MS, self._registry.generation)
        cached = self._rendered.get(email)
        if cached is not None and cached[0] == key:
            return cached[1]
        body = orjson.dumps([meter.to_json(now_ms) for meter in self._registry.meters(email)])
        self._rendered[email] = (key, body)
        return body
