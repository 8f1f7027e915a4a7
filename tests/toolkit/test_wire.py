"""Exact wire behaviour, checked with httpx.MockTransport and pytest-httpserver."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Generator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from inexogy import (
    ACCEPT,
    DEFAULT_BASE_URL,
    AsyncInexogy,
    BadRequestError,
    Inexogy,
    InvalidResponseError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    to_ms,
)
from inexogy_auth import BasicAuth
from pytest_httpserver import HTTPServer
from toolkit_testkit import FakeTime

BASE = "http://api.test/public/v1"
METER_ID = "b" * 32  # shaped like a meterId: sent as it is, without a lookup by serial
METER = {
    "meterId": "a" * 32,
    "manufacturerId": "ESY",
    "serialNumber": "61229886",
    "fullSerialNumber": "1ESY1161229886",
    "type": "EASYMETER",
    "measurementType": "ELECTRICITY",
}


class CountingAuth(httpx.Auth):
    """Marks every request it signs with a growing number."""

    def __init__(self) -> None:
        self.signed = 0

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        self.signed += 1
        request.headers["X-Signature"] = str(self.signed)
        yield request


def test_requests_accept_text_errors_and_go_under_the_base_url() -> None:
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[METER])

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Inexogy(auth=CountingAuth(), base_url=BASE, http_client=http) as api,
    ):
        [meter] = api.meters()
    assert meter.full_serial_number == "1ESY1161229886"
    accept = seen[0].headers["Accept"]
    assert "text/plain" in accept
    assert "application/json" in accept
    assert str(seen[0].url) == f"{BASE}/meters"


def test_every_retry_is_signed_anew_and_retry_after_is_honoured() -> None:
    signatures: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        signatures.append(request.headers["X-Signature"])
        if len(signatures) == 1:
            return httpx.Response(
                429, text="429 Too Many Requests: slow down", headers={"Retry-After": "3"}
            )
        if len(signatures) == 2:
            return httpx.Response(503, text="503 Service Unavailable: busy")
        return httpx.Response(200, json=["energy", "power"])

    clock = FakeTime()
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Inexogy(
            auth=CountingAuth(),
            base_url=BASE,
            http_client=http,
            sleep=clock.sleep,
            monotonic=clock.monotonic,
        ) as api,
    ):
        assert api.field_names(METER_ID) == ["energy", "power"]
    assert signatures == ["1", "2", "3"]
    assert clock.sleeps[0] == 3.0
    assert 0 <= clock.sleeps[1] <= RetryPolicy().base_delay * 2


def test_rate_limit_error_carries_retry_after_and_the_server_text_when_retries_are_off() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429, text="429 Too Many Requests: Rate limit exceeded", headers={"Retry-After": "7"}
        )

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Inexogy(auth=CountingAuth(), base_url=BASE, http_client=http, retry=None) as api,
        pytest.raises(RateLimitError) as caught,
    ):
        api.meters()
    assert caught.value.status == 429
    assert caught.value.retry_after == 7.0
    assert caught.value.message == "429 Too Many Requests: Rate limit exceeded"


def test_a_callers_client_is_left_open_and_as_it_was() -> None:
    other_auth = CountingAuth()
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[])

    http = httpx.Client(transport=httpx.MockTransport(answer), auth=other_auth)
    api_auth = BasicAuth("me@example.com", "secret")
    with Inexogy(auth=api_auth, base_url=BASE, http_client=http) as api:
        api.meters()
        http.get("http://elsewhere.test/x")  # the caller's own traffic meanwhile
    assert not http.is_closed
    assert http.auth is other_auth
    assert str(http.base_url) == ""
    assert seen[0].headers["Authorization"].startswith("Basic ")
    assert "Authorization" not in seen[1].headers  # the API's password stays with the API
    assert seen[1].headers["X-Signature"] == "1"  # the caller's auth still signs its requests
    http.close()


def test_a_callers_client_with_another_base_url_is_refused() -> None:
    with (
        httpx.Client(base_url="http://other.test/") as http,
        pytest.raises(ValueError, match="differs"),
    ):
        Inexogy(auth=CountingAuth(), base_url=BASE, http_client=http)


def test_base_url_comes_from_argument_then_environment_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("INEXOGY_BASE_URL", raising=False)
    with Inexogy(auth=CountingAuth()) as api:
        assert api.base_url == DEFAULT_BASE_URL
    monkeypatch.setenv("INEXOGY_BASE_URL", "http://127.0.0.1:9/public/v1/")
    with Inexogy(auth=CountingAuth()) as api:
        assert api.base_url == "http://127.0.0.1:9/public/v1"
    with Inexogy(auth=CountingAuth(), base_url=BASE) as api:
        assert api.base_url == BASE
    with pytest.raises(ValueError, match="not an http"):
        Inexogy(auth=CountingAuth(), base_url="ftp://x")


def test_html_404_of_an_undeployed_route_is_not_found(httpserver: HTTPServer) -> None:
    # Only a request that accepts the API's text errors matches (else pytest-httpserver: 500).
    httpserver.expect_request("/public/v1/meters", headers={"Accept": ACCEPT}).respond_with_data(
        "<html><body><h1>404 Not Found</h1></body></html>", status=404, content_type="text/html"
    )
    with (
        Inexogy(auth=CountingAuth(), base_url=httpserver.url_for("/public/v1")) as api,
        pytest.raises(NotFoundError) as caught,
    ):
        api.meters()
    assert caught.value.status == 404
    assert "HTML page" in caught.value.message
    assert "base URL" in caught.value.message


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"", "empty body"),
        (b'[{"meterId": "a', "not valid JSON"),
        (b'{"meterId": 1}', "unexpected shape"),
    ],
)
def test_unusable_200_answers_are_invalid_responses(body: bytes, expected: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body, headers={"Content-Type": "application/json"})

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Inexogy(auth=CountingAuth(), base_url=BASE, http_client=http, retry=None) as api,
        pytest.raises(InvalidResponseError, match=expected) as caught,
    ):
        api.meters()
    assert caught.value.status == 200


@pytest.mark.anyio
async def test_async_client_leaves_a_callers_client_open() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps([METER]).encode())

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    async with AsyncInexogy(auth=CountingAuth(), base_url=BASE, http_client=http) as api:
        assert (await api.find_meter("61229886")).meter_id == "a" * 32
    assert not http.is_closed
    assert http.auth is None
    await http.aclose()


def test_the_wrong_kind_of_http_client_is_refused() -> None:
    with httpx.Client() as http, pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        AsyncInexogy(auth=CountingAuth(), http_client=http)  # type: ignore[arg-type]


def one_reading_per_request(request: httpx.Request) -> httpx.Response:
    start = int(request.url.params["from"])
    return httpx.Response(200, json=[{"time": start, "values": {"power": start % 997}}])


def test_long_ranges_run_at_most_max_concurrency_requests_at_once() -> None:
    lock = threading.Lock()
    three_in_flight = threading.Event()
    in_flight = 0
    peak = 0

    def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
            if in_flight == 3:
                three_in_flight.set()
        three_in_flight.wait(timeout=10)
        with lock:
            in_flight -= 1
        return one_reading_per_request(request)

    start = datetime(2024, 1, 1, tzinfo=UTC)
    progress: list[tuple[int, int]] = []
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Inexogy(auth=CountingAuth(), base_url=BASE, http_client=http, max_concurrency=3) as api,
    ):
        table = api.readings(
            METER_ID, start, start + timedelta(days=10), progress=lambda *p: progress.append(p)
        )
    assert peak == 3
    assert table.times == [to_ms(start + timedelta(days=n)) for n in range(10)]
    assert progress == [(n, 10) for n in range(1, 11)]


@pytest.mark.anyio
async def test_async_long_ranges_run_at_most_max_concurrency_requests_at_once() -> None:
    two_in_flight = asyncio.Event()
    in_flight = 0
    peak = 0

    async def answer(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        if in_flight == 2:
            two_in_flight.set()
        await two_in_flight.wait()
        in_flight -= 1
        return one_reading_per_request(request)

    start = datetime(2024, 1, 1, 12, tzinfo=UTC)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
        AsyncInexogy(
            auth=CountingAuth(), base_url=BASE, http_client=http, max_concurrency=2
        ) as api,
    ):
        table = await api.readings(METER_ID, start, start + timedelta(days=5))
    assert peak == 2
    assert table.times == [to_ms(start)] + [
        to_ms(datetime(2024, 1, n, tzinfo=UTC)) for n in range(2, 7)
    ]


def test_a_failing_chunk_fails_the_whole_range() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.params["from"] == str(to_ms(datetime(2024, 1, 3, tzinfo=UTC))):
            return httpx.Response(400, text="400 Bad Request: no")
        return one_reading_per_request(request)

    start = datetime(2024, 1, 1, tzinfo=UTC)
    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http,
        Inexogy(auth=CountingAuth(), base_url=BASE, http_client=http) as api,
        pytest.raises(BadRequestError, match="no"),
    ):
        api.readings(METER_ID, start, start + timedelta(days=6))


@pytest.mark.anyio
async def test_async_a_failing_chunk_cancels_the_others_and_fails_the_range() -> None:
    started: list[str] = []
    never = asyncio.Event()

    async def answer(request: httpx.Request) -> httpx.Response:
        started.append(request.url.params["from"])
        if len(started) == 1:
            return httpx.Response(400, text="400 Bad Request: first chunk refused")
        await never.wait()  # the others hang until cancelled
        return one_reading_per_request(request)

    start = datetime(2024, 1, 1, tzinfo=UTC)
    async with (
        httpx.AsyncClient(transport=httpx.MockTransport(answer)) as http,
        AsyncInexogy(
            auth=CountingAuth(), base_url=BASE, http_client=http, max_concurrency=3
        ) as api,
    ):
        with pytest.raises(BadRequestError, match="first chunk refused"):
            await api.readings(METER_ID, start, start + timedelta(days=6))
    assert 1 <= len(started) <= 3
