"""Long exports: peak memory of the command, and readings per second against pydiscovergy.

The simulator runs in its own process (``inexogy-mock --port 0``, real time), so that neither
client shares its interpreter with the server.

1. Peak RSS of ``inexogy readings SOLAR --resolution raw -o FILE`` (a child process; its
   ``ru_maxrss`` from ``os.wait4``) for 3 and for 30 raw days (129,600 and 1,296,000 readings)
   to Parquet and to CSV, and the growth from 3 to 30 days. Goals: <= 250 MB, growth <= 1.3x.
2. Readings per second of ``Inexogy.readings`` (Basic auth, default concurrency) against
   pydiscovergy 3.1.0 calling ``meter_readings`` day by day in a loop, as its users do, against
   the same simulator in the same run: 1 meter x 7 raw days (goal >= 2x) and 3 meters x 31
   days at fifteen_minutes (goal >= 3x). pydiscovergy is installed by this benchmark into its
   own venv, ``.venv-bench`` (git-ignored; not a dependency of the project). Its base URL is a
   module constant, pointed at the simulator here; nothing else of it is changed. Each side
   runs 3 times, alternating, and the best run of each is compared; both are timed after their
   libraries are imported.

Run: .venv/bin/python benchmarks/bench_export.py [--skip-peer] [--only memory|peer]
[--formats parquet,csv] [--cases raw_week,fifteen_minutes] (the options run some rows only)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from inexogy import Inexogy
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PEER_VENV = REPO / ".venv-bench"
PEER = "pydiscovergy==3.1.0"
SOLAR = "1ESY1161229886"
RAW_START = datetime(2025, 6, 1, tzinfo=UTC)
ROUNDS = 3  # runs of each side per comparison, alternating; the best of each is compared
GOALS = {"rss_mb": 250, "growth": 1.3, "raw_week": 2.0, "fifteen_minutes": 3.0}

PEER_SCRIPT = """
import asyncio, json, sys, time
from datetime import datetime, timedelta
import pydiscovergy.discovergy as module
from pydiscovergy import Discovergy
from pydiscovergy.authentication import BasicAuth
from pydiscovergy.const import Resolution

base_url, email, password, meters, start, days, resolution = sys.argv[1:]
module.API_BASE = base_url


async def main():
    api = Discovergy(email=email, password=password, authentication=BasicAuth())
    first = datetime.fromisoformat(start)
    count = 0
    started = time.perf_counter()
    for meter in json.loads(meters):
        for day in range(int(days)):
            readings = await api.meter_readings(
                meter_id=meter,
                start_time=first + timedelta(days=day),
                end_time=first + timedelta(days=day + 1),
                resolution=Resolution(resolution),
            )
            count += len(readings)
    print(json.dumps({"readings": count, "seconds": time.perf_counter() - started}))


asyncio.run(main())
"""


def verdict(ok: bool) -> str:
    return "meets the goal" if ok else "MISSES the goal"


@contextmanager
def simulator() -> Iterator[str]:
    process = subprocess.Popen(
        [str(BIN / "inexogy-mock"), "--port", "0"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        match = re.search(r"listening on (\S+)", line)
        if match is None:
            raise RuntimeError(f"the simulator did not start: {line!r}")
        yield match.group(1)
    finally:
        process.terminate()
        process.wait()


def peak_rss_mb(base_url: str, days: int, target: Path) -> tuple[float, float]:
    """Run the command exporting ``days`` raw days to ``target``; its peak RSS and seconds."""
    end = RAW_START + timedelta(days=days)
    command = [
        str(BIN / "inexogy"), "--base-url", base_url, "--auth", "basic", "--email", DEMO_EMAIL,
        "readings", SOLAR, "--from", RAW_START.isoformat(), "--to", end.isoformat(),
        "--resolution", "raw", "--output", str(target),
    ]  # fmt: skip
    env = {**os.environ, "INEXOGY_PASSWORD": DEMO_PASSWORD}
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"the export failed with exit code {process.returncode}")
    return usage.ru_maxrss / 1024, time.perf_counter() - started


def memory(base_url: str, formats: list[str]) -> None:
    print("Peak RSS of `inexogy readings ... --resolution raw -o FILE` (a child process):")
    with tempfile.TemporaryDirectory() as scratch:
        for suffix in formats:
            peaks = {}
            for days in (3, 30):
                target = Path(scratch) / f"{days}.{suffix}"
                peaks[days], seconds = peak_rss_mb(base_url, days, target)
                size = target.stat().st_size / 1e6
                print(
                    f"  {suffix:8} {days:2} raw days: {peaks[days]:6.0f} MB peak, "
                    f"{seconds:5.1f} s, file {size:6.1f} MB"
                )
                target.unlink()
            growth = peaks[30] / peaks[3]
            print(
                f"  {suffix:8} 30 days: {peaks[30]:.0f} MB (goal <= {GOALS['rss_mb']} MB): "
                f"{verdict(peaks[30] <= GOALS['rss_mb'])}; growth 3 -> 30 days {growth:.2f}x "
                f"(goal <= {GOALS['growth']}x): {verdict(growth <= GOALS['growth'])}"
            )


def peer_python() -> Path | None:
    """The python of the peer's venv, installing pydiscovergy there first; None if impossible."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        print(f"(installing {PEER} into {PEER_VENV.name} for the comparison)")
        venv.create(PEER_VENV, with_pip=True)
    check = subprocess.run(
        [str(python), "-c", "import pydiscovergy"], capture_output=True, check=False
    )
    if check.returncode:
        install = [str(python), "-m", "pip", "install", "--quiet", PEER]
        if subprocess.run(install, check=False).returncode:
            return None
    return python


