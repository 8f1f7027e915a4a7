"""OAuth 1.0a at both ends of the wire: the simulator's verification, the client's signing.

Run: .venv/bin/python benchmarks/bench_oauth.py [--requests N] [--rounds R]

Measured in one run, each ratio printed beside its goal (issue 11, "Speed at both ends"):
1. server: small OAuth-signed requests (``GET /meters``) per second against a bare ASGI route
   answering the same bytes under the same uvicorn. The requests are signed beforehand and
   sent over one keep-alive connection, by a raw socket (the server's cost alone) and by an
   ``httpx.Client`` (what a client sees).
2. client: signed / unsigned sync requests per second, ``httpx.Client`` with and without
   ``OAuth1Auth``, both against the bare route (so only the client's work differs).
3. one client signature (``OAuth1Auth`` signing a ``/readings`` request with five query
   parameters), in microseconds, beside oauthlib's ``Client.sign`` for the same request.
The simulator runs in its own process (as ``inexogy-mock`` does), so client and server do not
share an interpreter. Rounds alternate the two sides of each ratio and the medians are
compared, so a busy machine slows both alike. Beside the raw ratio, the server process's CPU
time per request (Linux ``/proc``) says what each side costs the server itself.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import inexogy_client
from inexogy_auth import OAuth1Auth, authorize
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running
from oauthlib import oauth1

BARE_PATH = "/bare"


def with_bare_route(app: Any, body: bytes) -> Any:
    """Serve ``body`` at ``/bare`` with no middleware at all; everything else goes to ``app``."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]

    async def asgi(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == BARE_PATH:
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await app(scope, receive, send)

    return asgi


class RawConnection:
    """One keep-alive HTTP/1.1 connection that sends prepared requests and reads answers."""

    def __init__(self, host: str, port: int) -> None:
        self._sock = socket.create_connection((host, port))
        self._sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffer = b""

    def exchange(self, request: bytes) -> int:
        """Send one request; return the status of its answer (body read and dropped)."""
        self._sock.sendall(request)
        while b"\r\n\r\n" not in self._buffer:
            self._buffer += self._sock.recv(65536)
        head, _, rest = self._buffer.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        while len(rest) < length:
            rest += self._sock.recv(65536)
        self._buffer = rest[length:]
        return int(head.split(b" ", 2)[1])

    def close(self) -> None:
        """Close the socket."""
        self._sock.close()


def raw_request(host: str, path: str, authorization: str | None) -> bytes:
    """An HTTP/1.1 GET as bytes."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", "Accept: application/json"]
    if authorization:
        lines.append(f"Authorization: {authorization}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def per_second(run: Callable[[], None], count: int) -> float:
    """Requests per second of ``run`` (which makes ``count`` requests)."""
    started = time.perf_counter()
    run()
    return count / (time.perf_counter() - started)


class ServerClock:
    """CPU seconds the server process has run, from Linux's ``/proc`` (nanosecond counts)."""

    def __init__(self, pid: int) -> None:
        self._tasks = f"/proc/{pid}/task"
        self.spent: dict[str, float] = {}

    def now(self) -> float:
        """The server's CPU seconds so far, all its threads (0 where ``/proc`` is missing)."""
        total = 0
        try:
            for task in os.listdir(self._tasks):
                with open(f"{self._tasks}/{task}/schedstat") as schedstat:
                    total += int(schedstat.read().split()[0])
        except OSError:
            return 0.0
        return total / 1e9

    def timed(self, name: str, run: Callable[[], None]) -> Callable[[], None]:
        """``run``, adding the server CPU it causes to ``spent[name]``."""

        def measured() -> None:
            started = self.now()
            run()
            self.spent[name] = self.spent.get(name, 0.0) + self.now() - started

        return measured


def _alternating(
    first: Callable[[], None], second: Callable[[], None], count: int, rounds: int
) -> tuple[float, float]:
    """Median requests per second of two runs of ``count`` requests, alternated ``rounds`` times."""
    first_rates, second_rates = [], []
    for _ in range(rounds):
        first_rates.append(per_second(first, count))
        second_rates.append(per_second(second, count))
    return statistics.median(first_rates), statistics.median(second_rates)


def presigned(auth: OAuth1Auth, url: str, count: int) -> list[str]:
    """Authorization headers for ``count`` GETs of ``url`` (fresh nonces), signed beforehand."""
    headers = []
    for _ in range(count):
        request = httpx.Request("GET", url)
        next(auth.auth_flow(request))
        headers.append(request.headers["Authorization"])
    return headers


def server_ratios(
    base_url: str, auth: OAuth1Auth, count: int, rounds: int, clock: ServerClock
) -> dict[str, float]:
    """Signed GET /meters vs the bare route, requests per second, seen by two clients.

    ``raw``: one keep-alive socket with prepared bytes (the server's cost alone), the server's
    CPU time of each side added to ``clock``; ``httpx``: a keep-alive ``httpx.Client``
    sending pre-signed headers (what a client sees).
    """
    url = httpx.URL(base_url)
    host = f"{url.host}:{url.port}"
    meters_url = f"{base_url}/meters"
    bare_url = str(url.copy_with(path=BARE_PATH))
    signed_headers = presigned(auth, meters_url, count * rounds * 2)
    headers = iter(signed_headers)
    connection = RawConnection(str(url.host), int(url.port or 80))
    bare = raw_request(host, BARE_PATH, None)
    results: dict[str, float] = {}
    try:

        def raw_signed() -> None:
            for _ in range(count):
                request = raw_request(host, url.path + "/meters", next(headers))
                assert connection.exchange(request) == 200

        def raw_bare() -> None:
            for _ in range(count):
                assert connection.exchange(bare) == 200

        results["raw signed"], results["raw bare"] = _alternating(
            clock.timed("signed", raw_signed), clock.timed("bare", raw_bare), count, rounds
        )
    finally:
        connection.close()
    with httpx.Client() as client:

        def httpx_signed() -> None:
            for _ in range(count):
                answer = client.get(meters_url, headers={"Authorization": next(headers)})
                assert answer.status_code == 200

        def httpx_bare() -> None:
            for _ in range(count):
                assert client.get(bare_url).status_code == 200

        results["httpx signed"], results["httpx bare"] = _alternating(
            httpx_signed, httpx_bare, count, rounds
        )
    return results


def client_ratio(base_url: str, auth: OAuth1Auth, count: int, rounds: int) -> tuple[float, ...]:
    """httpx sync requests per second with and without OAuth1Auth, against the bare route."""
    root = str(httpx.URL(base_url).copy_with(path=BARE_PATH))
    with httpx.Client(auth=auth) as signed, httpx.Client() as unsigned:
        signed.get(root).raise_for_status()
        unsigned.get(root).raise_for_status()

        def signed_run() -> None:
            for _ in range(count):
                signed.get(root)

        def unsigned_run() -> None:
            for _ in range(count):
                unsigned.get(root)

        signed_rate, unsigned_rate = _alternating(signed_run, unsigned_run, count, rounds)
    return signed_rate, unsigned_rate, signed_rate / unsigned_rate


def signature_us(auth: OAuth1Auth, base_url: str, count: int, rounds: int) -> tuple[float, float]:
    """Microseconds of one OAuth1Auth signature and of oauthlib's Client.sign, same request."""
    params = {
        "meterId": "EASYMETER_61229886",
        "from": "1718409600000",
        "to": "1718452800000",
        "resolution": "fifteen_minutes",
        "fields": "energy,power",
    }
    request = httpx.Request("GET", f"{base_url}/readings", params=params)
    credentials = auth.credentials
    assert credentials is not None
    ours, theirs = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(count):
            next(auth.auth_flow(request))
        ours.append((time.perf_counter() - started) / count * 1e6)
        started = time.perf_counter()
        for _ in range(count):
            oauth1.Client(
                credentials.consumer_key,
                client_secret=credentials.consumer_secret,
                resource_owner_key=credentials.token,
                resource_owner_secret=credentials.token_secret,
            ).sign(str(request.url), "GET")
        theirs.append((time.perf_counter() - started) / count * 1e6)
    return statistics.median(ours), statistics.median(theirs)


def serve() -> None:
    """Child process: serve the simulator with the bare route until stdin closes."""
    app = create_app()
    basic_auth = httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)
    with running(app) as base_url, httpx.Client(auth=basic_auth) as basic:
        meters_body = basic.get(f"{base_url}/meters").content
    with running(with_bare_route(app, meters_body)) as base_url:
        print(base_url, flush=True)
        sys.stdin.read()


