"""How fast the mock answers large requests over loopback, against a trivial route.

Run: .venv/bin/python benchmarks/bench_mock.py [--repeat N]

Times (median of N) a raw day of the demo solar meter (86,400 readings, all 13 fields), 31 days
at 15-minute resolution (2,976 readings) and a trivial route (/field_names) in the same run,
over a real loopback socket with Basic auth, and prints milliseconds and the ratios.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import statistics
import time
from collections.abc import Callable
from urllib.parse import urlencode, urlsplit

import httpx
import orjson
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
            "raw day (86,400 readings)": lambda: client.get(
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


RAW_DAY_GOAL = 2.5


def _repeat_argument() -> int:
    """Return ``--repeat`` of the command line (9 when not given)."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--repeat", type=int, default=9)
    return int(parser.parse_known_args()[0].repeat)


def raw_day_versus_orjson(repeat: int) -> None:
    """Serve one raw day over loopback, against ``orjson.dumps`` of the same list of readings.

    The issue's row: "one raw day served over loopback, x orjson.dumps of the same list",
    goal <= 2.5x. A raw day is 86,400 readings now that raw readings come every second (the
    issue counted 43,200 at the former 2 s grid); the ratio compares like with like. The
    request goes through a kept-alive ``http.client`` connection (Basic auth), which reads the
    body with little work of its own, so the figure is the server's: receiving 22 MB through
    httpx alone costs about as much as ``orjson.dumps`` does.
    """
    app = create_app(clock=lambda: NOW_S)
    with running(app) as base_url:
        with httpx.Client(base_url=base_url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as c:
            meter = c.get("/meters").json()[0]["meterId"]
        url = urlsplit(base_url)
        query = urlencode({"meterId": meter, "from": NOW_MS - DAY_MS, "to": NOW_MS})
        login = base64.b64encode(f"{DEMO_EMAIL}:{DEMO_PASSWORD}".encode()).decode()
        connection = http.client.HTTPConnection(url.hostname or "127.0.0.1", url.port, timeout=60)

        def fetch() -> bytes:
            connection.request(
                "GET", f"{url.path}/readings?{query}", headers={"Authorization": f"Basic {login}"}
            )
            response = connection.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{response.status}: {body[:200]!r}")
            return body

        body = fetch()  # warm up (fills the block caches of the meter)
        readings = orjson.loads(body)
        assert orjson.dumps(readings) == body  # the same bytes orjson writes
        # interleaved, so that a busy machine slows both sides alike
        served_ms, dumped_ms = [], []
        for _ in range(repeat):
            served_ms.append(_timed(fetch))
            dumped_ms.append(_timed(lambda: orjson.dumps(readings)))
        connection.close()
    served, dumped = statistics.median(served_ms), statistics.median(dumped_ms)
    ratio = served / dumped
    verdict = "ok" if ratio <= RAW_DAY_GOAL else "MISSED"
    print(
        f"raw day served ({len(readings):,} readings, {len(readings[0]['values'])} fields) "
        f"{served:.1f} ms vs orjson.dumps {dumped:.1f} ms: {ratio:.2f}x "
        f"(goal <= {RAW_DAY_GOAL}x) {verdict}"
    )


def _timed(call: Callable[[], object]) -> float:
    """Return the milliseconds one call takes."""
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


if __name__ == "__main__":
    main()
    raw_day_versus_orjson(_repeat_argument())
