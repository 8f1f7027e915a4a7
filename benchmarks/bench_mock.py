"""How fast the mock answers large requests over loopback, against a trivial route.

Run: .venv/bin/python benchmarks/bench_mock.py [--repeat N]

Times (median of N) a raw day of the demo solar meter (43,200 readings, all 9 fields), 31 days
at 15-minute resolution (2,976 readings) and a trivial route (/field_names) in the same run,
over a real loopback socket with Basic auth, and prints milliseconds and the ratios.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import httpx
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running

NOW_S = 1_718_452_800.0  # 2024-06-15T12:00:00Z
NOW_MS = int(NOW_S * 1000)
DAY_MS = 86_400_000


def median_ms(call: Callable[[], httpx.Response], repeat: int) -> tuple[float, int]:
    call().raise_for_status()  # warm up (fills the block caches of the meter)
    times = []
    size = 0
    for _ in range(repeat):
        started = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        size = len(response.content)
    return statistics.median(times), size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    repeat = parser.parse_args().repeat
    app = create_app(clock=lambda: NOW_S)
    auth = httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)
    with running(app) as base_url, httpx.Client(base_url=base_url, auth=auth, timeout=60) as client:
        meter = client.get("/meters").json()[0]["meterId"]
        cases = {
            "trivial /field_names": lambda: client.get("/field_names", params={"meterId": meter}),
            "raw day (43,200 readings)": lambda: client.get(
                "/readings", params={"meterId": meter, "from": NOW_MS - DAY_MS, "to": NOW_MS}
            ),
            "31 days fifteen_minutes (2,976)": lambda: client.get(
                "/readings",
                params={
                    "meterId": meter,
                    "from": NOW_MS - 31 * DAY_MS,
                    "to": NOW_MS,
                    "resolution": "fifteen_minutes",
                },
            ),
        }
        results = {name: median_ms(call, repeat) for name, call in cases.items()}
    trivial = results["trivial /field_names"][0]
    print(f"median of {repeat} requests over loopback (uvicorn + connexion, Basic auth)")
    for name, (ms, size) in results.items():
        print(f"{name:34s} {ms:8.1f} ms  {size / 1e6:6.2f} MB  {ms / trivial:7.1f} x trivial")


if __name__ == "__main__":
    main()
