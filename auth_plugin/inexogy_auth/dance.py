"""The four-step OAuth 1.0a authorization, through the generated client's ``oauth1`` operations.

1. ``POST /oauth1/consumer_token`` (form ``client=<app name>``) registers a consumer (skipped
   when one is given; a new one is registered if ``request_token`` says it is gone: 400/401);
2. ``POST /oauth1/request_token``, signed with the consumer, ``oauth_callback="oob"``;
3. ``GET /oauth1/authorize?oauth_token=..&email=..&password=..``, unsigned;
4. ``POST /oauth1/access_token``, signed with consumer and request token, carrying the verifier.

The steps are written once, as a generator that yields the next call and receives its answer;
``authorize`` and ``authorize_async`` drive it with the sync or the async httpx client.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Generator, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar, cast
from urllib.parse import parse_qsl

import attrs
import httpx
import inexogy_client
from inexogy_client.api.oauth1 import (
    authorize as authorize_operation,
)
from inexogy_client.api.oauth1 import (
    create_access_token,
    create_consumer_token,
    create_request_token,
)
from inexogy_client.errors import UnexpectedStatus
from inexogy_client.models import (
    AccessToken,
    AuthorizationVerifier,
    ConsumerToken,
    ConsumerTokenRequest,
    RequestToken,
)
from inexogy_client.types import Response

from .credentials import DEFAULT_APP_NAME, Credentials
from .errors import (
    InvalidCredentialsError,
    RateLimitedError,
    UnexpectedAnswerError,
)
from .oauth1 import OAuth1Auth
from .redaction import install_log_redaction, redact_text

__all__ = ["ACCEPT", "DEFAULT_APP_NAME", "authorize", "authorize_async"]

logger = logging.getLogger(__name__)

# The API sends its error texts only to clients that accept text/plain.
ACCEPT = "application/json, application/x-www-form-urlencoded, text/plain, */*;q=0.1"
_CONSUMER_GONE = frozenset({400, 401})
_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError)

_Model = TypeVar("_Model", RequestToken, AuthorizationVerifier, AccessToken)


@attrs.frozen
class _Call:
    """One operation of the dance, ready to be sent by either driver."""

    step: str
    send: Callable[[inexogy_client.Client], Response[Any]]
    send_async: Callable[[inexogy_client.Client], Awaitable[Response[Any]]]
    signer: OAuth1Auth | None = None


_Dance = Generator[_Call, Response[Any], Credentials]


def authorize(
    client: inexogy_client.Client,
    email: str,
    password: str,
    *,
    app_name: str = DEFAULT_APP_NAME,
    consumer: tuple[str, str] | None = None,
) -> Credentials:
    """Run the authorization dance with the sync client and return the new credentials.

    ``consumer`` is a (key, secret) pair from an earlier registration, to reuse. The client is
    used for the four steps only: it signs them itself and restores its own ``auth`` after.
    Raises ``InvalidCredentialsError``, ``RateLimitedError`` or ``UnexpectedAnswerError``.
    """
    install_log_redaction()
    dance = _dance(email, password, app_name, consumer)
    with _dance_auth_on(client.get_httpx_client()) as dance_auth:
        step: _Call | Credentials = next(dance)
        while isinstance(step, _Call):
            dance_auth.signer = step.signer
            with _reading(step):
                answer = step.send(client)
            step = _advance(dance, answer)
        return step


async def authorize_async(
    client: inexogy_client.Client,
    email: str,
    password: str,
    *,
    app_name: str = DEFAULT_APP_NAME,
    consumer: tuple[str, str] | None = None,
) -> Credentials:
    """Run the authorization dance with the async client; see ``authorize``."""
    install_log_redaction()
    dance = _dance(email, password, app_name, consumer)
    with _dance_auth_on(client.get_async_httpx_client()) as dance_auth:
        step: _Call | Credentials = next(dance)
        while isinstance(step, _Call):
            dance_auth.signer = step.signer
            with _reading(step):
                answer = await step.send_async(client)
            step = _advance(dance, answer)
        return step


@contextmanager
def _reading(call: _Call) -> Iterator[None]:
    """Turn what the generated client raises on a strange answer into ``AuthError``s."""
    try:
        yield
    except UnexpectedStatus as exc:  # an undocumented status, with raise_on_unexpected_status
        message = redact_text(exc.content.decode("utf-8", errors="replace").strip())
        raise _error_for(call.step, exc.status_code, message, {}) from None
    except _UNREADABLE as exc:  # a 200 whose JSON is broken, or a status code out of range
        raise UnexpectedAnswerError(
            f"the {call.step} answer could not be read ({type(exc).__name__}): "
            "check the API base URL"
        ) from exc


def _advance(dance: _Dance, answer: Response[Any]) -> _Call | Credentials:
    """Hand the answer to the dance; return its next call, or the credentials at the end."""
    try:
        return dance.send(answer)
    except StopIteration as done:
        credentials: Credentials = done.value
        return credentials


def _dance(email: str, password: str, app_name: str, consumer: tuple[str, str] | None) -> _Dance:
    reused = consumer is not None
    if consumer is None:
        consumer = yield from _register(app_name)
    else:
        logger.debug("reusing consumer %s", consumer[0])
    answer = yield _request_token_call(consumer)
    if reused and answer.status_code in _CONSUMER_GONE:
        logger.debug("request_token answered %d: the consumer is gone", answer.status_code)
        consumer = yield from _register(app_name)
        answer = yield _request_token_call(consumer)
    secrets: tuple[str, ...] = (password, consumer[1])
    request_token = _read_form(answer, "request_token", RequestToken, secrets)
    logger.debug("request token %s obtained; authorizing it", request_token.oauth_token)
    answer = yield _authorize_call(request_token.oauth_token, email, password)
    secrets = (*secrets, request_token.oauth_token_secret)
    verifier = _read_form(answer, "authorize", AuthorizationVerifier, secrets)
    answer = yield _access_token_call(consumer, request_token, verifier)
    access = _read_form(answer, "access_token", AccessToken, secrets)
    logger.debug("access token %s obtained", access.oauth_token)
    return Credentials(consumer[0], consumer[1], access.oauth_token, access.oauth_token_secret)


def _register(app_name: str) -> Generator[_Call, Response[Any], tuple[str, str]]:
    logger.debug("registering a consumer for %r", app_name)
    body = ConsumerTokenRequest(client=app_name)
    answer = yield _Call(
        "consumer_token",
        lambda c: create_consumer_token.sync_detailed(client=c, body=body),
        lambda c: create_consumer_token.asyncio_detailed(client=c, body=body),
    )
    _refuse_unless_ok(answer, "consumer_token", ())
    token = answer.parsed
    if not (
        isinstance(token, ConsumerToken)
        and isinstance(token.key, str)
        and isinstance(token.secret, str)
        and token.key
        and token.secret
    ):
        raise UnexpectedAnswerError(
            "the consumer_token answer holds no consumer key and secret",
            status=answer.status_code,
        )
    logger.debug("consumer %s registered", token.key)
    return token.key, token.secret


def _request_token_call(consumer: tuple[str, str]) -> _Call:
    return _Call(
        "request_token",
        lambda c: create_request_token.sync_detailed(client=c),
        lambda c: create_request_token.asyncio_detailed(client=c),
        OAuth1Auth(*consumer, callback="oob"),
    )


def _authorize_call(oauth_token: str, email: str, password: str) -> _Call:
    return _Call(
        "authorize",
        lambda c: authorize_operation.sync_detailed(
            client=c, oauth_token=oauth_token, email=email, password=password
        ),
        lambda c: authorize_operation.asyncio_detailed(
            client=c, oauth_token=oauth_token, email=email, password=password
        ),
    )


def _access_token_call(
    consumer: tuple[str, str], request_token: RequestToken, verifier: AuthorizationVerifier
) -> _Call:
    signer = OAuth1Auth(
        *consumer,
        request_token.oauth_token,
        request_token.oauth_token_secret,
        verifier=verifier.oauth_verifier,
    )
    return _Call(
        "access_token",
        lambda c: create_access_token.sync_detailed(client=c),
        lambda c: create_access_token.asyncio_detailed(client=c),
        signer,
    )


def _read_form(
    answer: Response[Any], step: str, model: type[_Model], secrets: tuple[str, ...]
) -> _Model:
    """Parse a URL-encoded token answer into the generated model, or raise a clear error."""
    _refuse_unless_ok(answer, step, secrets)
    text = answer.content.decode("utf-8", errors="replace").strip()
    try:
        fields = dict(parse_qsl(text, keep_blank_values=True, strict_parsing=True))
        parsed = model.from_dict(fields)
    except _UNREADABLE:
        parsed = None
    required = [f.name for f in attrs.fields(model) if f.init and f.default is attrs.NOTHING]
    if parsed is None or not all(
        isinstance(getattr(parsed, name), str) and getattr(parsed, name) for name in required
    ):
        raise UnexpectedAnswerError(
            f"the {step} answer is not the URL-encoded {' and '.join(required)} it should be",
            status=answer.status_code,
            message=redact_text(text, secrets),
        )
    return parsed


def _refuse_unless_ok(answer: Response[Any], step: str, secrets: tuple[str, ...]) -> None:
    """Raise the error that fits a non-200 answer of ``step``."""
    status = int(answer.status_code)
    if status == httpx.codes.OK:
        return
    message = redact_text(answer.content.decode("utf-8", errors="replace").strip(), secrets)
    raise _error_for(step, status, message, answer.headers)


def _error_for(
    step: str, status: int, message: str, headers: Mapping[str, str]
) -> InvalidCredentialsError | RateLimitedError | UnexpectedAnswerError:
    if status == httpx.codes.TOO_MANY_REQUESTS:
        retry_after = _retry_after(headers.get("Retry-After"))
        wait = f"wait {retry_after:g} s" if retry_after is not None else "wait a while"
        return RateLimitedError(
            f"the server limits {step} requests from this address: {wait}, then try again "
            "(and reuse saved tokens rather than logging in repeatedly)",
            message=message,
            retry_after=retry_after,
        )
    if step == "authorize" and status == httpx.codes.FORBIDDEN:
        return InvalidCredentialsError(
            "the email or password was refused: check them and log in again",
            status=status,
            message=message,
        )
    return UnexpectedAnswerError(
        f"the {step} step answered HTTP {status} instead of 200: check the API base URL, "
        "or try again later",
        status=status,
        message=message,
    )


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _DanceAuth(httpx.Auth):
    """Installed on the caller's client during a dance: Accept header, and the step's signer."""

    requires_request_body = True

    def __init__(self) -> None:
        self.signer: OAuth1Auth | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Accept"] = ACCEPT
        if self.signer is None:
            yield request
        else:
            yield from self.signer.auth_flow(request)


@contextmanager
def _dance_auth_on(http_client: httpx.Client | httpx.AsyncClient) -> Iterator[_DanceAuth]:
    dance_auth = _DanceAuth()
    previous = http_client.auth
    http_client.auth = dance_auth
    try:
        yield dance_auth
    finally:
        # The setter takes None as the constructor does; httpx's annotation omits it.
        http_client.auth = cast(httpx.Auth, previous)
