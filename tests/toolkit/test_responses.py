"""Mapping statuses, transport failures and auth errors to the toolkit's exceptions."""

from __future__ import annotations

import httpx
import inexogy_auth
import pytest
from inexogy import (
    AuthenticationError,
    BadRequestError,
    InexogyError,
    InvalidCredentialsError,
    InvalidResponseError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
    TokenStoreError,
)
from inexogy.responses import (
    error_for_status,
    from_auth_error,
    from_transport_error,
    parse_retry_after,
)

TEXT = {"content-type": "text/plain"}


@pytest.mark.parametrize(
    ("status", "body", "kind", "message"),
    [
        (400, b"400 Bad Request: too long", BadRequestError, "400 Bad Request: too long"),
        (401, b"401 Unauthorized: wrong", InvalidCredentialsError, "401 Unauthorized: wrong"),
        (401, b"", TokenExpiredError, "401 Unauthorized: the access token expired"),
        (403, b"403 Forbidden: no", PermissionDeniedError, "403 Forbidden: no"),
        (404, b"", NotFoundError, "404 Not Found"),
        (429, b"429 Too Many Requests: slow", RateLimitError, "429 Too Many Requests: slow"),
        (500, b"500 Internal Server Error: x", ServerError, "500 Internal Server Error: x"),
        (501, b"", ServerError, "501 Not Implemented: the service does not implement"),
        (504, b"", ServerError, "504 Gateway Timeout"),
        (302, b"", InvalidResponseError, "unexpected answer: 302 Found"),
    ],
)
def test_statuses_map_to_their_error_with_the_server_text(
    status: int, body: bytes, kind: type[InexogyError], message: str
) -> None:
    error = error_for_status(status, body, TEXT)
    assert type(error) is kind
    assert error.status == status
    assert error.message.startswith(message)
    assert str(error) == error.message


def test_authentication_errors_share_a_parent() -> None:
    assert issubclass(TokenExpiredError, AuthenticationError)
    assert issubclass(InvalidCredentialsError, AuthenticationError)
    assert not issubclass(PermissionDeniedError, AuthenticationError)


def test_long_server_texts_are_cut() -> None:
    error = error_for_status(400, b"x" * 5000, TEXT)
    assert len(error.message) < 600


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert parse_retry_after("2") == 2.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:10 GMT", now=1445412480.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    error = error_for_status(503, b"", {"retry-after": "4"})
    assert error.retry_after == 4.0


def test_transport_errors_say_whether_the_request_left() -> None:
    refused = from_transport_error(httpx.ConnectError("[Errno 111] Connection refused"))
    assert refused.request_sent is False
    assert "could not connect" in refused.message
    dropped = from_transport_error(httpx.RemoteProtocolError("Server disconnected"))
    assert dropped.request_sent is True
    assert "closed without an answer" in dropped.message
    slow = from_transport_error(httpx.ReadTimeout("The read operation timed out"))
    assert isinstance(slow, NetworkError)
    assert "timed out" in slow.message


def test_transport_error_texts_never_show_a_password() -> None:
    error = from_transport_error(
        httpx.ReadError("failed for /oauth1/authorize?email=a%40b.c&password=hunter22")
    )
    assert "hunter22" not in str(error)


@pytest.mark.parametrize(
    ("raised", "kind"),
    [
        (
            inexogy_auth.InvalidCredentialsError("bad login", status=403, message="403 Forbidden"),
            InvalidCredentialsError,
        ),
        (inexogy_auth.TokenExpiredError("expired", status=401), TokenExpiredError),
        (
            inexogy_auth.RateLimitedError("slow", message="429 Too Many", retry_after=3.0),
            RateLimitError,
        ),
        (inexogy_auth.TokenStoreError("unreadable"), TokenStoreError),
        (inexogy_auth.UnexpectedAnswerError("odd", status=200), InvalidResponseError),
    ],
)
def test_auth_errors_become_toolkit_errors(
    raised: inexogy_auth.AuthError, kind: type[InexogyError]
) -> None:
    error = from_auth_error(raised)
    assert type(error) is kind
    assert error.status == raised.status
    assert error.message == str(raised)
    if isinstance(raised, inexogy_auth.RateLimitedError):
        assert error.retry_after == 3.0
