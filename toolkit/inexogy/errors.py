"""The exceptions of the inexogy toolkit: one root, one subclass per kind of failure.

```
InexogyError                    .status (int | None), .message (the server's text), .retry_after
├── AuthenticationError
│   ├── InvalidCredentialsError   wrong email/password or consumer (401 with text, 403 at login)
│   ├── TokenExpiredError         the access token expired or is unknown (401, empty body)
│   └── NotLoggedInError          no token stored: log in first
├── PermissionDeniedError       403 on a data endpoint (e.g. creating virtual meters)
├── RateLimitError              429; .retry_after in seconds when the server said
├── BadRequestError             400; the server's text says why
├── NotFoundError               404 (undeployed route, outage) or an unknown meter
├── ServerError                 5xx
├── NetworkError                timeout, refused or dropped connection
├── InvalidResponseError        200 with an empty body, broken JSON or an unexpected shape
└── TokenStoreError             the token file cannot be read or written
```
"""

from __future__ import annotations

__all__ = [
    "AuthenticationError",
    "BadRequestError",
    "InexogyError",
    "InvalidCredentialsError",
    "InvalidResponseError",
    "NetworkError",
    "NotFoundError",
    "NotLoggedInError",
    "PermissionDeniedError",
    "RateLimitError",
    "ServerError",
    "TokenExpiredError",
    "TokenStoreError",
]


class InexogyError(Exception):
    """Root of every error the toolkit raises for a failed call.

    ``status`` is the HTTP status when there was an answer (``None`` otherwise), ``message``
    the server's text (or a description when the server gave none), ``retry_after`` the
    seconds the server asked to wait (429/503 with ``Retry-After``), else ``None``.
    """

    def __init__(
        self, message: str, *, status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retry_after = retry_after

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class AuthenticationError(InexogyError):
    """The request could not be authenticated: log in again."""


class InvalidCredentialsError(AuthenticationError):
    """The email, password or consumer were refused."""


class TokenExpiredError(AuthenticationError):
    """The OAuth access token expired or is unknown (the service answers 401 with no text).

    ``login_helps`` is False when even fresh tokens from a new authorization were refused:
    logging in again would not help then (check the base URL and the account).
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        login_helps: bool = True,
    ) -> None:
        super().__init__(message, status=status, retry_after=retry_after)
        self.login_helps = login_helps


class NotLoggedInError(AuthenticationError):
    """No stored token was found: log in first (``inexogy login`` or ``Inexogy.login``)."""


class PermissionDeniedError(InexogyError):
    """The account may not do this (403)."""


class RateLimitError(InexogyError):
    """Too many requests (429); ``retry_after`` holds the seconds to wait when known."""


class BadRequestError(InexogyError):
    """The service refused the request as invalid (400); ``message`` says why."""


class NotFoundError(InexogyError):
    """The resource does not exist (404), or no meter matches the given id or serial number."""


class ServerError(InexogyError):
    """The service failed (5xx)."""


class NetworkError(InexogyError):
    """No answer: a timeout, a refused connection or a connection dropped mid-answer.

    ``request_sent`` is ``False`` when the request certainly never reached the server (the
    connection could not be opened), so even a non-idempotent call may be repeated.
    """

    def __init__(self, message: str, *, request_sent: bool = True) -> None:
        super().__init__(message)
        self.request_sent = request_sent


class InvalidResponseError(InexogyError):
    """The answer was not usable: an empty body, broken JSON or an unexpected shape."""


class TokenStoreError(InexogyError):
    """The token store could not be read or written."""
