"""A pytest plugin: a real inexogy simulator for the tests of code that uses the inexogy API.

Installed with ``pip install inexogy[mock]`` (entry point ``pytest11``), it gives:

- ``inexogy_server`` (session): the simulator served by uvicorn on 127.0.0.1, on a free port;
  ``.base_url`` (``http://127.0.0.1:PORT/public/v1``), ``.accounts``, ``.switches``.
- ``inexogy_account``: the demo account (``.email``, ``.password``, ``.meters``).
- ``inexogy_switches`` (function): faults, token lifetime and rate limits for one test,
  restored when the test ends (thread-safe; the server runs in its own thread).
- ``inexogy_server_options`` (session): keyword arguments of ``create_app`` for the server
  (accounts, a fixed data clock, ...); override it in a ``conftest.py`` to change them.

The simulator is imported when a fixture is first used, so merely having the plugin installed
costs a test run nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from .accounts import Account
    from .switches import Switches

__all__ = [
    "InexogyServer",
    "inexogy_account",
    "inexogy_server",
    "inexogy_server_options",
    "inexogy_switches",
]


@dataclass(frozen=True)
class InexogyServer:
    """A simulator running on loopback for the whole test session."""

    base_url: str
    accounts: tuple[Account, ...]
    switches: Switches


@pytest.fixture(scope="session")
def inexogy_server_options() -> dict[str, Any]:
    """Return the keyword arguments of ``inexogy_mock.create_app`` (none: the defaults).

    Override this fixture in a ``conftest.py`` for other accounts, a fixed data clock, etc.
    """
    return {}


@pytest.fixture(scope="session")
def inexogy_server(inexogy_server_options: dict[str, Any]) -> Iterator[InexogyServer]:
    """Serve the inexogy simulator for real on 127.0.0.1 (a free port) for the session."""
    # imported here: only test runs that use the fixture pay for connexion and uvicorn; the
    # deprecation warnings connexion's dependencies raise on import are not the user's
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from .app import create_app
        from .server import running

    app = create_app(**inexogy_server_options)
    with running(app) as base_url:
        yield InexogyServer(base_url, app.accounts, app.switches)


@pytest.fixture
def inexogy_account(inexogy_server: InexogyServer) -> Account:
    """Return the simulator's demo account: ``.email``, ``.password``, ``.meters``."""
    return inexogy_server.accounts[0]


@pytest.fixture
def inexogy_switches(inexogy_server: InexogyServer) -> Iterator[Switches]:
    """Give this test the simulator's switches; restore them all when the test ends.

    ``set_faults``, ``set_token_lifetime`` and ``set_rate_limits`` apply to the next request.
    """
    switches = inexogy_server.switches
    switches.reset()
    try:
        yield switches
    finally:
        switches.reset()
