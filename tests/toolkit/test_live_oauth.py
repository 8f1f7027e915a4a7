"""Logging in against the live simulator: the OAuth dance, the token store, re-authorization."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from inexogy import (
    AsyncInexogy,
    Inexogy,
    InvalidCredentialsError,
    NotLoggedInError,
    TokenExpiredError,
    TokenStore,
    to_ms,
)
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, Account, FaultPlan, demo_meters
from toolkit_testkit import FakeTime, MockServer


def test_oauth_login_saves_a_token_that_a_later_session_uses(
    mock_server: MockServer, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "token.json")
    with mock_server() as url:
        with Inexogy.login(DEMO_EMAIL, DEMO_PASSWORD, base_url=url, store=store) as api:
            assert api.find_meter("61229886")
        saved = store.load()
        assert saved is not None
        assert DEMO_PASSWORD not in (tmp_path / "token.json").read_text()
        with Inexogy.from_token_store(store, base_url=url) as later:
            assert later.find_meter("61229886")


def test_no_stored_token_means_not_logged_in(tmp_path: Path) -> None:
    with pytest.raises(NotLoggedInError, match="inexogy login"):
        Inexogy.from_token_store(
            TokenStore(tmp_path / "missing.json"), base_url="http://127.0.0.1:9/public/v1"
        )


def test_a_wrong_password_is_invalid_credentials_and_never_shown(mock_server: MockServer) -> None:
    with mock_server() as url, pytest.raises(InvalidCredentialsError) as caught:
        Inexogy.login(DEMO_EMAIL, "not-the-password", base_url=url)
    assert "not-the-password" not in str(caught.value)
    assert "not-the-password" not in repr(caught.value)


def test_an_expired_token_is_renewed_by_itself_after_login(
    mock_server: MockServer, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "token.json")
    with mock_server(token_lifetime_requests=2) as url:
        with Inexogy.login(DEMO_EMAIL, DEMO_PASSWORD, base_url=url, store=store) as api:
            first = store.load()
            for _ in range(5):
                assert api.meters()
        renewed = store.load()
    assert first is not None
    assert renewed is not None
    assert renewed.token != first.token


def test_an_expired_token_without_a_password_is_token_expired(
    mock_server: MockServer, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "token.json")
    with mock_server(token_lifetime_requests=1) as url:
        Inexogy.login(DEMO_EMAIL, DEMO_PASSWORD, base_url=url, store=store).close()
        with Inexogy.from_token_store(store, base_url=url) as api:
            assert api.meters()
            with pytest.raises(TokenExpiredError) as caught:
                api.meters()
    assert caught.value.status == 401


def test_basic_login_needs_no_dance(mock_server: MockServer) -> None:
    with (
        mock_server() as url,
        Inexogy.login(DEMO_EMAIL, DEMO_PASSWORD, method="basic", base_url=url) as api,
    ):
        assert api.find_meter("1ESY1161229886")
    with pytest.raises(ValueError, match="'oauth' or 'basic'"):
        Inexogy.login(DEMO_EMAIL, DEMO_PASSWORD, method="digest")  # type: ignore[arg-type]


@pytest.mark.anyio
async def test_async_oauth_login_and_renewal(mock_server: MockServer, tmp_path: Path) -> None:
    store = TokenStore(tmp_path / "token.json")
    with mock_server(token_lifetime_requests=2) as url:
        async with await AsyncInexogy.login(
            DEMO_EMAIL, DEMO_PASSWORD, base_url=url, store=store
        ) as api:
            for _ in range(4):
                assert await api.meters()
        async with AsyncInexogy.from_token_store(
            store, base_url=url, password_provider=lambda: (DEMO_EMAIL, DEMO_PASSWORD)
        ) as later:
            assert await later.find_meter("61229886")


def test_concurrent_chunks_survive_a_token_expiring_midway(
    mock_server: MockServer, tmp_path: Path
) -> None:
    start = datetime(2024, 6, 1, tzinfo=UTC)
    end = start + timedelta(days=4)
    with (
        mock_server(token_lifetime_requests=3) as url,
        Inexogy.login(
            DEMO_EMAIL, DEMO_PASSWORD, base_url=url, store=TokenStore(tmp_path / "t.json")
        ) as api,
    ):
        solar = api.find_meter("61229886").meter_id
        table = api.readings(solar, start, end, resolution="raw", fields=["power"])
    phase = table.times[0] - to_ms(start)  # raw readings: every second at the meter's phase
    assert 0 < phase < 1000
    assert table.times == list(range(to_ms(start) + phase, to_ms(end), 1000))


SECRET = "correct-horse-battery-staple"


def test_the_password_and_secrets_never_reach_logs_reprs_or_errors(
    mock_server: MockServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    account = Account("owner@example.com", SECRET, demo_meters(), can_create_virtual_meters=True)
    store = TokenStore(tmp_path / "token.json")
    shown: list[str] = []
    with mock_server(
        accounts=[account], token_lifetime_requests=2, faults=FaultPlan.scripted(["500", "drop"])
    ) as url:
        with Inexogy.login(
            account.email, SECRET, base_url=url, store=store, sleep=FakeTime().sleep
        ) as api:
            shown += [repr(api), repr(api.retry), repr(api.last_reading(api.meters()[0].meter_id))]
            for _ in range(3):
                api.meters()
        credentials = store.load()
        assert credentials is not None
        with pytest.raises(InvalidCredentialsError) as caught:
            Inexogy.login(account.email, SECRET + "-wrong", base_url=url)
        shown += [str(caught.value), repr(caught.value)]
    secrets = [SECRET, credentials.consumer_secret, credentials.token_secret]
    for text in [caplog.text, *shown]:
        for secret in secrets:
            assert secret not in text


def test_oauth_login_through_a_callers_client_leaves_it_open(mock_server: MockServer) -> None:
    with mock_server() as url, httpx.Client() as http:
        with Inexogy.login(DEMO_EMAIL, DEMO_PASSWORD, base_url=url, http_client=http) as api:
            assert api.find_meter("61229886")
        assert not http.is_closed
        assert http.auth is None
        assert str(http.base_url) == ""
