"""The four-step dance through the generated client, against a scripted pytest-httpserver."""

from __future__ import annotations

import json

import httpx
import inexogy_client
import pytest
from auth_testkit import (
    ACCESS,
    CONSUMER,
    EMAIL,
    NEW_CONSUMER,
    PASSWORD,
    SECRETS,
    DanceServer,
    text,
)
from inexogy_auth import (
    AuthError,
    BasicAuth,
    Credentials,
    InvalidCredentialsError,
    OAuth1Auth,
    RateLimitedError,
    UnexpectedAnswerError,
    authorize,
    authorize_async,
)
from inexogy_client.api.metadata import get_meters
from pytest_httpserver import HTTPServer
from werkzeug import Response

EXPECTED = Credentials(*CONSUMER, *ACCESS)
DANCE = [
    "/oauth1/consumer_token",
    "/oauth1/request_token",
    "/oauth1/authorize",
    "/oauth1/access_token",
]


@pytest.fixture
def server(httpserver: HTTPServer) -> DanceServer:
    return DanceServer(httpserver)


def test_sync_dance_then_signed_data_call(server: DanceServer) -> None:
    server.dance()
    server.meters(CONSUMER, ACCESS)
    basic = BasicAuth("someone", "else")
    with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": basic}) as client:
        credentials = authorize(client, EMAIL, PASSWORD)
        assert client.get_httpx_client().auth is basic, "the caller's auth must come back"
    assert credentials == EXPECTED
    auth = OAuth1Auth.from_credentials(credentials)
    with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        response = get_meters.sync_detailed(client=client)
    server.server.check()
    assert response.status_code == 200
    assert response.parsed == []
    assert server.paths() == [*DANCE, "/meters"]


@pytest.mark.anyio
async def test_async_dance_then_signed_data_call(server: DanceServer) -> None:
    server.dance()
    server.meters(CONSUMER, ACCESS)
    async with inexogy_client.Client(base_url=server.base_url) as client:
        credentials = await authorize_async(client, EMAIL, PASSWORD)
        assert client.get_async_httpx_client().auth is None
    assert credentials == EXPECTED
    auth = OAuth1Auth.from_credentials(credentials)
    async with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        response = await get_meters.asyncio_detailed(client=client)
    server.server.check()
    assert response.status_code == 200
    assert server.paths() == [*DANCE, "/meters"]


def test_given_consumer_is_reused(server: DanceServer) -> None:
    server.dance(register=False)
    with inexogy_client.Client(base_url=server.base_url) as client:
        credentials = authorize(client, EMAIL, PASSWORD, consumer=CONSUMER)
    server.server.check()
    assert credentials == EXPECTED
    assert server.paths() == DANCE[1:]


@pytest.mark.parametrize("status", [400, 401])
@pytest.mark.anyio
async def test_gone_consumer_is_replaced(server: DanceServer, status: int) -> None:
    server.request_token(text(f"{status} consumer unknown", status), consumer=CONSUMER)
    server.dance(consumer=NEW_CONSUMER)
    async with inexogy_client.Client(base_url=server.base_url) as client:
        credentials = await authorize_async(client, EMAIL, PASSWORD, consumer=CONSUMER)
    server.server.check()
    assert credentials == Credentials(*NEW_CONSUMER, *ACCESS)
    assert server.paths() == [DANCE[1], *DANCE]


