"""How fast the ``inexogy`` command starts, against ``python -c pass`` in the same run.

Run: .venv/bin/python benchmarks/bench_startup.py [--repeat N]

Runs ``python -c pass``, ``inexogy --help`` and ``inexogy meters`` (logged in, against a
simulator on loopback) as fresh processes, interleaved (pass, help, pass, meters, ...) so that
each command is compared with baselines taken right beside it; prints the best and median
wall time of each, the middle half of the times (their spread: the machine may be busy), and
the ratios of the medians beside the goals of issue 13 (help <= 6x, meters <= 8x). The best
time is the one least disturbed by other load on the machine.

The commands run with bytecode caching allowed (``PYTHONDONTWRITEBYTECODE`` removed), as a
pip-installed package has its ``.pyc`` files: the warm-up run writes them for the source tree.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running

BIN = Path(sys.executable).parent
GOALS = {"inexogy --help": 6.0, "inexogy meters": 8.0}


def wall_seconds(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, timeout=60)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    repeat = parser.parse_args().repeat
    with running(create_app()) as base_url, tempfile.TemporaryDirectory() as folder:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("INEXOGY_") and key != "PYTHONDONTWRITEBYTECODE"
        }
        env |= {"INEXOGY_TOKEN_FILE": str(Path(folder) / "token.json"), "COLUMNS": "160"}
        command = str(BIN / "inexogy")
        login = [command, "--base-url", base_url, "login", "--email", DEMO_EMAIL]
        subprocess.run(
            login, env=env | {"INEXOGY_PASSWORD": DEMO_PASSWORD}, check=True, capture_output=True
        )
        cases = {
            "inexogy --help": [command, "--help"],
            "inexogy meters": [command, "--base-url", base_url, "meters"],
        }
        baseline = [sys.executable, "-c", "pass"]
        for case in (baseline, *cases.values()):  # warm the file cache
            wall_seconds(case, env)
        times: dict[str, list[float]] = {"python -c pass": []} | {name: [] for name in cases}
        for _ in range(repeat):
            for name, case in cases.items():
                times["python -c pass"].append(wall_seconds(baseline, env))
                times[name].append(wall_seconds(case, env))
    base = statistics.median(times["python -c pass"])
    print(f"{'':24} {'best ms':>8} {'median ms':>10} {'middle half ms':>15} {'ratio':>6}  goal")
    for name, measured in times.items():
        median = statistics.median(measured)
        low, _, high = statistics.quantiles(measured, n=4)
        spread = f"{low * 1000:.0f}-{high * 1000:.0f}"
        goal = f"<= {GOALS[name]:g}x" if name in GOALS else ""
        ratio = f"{median / base:5.1f}x" if name in GOALS else ""
        print(
            f"{name:24} {min(measured) * 1000:8.0f} {median * 1000:10.0f} {spread:>15} "
            f"{ratio:>6}  {goal}"
        )


if __name__ == "__main__":
    main()
