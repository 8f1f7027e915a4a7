"""A small usage report: the energy a meter counted on each of the last days.

    INEXOGY_EMAIL=you@example.com INEXOGY_PASSWORD=... python examples/usage_report.py

Arguments (both optional): METER DAYS. METER is a meterId or a serial number (default: the
first electricity meter); DAYS defaults to 7. Daily readings carry the meter's register at
each day's start (UTC); the difference of two consecutive ones is the energy of that day.
No extra is needed.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime, timedelta

from inexogy import Inexogy


def main() -> None:
    """Print one line per day: imported and exported kWh."""
    email, password = os.environ["INEXOGY_EMAIL"], os.environ["INEXOGY_PASSWORD"]
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    with Inexogy.login(email, password, method="basic") as api:
        if len(sys.argv) > 1:
            meter = api.find_meter(sys.argv[1])
        else:
            meter = next(m for m in api.meters() if m.measurement_type == "ELECTRICITY")
        today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        daily = api.readings(
            meter, today - timedelta(days=days), today + timedelta(days=1), resolution="one_day"
        )
        print(f"Energy of {meter.full_serial_number}, kWh per day (UTC)")
        imported = daily.columns.get("energy", [])
        exported = daily.columns.get("energyOut", [None] * len(daily))
        for index in range(1, len(daily)):
            day = datetime.fromtimestamp(daily.times[index - 1] / 1000, UTC).date()
            used = _kwh(imported[index - 1], imported[index])
            fed_in = _kwh(exported[index - 1], exported[index])
            print(f"{day}  imported {used:>10}  exported {fed_in:>10}")


def _kwh(before: float | None, after: float | None) -> str:
    """Return the difference of two register values (10^-10 kWh) in kWh; '-' if one is missing."""
    if before is None or after is None:
        return "-"
    return f"{(after - before) / 1e10:.3f}"


if __name__ == "__main__":
    main()
