"""Fixtures for the command-line tests: a live mock over loopback and runners against it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from cli_testkit import OWNER_EMAIL, OWNER_PASSWORD, Cli
from inexogy_mock import Account, create_app, demo_meters, running


@pytest.fixture(scope="session")
def mock_url() -> Iterator[str]:
    """The base URL of a mock serving the demo account, shared by the session."""
    with running(create_app()) as url:
        yield url


@pytest.fixture(scope="session")
def owner_url() -> Iterator[str]:
    """The base URL of a mock whose only account has an unusual password, found in no other text."""
    account = Account(OWNER_EMAIL, OWNER_PASSWORD, meters=demo_meters())
    with running(create_app(accounts=[account])) as url:
        yield url


@pytest.fixture(scope="session")
def demo_token(mock_url: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A token file of the demo account, made once by a real ``login``."""
    path = tmp_path_factory.mktemp("token") / "token.json"
    Cli(mock_url, path).login()
    return path


@pytest.fixture
def cli(mock_url: str, tmp_path: Path) -> Cli:
    """A runner with its own (empty) token file."""
    return Cli(mock_url, tmp_path / "token.json")


@pytest.fixture
def logged_in(cli: Cli, demo_token: Path) -> Cli:
    """A runner whose token file holds a copy of the demo account's token."""
    shutil.copy(demo_token, cli.token_file)
    return cli
