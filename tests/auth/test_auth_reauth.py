"""Automatic re-authorization: one dance per 401, one replay, shared by concurrent requests."""

from __future__ import annotations

import asyncio
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import inexogy_client
import pytest
from auth_testkit import (
    ACCESS,
    CONSUMER,
    EMAIL,
    NEW_ACCESS,
    NEW_CONSUMER,
    PASSWORD,
    PREFIX,
    REQUEST_TOKEN,
    VERIFIER,
    DanceServer,
    oauth_params,
    text,
    werkzeug_verifies,
)
from inexogy_auth import (
    Credentials,
    InvalidCredentialsError,
    OAuth1Auth,
    Reauthorizer,
    TokenExpiredError,
    TokenStore,
)
from inexogy_client.api.metadata import get_meters
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

OLD = Credentials(*CONSUMER, *ACCESS)
NEW = Credentials(*CONSUMER, *NEW_ACCESS)
REDANCE = ["/oauth1/request_token", "/oauth1/authorize", "/oauth1/access_token"]


class PasswordProvider:
    """Counts how often the auth asked for the password."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> tuple[str, str]:
        self.calls += 1
        return EMAIL, PASSWORD


@pytest.fixture
def server(httpserver: HTTPServer) -> DanceServer:
    return DanceServer(httpserver)


@pytest.fixture
def store(tmp_path: Path) -> TokenStore:
    return TokenStore(tmp_path / "token.json")


def healing_auth(
    server: DanceServer, store: TokenStore, provider: PasswordProvider, max_dances: int = 3
) -> OAuth1Auth:
    reauthorizer = Reauthorizer(
        server.base_url, provider, store=store, min_interval=0, max_dances=max_dances
    )
    return OAuth1Auth.from_credentials(OLD, reauthorizer=reauthorizer)


def test_expired_token_heals_once_sync(server: DanceServer, store: TokenStore) -> None:
    provider = PasswordProvider()
    server.meters(CONSUMER, ACCESS)
    server.meters(CONSUMER, ACCESS, status=401)
    server.dance(register=False, access=NEW_ACCESS)
    server.meters(CONSUMER, NEW_ACCESS)
    server.meters(CONSUMER, NEW_ACCESS)
    auth = healing_auth(server, store, provider)
    with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        responses = [get_meters.sync_detailed(client=client) for _ in range(3)]
    server.server.check()
    assert [(r.status_code, r.parsed) for r in responses] == [(200, [])] * 3
    assert server.paths() == ["/meters", "/meters", *REDANCE, "/meters", "/meters"]
    assert provider.calls == 1
    assert auth.credentials == NEW
    assert store.load() == NEW


@pytest.mark.anyio
async def test_expired_token_heals_once_async(server: DanceServer, store: TokenStore) -> None:
    provider = PasswordProvider()
    server.meters(CONSUMER, ACCESS, status=401)
    server.dance(register=False, access=NEW_ACCESS)
    server.meters(CONSUMER, NEW_ACCESS)
    auth = healing_auth(server, store, provider)
    async with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        response = await get_meters.asyncio_detailed(client=client)
    server.server.check()
    assert response.status_code == 200
    assert server.paths() == ["/meters", *REDANCE, "/meters"]
    assert provider.calls == 1
    assert auth.credentials == NEW
    assert store.load() == NEW


def test_fresh_tokens_refused_raise_after_max_dances_sync(
    server: DanceServer, store: TokenStore
) -> None:
    server.meters(CONSUMER, ACCESS, status=401)
    server.dance(register=False, access=NEW_ACCESS)
    server.meters(CONSUMER, NEW_ACCESS, status=401)
    server.dance(register=False, access=ACCESS)
    server.meters(CONSUMER, ACCESS, status=401)
    provider = PasswordProvider()
    auth = healing_auth(server, store, provider, max_dances=2)
    with (
        inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client,
        pytest.raises(TokenExpiredError) as raised,
    ):
        get_meters.sync_detailed(client=client)
    server.server.check()
    assert raised.value.status == 401
    assert "2 new access tokens" in str(raised.value)
    assert "logging in again would not help" in str(raised.value)
    assert server.paths() == ["/meters", *REDANCE, "/meters", *REDANCE, "/meters"]
    assert provider.calls == 2
    # Another call meeting the same refused token fails at once, without a third dance.
    server.meters(CONSUMER, ACCESS, status=401)
    with (
        inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client,
        pytest.raises(TokenExpiredError),
    ):
        get_meters.sync_detailed(client=client)
    assert provider.calls == 2


@pytest.mark.anyio
async def test_fresh_token_refused_raises_after_one_dance_async(
    server: DanceServer, store: TokenStore
) -> None:
    server.meters(CONSUMER, ACCESS, status=401)
    server.dance(register=False, access=NEW_ACCESS)
    server.meters(CONSUMER, NEW_ACCESS, status=401)
    auth = healing_auth(server, store, PasswordProvider(), max_dances=1)
    async with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        with pytest.raises(TokenExpiredError):
            await get_meters.asyncio_detailed(client=client)
    server.server.check()
    assert server.paths() == ["/meters", *REDANCE, "/meters"]


@pytest.mark.anyio
async def test_without_reauthorizer_401_raises(server: DanceServer) -> None:
    server.meters(CONSUMER, ACCESS, status=401)
    server.meters(CONSUMER, ACCESS, status=401)
    auth = OAuth1Auth.from_credentials(OLD)
    async with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        with pytest.raises(TokenExpiredError) as raised:
            await get_meters.asyncio_detailed(client=client)
    with (
        inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client,
        pytest.raises(TokenExpiredError),
    ):
        get_meters.sync_detailed(client=client)
    server.server.check()
    assert raised.value.status == 401
    assert "log in again" in str(raised.value)
    assert server.paths() == ["/meters", "/meters"]


def test_forgotten_consumer_is_registered_again(server: DanceServer, store: TokenStore) -> None:
    server.meters(CONSUMER, ACCESS, status=401)
    server.request_token(text("", 401), consumer=CONSUMER)
    server.dance(consumer=NEW_CONSUMER, access=NEW_ACCESS)
    server.meters(NEW_CONSUMER, NEW_ACCESS)
    auth = healing_auth(server, store, PasswordProvider())
    with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        response = get_meters.sync_detailed(client=client)
    server.server.check()
    assert response.status_code == 200
    assert server.paths() == [
        "/meters",
        "/oauth1/request_token",
        "/oauth1/consumer_token",
        *REDANCE,
        "/meters",
    ]
    assert auth.credentials == store.load() == Credentials(*NEW_CONSUMER, *NEW_ACCESS)


def test_failed_reauthorization_raises_its_error(server: DanceServer, store: TokenStore) -> None:
    server.meters(CONSUMER, ACCESS, status=401)
    server.request_token()
    server.authorize(text("403 Forbidden: Wrong credentials", 403))
    auth = healing_auth(server, store, PasswordProvider())
    with (
        inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client,
        pytest.raises(InvalidCredentialsError),
    ):
        get_meters.sync_detailed(client=client)
    server.server.check()
    assert auth.credentials == OLD
    assert store.load() is None


def test_other_statuses_are_left_to_the_caller(server: DanceServer, store: TokenStore) -> None:
    server.meters(CONSUMER, ACCESS, status=403)
    auth = healing_auth(server, store, PasswordProvider())
    with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        response = get_meters.sync_detailed(client=client)
    server.server.check()
    assert response.status_code == 403
    assert server.paths() == ["/meters"]


# --- concurrency: requests that meet 401 together share one dance ----------------------------


@pytest.fixture
def threaded_server() -> Iterator[HTTPServer]:
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


class ExpiringService:
    """Answers 401 to the old token only once ``parties`` requests are waiting for it."""

    def __init__(self, server: HTTPServer, parties: int) -> None:
        self.server = server
        self.together = threading.Barrier(parties, timeout=10)
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        server.expect_request(f"{PREFIX}/meters").respond_with_handler(self.meters)
        for step in ("request_token", "authorize", "access_token"):
            server.expect_request(f"{PREFIX}/oauth1/{step}").respond_with_handler(self.dance)

    def count(self, name: str) -> None:
        with self.lock:
            self.counts[name] += 1

    def meters(self, request: Request) -> Response:
        token = oauth_params(request.headers["Authorization"])["oauth_token"]
        if token == ACCESS[0]:
            self.count("meters with the old token")
            self.together.wait()
            return Response("", status=401)
        assert werkzeug_verifies(request, CONSUMER[1], NEW_ACCESS[1])
        self.count("meters with the new token")
        return Response("[]", content_type="application/json")

    def dance(self, request: Request) -> Response:
        step = request.path.rsplit("/", 1)[1]
        self.count(step)
        token, secret = REQUEST_TOKEN if step == "request_token" else NEW_ACCESS
        answers = {
            "request_token": f"oauth_token={token}&oauth_token_secret={secret}",
            "authorize": f"oauth_verifier={VERIFIER}",
            "access_token": f"oauth_token={token}&oauth_token_secret={secret}",
        }
        return text(answers[step])

    def expected(self, parties: int) -> Counter[str]:
        return Counter(
            {
                "meters with the old token": parties,
                "request_token": 1,
                "authorize": 1,
                "access_token": 1,
                "meters with the new token": parties,
            }
        )


@pytest.mark.anyio
async def test_concurrent_async_requests_share_one_dance(
    threaded_server: HTTPServer, store: TokenStore
) -> None:
    service = ExpiringService(threaded_server, parties=3)
    provider = PasswordProvider()
    reauthorizer = Reauthorizer(threaded_server.url_for(PREFIX), provider, store=store)
    auth = OAuth1Auth.from_credentials(OLD, reauthorizer=reauthorizer)
    async with inexogy_client.Client(
        base_url=threaded_server.url_for(PREFIX), httpx_args={"auth": auth}
    ) as client:
        responses = await asyncio.gather(
            *(get_meters.asyncio_detailed(client=client) for _ in range(3))
        )
    threaded_server.check()
    assert [response.status_code for response in responses] == [200, 200, 200]
    assert service.counts == service.expected(3)
    assert provider.calls == 1
    assert store.load() == NEW


def test_concurrent_threads_share_one_dance(threaded_server: HTTPServer, store: TokenStore) -> None:
    service = ExpiringService(threaded_server, parties=3)
    provider = PasswordProvider()
    reauthorizer = Reauthorizer(threaded_server.url_for(PREFIX), provider, store=store)
    auth = OAuth1Auth.from_credentials(OLD, reauthorizer=reauthorizer)
    statuses: list[int] = []
    with inexogy_client.Client(
        base_url=threaded_server.url_for(PREFIX), httpx_args={"auth": auth}
    ) as client:

        def call() -> None:
            statuses.append(get_meters.sync_detailed(client=client).status_code)

        threads = [threading.Thread(target=call) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    threaded_server.check()
    assert statuses == [200, 200, 200]
    assert service.counts == service.expected(3)
    assert provider.calls == 1


def test_reauthorizer_builds_its_client_from_httpx_args(httpserver: HTTPServer) -> None:
    server = DanceServer(httpserver)
    server.dance()
    reauthorizer = Reauthorizer(
        server.base_url,
        PasswordProvider(),
        httpx_args={"timeout": 5, "headers": {"X-Probe": "yes"}, "verify": False},
    )
    credentials = reauthorizer.reauthorize(None)
    httpserver.check()
    assert credentials == OLD
    assert [request.headers.get("X-Probe") for request, _ in httpserver.log] == ["yes"] * 4


def errors_in_threads(server: HTTPServer, auth: OAuth1Auth, parties: int) -> list[Exception]:
    """Call ``/meters`` from ``parties`` threads at once; return the error each one raised."""
    errors: list[Exception] = []
    with inexogy_client.Client(
        base_url=server.url_for(PREFIX), httpx_args={"auth": auth}
    ) as client:

        def call() -> None:
            try:
                get_meters.sync_detailed(client=client)
            except Exception as error:
                errors.append(error)

        threads = [threading.Thread(target=call) for _ in range(parties)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    return errors


class RefusingService(ExpiringService):
    """Like ``ExpiringService``, but the password is refused at the authorize step."""

    def dance(self, request: Request) -> Response:
        if request.path.endswith("/authorize"):
            self.count("authorize")
            return text("403 Forbidden: Wrong credentials", 403)
        return super().dance(request)


def test_a_refused_password_is_tried_once_not_once_per_waiting_request(
    threaded_server: HTTPServer, store: TokenStore
) -> None:
    # Every waiting request trying the same wrong password again would run into the real
    # service's authorize rate limit (and hammer the account): one try, all of them fail.
    service = RefusingService(threaded_server, parties=3)
    provider = PasswordProvider()
    reauthorizer = Reauthorizer(threaded_server.url_for(PREFIX), provider, store=store)
    auth = OAuth1Auth.from_credentials(OLD, reauthorizer=reauthorizer)
    errors = errors_in_threads(threaded_server, auth, 3)
    assert [type(error) for error in errors] == [InvalidCredentialsError] * 3
    assert service.counts["authorize"] == 1
    assert service.counts["meters with the old token"] == 3
    assert provider.calls == 1
    assert store.load() is None


class RefusingFreshTokensService(ExpiringService):
    """Like ``ExpiringService``, but the token fresh from the dance is refused too."""

    def meters(self, request: Request) -> Response:
        token = oauth_params(request.headers["Authorization"])["oauth_token"]
        if token == ACCESS[0]:
            return super().meters(request)
        assert werkzeug_verifies(request, CONSUMER[1], NEW_ACCESS[1])
        self.count("meters with the new token")
        return Response("", status=401)


def fresh_token_refusing_auth(
    server: HTTPServer, store: TokenStore, provider: Callable[[], tuple[str, str]] | None = None
) -> OAuth1Auth:
    reauthorizer = Reauthorizer(
        server.url_for(PREFIX),
        provider or PasswordProvider(),
        store=store,
        min_interval=0,
        max_dances=1,
    )
    return OAuth1Auth.from_credentials(OLD, reauthorizer=reauthorizer)


def expect_one_doomed_request(service: ExpiringService, failures: list[str]) -> None:
    # The first request refused runs the dance and tries the fresh token once; when that is
    # refused too, the token is known refused for good and the requests waiting on it fail
    # with the same error without sending it again.
    assert failures == ["TokenExpiredError"] * 3
    assert service.counts["meters with the old token"] == 3
    assert service.counts["authorize"] == 1
    assert service.counts["meters with the new token"] == 1


def test_requests_waiting_on_a_token_refused_for_good_fail_without_sending_it_threads(
    threaded_server: HTTPServer, store: TokenStore
) -> None:
    service = RefusingFreshTokensService(threaded_server, parties=3)
    auth = fresh_token_refusing_auth(threaded_server, store)
    errors = errors_in_threads(threaded_server, auth, 3)
    expect_one_doomed_request(service, [type(error).__name__ for error in errors])
    (text,) = {str(error) for error in errors}  # the same clear error for all of them
    assert "refused a new access token right after issuing it" in text
    assert "logging in again would not help" in text


@pytest.mark.anyio
async def test_requests_waiting_on_a_token_refused_for_good_fail_without_sending_it_async(
    threaded_server: HTTPServer, store: TokenStore
) -> None:
    service = RefusingFreshTokensService(threaded_server, parties=3)
    auth = fresh_token_refusing_auth(threaded_server, store)
    async with inexogy_client.Client(
        base_url=threaded_server.url_for(PREFIX), httpx_args={"auth": auth}
    ) as client:
        outcomes = await asyncio.gather(
            *(get_meters.asyncio_detailed(client=client) for _ in range(3)),
            return_exceptions=True,
        )
    failures = [type(outcome).__name__ for outcome in outcomes]
    expect_one_doomed_request(service, failures)
    assert len({str(outcome) for outcome in outcomes}) == 1


@pytest.mark.anyio
async def test_a_request_queued_behind_the_dance_fails_without_sending_a_refused_token(
    threaded_server: HTTPServer, store: TokenStore
) -> None:
    # A request started while the dance runs waits for it before it is sent at all; when the
    # fresh token is then refused for good, it fails without being sent.
    service = RefusingFreshTokensService(threaded_server, parties=1)
    late: list[asyncio.Task[object]] = []

    def provider() -> tuple[str, str]:  # called by the dance, while the healing is going on
        late.append(
            asyncio.get_running_loop().create_task(get_meters.asyncio_detailed(client=client))
        )
        return EMAIL, PASSWORD

    auth = fresh_token_refusing_auth(threaded_server, store, provider)
    async with inexogy_client.Client(
        base_url=threaded_server.url_for(PREFIX), httpx_args={"auth": auth}
    ) as client:
        with pytest.raises(TokenExpiredError):
            await get_meters.asyncio_detailed(client=client)
        (queued,) = late
        with pytest.raises(TokenExpiredError):
            await queued
    assert service.counts["meters with the old token"] == 1
    assert service.counts["meters with the new token"] == 1
