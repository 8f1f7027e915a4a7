"""Load profiles of RLM meters: 15-minute rows of OBIS values and the raw daily file.

``1.29`` is the imported and ``2.29`` the exported energy of the period in kWh, ``3.29`` the
reactive energy in kvarh (a fixed share of the import); they come from the same counters as
the meter's readings, so a load profile agrees with ``/readings``.

Recorded shapes (the Elixir ``discovergy`` library's tests and its shared reference): the raw
file's header ``P.01(<start>)(00000000)(15)(<z>)(1.29)(kWh)...`` carries the period in minutes
(15) and ``z``, the number of channels (OBIS/unit pairs), e.g. ``(15)(8)`` for 8 channels;
values have 4 decimals (``(0.0035)``). ``one_day`` rows are stamped at German local midnight
(22:00Z in summer, 23:00Z in winter). Sources are silent on ``one_month``/``one_year``: they
are stamped at German local midnight of the first day too, and ``raw`` rows are the quarter
hours of the UTC day (choices).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np

from .meters import MeterModel
from .readings import counter_values
from .signals import BLOCK_MS, SLOT_MS, Int64Array

_KWH_UNITS = 10**10
_REACTIVE_SHARE = 0.3


_HOUR_MS = 3_600_000


def _ms(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp() * 1000)


def _last_sunday(year: int, month: int) -> date:
    last = (date(year + month // 12, month % 12 + 1, 1)) - timedelta(days=1)
    return last - timedelta(days=(last.weekday() + 1) % 7)


def german_midnight_ms(day: date) -> int:
    """Return 00:00 German local time (CET, CEST under the EU summer-time rule) of a day in ms.

    Summer time runs from the last Sunday of March to the last Sunday of October (switching at
    01:00 UTC, so both midnights of those Sundays are still on the old offset).
    """
    summer = _last_sunday(day.year, 3) < day <= _last_sunday(day.year, 10)
    return _ms(day) - (2 if summer else 1) * _HOUR_MS


def german_date(time_ms: int) -> date:
    """Return the German local calendar day of a moment."""
    utc_day = datetime.fromtimestamp(time_ms / 1000, UTC).date()
    following = utc_day + timedelta(days=1)
    return following if time_ms >= german_midnight_ms(following) else utc_day


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
    return [german_midnight_ms(day) for day in starts] + [german_midnight_ms(end)]


def rows(
    meter: MeterModel, first_day: date, last_day: date, resolution: str, now_ms: int
) -> list[dict[str, Any]]:
    """Return the load-profile rows between two days (inclusive), never beyond now."""
    first = meter.first_ms
    if first is None:
        return []
    if resolution == "raw":
        first_day = max(first_day, datetime.fromtimestamp(first / 1000, UTC).date())
        last_day = min(last_day, datetime.fromtimestamp(now_ms / 1000, UTC).date())
    else:
        first_day = max(first_day, german_date(first))
        last_day = min(last_day, german_date(now_ms))
    if last_day < first_day:
        return []
    bounds = np.array(_period_starts(first_day, last_day, resolution), dtype=np.int64)
    end_slot = meter.end_slot(now_ms)
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
    units = {"1.29": "kWh", "2.29": "kWh", "3.29": "kvarh"}
    channels = "".join(f"({code})({unit})" for code, unit in units.items())
    header = f"\x02P.01(1{stamp}001500)(00000000)(15)({len(units)}){channels}\r\n"
    body = "".join("".join(f"({row[code]:.4f})" for code in units) + "\r\n" for row in found)
    return header + body + "\x03"
