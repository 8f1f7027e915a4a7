"""Shared by the resilience tests: live simulators, OAuth clients that heal, file checks."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from inexogy import AsyncInexogy, Inexogy
from inexogy_auth import Credentials, OAuth1Auth, Reauthorizer, TokenStore, authorize
from inexogy_client import Client
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, FaultPlan, create_app, running

NOW = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)
"""The simulator's "now" in the library-level tests (its data starts 2024-01-01)."""
RLM_SERIAL = "10512345"
"""The serial number of the demo account's RLM meter (three fields: quick to fetch)."""


@contextmanager
def simulator(**app_args: Any) -> Iterator[str]:
    """Serve a simulator (``create_app`` arguments) on loopback; yield its base URL."""
    app_args.setdefault("clock", NOW.timestamp)
    with running(create_app(**app_args)) as url:
        yield url


class CountingPassword:
    """Gives the demo account's email and password, counting how often it was asked."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> tuple[str, str]:
        self.calls += 1
        return DEMO_EMAIL, DEMO_PASSWORD


class CountingStore(TokenStore):
    """A token store that counts how often the token file was written."""

    saves = 0

    def save(self, credentials: Credentials) -> None:
        self.saves += 1
        super().save(credentials)


def healing_auth(
    base_url: str, store: TokenStore, password: CountingPassword, **reauthorizer_args: Any
) -> OAuth1Auth:
    """Log in with the dance (token saved to ``store``); the auth renews its token by itself."""
    with Client(base_url=base_url, timeout=httpx.Timeout(30.0)) as client:
        credentials = authorize(client, DEMO_EMAIL, DEMO_PASSWORD)
    store.save(credentials)
    reauthorizer_args.setdefault("min_interval", 0.0)
    reauthorizer = Reauthorizer(base_url, password, store=store, **reauthorizer_args)
    return OAuth1Auth.from_credentials(credentials, reauthorizer=reauthorizer)


def sync_client(base_url: str, auth: httpx.Auth, **kwargs: Any) -> Inexogy:
    """A client without retries: every request must succeed the first time it is healed."""
    return Inexogy(auth=auth, base_url=base_url, retry=None, clock=lambda: NOW, **kwargs)


def async_client(base_url: str, auth: httpx.Auth, **kwargs: Any) -> AsyncInexogy:
    """The async twin of ``sync_client``."""
    return AsyncInexogy(auth=auth, base_url=base_url, retry=None, clock=lambda: NOW, **kwargs)


def leftovers(directory: Path) -> list[str]:
    """The names in ``directory`` that look like temporary files of an interrupted write."""
    return sorted(
        path.name
        for path in directory.iterdir()
        if path.name.startswith(".") or "partial" in path.name or path.name.endswith(".tmp")
    )


class CountingFaults(FaultPlan):
    """A fault plan that also counts the data requests and lets a test wait for the n-th."""

    def __init__(self, script: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(script, **kwargs)
        self.seen = 0
        self._changed = threading.Condition()

    def next_fault(self) -> str:
        with self._changed:
            self.seen += 1
            self._changed.notify_all()
        return super().next_fault()

    def wait_for(self, count: int, timeout: float = 30.0) -> bool:
        """Wait until ``count`` data requests have arrived; return whether they did."""
        with self._changed:
            return self._changed.wait_for(lambda: self.seen >= count, timeout)


COMMAND_ENV_CLEARED = (
    "INEXOGY_BASE_URL",
    "INEXOGY_TOKEN_FILE",
    "INEXOGY_EMAIL",
    "INEXOGY_PASSWORD",
)


def command_env(base_url: str, token_file: Path) -> dict[str, str]:
    """The environment of an ``inexogy`` subprocess: the demo account, the simulator's URL."""
    env = {key: value for key, value in os.environ.items() if key not in COMMAND_ENV_CLEARED}
    env.update(
        {
            "INEXOGY_BASE_URL": base_url,
            "INEXOGY_TOKEN_FILE": str(token_file),
            "INEXOGY_EMAIL": DEMO_EMAIL,
            "INEXOGY_PASSWORD": DEMO_PASSWORD,
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def start_command(args: Sequence[str], env: dict[str, str]) -> subprocess.Popen[str]:
    """Start ``inexogy ARGS`` as a process of its own (for real signals)."""
    return subprocess.Popen(
        [sys.executable, "-m", "inexogy.cli", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