@contextmanager
def simulator_process() -> Iterator[tuple[str, int]]:
    """Run ``serve`` in a child process; yield its base URL and process id."""
    child = subprocess.Popen(
        [sys.executable, __file__, "--serve"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield child.stdout.readline().strip(), child.pid
    finally:
        assert child.stdin is not None
        child.stdin.close()
        child.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="requests per round")
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve()
        return
    with simulator_process() as (base_url, server_pid):
        with inexogy_client.Client(base_url=base_url) as client:
            credentials = authorize(client, DEMO_EMAIL, DEMO_PASSWORD)
        auth = OAuth1Auth.from_credentials(credentials)
        clock = ServerClock(server_pid)
        server = server_ratios(base_url, auth, args.requests, args.rounds, clock)
        signed_client, unsigned_client, client_rate = client_ratio(
            base_url, auth, args.requests, args.rounds
        )
    ours, oauthlib_us = signature_us(auth, base_url, 2000, args.rounds)
    print(f"median of {args.rounds} rounds of {args.requests} requests over loopback")
    for client_name in ("raw", "httpx"):
        signed, bare = server[f"{client_name} signed"], server[f"{client_name} bare"]
        print(
            f"server ({client_name:5s} client): signed GET /meters {signed:6.0f} req/s, "
            f"bare route {bare:6.0f} req/s: {signed / bare:5.2f}x   (goal >= 0.75x)"
        )
        if client_name == "raw" and clock.spent.get("signed"):  # 0 without /proc
            served = args.requests * args.rounds
            print(
                f"  server CPU per request (raw client): signed "
                f"{clock.spent['signed'] / served * 1e6:4.0f} us, bare "
                f"{clock.spent['bare'] / served * 1e6:4.0f} us"
            )
    print(
        f"client: signed {signed_client:7.0f} req/s, unsigned {unsigned_client:7.0f} req/s: "
        f"{client_rate:5.2f}    (goal >= 0.9)"
    )
    print(
        f"one client signature: {ours:6.1f} us (oauthlib Client.sign {oauthlib_us:6.1f} us, "
        f"{ours / oauthlib_us:4.2f}x)   (goal <= 60 us; the issue's 300 us were 1.3x oauthlib, "
        f"so on a busy machine: <= {60 / 300 * 1.3:.2f}x oauthlib)"
    )


if __name__ == "__main__":
    main()
