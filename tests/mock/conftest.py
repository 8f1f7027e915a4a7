"""Fixtures of the simulator's tests: a shared server on loopback and the demo meters."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from inexogy_mock import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_PASSWORD, create_app, running
from mock_testkit import NOW_S, WRITER, DemoMeters, meters_of


@pytest.fixture(scope="session")
def base_url() -> Iterator[str]:
    """A mock with the demo account and a writer account, its data clock fixed at NOW."""
    with running(create_app(accounts=[DEMO_ACCOUNT, WRITER], clock=lambda: NOW_S)) as url:
        yield url


@pytest.fixture(scope="session")
def demo(base_url: str) -> DemoMeters:
    """The demo account's meterIds."""
    return meters_of(base_url, DEMO_EMAIL, DEMO_PASSWORD)


@pytest.fixture(scope="session")
def basic_http(base_url: str) -> Iterator[httpx.Client]:
    """A plain httpx client with the demo account's Basic credentials."""
    with httpx.Client(base_url=base_url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as client:
        yield client
