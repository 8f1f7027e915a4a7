"""Fixtures of the simulator's tests: a shared server on loopback and the demo meters.

The shared server is the project's own pytest plugin's ``inexogy_server`` (dogfooding it),
with the demo account, a writer account and the data clock fixed at NOW.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from inexogy_mock import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_PASSWORD
from inexogy_mock.pytest_plugin import InexogyServer
from mock_testkit import NOW_S, WRITER, DemoMeters, meters_of


@pytest.fixture(scope="session")
def inexogy_server_options() -> dict[str, Any]:
    """The plugin's server, with the demo account and a writer account, clock fixed at NOW."""
    return {"accounts": [DEMO_ACCOUNT, WRITER], "clock": lambda: NOW_S}


@pytest.fixture(scope="session")
def base_url(inexogy_server: InexogyServer) -> str:
    """The base URL of the shared simulator."""
    return inexogy_server.base_url


@pytest.fixture(scope="session")
def demo(base_url: str) -> DemoMeters:
    """The demo account's meterIds."""
    return meters_of(base_url, DEMO_EMAIL, DEMO_PASSWORD)


@pytest.fixture(scope="session")
def basic_http(base_url: str) -> Iterator[httpx.Client]:
    """A plain httpx client with the demo account's Basic credentials."""
    with httpx.Client(base_url=base_url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as client:
        yield client
