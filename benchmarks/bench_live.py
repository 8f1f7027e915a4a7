"""A scrape of the exporter is answered from memory: its time against one poll of the service.

Run: .venv/bin/python benchmarks/bench_live.py [--repeat N]

Serves the simulator with 0.2 s of latency on every data request (a slow service), polls the
demo account's five meters once, then times (median of N) a GET /metrics over loopback and a
poll of the five meters, in the same run. Goal from issue 14: no API call on the scrape path,
so a scrape costs a small fraction of one poll (here: below 10 %) however slow the service is.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import httpx
from inexogy import Inexogy, LivePoller
from inexogy.metrics import serve_metrics
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, FaultPlan, create_app, running

LATENCY_S = 0.2


class Slow(FaultPlan):
    """Every data request answers after ``LATENCY_S``."""

    def next_fault(self) -> str:
        return f"latency:{LATENCY_S}"


def median_ms(call: Callable[[], object], repeat: int) -> float:
    call()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    repeat = parser.parse_args().repeat
    auth = BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)
    with (
        running(create_app(faults=Slow())) as base_url,
        Inexogy(auth=auth, base_url=base_url, retry=None) as client,
    ):
        poller = LivePoller(client)
        meters = poller.select()
        poller.poll()
        server = serve_metrics(lambda: poller.snapshot, "127.0.0.1", 0)
        try:
            with httpx.Client() as scraper:

                def scrape() -> None:
                    scraper.get(server.url).raise_for_status()

                scrape_ms = median_ms(scrape, repeat * 20)
                poll_ms = median_ms(poller.poll, repeat)
        finally:
            server.close()
    ratio = scrape_ms / poll_ms
    print(f"poll of {len(meters)} meters ({LATENCY_S:g} s latency each): {poll_ms:8.1f} ms")
    print(f"scrape of /metrics (from memory):        {scrape_ms:8.2f} ms")
    print(f"scrape / poll: {ratio:.3f}   goal: < 0.10 (no API call on the scrape path)")
    if ratio >= 0.10:
        raise SystemExit("a scrape costs as much as a request to the service")


if __name__ == "__main__":
    main()