def ours(base_url: str, meters: list[str], start: datetime, days: int, resolution: str) -> float:
    """Readings per second of ``Inexogy.readings`` over the range, meter after meter."""
    # The toolkit imports polars and pyarrow on its first request; the peer's imports are done
    # before its clock starts (PEER_SCRIPT), so these are too.
    import polars  # noqa: F401
    import pyarrow.json  # noqa: F401

    count = 0
    started = time.perf_counter()
    with Inexogy(auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=base_url) as api:
        for meter in meters:
            table = api.readings(meter, start, start + timedelta(days=days), resolution=resolution)
            count += len(table)
    return count / (time.perf_counter() - started)


def theirs(
    python: Path, base_url: str, meters: list[str], start: datetime, days: int, resolution: str
) -> float:
    arguments = [base_url, DEMO_EMAIL, DEMO_PASSWORD, json.dumps(meters), start.isoformat()]
    answer = subprocess.run(
        [str(python), "-c", PEER_SCRIPT, *arguments, str(days), resolution],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(answer.stdout)
    return float(result["readings"]) / float(result["seconds"])


def peers(base_url: str, chosen: list[str]) -> None:
    python = peer_python()
    if python is None:
        print(f"Readings per second vs {PEER}: NOT MEASURED ({PEER} could not be installed)")
        return
    with Inexogy(auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=base_url) as api:
        every = [meter.meter_id for meter in api.meters()]
        solar = api.find_meter(SOLAR).meter_id
    print(
        "Readings per second, Inexogy.readings vs pydiscovergy 3.1.0 day by day "
        f"(best of {ROUNDS} alternating runs each):"
    )
    cases = [
        ("1 meter x 7 raw days", [solar], RAW_START, 7, "raw", GOALS["raw_week"], "raw_week"),
        (
            "3 meters x 31 days fifteen_minutes",
            every[:3],
            datetime(2025, 3, 1, tzinfo=UTC),
            31,
            "fifteen_minutes",
            GOALS["fifteen_minutes"],
            "fifteen_minutes",
        ),
    ]
    for name, meters, start, days, resolution, goal, key in cases:
        if key not in chosen:
            continue
        # Alternating runs, the best of each side: on a shared machine a single run of either
        # can be slowed by a third of its speed by other processes.
        theirs_rate = ours_rate = 0.0
        for _ in range(ROUNDS):
            theirs_rate = max(
                theirs_rate, theirs(python, base_url, meters, start, days, resolution)
            )
            ours_rate = max(ours_rate, ours(base_url, meters, start, days, resolution))
        ratio = ours_rate / theirs_rate
        print(
            f"  {name}: {ours_rate:,.0f} vs {theirs_rate:,.0f} readings/s = {ratio:.2f}x "
            f"(goal >= {goal}x): {verdict(ratio >= goal)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-peer", action="store_true", help="no pydiscovergy comparison")
    parser.add_argument("--only", choices=("memory", "peer"), help="run one part only")
    parser.add_argument(
        "--formats", default="parquet,csv", help="memory rows: comma-separated export formats"
    )
    parser.add_argument(
        "--cases", default="raw_week,fifteen_minutes", help="peer rows: comma-separated cases"
    )
    args = parser.parse_args()
    with simulator() as base_url:
        if args.only != "peer":
            memory(base_url, args.formats.split(","))
        if not args.skip_peer and args.only != "memory":
            peers(base_url, args.cases.split(","))


if __name__ == "__main__":
    main()
