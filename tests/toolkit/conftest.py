"""Live mock servers for the toolkit tests: the simulator on a real loopback socket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from inexogy import Inexogy
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running
from toolkit_testkit import (
    NOW,
    SOLAR_SERIAL,
    FakeTime,
    MockServer,
    async_demo_client,
    demo_client,
)


@pytest.fixture
def mock_server() -> MockServer:
    """Start a simulator with the given ``create_app`` arguments; yields its base URL."""

    @contextmanager
    def start(**app_args: Any) -> Iterator[str]:
        app_args.setdefault("clock", NOW.timestamp)
        with running(create_app(**app_args)) as base_url:
            yield base_url

    return start


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """One fault-free simulator shared by a module's tests."""
    with running(create_app(clock=NOW.timestamp)) as url:
        yield url


@pytest.fixture
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture
def api(base_url: str, fake_time: FakeTime) -> Iterator[Inexogy]:
    with demo_client(base_url, fake_time) as client:
        yield client


@pytest.fixture
async def async_api(base_url: str, fake_time: FakeTime) -> Any:
    async with async_demo_client(base_url, fake_time) as client:
        yield client


@pytest.fixture(scope="module")
def solar_id(base_url: str) -> str:
    with Inexogy(auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=base_url) as client:
        return client.find_meter(SOLAR_SERIAL).meter_id
