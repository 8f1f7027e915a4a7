"""Shared by the toolkit tests: a fake clock whose sleeps pass no real time, demo clients."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

from inexogy import AsyncInexogy, Inexogy
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD

NOW = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)
"""The simulator's "now" in every live test (its data starts 2024-01-01)."""


SOLAR_SERIAL = "1ESY1161229886"
"""The demo account's three-phase solar meter."""

MockServer = Callable[..., AbstractContextManager[str]]
"""Starts a simulator with ``create_app`` arguments, as a context manager giving its URL."""


def fixed_now() -> datetime:
    return NOW


class FakeTime:
    """A monotonic clock that only moves when something sleeps on it; records every sleep."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    async def sleep_async(self, seconds: float) -> None:
        self.sleep(seconds)


def demo_client(base_url: str, clock: FakeTime, **kwargs: Any) -> Inexogy:
    """A client of the demo account (Basic auth) whose retries wait on ``clock``."""
    return Inexogy(
        auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD),
        base_url=base_url,
        clock=fixed_now,
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        **kwargs,
    )


def async_demo_client(base_url: str, clock: FakeTime, **kwargs: Any) -> AsyncInexogy:
    """The async twin of ``demo_client``."""
    return AsyncInexogy(
        auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD),
        base_url=base_url,
        clock=fixed_now,
        sleep=clock.sleep_async,
        monotonic=clock.monotonic,
        **kwargs,
    )
