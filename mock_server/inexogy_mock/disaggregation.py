"""Devices recognised in a household meter's consumption: power shares and activities.

Only household electricity meters (``solar`` and ``modern``) have devices. Energies are in
10^-10 kWh (1 W for 15 minutes is 2,500,000 units), device power in mW.

Recorded shapes (the Elixir ``discovergy`` library's tests): ``/devices`` and activities name
devices ``TYPE-n`` in English (``BASE_LOAD-1``, ``REFRIGERATOR-1``), while ``/disaggregation``
keys them by localized German names (``Grundlast-1``, ``Kühlschrank-1``, ``Spülmaschine-1``,
``Waschmaschine-1``). Activity begin and end times have second resolution
(``1593565296000``). Sources are silent on the pseudo-fields ``disaggregation=true`` adds to
raw readings: they keep the English names here (choice).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import house
from .meters import MeterModel
from .signals import BLOCK_MS, FloatArray, Int64Array, uniform

DEVICES = ("BASE_LOAD-1", "REFRIGERATOR-1", "DISHWASHER-1", "WASHING_MACHINE-1")
LOCALIZED = {
    "BASE_LOAD-1": "Grundlast-1",
    "REFRIGERATOR-1": "Kühlschrank-1",
    "DISHWASHER-1": "Spülmaschine-1",
    "WASHING_MACHINE-1": "Waschmaschine-1",
}
"""The German names ``/disaggregation`` uses for the devices."""
_UNITS_PER_WATT_BLOCK = 2_500_000
_UNITS_PER_WATT_MS = 1_000 / 360  # 1 W for 0.36 ms is one unit of 10^-10 kWh
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
        str(block * BLOCK_MS): {LOCALIZED[name]: energies[name][i] for name in DEVICES}
        for i, block in enumerate(blocks.tolist())
    }


def device_power_columns(meter: MeterModel, slots_ms: Int64Array) -> dict[str, Int64Array]:
    """Return the device pseudo-fields (mW) of raw readings at the given times."""
    if not devices(meter) or slots_ms.size == 0:
        return {}
    blocks = slots_ms // BLOCK_MS
    unique, index = np.unique(blocks, return_inverse=True)
    return {
        name: (np.rint(watts * 100.0).astype(np.int64) * 10)[index]  # 10 mW steps
        for name, watts in device_watts(meter, unique).items()
    }


def activities(meter: MeterModel, from_ms: int, to_ms: int) -> list[dict[str, Any]]:
    """Return the activities (runs of a device) that begin in the span, oldest first."""
    if not devices(meter):
        return []
    seed = meter.spec.effective_seed
    blocks = _blocks(from_ms, to_ms)
    found: list[dict[str, Any]] = []
    for device_id, (name, watts) in enumerate(device_watts(meter, blocks).items(), start=1):
        if name == "BASE_LOAD-1":
            continue
        on = np.concatenate([[False], watts > 0, [False]])
        edges = np.flatnonzero(np.diff(on.astype(np.int8)))
        starts = blocks[edges[::2]]
        lasts = blocks[edges[1::2] - 1]
        # to the second inside the first and the last quarter hour of the run
        begin_s = np.floor(uniform(seed, 90 + device_id, starts) * 600).astype(np.int64)
        end_s = 600 + np.floor(uniform(seed, 95 + device_id, lasts) * 300).astype(np.int64)
        for begin, first_block, last_block, into, until in zip(
            edges[::2].tolist(),
            starts.tolist(),
            lasts.tolist(),
            begin_s.tolist(),
            end_s.tolist(),
            strict=True,
        ):
            begin_ms = first_block * BLOCK_MS + into * 1000
            end_ms = last_block * BLOCK_MS + until * 1000
            energy = round(float(watts[begin]) * (end_ms - begin_ms) * _UNITS_PER_WATT_MS)
            found.append(
                {
                    "activityId": first_block * 10 + device_id,
                    "beginTime": begin_ms,
                    "endTime": end_ms,
                    "deviceId": device_id,
                    "deviceName": name,
                    "deviceType": name.rsplit("-", 1)[0],
                    "energy": energy,
                }
            )
    found = [activity for activity in found if activity["beginTime"] < to_ms]
    return sorted(found, key=lambda activity: (activity["beginTime"], activity["deviceId"]))
