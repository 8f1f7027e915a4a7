"""Retries through the simulator's fault switches, and each error class when they run out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from inexogy import (
    AsyncInexogy,
    Inexogy,
    InexogyError,
    InvalidCredentialsError,
    InvalidResponseError,
    NetworkError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, FaultPlan
from toolkit_testkit import FakeTime, MockServer, async_demo_client, demo_client

START = datetime(2024, 6, 14, tzinfo=UTC)
END = START + timedelta(hours=2)


@pytest.mark.parametrize("fault", ["500", "503", "429", "empty", "truncated", "drop"])
def test_each_fault_is_retried_to_success(
    mock_server: MockServer, fake_time: FakeTime, fault: str
) -> None:
    with mock_server() as clean_url, demo_client(clean_url, FakeTime()) as api:
        expected = api.readings(
            api.find_meter("61229886").meter_id, START, END, resolution="three_minutes"
        )
    with (
        mock_server(faults=FaultPlan.scripted(["ok", fault, fault])) as url,
        demo_client(url, fake_time) as api,
    ):
        meter_id = api.find_meter("61229886").meter_id  # the "ok"
        got = api.readings(meter_id, START, END, resolution="three_minutes")
    assert got.times == expected.times
    assert got.columns == expected.columns
    assert len(fake_time.sleeps) == 2


def test_retry_after_is_waited_before_the_next_signed_attempt(
    mock_server: MockServer, fake_time: FakeTime
) -> None:
    with (
        mock_server(faults=FaultPlan.scripted(["429:2", "ok"])) as url,
        demo_client(url, fake_time) as api,
    ):
        assert api.meters()
    assert fake_time.sleeps == [2.0]


@pytest.mark.parametrize(
    ("fault", "error", "status"),
    [
        ("500", ServerError, 500),
        ("503", ServerError, 503),
        ("429", RateLimitError, 429),
        ("empty", InvalidResponseError, 200),
        ("truncated", InvalidResponseError, 200),
        ("drop", NetworkError, None),
    ],
)
def test_without_retries_each_fault_raises_its_error(
    mock_server: MockServer,
    fake_time: FakeTime,
    fault: str,
    error: type[InexogyError],
    status: int | None,
) -> None:
    with (
        mock_server(faults=FaultPlan.scripted([fault])) as url,
        demo_client(url, fake_time, retry=None) as api,
    ):
        with pytest.raises(error) as caught:
            api.meters()
        assert caught.value.status == status
        assert caught.value.message
        assert api.meters()  # the script is used up: the next call answers normally
    assert fake_time.sleeps == []


def test_exhausted_retries_raise_the_last_error(
    mock_server: MockServer, fake_time: FakeTime
) -> None:
    with (
        mock_server(faults=FaultPlan.scripted(["500", "503", "500"])) as url,
        demo_client(url, fake_time, retry=RetryPolicy(max_attempts=3)) as api,
    ):
        with pytest.raises(ServerError) as caught:
            api.meters()
        assert caught.value.status == 500
    assert len(fake_time.sleeps) == 2


def test_a_timeout_is_a_network_error(mock_server: MockServer, fake_time: FakeTime) -> None:
    with (
        mock_server(faults=FaultPlan.scripted(["latency:0.5"])) as url,
        demo_client(url, fake_time, retry=None, timeout=0.1) as api,
        pytest.raises(NetworkError, match="timed out"),
    ):
        api.meters()


def test_a_timeout_is_retried(mock_server: MockServer, fake_time: FakeTime) -> None:
    with (
        mock_server(faults=FaultPlan.scripted(["latency:0.5"])) as url,
        demo_client(url, fake_time, timeout=0.1) as api,
    ):
        assert api.meters()
    assert len(fake_time.sleeps) == 1


def test_wrong_basic_password_is_invalid_credentials_with_the_server_text(base_url: str) -> None:
    with (
        Inexogy(auth=BasicAuth(DEMO_EMAIL, "wrong"), base_url=base_url) as api,
        pytest.raises(InvalidCredentialsError) as caught,
    ):
        api.meters()
    assert caught.value.status == 401
    assert caught.value.message.startswith("401 Unauthorized")
    assert "wrong" not in str(caught.value)


def test_a_refused_connection_is_a_network_error(fake_time: FakeTime) -> None:
    with (
        demo_client(
            "http://127.0.0.1:9/public/v1", fake_time, retry=RetryPolicy(max_attempts=2)
        ) as api,
        pytest.raises(NetworkError, match="could not connect"),
    ):
        api.meters()
    assert len(fake_time.sleeps) == 1


@pytest.mark.anyio
async def test_async_retries_through_faults(mock_server: MockServer, fake_time: FakeTime) -> None:
    with mock_server(faults=FaultPlan.scripted(["drop", "429:1", "truncated", "ok"])) as url:
        async with async_demo_client(url, fake_time) as api:
            assert await api.find_meter("61229886")
    assert len(fake_time.sleeps) == 3
    assert fake_time.sleeps[1] == 1.0


@pytest.mark.anyio
async def test_async_error_without_retries(mock_server: MockServer) -> None:
    with mock_server(faults=FaultPlan.scripted(["empty"])) as url:
        async with AsyncInexogy(
            auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url, retry=None
        ) as api:
            with pytest.raises(InvalidResponseError, match="empty body"):
                await api.meters()


def test_a_callers_client_survives_the_session(base_url: str) -> None:
    with httpx.Client() as http:
        with Inexogy(
            auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=base_url, http_client=http
        ) as api:
            assert api.meters()
        assert not http.is_closed
        assert http.get(f"{base_url}/meters").status_code == 401  # no auth left behind
