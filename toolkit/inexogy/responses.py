"""Turning what the generated client returns or raises into results or ``InexogyError``s."""

from __future__ import annotations

import email.utils
import http
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import httpx
import inexogy_auth
from inexogy_client.types import Response

from .errors import (
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

__all__ = [
    "DECODE_ERRORS",
    "decode_errors_mapped",
    "error_for_status",
    "from_auth_error",
    "from_decode_error",
    "from_transport_error",
    "parse_retry_after",
    "parsed_or_raise",
]

DECODE_ERRORS = (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError)
"""What the generated client raises on a 200 whose body is empty, not JSON or misshapen.

``RecursionError`` is the JSON parser refusing a body nested deeper than the interpreter's
recursion limit: it stops there, long before the stack would run out.
"""

_MAX_MESSAGE = 500


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), or ``None``."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        moment = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(0.0, moment.timestamp() - current)


def _server_text(status: int, content: bytes, headers: Mapping[str, str]) -> str:
    """Return the server's text for an error answer, or a description when it sent none."""
    reason = _reason(status)
    content_type = headers.get("content-type", "")
    if "html" in content_type or content.lstrip()[:1] == b"<":
        return (
            f"{status} {reason}: the server answered an HTML page, not the API "
            "(an unknown path, or an outage); check the base URL and try again later"
        )
    # A server (or a proxy) may echo the request's credentials: never pass them on.
    text = inexogy_auth.redact_text(content.decode("utf-8", errors="replace").strip())
    if len(text) > _MAX_MESSAGE:
        text = text[:_MAX_MESSAGE] + "..."
    return text or f"{status} {reason}"


def _reason(status: int) -> str:
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return "Unknown Status"


def error_for_status(status: int, content: bytes, headers: Mapping[str, str]) -> InexogyError:
    """Return the error an answer with a non-2xx status stands for."""
    message = _server_text(status, content, headers)
    retry_after = parse_retry_after(headers.get("retry-after"))
    if status == 400:
        return BadRequestError(message, status=status)
    if status == 401:
        if not content.strip():
            return TokenExpiredError(
                f"{status} {_reason(status)}: the access token expired or is unknown; "
                "log in again (inexogy login)",
                status=status,
            )
        return InvalidCredentialsError(message, status=status)
    if status == 403:
        return PermissionDeniedError(message, status=status)
    if status == 404:
        return NotFoundError(message, status=status)
    if status == 429:
        return RateLimitError(message, status=status, retry_after=retry_after)
    if status == 501 and not content.strip():
        return ServerError(
            f"{status} {_reason(status)}: the service does not implement this operation",
            status=status,
        )
    if status >= 500:
        return ServerError(message, status=status, retry_after=retry_after)
    return InvalidResponseError(f"unexpected answer: {message}", status=status)


def parsed_or_raise(response: Response[Any]) -> Any:
    """Return the parsed body of a 2xx answer; any other status raises its ``InexogyError``."""
    status = int(response.status_code)
    if 200 <= status < 300:
        return response.parsed
    raise error_for_status(status, response.content, response.headers)


def from_decode_error(error: Exception, endpoint: str = "the service") -> InvalidResponseError:
    """Return the error for a 200 of ``endpoint`` the generated client could not parse."""
    if isinstance(error, ValueError) and getattr(error, "doc", None) == "":
        return InvalidResponseError(
            f"{endpoint} answered 200 OK with an empty body: the service had no data to give "
            "(seen during incidents); try again later",
            status=200,
        )
    if isinstance(error, RecursionError):
        return InvalidResponseError(
            f"{endpoint} answered 200 OK with JSON nested too deeply to be an answer of the "
            "API; the answer was refused",
            status=200,
        )
    if isinstance(error, ValueError) and hasattr(error, "doc"):
        return InvalidResponseError(
            f"{endpoint} answered 200 OK with a body that is not valid JSON ({error}); "
            "try again later",
            status=200,
        )
    detail = str(error)
    if len(detail) > 80:
        detail = detail[:77] + "..."
    detail = f"{type(error).__name__}: {detail}" if detail else type(error).__name__
    return InvalidResponseError(
        f"{endpoint} answered 200 OK with JSON of an unexpected shape ({detail})", status=200
    )


def from_transport_error(error: httpx.TransportError) -> NetworkError:
    """Return the error for a request that got no answer."""
    never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout)
    if isinstance(error, httpx.TimeoutException):
        what = "the request timed out"
    elif isinstance(error, httpx.ConnectError):
        what = "could not connect"
    else:
        what = "the connection was closed without an answer"
    # httpx texts rarely hold a URL, but the authorize step's URL carries the password.
    detail = inexogy_auth.redact_text(str(error) or type(error).__name__)
    return NetworkError(
        f"{what}{_where(error)} ({detail}); check the network and the base URL",
        request_sent=not never_sent,
    )


def _where(error: httpx.TransportError) -> str:
    """Say which URL the failed request went to, without its query (it may hold a password)."""
    try:
        url = error.request.url
    except RuntimeError:  # an error raised outside a request carries none
        return ""
    return f" to {url.copy_with(query=None, fragment=None)}"


def from_auth_error(error: inexogy_auth.AuthError) -> InexogyError:
    """Return the toolkit's error for one raised by the authorization layer."""
    message = str(error)
    status = error.status
    if isinstance(error, inexogy_auth.InvalidCredentialsError):
        return InvalidCredentialsError(message, status=status)
    if isinstance(error, inexogy_auth.TokenExpiredError):
        return TokenExpiredError(message, status=status, login_helps=error.login_helps)
    if isinstance(error, inexogy_auth.RateLimitedError):
        return RateLimitError(message, status=status, retry_after=error.retry_after)
    if isinstance(error, inexogy_auth.TokenStoreError):
        return TokenStoreError(message, status=status)
    return InvalidResponseError(message, status=status)


@contextmanager
def request_errors_mapped(endpoint: str = "the service") -> Iterator[None]:
    """Turn httpx's errors and the auth layer's errors raised inside into ours.

    Besides transport errors: a body whose declared encoding does not decode (gzip that is
    not gzip), too many redirects, and other failures of httpx to read an answer.
    """
    try:
        yield
    except httpx.TransportError as error:
        raise from_transport_error(error) from error
    except httpx.DecodingError as error:
        raise InvalidResponseError(
            f"{endpoint} answered with a body that does not decode as its Content-Encoding "
            f"says ({inexogy_auth.redact_text(str(error))[:80]}); try again later"
        ) from error
    except httpx.HTTPError as error:
        raise InvalidResponseError(
            f"{endpoint}: the answer could not be read "
            f"({type(error).__name__}: {inexogy_auth.redact_text(str(error))[:80]})"
        ) from error
    except inexogy_auth.AuthError as error:
        raise from_auth_error(error) from error


@contextmanager
def decode_errors_mapped(endpoint: str = "the service") -> Iterator[None]:
    """Turn a failure to parse a 200 answer, raised inside, into ``InvalidResponseError``."""
    try:
        yield
    except DECODE_ERRORS as error:
        raise from_decode_error(error, endpoint) from error
