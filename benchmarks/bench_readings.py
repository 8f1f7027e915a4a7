"""How fast readings go from JSON bytes to a polars DataFrame, relative to orjson.loads.

One year of 15-minute readings of a three-phase meter (35,040 readings) is served as JSON
bytes by an in-process httpx.MockTransport. The toolkit's columnar path
(``get_readings.sync_raw`` + ``inexogy.columns.readings_frame``: pyarrow's JSON-lines reader,
checks, no Python object per reading) is timed against ``orjson.loads`` of the same bytes in the
same run, and so is the typed path it replaced (generated models, ``build_readings``,
``to_polars``). Also printed: the memory the table keeps per reading (polars'
``estimated_size``: its buffers live outside Python's allocator), and whether each decoder
lets two threads parse at once (the GIL): the time of two parses in two threads over the time
of two in a row (1.0: they serialize on one lock; 0.5: fully parallel), and how far another
Python thread gets while one parse runs (noisy on a loaded machine: read both as tendencies).

Run: .venv/bin/python benchmarks/bench_readings.py
"""

from __future__ import annotations

import gc
import io
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
import inexogy_client
import orjson
import polars as pl
import pyarrow as pa
import pyarrow.json as pa_json
from inexogy.columns import readings_frame
from inexogy.readings import build_readings
from inexogy_client.api.measurements import get_readings

START = 1_704_067_200_000  # 2024-01-01T00:00:00Z
STEP = 900_000
COUNT = 365 * 96
RUNS = 5
GOALS = {"columns": 1.5, "bytes_per_reading": 100}  # issue 9's targets


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


def verdict(ratio: float, goal: float) -> str:
    return "meets the goal" if ratio <= goal else "MISSES the goal"


def best_ms(run: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        gc.collect()
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best * 1000


def two_threads_over_two_in_a_row(parse: Callable[[], Any]) -> float:
    """Two parses in two threads over two in a row, best of a few (1.0: serialized)."""
    best = float("inf")
    for _ in range(3):
        gc.collect()
        started = time.perf_counter()
        parse()
        parse()
        in_a_row = time.perf_counter() - started
        threads = [threading.Thread(target=parse) for _ in range(2)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        best = min(best, (time.perf_counter() - started) / in_a_row)
    return best


def other_thread_progress(parse: Callable[[], Any]) -> float:
    """How fast another Python thread counts while ``parse`` runs, over when it sleeps.

    Near 0: the parse holds the GIL throughout. Higher: it lets Python threads run.
    """

    def counting_rate(during: Callable[[], Any]) -> float:
        stop = threading.Event()
        counted = [0]

        def count() -> None:
            while not stop.is_set():
                counted[0] += 1

        thread = threading.Thread(target=count)
        thread.start()
        time.sleep(0.05)
        before, started = counted[0], time.perf_counter()
        during()
        rate = (counted[0] - before) / (time.perf_counter() - started)
        stop.set()
        thread.join()
        return rate

    return counting_rate(parse) / counting_rate(lambda: time.sleep(0.3))


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
    upper = START + COUNT * STEP

    def columns() -> pl.DataFrame:
        raw = get_readings.sync_raw(client=client, meter_id="m", from_=START, to=upper)
        return readings_frame(raw.content, lower=START, upper=upper)

    def typed_parse() -> Any:
        return get_readings.sync_detailed(client=client, meter_id="m", from_=START, to=upper).parsed

    frame = columns()
    assert frame.height == COUNT
    parsed = typed_parse()
    chunk = [(START, upper, parsed)]
    assert build_readings("m", "fifteen_minutes", chunk).to_polars().height == COUNT

    lines = body.strip()[1:-1].replace(b"},{", b"}\n{")
    baseline = best_ms(lambda: orjson.loads(body))
    stages = {
        "orjson.loads (baseline)": baseline,
        "columnar: sync_raw + readings_frame (checked)": best_ms(columns),
        "pyarrow.json.read_json of the lines alone": best_ms(
            lambda: pa_json.read_json(pa.BufferReader(lines))
        ),
        "polars.read_json alone": best_ms(
            lambda: pl.read_json(io.BytesIO(body), infer_schema_length=None)
        ),
        "typed: generated client parse (models)": best_ms(typed_parse),
        "typed: whole path (parse + build + to_polars)": best_ms(
            lambda: build_readings(
                "m", "fifteen_minutes", [(START, upper, typed_parse())]
            ).to_polars()
        ),
    }
    print(f"{COUNT} readings, {len(body) / 1e6:.1f} MB of JSON, best of {RUNS} runs")
    for name, ms in stages.items():
        print(f"{name:<48} {ms:8.1f} ms  {ms / baseline:6.2f} x orjson.loads")
    ratio = stages["columnar: sync_raw + readings_frame (checked)"] / baseline
    print(
        f"bytes -> columns: {ratio:.2f} x orjson.loads (goal <= {GOALS['columns']}x): "
        f"{verdict(ratio, GOALS['columns'])}"
    )
    kept = frame.estimated_size() / COUNT
    print(
        f"memory kept per reading by the table: {kept:.0f} B "
        f"(goal <= {GOALS['bytes_per_reading']} B): {verdict(kept, GOALS['bytes_per_reading'])}"
    )
    print("another Python thread's progress during a parse (0 = the GIL is held throughout):")
    print(f"  orjson.loads      {other_thread_progress(lambda: orjson.loads(body)):.2f}")
    print(
        f"  polars.read_json  {other_thread_progress(lambda: pl.read_json(io.BytesIO(body))):.2f}"
    )
    print(
        "  pyarrow.json.read_json (the columnar path's reader)  "
        f"{other_thread_progress(lambda: pa_json.read_json(pa.BufferReader(lines))):.2f}"
    )
    print("two parses in two threads / two in a row (1.0 = serialized on the GIL):")
    print(f"  orjson.loads      {two_threads_over_two_in_a_row(lambda: orjson.loads(body)):.2f}")
    print(
        "  polars.read_json  "
        f"{two_threads_over_two_in_a_row(lambda: pl.read_json(io.BytesIO(body))):.2f}"
    )
    print(
        "  pyarrow.json.read_json  "
        f"{two_threads_over_two_in_a_row(lambda: pa_json.read_json(pa.BufferReader(lines))):.2f}"
    )
    client.get_httpx_client().close()


if __name__ == "__main__":
    main()
