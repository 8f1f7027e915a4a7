"""The token file is only ever a regular file (issue 10, point 5).

A FIFO at the token path used to hang every command; ``login`` replaced a symlink or a special
file with a regular one. Now: anything but a regular file is refused at once, and a symlink is
followed, its target replaced, the link kept.
"""

from __future__ import annotations

import os
import socket
import stat
import threading
from pathlib import Path

import pytest
from inexogy.cli import app
from inexogy_auth import Credentials, TokenStore, TokenStoreError
from typer.testing import CliRunner, Result

CREDENTIALS = Credentials("consumer-key", "consumer-SECRET", "token", "token-SECRET")
OTHER = Credentials("consumer-key", "consumer-SECRET", "token-2", "token-SECRET-2")
CLEARED = ("INEXOGY_BASE_URL", "INEXOGY_TOKEN_FILE", "INEXOGY_EMAIL", "INEXOGY_PASSWORD")


def within_seconds(action: object, seconds: float = 5.0) -> BaseException | None:
    """Run ``action()`` in a thread; fail the test if it blocks; return what it raised."""
    raised: list[BaseException] = []

    def run() -> None:
        try:
            action()  # type: ignore[operator]
        except BaseException as error:
            raised.append(error)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    assert not thread.is_alive(), "it blocked"
    return raised[0] if raised else None


def cli(*args: str, token_file: Path) -> Result:
    env: dict[str, str | None] = dict.fromkeys(CLEARED)
    env["INEXOGY_BASE_URL"] = "http://127.0.0.1:9/public/v1"  # never reached
    env["INEXOGY_PASSWORD"] = "a-password"
    return CliRunner().invoke(app, ["--token-file", str(token_file), *args], env=env)


def test_a_fifo_is_refused_at_once_never_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "token.json"
    os.mkfifo(fifo)
    store = TokenStore(fifo)
    for action in (store.load, lambda: store.save(CREDENTIALS), store.delete, store.check):
        error = within_seconds(action)
        assert isinstance(error, TokenStoreError)
        assert "is a FIFO (named pipe), not a regular file" in str(error)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still there, not replaced
    result = cli("meters", token_file=fifo)
    assert result.exit_code == 1
    assert "FIFO" in result.stderr
    result = cli("login", "--email", "me@example.com", token_file=fifo)
    assert result.exit_code == 1
    assert "FIFO" in result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "token.json"
    directory.mkdir()
    store = TokenStore(directory)
    for action in (store.load, lambda: store.save(CREDENTIALS)):
        with pytest.raises(TokenStoreError, match="is a directory, not a regular file"):
            action()
    assert directory.is_dir()
    assert list(directory.iterdir()) == []


def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "t.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listening:
        listening.bind(str(path))
        with pytest.raises(TokenStoreError, match="is a socket"):
            TokenStore(path).save(CREDENTIALS)
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_device_is_neither_read_nor_replaced(tmp_path: Path) -> None:
    store = TokenStore("/dev/null")
    with pytest.raises(TokenStoreError, match="is a character device"):
        store.load()
    with pytest.raises(TokenStoreError, match="is a character device"):
        store.save(CREDENTIALS)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    result = cli("login", "--email", "me@example.com", token_file=Path("/dev/null"))
    assert result.exit_code == 1
    assert "character device" in result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_a_symlink_is_followed_and_its_target_replaced(tmp_path: Path) -> None:
    real = tmp_path / "real" / "token.json"
    real.parent.mkdir()
    link = tmp_path / "token.json"
    link.symlink_to(real)
    store = TokenStore(link)
    store.save(CREDENTIALS)  # a dangling link: the file it names is created
    assert link.is_symlink()
    assert store.load() == CREDENTIALS
    assert TokenStore(real).load() == CREDENTIALS
    store.save(OTHER)
    assert link.is_symlink()
    assert os.readlink(link) == str(real)
    assert TokenStore(real).load() == OTHER
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(path.name for path in real.parent.iterdir()) == ["token.json"]
    assert store.delete()
    assert link.is_symlink()
    assert not real.exists()


def test_a_symlink_to_a_fifo_is_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link = tmp_path / "token.json"
    link.symlink_to(fifo)
    store = TokenStore(link)
    assert isinstance(within_seconds(store.load), TokenStoreError)
    assert isinstance(within_seconds(lambda: store.save(CREDENTIALS)), TokenStoreError)
    assert link.is_symlink()
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
