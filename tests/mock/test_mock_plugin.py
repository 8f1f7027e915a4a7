"""The pytest plugin (``inexogy_mock.pytest_plugin``) and the live switches it hands out."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import httpx
import pytest
from inexogy_mock import DEMO_EMAIL, FaultPlan, RateLimits, Switches, TokenLifetime
from inexogy_mock.pytest_plugin import InexogyServer
from mock_testkit import TestSigner, dance


def _meters_statuses(server: InexogyServer, count: int, auth: httpx.Auth) -> list[int]:
    with httpx.Client(base_url=server.base_url, auth=auth) as http:
        return [http.get("/meters").status_code for _ in range(count)]


def test_the_server_fixture_serves_the_demo_account(
    inexogy_server: InexogyServer, inexogy_account: object
) -> None:
    assert inexogy_server.base_url.startswith("http://127.0.0.1:")
    assert inexogy_server.base_url.endswith("/public/v1")
    assert inexogy_account is inexogy_server.accounts[0]
    assert inexogy_server.accounts[0].email == DEMO_EMAIL


def test_faults_for_one_test(inexogy_server: InexogyServer, inexogy_switches: Switches) -> None:
    auth = httpx.BasicAuth(inexogy_server.accounts[0].email, inexogy_server.accounts[0].password)
    inexogy_switches.set_faults(["503", "429:2"])
    assert _meters_statuses(inexogy_server, 3, auth) == [503, 429, 200]
    inexogy_switches.set_faults(FaultPlan.random(1.0, 0, kinds=["500"]))
    assert _meters_statuses(inexogy_server, 2, auth) == [500, 500]
    inexogy_switches.reset()
    assert inexogy_switches.faults is None
    assert _meters_statuses(inexogy_server, 1, auth) == [200]


def test_token_lifetime_for_one_test(
    inexogy_server: InexogyServer, inexogy_switches: Switches
) -> None:
    account = inexogy_server.accounts[0]
    credentials = dance(inexogy_server.base_url, account.email, account.password)
    inexogy_switches.set_token_lifetime(requests=2)
    assert inexogy_switches.token_lifetime == TokenLifetime(None, 2)
    assert _meters_statuses(inexogy_server, 3, TestSigner(*credentials)) == [200, 200, 401]
    with pytest.raises(ValueError, match="lifetime"):
        inexogy_switches.set_token_lifetime(requests=0)


def test_rate_limits_for_one_test(
    inexogy_server: InexogyServer, inexogy_switches: Switches
) -> None:
    # the real service: "two calls in quick succession from one address are enough"
    inexogy_switches.set_rate_limits(RateLimits.real())
    params = {"oauth_token": "unknown", "email": DEMO_EMAIL, "password": "x"}
    with httpx.Client(base_url=inexogy_server.base_url) as http:
        statuses = [http.get("/oauth1/authorize", params=params).status_code for _ in range(2)]
        assert statuses == [400, 429]
        inexogy_switches.set_rate_limits(["authorize=3/60"])
        assert inexogy_switches.rate_limits.authorize_calls == 3
        statuses = [http.get("/oauth1/authorize", params=params).status_code for _ in range(4)]
        assert statuses == [400, 400, 400, 429]
    with pytest.raises(ValueError, match="STEP=CALLS/SECONDS"):
        inexogy_switches.set_rate_limits(["authorize=often"])


def test_the_switches_are_restored_after_each_test(pytester_dir: Path) -> None:
    # A user's suite, run by pytest with the installed plugin: one test sets every switch,
    # the next one finds the simulator as it was.
    (pytester_dir / "test_user.py").write_text(
        textwrap.dedent(
            """
            import httpx

            def test_meters(inexogy_server, inexogy_account):
                auth = httpx.BasicAuth(inexogy_account.email, inexogy_account.password)
                answer = httpx.get(f"{inexogy_server.base_url}/meters", auth=auth)
                assert answer.status_code == 200 and answer.json()

            def test_outage(inexogy_server, inexogy_account, inexogy_switches):
                inexogy_switches.set_faults(["503"])
                inexogy_switches.set_token_lifetime(seconds=0)
                inexogy_switches.set_rate_limits(["authorize=0/60"])
                auth = httpx.BasicAuth(inexogy_account.email, inexogy_account.password)
                answer = httpx.get(f"{inexogy_server.base_url}/meters", auth=auth)
                assert answer.status_code == 503

            def test_after_the_outage(inexogy_server, inexogy_switches):
                assert inexogy_switches.faults is None
                assert inexogy_switches.token_lifetime.seconds is None
                assert inexogy_switches.rate_limits.authorize_calls == 1000
            """
        )
    )
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-W",
            "error",
            "-p",
            "no:cacheprovider",
            "test_user.py",
        ],
        cwd=pytester_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "3 passed" in finished.stdout


@pytest.fixture
def pytester_dir(tmp_path: Path) -> Path:
    # an empty directory with its own ini file: the project's pytest settings do not apply
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    return tmp_path


def test_loading_the_plugin_costs_no_server_import() -> None:
    # pytest loads the plugin in every run where the package is installed: it must import
    # neither connexion nor uvicorn (nor fail without them) until a fixture is used
    probe = (
        "import sys, inexogy_mock.pytest_plugin\n"
        "print(sorted({'connexion', 'uvicorn', 'starlette'} & set(sys.modules)))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "[]"
