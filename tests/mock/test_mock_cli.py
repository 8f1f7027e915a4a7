"""The ``inexogy-mock`` command: starts, says where it listens, answers, stops."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD

PREFIX = "inexogy-mock listening on "
BASIC = httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)


@contextmanager
def _mock_process(*flags: str) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "inexogy_mock", "--port", "0", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # blocks until the server says it is ready
        assert line.startswith(PREFIX), (line, process.stderr.read() if process.stderr else "")
        yield line.removeprefix(PREFIX).strip()
    finally:
        process.terminate()
        process.communicate(timeout=10)


def test_the_command_serves_the_api_on_loopback() -> None:
    with _mock_process() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        assert base_url.endswith("/public/v1")
        with httpx.Client(
            base_url=base_url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)
        ) as client:
            meters = client.get("/meters")
    assert meters.status_code == 200
    assert meters.json()[0]["fullSerialNumber"] == "1ESY1161229886"


def test_the_command_takes_a_fault_script() -> None:
    flags = ("--fault-script", "503,ok", "--token-lifetime-requests", "5")
    with _mock_process(*flags) as base_url, httpx.Client(base_url=base_url, auth=BASIC) as client:
        statuses = [client.get("/meters").status_code for _ in range(3)]
    assert statuses == [503, 200, 200]


def test_the_command_refuses_a_bad_fault() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "inexogy_mock", "--fault-script", "teapot"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert "unknown fault 'teapot'" in finished.stderr


def test_the_command_documents_its_flags() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "inexogy_mock", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    for option in (
        "--host",
        "--port",
        "--token-lifetime",
        "--token-lifetime-requests",
        "--fault-script",
        "--fault-rate",
        "--fault-seed",
        "--rate-limit",
        "--real-limits",
    ):
        assert option in finished.stdout


def test_the_command_takes_rate_limits() -> None:
    # --real-limits: a second quick authorize is refused, as on the real service; --rate-limit
    # overrides one step of it
    params = {"oauth_token": "unknown", "email": DEMO_EMAIL, "password": "x"}
    flags = ("--real-limits", "--rate-limit", "consumer_token=1/60")
    with _mock_process(*flags) as base_url, httpx.Client(base_url=base_url) as client:
        authorize = [client.get("/oauth1/authorize", params=params).status_code for _ in range(2)]
        register = [
            client.post("/oauth1/consumer_token", data={"client": "x"}).status_code
            for _ in range(2)
        ]
    assert authorize == [400, 429]
    assert register == [200, 429]


def test_the_command_refuses_a_bad_rate_limit() -> None:
    finished = subprocess.run(
        [sys.executable, "-m", "inexogy_mock", "--rate-limit", "authorize=fast"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert finished.returncode == 2
    assert "bad rate limit 'authorize=fast'" in finished.stderr


def test_the_command_reports_a_busy_port() -> None:
    with _mock_process() as base_url:
        port = base_url.split(":")[2].split("/")[0]
        finished = subprocess.run(
            [sys.executable, "-m", "inexogy_mock", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert finished.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in finished.stderr
