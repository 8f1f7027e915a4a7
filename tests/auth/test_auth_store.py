"""TokenStore: private, atomic, and clear about what to do when the file is wrong."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from auth_testkit import ACCESS, CONSUMER
from inexogy_auth import TOKEN_FILE_ENV, Credentials, TokenStore, TokenStoreError

CREDENTIALS = Credentials(*CONSUMER, *ACCESS)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_round_trip_creates_private_file_and_directory(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "config" / "inexogy" / "token.json")
    assert store.load() is None
    store.save(CREDENTIALS)
    assert store.load() == CREDENTIALS
    assert mode(store.path) == 0o600
    assert mode(store.path.parent) == 0o700
    assert json.loads(store.path.read_text()) == CREDENTIALS.to_dict()
    assert [p.name for p in store.path.parent.iterdir()] == ["token.json"]


def test_file_is_private_from_creation_even_with_an_open_umask(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "token.json")
    old = os.umask(0)
    try:
        store.save(CREDENTIALS)
    finally:
        os.umask(old)
    assert mode(store.path) == 0o600


def test_save_replaces_and_tightens_an_existing_file(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "token.json")
    store.path.write_text("{}")
    store.path.chmod(0o644)
    store.save(CREDENTIALS)
    assert mode(store.path) == 0o600
    assert store.load() == CREDENTIALS


def test_path_from_environment_then_platformdirs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(TOKEN_FILE_ENV, str(tmp_path / "from-env.json"))
    assert TokenStore().path == tmp_path / "from-env.json"
    assert TokenStore(tmp_path / "given.json").path == tmp_path / "given.json"
    monkeypatch.delenv(TOKEN_FILE_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert TokenStore().path == tmp_path / "xdg" / "inexogy" / "token.json"


def test_delete(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "token.json")
    assert store.delete() is False
    store.save(CREDENTIALS)
    assert store.delete() is True
    assert store.load() is None


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        "",
        "[]",
        '"text"',
        json.dumps({**CREDENTIALS.to_dict(), "token_secret": None}),
        json.dumps({k: v for k, v in CREDENTIALS.to_dict().items() if k != "consumer_secret"}),
        json.dumps({**CREDENTIALS.to_dict(), "token": ""}),
    ],
    ids=["broken", "empty", "list", "string", "null secret", "missing key", "empty token"],
)
def test_corrupt_file_says_log_in_again(tmp_path: Path, content: str) -> None:
    store = TokenStore(tmp_path / "token.json")
    store.path.write_text(content)
    store.path.chmod(0o600)
    with pytest.raises(TokenStoreError, match="inexogy login") as raised:
        store.load()
    assert str(store.path) in str(raised.value)
    for secret in (CREDENTIALS.consumer_secret, CREDENTIALS.token_secret):
        assert secret not in str(raised.value)


@pytest.mark.parametrize("loose", [0o640, 0o604, 0o660])
def test_file_readable_by_others_says_chmod(tmp_path: Path, loose: int) -> None:
    store = TokenStore(tmp_path / "token.json")
    store.save(CREDENTIALS)
    store.path.chmod(loose)
    with pytest.raises(TokenStoreError, match=f"chmod 600 {store.path}"):
        store.load()


def test_file_of_another_user_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = TokenStore(tmp_path / "token.json")
    store.save(CREDENTIALS)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(store.path).st_uid + 1)
    with pytest.raises(TokenStoreError, match="another user"):
        store.load()


def test_directory_in_place_of_the_file(tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "token.json")
    store.path.mkdir(mode=0o700)
    with pytest.raises(TokenStoreError, match="inexogy login"):
        store.load()


@pytest.mark.parametrize("failing", ["replace", "fsync"])
def test_failed_save_keeps_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    store = TokenStore(tmp_path / "token.json")
    store.save(CREDENTIALS)
    before = store.path.read_bytes()

    def fail(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(TokenStoreError, match="previous one is unchanged"):
        store.save(Credentials("other", "other-secret", "other", "other-secret"))
    monkeypatch.undo()
    assert store.path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["token.json"], "no temporary file left"


def test_unwritable_location_says_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    with pytest.raises(TokenStoreError, match=TOKEN_FILE_ENV):
        TokenStore(tmp_path / "a-file" / "token.json").save(CREDENTIALS)
