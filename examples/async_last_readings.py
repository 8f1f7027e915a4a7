"""Read the last reading of every meter of the account at once, with asyncio.

    INEXOGY_EMAIL=you@example.com INEXOGY_PASSWORD=... python examples/async_last_readings.py

The requests run concurrently; `async with` closes the client at the end.
"""

from __future__ import annotations

import asyncio
import os

from inexogy import AsyncInexogy


async def main() -> None:
    """Print each meter's latest values in kWh, W, V and m³, and how old they are."""
    email, password = os.environ["INEXOGY_EMAIL"], os.environ["INEXOGY_PASSWORD"]
    async with AsyncInexogy.login(email, password) as api:
        meters = await api.meters()
        readings = await asyncio.gather(*(api.last_reading(meter) for meter in meters))
        for meter, reading in zip(meters, readings, strict=True):
            age = int(reading.age.total_seconds())
            print(f"{meter.full_serial_number}: {reading.si_values()} ({age} s old)")


if __name__ == "__main__":
    asyncio.run(main())
