"""How fast the generated models parse readings: the generator's stock template against ours.

One year of 15-minute readings of a three-phase meter (35,040 readings), the same JSON bytes
bench_readings.py builds for the toolkit's whole path. The stock client is generated from the
same openapi.yaml into a scratch directory (the generator's own templates, no templates/) and
imported as ``inexogy_client_stock``; the committed client is ``inexogy_client``
(templates/model.py.jinja). Each path is timed, best of several runs with the garbage collector
on as in real use, and printed in ms and as a ratio to ``orjson.loads`` of the same bytes in the
same run. Times are the process's CPU time (every path is single-threaded), so that other
processes on a shared machine do not count. The memory each parsed reading keeps (tracemalloc)
is printed too, and for the typed path its parts (sys.getsizeof): the values of a reading are
packed (types.PackedValues, int32 where they fit, else int64), so the figure depends on the
data: this year's rows pack 2 int64 and 7 int32 values; 9 int64 values would add 28 B.

Run: .venv/bin/python benchmarks/bench_parse.py   (or `make bench`)
"""

from __future__ import annotations

import gc
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import inexogy_client
import orjson
from bench_readings import COUNT, START, STEP, year_of_readings  # the same data for both
from inexogy_client.api.measurements import get_readings
from inexogy_client.models import Reading

REPO = Path(__file__).resolve().parents[1]
STOCK_PACKAGE = "inexogy_client_stock"
RUNS = 7
GOALS = {"typed": 2.0, "bytes_per_typed_reading": 250}  # issue 9's targets
TYPED = "typed: get_readings.sync_detailed"


def generate_stock_models(scratch: Path) -> ModuleType:
    """Generate the client with the generator's stock templates and import its models."""
    shutil.copy2(REPO / "generated" / "ruff.toml", scratch / "ruff.toml")
    venv_bin = Path(sys.executable).parent
    command = [
        str(venv_bin / "openapi-python-client"),
        "generate",
        "--path",
        str(REPO / "openapi.yaml"),
    ]
    command += ["--config", str(REPO / "generator-config.yaml"), "--meta", "none"]
    command += ["--fail-on-warning", "--output-path", str(scratch / STOCK_PACKAGE)]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"},
    )
    sys.path.insert(0, str(scratch))
    return importlib.import_module(f"{STOCK_PACKAGE}.models")


def best_ms(paths: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """The best time of each path in ms; the paths take turns, so load on the machine hits all."""
    best = dict.fromkeys(paths, float("inf"))
    for _ in range(RUNS):
        for name, run in paths.items():
            gc.collect()
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return {name: seconds * 1000 for name, seconds in best.items()}


def kept_bytes_per_reading(run: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        kept = run()
        size, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    del kept
    return size / COUNT


def print_parts(readings: list[Reading]) -> None:
    """Where the memory of one typed reading goes (sys.getsizeof of each part, a middle one)."""
    reading = readings[len(readings) // 2]
    values: Any = reading.values
    parts = {
        "list slot": sys.getsizeof(readings) / len(readings),
        "Reading": sys.getsizeof(reading),
        "time (int)": sys.getsizeof(reading.time),
        "ReadingValues": sys.getsizeof(values),
        "its packed values": sys.getsizeof(values._packed),  # bytes, or a tuple if not packable
    }
    text = ", ".join(f"{name} {size:.0f}" for name, size in parts.items())
    print(f"  by part (B): {text}; sum {sum(parts.values()):.0f}")


def main() -> None:
    raw = year_of_readings()
    with tempfile.TemporaryDirectory() as scratch:
        report(raw, generate_stock_models(Path(scratch)).Reading)


def report(raw: bytes, stock_reading: Any) -> None:
    parsed = orjson.loads(raw)  # from_dict leaves its source alone, so one parse serves every run
    paths: dict[str, Callable[[], Any]] = {
        "orjson.loads": lambda: orjson.loads(raw),
        "json.loads": lambda: json.loads(raw),
        "stock: from_dict on parsed dicts": lambda: [stock_reading.from_dict(r) for r in parsed],
        "lean: from_dict on parsed dicts": lambda: [Reading.from_dict(r) for r in parsed],
        "stock: json.loads + from_dict": lambda: [
            stock_reading.from_dict(r) for r in json.loads(raw)
        ],
        "lean: json.loads + from_dict": lambda: [Reading.from_dict(r) for r in json.loads(raw)],
        "stock: orjson.loads + from_dict": lambda: [
            stock_reading.from_dict(r) for r in orjson.loads(raw)
        ],
        "lean: orjson.loads + from_dict": lambda: [Reading.from_dict(r) for r in orjson.loads(raw)],
    }
    client = inexogy_client.Client(base_url="http://bench.test/public/v1")
    client.set_httpx_client(
        httpx.Client(
            base_url="http://bench.test/public/v1",
            transport=httpx.MockTransport(lambda request: httpx.Response(200, content=raw)),
        )
    )
    paths[TYPED] = lambda: (
        get_readings.sync_detailed(
            client=client, meter_id="m", from_=START, to=START + COUNT * STEP
        ).parsed
    )
    print(f"{COUNT} readings, {len(raw) / 1e6:.1f} MB of JSON, best of {RUNS} runs")
    timings = best_ms(paths)
    baseline = timings["orjson.loads"]
    print(f"{'path':34} {'ms':>8} {'x orjson':>9} {'B/reading':>10}")
    for name, ms in timings.items():
        kept = kept_bytes_per_reading(paths[name])
        print(f"{name:34} {ms:8.1f} {ms / baseline:9.2f} {kept:10.0f}")
    for what in ("from_dict on parsed dicts", "json.loads + from_dict", "orjson.loads + from_dict"):
        print(f"stock / lean, {what}: {timings[f'stock: {what}'] / timings[f'lean: {what}']:.2f}")
    ratio = timings[TYPED] / baseline
    goal = GOALS["typed"]
    met = "meets the goal" if ratio <= goal else "MISSES the goal"
    what = "typed parse (get_readings, MockTransport)"
    print(f"{what}: {ratio:.2f} x orjson.loads (goal <= {goal}x): {met}")
    kept = kept_bytes_per_reading(paths[TYPED])
    goal_bytes = GOALS["bytes_per_typed_reading"]
    met = "meets the goal" if kept <= goal_bytes else "MISSES the goal"
    print(f"memory kept per typed reading: {kept:.0f} B (goal <= {goal_bytes} B): {met}")
    print_parts(paths[TYPED]())
    client.get_httpx_client().close()


if __name__ == "__main__":
    main()
