"""Devices recognised in a household meter's consumption: power shares and activities.

Only household electricity meters (``solar`` and ``modern``) have devices. Energies are in
10^-10 kWh (1 W for 15 minutes is 2,500,000 units), device power in mW.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import house
from .meters import MeterModel
from .signals import BLOCK_MS, FloatArray, Int64Array, uniform

DEVICES = ("BASE_LOAD-1", "REFRIGERATOR-1", "DISHWASHER-1", "WASHING_MACHINE-1")
_UNITS_PER_WATT_BLOCK = 2_500_000
_DAY_MS = 86_400_000


def devices(meter: MeterModel) -> list[str]:
    """Return the device names of a meter (empty for gas, RLM and virtual meters)."""
    return list(DEVICES) if meter.spec.kind in ("solar", "modern") else []


def device_watts(meter: MeterModel, blocks: Int64Array) -> dict[str, FloatArray]:
    """Return the mean power in W of every device in each 15-minute block."""
    seed = meter.spec.effective_seed
    hour = ((blocks * BLOCK_MS / 3_600_000) + 1.0) % 24.0
    days = blocks * BLOCK_MS // _DAY_MS
    fridge_on = uniform(seed, 80, blocks) < 0.35
    dishwasher = (uniform(seed, 81, days) < 0.6) & (hour >= 19.5) & (hour < 21.0)
    washing = ((days + 3) % 7 == 5) & (hour >= 9.0) & (hour < 11.0)
    base = np.minimum(house.household_watts(seed, blocks, 220.0, 0.0), 260.0)
    return {
        "BASE_LOAD-1": base,
        "REFRIGERATOR-1": np.where(fridge_on, 90.0, 0.0),
        "DISHWASHER-1": np.where(dishwasher, 1200.0, 0.0),
        "WASHING_MACHINE-1": np.where(washing, 800.0, 0.0),
    }


def _blocks(from_ms: int, to_ms: int) -> Int64Array:
    return np.arange(-(-from_ms // BLOCK_MS), -(-to_ms // BLOCK_MS), dtype=np.int64)


def disaggregation(meter: MeterModel, from_ms: int, to_ms: int) -> dict[str, dict[str, int]]:
    """Return ``{timestamp: {device: energy}}`` for the 15-minute blocks in the span."""
    if not devices(meter):
        return {}
    blocks = _blocks(from_ms, to_ms)
    energies = {
        name: np.rint(watts * _UNITS_PER_WATT_BLOCK).astype(np.int64).tolist()
        for name, watts in device_watts(meter, blocks).items()
    }
    return {
        str(block * BLOCK_MS): {name: energies[name][i] for name in DEVICES}
        for i, block in enumerate(blocks.tolist())
    }


def device_power_columns(meter: MeterModel, slots_ms: Int64Array) -> dict[str, Int64Array]:
    """Return the device pseudo-fields (mW) of raw readings at the given times."""
    if not devices(meter) or slots_ms.size == 0:
        return {}
    blocks = slots_ms // BLOCK_MS
    unique, index = np.unique(blocks, return_inverse=True)
    return {
        name: np.rint(watts * 1000.0).astype(np.int64)[index]
        for name, watts in device_watts(meter, unique).items()
    }


def activities(meter: MeterModel, from_ms: int, to_ms: int) -> list[dict[str, Any]]:
    """Return the activities (runs of a device) that begin in the span, oldest first."""
    if not devices(meter):
        return []
    blocks = _blocks(from_ms, to_ms)
    found: list[dict[str, Any]] = []
    for device_id, (name, watts) in enumerate(device_watts(meter, blocks).items(), start=1):
        if name == "BASE_LOAD-1":
            continue
        on = np.concatenate([[False], watts > 0, [False]])
        edges = np.flatnonzero(np.diff(on.astype(np.int8)))
        for begin, end in zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True):
            energy = round(float(watts[begin:end].sum()) * _UNITS_PER_WATT_BLOCK)
            begin_ms = int(blocks[begin]) * BLOCK_MS
            found.append(
                {
                    "activityId": begin_ms // BLOCK_MS * 10 + device_id,
                    "beginTime": begin_ms,
                    "endTime": int(blocks[end - 1] + 1) * BLOCK_MS,
                    "deviceId": device_id,
                    "deviceName": name,
                    "deviceType": name.rsplit("-", 1)[0],
                    "energy": energy,
                }
            )
    return sorted(found, key=lambda activity: (activity["beginTime"], activity["deviceId"]))
