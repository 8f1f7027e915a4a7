"""Load profiles of RLM meters: 15-minute rows of OBIS values and the raw daily file.

``1.29`` is the imported and ``2.29`` the exported energy of the period in kWh, ``3.29`` the
reactive energy in kvarh (a fixed share of the import); they come from the same counters as
the meter's readings, so a load profile agrees with ``/readings``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from .meters import MeterModel
from .readings import counter_values, meter_end_slot
from .signals import BLOCK_MS, SLOT_MS, Int64Array

_KWH_UNITS = 10**10
_REACTIVE_SHARE = 0.3


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _period_starts(first_day: date, last_day: date, resolution: str) -> list[int]:
    """Return the starts of the periods (rows) between two days, and the end after the last."""
    end = last_day + timedelta(days=1)
    if resolution == "raw":
        return list(range(_ms(first_day), _ms(end) + 1, BLOCK_MS))
    starts: list[date] = []
    current = first_day
    while current < end:
        starts.append(current)
        if resolution == "one_day":
            current += timedelta(days=1)
        elif resolution == "one_month":
            current = date(current.year + current.month // 12, current.month % 12 + 1, 1)
        else:
            current = date(current.year + 1, 1, 1)
    return [_ms(day) for day in starts] + [_ms(end)]


def rows(
    meter: MeterModel, first_day: date, last_day: date, resolution: str, now_ms: int
) -> list[dict[str, Any]]:
    """Return the load-profile rows between two days (inclusive), never beyond now."""
    first = meter.first_ms
    if first is None:
        return []
    first_day = max(first_day, datetime.fromtimestamp(first / 1000, UTC).date())
    last_day = min(last_day, datetime.fromtimestamp(now_ms / 1000, UTC).date())
    if last_day < first_day:
        return []
    bounds = np.array(_period_starts(first_day, last_day, resolution), dtype=np.int64)
    end_slot = meter_end_slot(meter, now_ms)
    slots: Int64Array = np.clip(bounds // SLOT_MS, first // SLOT_MS, end_slot)
    keep = (bounds[:-1] >= first) & (slots[:-1] < slots[1:])
    imported = np.diff(counter_values(meter.fields["energy"], slots)) / _KWH_UNITS
    exported = np.diff(counter_values(meter.fields["energyOut"], slots)) / _KWH_UNITS
    return [
        {
            "time": time,
            "1.29": round(imp, 4),
            "2.29": round(exp, 4),
            "3.29": round(imp * _REACTIVE_SHARE, 4),
            "status": 0,
        }
        for time, imp, exp in zip(
            bounds[:-1][keep].tolist(),
            imported[keep].tolist(),
            exported[keep].tolist(),
            strict=True,
        )
    ]


def raw_file(meter: MeterModel, day: date, now_ms: int) -> str:
    """Return the day's file as the meter sent it: 0x02, a P.01 header, then value groups."""
    found = rows(meter, day, day, "raw", now_ms)
    stamp = day.strftime("%y%m%d")
    channels = "(1.29)(kWh)(2.29)(kWh)(3.29)(kvarh)"
    header = f"\x02P.01(1{stamp}001500)(00000000)(15)({len(found)}){channels}\r\n"
    body = "".join(
        f"({row['1.29']:.3f})({row['2.29']:.3f})({row['3.29']:.3f})\r\n" for row in found
    )
    return header + body + "\x03"
