"""How fast readings go from JSON bytes to a polars DataFrame, relative to orjson.loads.

One year of 15-minute readings of a three-phase meter (35,040 readings) is served as JSON
bytes by an in-process httpx.MockTransport and taken through the toolkit's real path:
the generated client parses the answer (``get_readings.sync_detailed``), ``build_readings``
turns the models into columns, ``Readings.to_polars`` makes the DataFrame. Each stage is
timed (best of several runs) and printed in ms and as a ratio to ``orjson.loads`` of the same
bytes, measured in the same run.

Run: .venv/bin/python benchmarks/bench_readings.py
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any

import httpx
import inexogy_client
import orjson
from inexogy.readings import build_readings
from inexogy_client.api.measurements import get_readings

START = 1_704_067_200_000  # 2024-01-01T00:00:00Z
STEP = 900_000
COUNT = 365 * 96
RUNS = 5


def year_of_readings() -> bytes:
    readings = []
    for index in range(COUNT):
        power = 400_000 + (index * 7919) % 3_000_000 - 1_500_000
        readings.append(
            {
                "time": START + index * STEP,
                "values": {
                    "energy": 120_000_000_000_000 + index * 2_500_000_000,
                    "energyOut": 40_000_000_000_000 + index * 1_100_000_000,
                    "power": power,
                    "power1": power // 3,
                    "power2": power // 3,
                    "power3": power - 2 * (power // 3),
                    "voltage1": 230_000 + index % 900,
                    "voltage2": 229_500 + index % 700,
                    "voltage3": 231_000 - index % 800,
                },
            }
        )
    return orjson.dumps(readings)


def best_ms(run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def main() -> None:
    body = year_of_readings()
    transport = httpx.MockTransport(
        lambda request: httpx.Response(
            200, content=body, headers={"Content-Type": "application/json"}
        )
    )
    client = inexogy_client.Client(base_url="http://bench.test/public/v1")
    client.set_httpx_client(
        httpx.Client(base_url="http://bench.test/public/v1", transport=transport)
    )

    def parse() -> Any:
        return get_readings.sync_detailed(
            client=client, meter_id="m", from_=START, to=START + COUNT * STEP
        ).parsed

    parsed = parse()
    assert isinstance(parsed, list)
    assert len(parsed) == COUNT
    chunk = [(START, START + COUNT * STEP, parsed)]
    table = build_readings("m", "fifteen_minutes", chunk)
    assert len(table) == COUNT

    baseline = best_ms(lambda: orjson.loads(body))
    stages = {
        "orjson.loads (baseline)": baseline,
        "generated client parse (HTTP mock + models)": best_ms(parse),
        "build_readings (models -> columns)": best_ms(
            lambda: build_readings("m", "fifteen_minutes", chunk)
        ),
        "Readings.to_polars('raw')": best_ms(table.to_polars),
        "Readings.to_polars('si')": best_ms(lambda: table.to_polars("si")),
    }
    stages["whole path (parse + build + to_polars raw)"] = best_ms(
        lambda: build_readings(
            "m", "fifteen_minutes", [(START, START + COUNT * STEP, parse())]
        ).to_polars()
    )
    print(f"{COUNT} readings, {len(body) / 1e6:.1f} MB of JSON, best of {RUNS} runs")
    for name, ms in stages.items():
        print(f"{name:<48} {ms:8.1f} ms  {ms / baseline:6.2f} x orjson.loads")
    client.get_httpx_client().close()


if __name__ == "__main__":
    main()