def test_app_name_is_the_registered_client(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request(
        "/public/v1/oauth1/consumer_token", method="POST", data="client=my+meter+app%21"
    ).respond_with_data("", status=429)
    with (
        inexogy_client.Client(base_url=httpserver.url_for("/public/v1")) as client,
        pytest.raises(RateLimitedError),
    ):
        authorize(client, EMAIL, PASSWORD, app_name="my meter app!")
    httpserver.check()


def consumer_json(**fields: object) -> Response:
    return Response(json.dumps(fields), content_type="application/json")


# (steps answered normally before the failing one, the failing answer, error type, status, text)
FAILURES = {
    "wrong password": (
        3,
        text("403 Forbidden: Wrong credentials", 403),
        InvalidCredentialsError,
        403,
        "403 Forbidden: Wrong credentials",
    ),
    "authorize rate limited": (
        3,
        text("Rate of authorize requests from 127.0.0.1 is too high.", 429, **{"Retry-After": "7"}),
        RateLimitedError,
        429,
        "Rate of authorize requests from 127.0.0.1 is too high.",
    ),
    "consumer rate limited": (
        1,
        text(
            "Rate of consumer_token requests from 127.0.0.1 is too high. Please reuse tokens!", 429
        ),
        RateLimitedError,
        429,
        "Rate of consumer_token requests from 127.0.0.1 is too high. Please reuse tokens!",
    ),
    "request_token empty 200": (2, text(""), UnexpectedAnswerError, 200, ""),
    "request_token html": (
        2,
        Response("<html>maintenance</html>", content_type="text/html"),
        UnexpectedAnswerError,
        200,
        "<html>maintenance</html>",
    ),
    "consumer_token broken json": (
        1,
        Response('{"key": "k", "secr', content_type="application/json"),
        UnexpectedAnswerError,
        None,
        "",
    ),
    "consumer_token without secret": (1, consumer_json(key="k"), UnexpectedAnswerError, None, ""),
    "consumer_token empty secret": (
        1,
        consumer_json(key="k", secret=""),
        UnexpectedAnswerError,
        200,
        "",
    ),
    "request_token 500": (
        2,
        text("500 Internal Server Error", 500),
        UnexpectedAnswerError,
        500,
        "500 Internal Server Error",
    ),
    "authorize 404 html": (
        3,
        Response("<h1>Not Found</h1>", 404, content_type="text/html"),
        UnexpectedAnswerError,
        404,
        "<h1>Not Found</h1>",
    ),
    "access_token without secret": (
        4,
        text("oauth_token=abc"),
        UnexpectedAnswerError,
        200,
        "oauth_token=abc",
    ),
    "access_token garbled": (
        4,
        text(f"oauth_token_secret={ACCESS[1]}&garbage"),
        UnexpectedAnswerError,
        200,
        "oauth_token_secret=[REDACTED]&garbage",
    ),
    "access_token 401": (
        4,
        text("401 Unauthorized: invalid verifier", 401),
        UnexpectedAnswerError,
        401,
        "401 Unauthorized: invalid verifier",
    ),
}


@pytest.mark.parametrize("case", FAILURES, ids=list(FAILURES))
def test_failures_are_clear_distinct_and_secret_free(server: DanceServer, case: str) -> None:
    answered, failing, error, status, message = FAILURES[case]
    steps = [server.consumer_token, server.request_token, server.authorize, server.access_token]
    for step in steps[: answered - 1]:
        step()
    steps[answered - 1](failing)
    with (
        inexogy_client.Client(base_url=server.base_url) as client,
        pytest.raises(AuthError) as raised,
    ):
        authorize(client, EMAIL, PASSWORD)
    server.server.check()
    assert type(raised.value) is error
    assert raised.value.status == status
    assert raised.value.message == message
    assert len(server.server.log) == answered, "nothing may be sent after a failed step"
    for shown in (str(raised.value), repr(raised.value), raised.value.message):
        for secret in SECRETS:
            assert secret not in shown


def test_retry_after_seconds_and_dates(server: DanceServer) -> None:
    server.consumer_token(text("slow down", 429, **{"Retry-After": "2.5"}))
    server.consumer_token(
        text("slow down", 429, **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"})
    )
    with inexogy_client.Client(base_url=server.base_url) as client:
        with pytest.raises(RateLimitedError) as seconds:
            authorize(client, EMAIL, PASSWORD)
        with pytest.raises(RateLimitedError) as date:
            authorize(client, EMAIL, PASSWORD)
    server.server.check()
    assert seconds.value.retry_after == 2.5
    assert "wait 2.5 s" in str(seconds.value)
    assert date.value.retry_after == 0.0  # a date in the past: no need to wait


def test_undocumented_status_with_raise_on_unexpected_status(server: DanceServer) -> None:
    server.consumer_token()
    server.request_token(text("Rate of request_token requests is too high.", 429))
    with (
        inexogy_client.Client(base_url=server.base_url, raise_on_unexpected_status=True) as client,
        pytest.raises(RateLimitedError) as raised,
    ):
        authorize(client, EMAIL, PASSWORD)
    server.server.check()
    assert raised.value.message == "Rate of request_token requests is too high."


def test_network_errors_pass_through_and_auth_is_restored() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    with inexogy_client.Client(
        base_url="http://inexogy.invalid/public/v1",
        httpx_args={"transport": httpx.MockTransport(refuse)},
    ) as client:
        with pytest.raises(httpx.ConnectError):
            authorize(client, EMAIL, PASSWORD)
        assert client.get_httpx_client().auth is None
