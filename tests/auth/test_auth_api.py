"""The public API of inexogy_auth: exactly what the contract names, documented."""

from __future__ import annotations

import inexogy_auth
from inexogy_auth import (
    AuthError,
    InvalidCredentialsError,
    RateLimitedError,
    TokenExpiredError,
    TokenStoreError,
    UnexpectedAnswerError,
)


def test_all_is_pinned_and_importable() -> None:
    assert sorted(inexogy_auth.__all__) == sorted(
        [
            "ACCEPT",
            "DEFAULT_APP_NAME",
            "TOKEN_FILE_ENV",
            "AuthError",
            "BasicAuth",
            "Credentials",
            "InvalidCredentialsError",
            "OAuth1Auth",
            "RateLimitedError",
            "Reauthorizer",
            "SecretRedactingFilter",
            "TokenExpiredError",
            "TokenStore",
            "TokenStoreError",
            "UnexpectedAnswerError",
            "authorize",
            "authorize_async",
            "install_log_redaction",
            "redact_text",
            "secret_forms",
        ]
    )
    for name in inexogy_auth.__all__:
        assert getattr(inexogy_auth, name) is not None


def test_exception_tree_and_fields() -> None:
    for error in (
        InvalidCredentialsError,
        RateLimitedError,
        TokenExpiredError,
        UnexpectedAnswerError,
        TokenStoreError,
    ):
        assert issubclass(error, AuthError)
    limited = RateLimitedError("slow down", message="Rate too high", retry_after=3.0)
    assert (limited.status, limited.message, limited.retry_after) == (429, "Rate too high", 3.0)
    assert str(limited) == "slow down (HTTP 429: Rate too high)"
    expired = TokenExpiredError("log in again", status=401)
    assert str(expired) == "log in again (HTTP 401 with an empty body)"
    assert str(TokenStoreError("chmod 600 x")) == "chmod 600 x"


def test_docstring_shows_the_three_line_usage() -> None:
    doc = inexogy_auth.__doc__ or ""
    assert "with inexogy_client.Client(base_url=URL) as c: creds = authorize(c, email, pw)" in doc
    assert "store.save(creds)" in doc
    client_line = 'httpx_args={"auth": OAuth1Auth.from_credentials(creds)})'
    assert f"inexogy_client.Client(base_url=URL, {client_line}" in doc
