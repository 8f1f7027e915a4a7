"""The exceptions of the authorization layer.

    AuthError
    ├── InvalidCredentialsError   the email or password was refused
    ├── RateLimitedError          the server answered 429 (.retry_after)
    ├── TokenExpiredError         a data call answered 401 and no re-authorization helped
    ├── UnexpectedAnswerError     an answer that fits no step of the dance
    └── TokenStoreError           the token file cannot be read or written

Every exception carries ``.status`` (the HTTP status, or None) and ``.message`` (the server's
text, with anything secret-looking redacted). Their texts never hold a password or a secret.
"""

from __future__ import annotations

__all__ = [
    "AuthError",
    "InvalidCredentialsError",
    "RateLimitedError",
    "TokenExpiredError",
    "TokenStoreError",
    "UnexpectedAnswerError",
]


class AuthError(Exception):
    """The root of every error raised by ``inexogy_auth``."""

    def __init__(self, explanation: str, *, status: int | None = None, message: str = "") -> None:
        self.status = status
        self.message = message
        self.explanation = explanation
        super().__init__(_describe(explanation, status, message))


class InvalidCredentialsError(AuthError):
    """The server refused the email or password (403 at the authorize step)."""


class RateLimitedError(AuthError):
    """The server answered 429 Too Many Requests; ``retry_after`` is in seconds, if it said."""

    def __init__(
        self,
        explanation: str,
        *,
        status: int | None = 429,
        message: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(explanation, status=status, message=message)


class TokenExpiredError(AuthError):
    """A call signed with an access token answered 401 and no re-authorization helped.

    ``login_helps`` is False when fresh tokens were refused too (logging in again would only
    give another one): then the base URL or the account is at fault.
    """

    def __init__(
        self,
        explanation: str,
        *,
        status: int | None = None,
        message: str = "",
        login_helps: bool = True,
    ) -> None:
        self.login_helps = login_helps
        super().__init__(explanation, status=status, message=message)


class UnexpectedAnswerError(AuthError):
    """The server answered something no step of the protocol expects."""


class TokenStoreError(AuthError):
    """The token file is unreadable, corrupt, too open, foreign, or could not be written."""


def _describe(explanation: str, status: int | None, message: str) -> str:
    if status is None:
        return explanation
    said = f": {message}" if message else " with an empty body"
    return f"{explanation} (HTTP {status}{said})"
