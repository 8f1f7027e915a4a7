"""Tokens that expire under parallel load heal every time (issue 10, point 1).

The real service expires access tokens without notice, answering 401 with an empty body;
there is no refresh, the dance is repeated with the same consumer (api-reference, "Token
life"). The simulator's ``token_lifetime_requests`` / ``token_lifetime`` switches do the same
after k requests or s seconds, so these tests make it happen under parallel requests.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from inexogy import Inexogy, Readings, TokenExpiredError
from inexogy_auth import TokenStore
from resilience_testkit import (
    NOW,
    RLM_SERIAL,
    CountingPassword,
    CountingStore,
    async_client,
    command_env,
    healing_auth,
    simulator,
    sync_client,
)

DAYS = 3
THREADS = 32


START = NOW - timedelta(days=DAYS)
FIELDS = ["power"]


@pytest.fixture(scope="module")
def clean_readings(tmp_path_factory: pytest.TempPathFactory) -> Readings:
    """The readings of the span, as a simulator whose tokens never expire gives them."""
    store = TokenStore(tmp_path_factory.mktemp("clean") / "token.json")
    with simulator() as url, sync_client(url, healing_auth(url, store, CountingPassword())) as api:
        meter_id = api.find_meter(RLM_SERIAL).meter_id
        return api.readings(meter_id, START, NOW, resolution="raw", fields=FIELDS)


@pytest.mark.parametrize("lifetime", [1, pytest.param(2, marks=pytest.mark.slow), 20])
def test_parallel_chunks_heal_expiring_tokens(
    lifetime: int, clean_readings: Readings, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "token.json")
    with simulator(token_lifetime_requests=lifetime) as url:
        auth = healing_auth(url, store, password := CountingPassword())
        with sync_client(url, auth, max_concurrency=4) as api:
            meter_id = clean_readings.meter_id
            readings = api.readings(meter_id, START, NOW, resolution="raw", fields=FIELDS)
    assert len(readings) == len(clean_readings) > DAYS * 40_000
    assert readings.times == clean_readings.times
    assert readings.columns == clean_readings.columns
    chunks = DAYS + 1  # the span starts and ends at noon
    assert (password.calls >= 1) == (lifetime < chunks)
    assert password.calls <= chunks
    assert store.load() == auth.credentials  # the last dance's token is the one saved


def hammer(api: Inexogy, calls_each: int) -> tuple[int, list[BaseException]]:
    """``calls_each`` ``meters()`` calls in each of 32 threads started together."""
    failures: list[BaseException] = []
    successes: list[int] = []
    start = threading.Barrier(THREADS)

    def work() -> None:
        start.wait()
        for _ in range(calls_each):
            try:
                successes.append(len(api.meters()))
            except BaseException as error:
                failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(successes), failures


@pytest.mark.parametrize(
    ("lifetime", "calls_each"),
    [
        pytest.param(1, 1, marks=pytest.mark.slow),
        pytest.param(2, 2, marks=pytest.mark.slow),
        (20, 10),
    ],
)
def test_threads_sharing_one_client_heal_expiring_tokens(
    lifetime: int, calls_each: int, tmp_path: Path
) -> None:
    password = CountingPassword()
    store = CountingStore(tmp_path / "token.json")
    with simulator(token_lifetime_requests=lifetime) as url:
        auth = healing_auth(url, store, password)
        with sync_client(url, auth) as api:
            succeeded, failures = hammer(api, calls_each)
    assert failures == []
    assert succeeded == THREADS * calls_each
    # One dance per token worn out at most, never one per request refused.
    assert 1 <= password.calls <= THREADS * calls_each // lifetime + 1
    assert store.saves == 1 + password.calls  # the login, then once per dance


def test_threads_heal_tokens_expiring_after_seconds(tmp_path: Path) -> None:
    password = CountingPassword()
    with simulator(token_lifetime=0.3) as url:
        auth = healing_auth(url, TokenStore(tmp_path / "token.json"), password)
        with sync_client(url, auth) as api:
            succeeded, failures = hammer(api, 8)
    assert failures == []
    assert succeeded == THREADS * 8


@pytest.mark.anyio
@pytest.mark.slow
@pytest.mark.parametrize("lifetime", [1, 20])
async def test_async_tasks_sharing_one_client_heal_expiring_tokens(
    lifetime: int, tmp_path: Path
) -> None:
    password = CountingPassword()
    with simulator(token_lifetime_requests=lifetime) as url:
        auth = healing_auth(url, TokenStore(tmp_path / "token.json"), password)
        async with async_client(url, auth, max_concurrency=4) as api:
            results = await asyncio.gather(*(api.meters() for _ in range(THREADS)))
            solar = (await api.find_meter(RLM_SERIAL)).meter_id
            readings = await api.readings(solar, START, NOW, fields=FIELDS)
    assert all(results)
    assert len(readings) > DAYS * 1000


def test_a_service_refusing_every_token_ends_in_one_clear_error(tmp_path: Path) -> None:
    password = CountingPassword()
    # Lifetime 0: every token is refused at its first use, as by a service that is broken.
    with simulator(token_lifetime_requests=0) as url:
        auth = healing_auth(url, TokenStore(tmp_path / "token.json"), password, max_dances=2)
        with (
            sync_client(url, auth, max_concurrency=4) as api,
            pytest.raises(TokenExpiredError) as caught,
        ):
            api.readings("f" * 32, NOW - timedelta(days=DAYS), NOW)
    assert caught.value.login_helps is False
    assert "logging in again would not help" in str(caught.value)
    assert password.calls == 2  # the chunks queued behind the first one gave up without dancing


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_the_command_heals_expiring_tokens_with_the_password_in_the_environment(
    suffix: str, tmp_path: Path
) -> None:
    """The issue's reproduction: lifetime 2 requests, OAuth login, then a raw export."""
    token_file = tmp_path / "token.json"
    target = tmp_path / f"e{suffix}"
    with simulator(clock=time.time, token_lifetime_requests=2) as url:
        env = command_env(url, token_file)
        login = subprocess.run(
            [sys.executable, "-m", "inexogy.cli", "login"],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert login.returncode == 0, login.stderr
        first_token = TokenStore(token_file).load()
        export = subprocess.run(
            [sys.executable, "-m", "inexogy.cli", "readings", RLM_SERIAL, "--from", "2025-06-01",
             "--to", "2025-06-04", "--resolution", "raw", "--fields", "power", "-o", str(target)],
            env=env, capture_output=True, text=True, check=False,
        )  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert target.stat().st_size > 100_000
    assert TokenStore(token_file).load() != first_token  # healed, and saved for the next run
