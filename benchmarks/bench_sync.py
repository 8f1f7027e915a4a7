"""``inexogy sync`` kept current: what a rerun sends when nothing changed.

An archive of three meters x fifteen_minutes since 2024-01-01 is synced against the simulator
(real loopback socket, its data clock fixed at 2024-12-15 12:00 UTC, so December is the open
month), then synced again. Every request is counted at the simulator. Goal (issue 9): the
rerun sends only the still-open period of each meter, and leaves the finished files
byte-identical.

Run: .venv/bin/python benchmarks/bench_sync.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from inexogy import Inexogy
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, RequestLog, create_app, running

NOW = datetime(2024, 12, 15, 12, tzinfo=UTC)
START = datetime(2024, 1, 1, tzinfo=UTC)
METERS = ["1ESY1161229886", "1EBZ1100412873", "7ELS8135823805"]


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def main() -> None:
    log = RequestLog(create_app(clock=NOW.timestamp))
    with (
        running(log) as url,
        tempfile.TemporaryDirectory() as scratch,
        Inexogy(auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url, clock=lambda: NOW) as api,
    ):
        root = Path(scratch)
        started = time.perf_counter()
        first = api.sync(root, METERS, start=START)
        first_s = time.perf_counter() - started
        first_requests = len(log.to("/readings"))
        before = files(root)
        log.clear()
        started = time.perf_counter()
        second = api.sync(root, METERS, start=START)
        second_s = time.perf_counter() - started
        after = files(root)
    rerun = log.to("/readings")
    open_periods = {
        (p.meter_id, int(p.start.timestamp() * 1000)) for p in first.fetched if not p.final
    }
    sent = {(r.query["meterId"], int(r.query["from"])) for r in rerun}
    finals_same = all(after[name] == data for name, data in before.items() if "2024-12" not in name)
    met = len(rerun) == len(open_periods) == len(METERS) and sent == open_periods and finals_same
    print(f"{len(METERS)} meters x fifteen_minutes, 2024-01-01 .. {NOW:%Y-%m-%d %H:%M} UTC")
    print(
        f"first sync   {first_s * 1000:8.0f} ms  {first_requests:3d} readings requests  "
        f"{len(first.fetched)} files, {first.readings:,} readings"
    )
    print(
        f"rerun        {second_s * 1000:8.0f} ms  {len(rerun):3d} readings requests  "
        f"{len(second.fetched)} fetched, {len(second.skipped)} final files kept"
        f"{' byte-identical' if finals_same else ' CHANGED'}"
    )
    print(
        f"`inexogy sync` rerun when nothing changed, requests sent: {len(rerun)} "
        f"(goal: only the still-open period of each meter = {len(METERS)}) "
        f"{'met' if met else 'NOT MET'}"
    )
    if not met:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
