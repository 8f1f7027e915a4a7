"""Building the auth of a client: from a login, stored credentials or a token store."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Literal

import inexogy_auth
from inexogy_auth import Credentials, OAuth1Auth, Reauthorizer, TokenStore

from .connection import BASE_URL_ENV, user_agent
from .errors import NotLoggedInError
from .responses import request_errors_mapped

__all__ = [
    "LoginMethod",
    "PasswordProvider",
    "check_method",
    "oauth_auth",
    "save_credentials",
    "stored_credentials",
    "token_base_url",
]

LoginMethod = Literal["oauth", "basic"]
"""How to authenticate: the OAuth 1.0a dance (a token), or HTTP Basic with the password."""
PasswordProvider = Callable[[], tuple[str, str]]
"""Returns (email, password) when a re-authorization needs them."""


def oauth_auth(
    credentials: Credentials,
    base_url: str,
    *,
    password_provider: PasswordProvider | None = None,
    store: TokenStore | None = None,
    app_name: str = inexogy_auth.DEFAULT_APP_NAME,
) -> OAuth1Auth:
    """Return an OAuth auth signing with ``credentials``; it re-authorizes when it can.

    With a ``password_provider`` an expired token is replaced by running the dance again (and
    saved to ``store``); without one an expired token raises ``TokenExpiredError``.
    """
    reauthorizer = None
    if password_provider is not None:
        reauthorizer = Reauthorizer(
            base_url,
            password_provider,
            store=store,
            app_name=app_name,
            httpx_args={"headers": {"User-Agent": user_agent()}},
        )
    return OAuth1Auth.from_credentials(credentials, reauthorizer=reauthorizer)


def stored_credentials(store: TokenStore) -> Credentials:
    """Return the credentials in ``store``; ``NotLoggedInError`` when it holds none."""
    with request_errors_mapped():
        credentials = store.load()
    if credentials is None:
        raise NotLoggedInError(
            f"not logged in: no token in {store.path}; run `inexogy login --email ...` "
            "or Inexogy.login(email, password, store=TokenStore())"
        )
    return credentials


def token_base_url(explicit: str | None, credentials: Credentials, store: TokenStore) -> str | None:
    """Return the base URL for a client signing with stored ``credentials``.

    The one asked for (``explicit``, else ``$INEXOGY_BASE_URL``) when the token was issued by
    that service or does not say which; else the token's own. Asking for another service than
    the token's raises ``NotLoggedInError``: the token would be refused there, or worse, sent
    where it does not belong.
    """
    asked = explicit or os.environ.get(BASE_URL_ENV) or None
    recorded = credentials.base_url
    if recorded is None:
        return explicit
    if asked is None or asked.rstrip("/") == recorded.rstrip("/"):
        return recorded
    raise NotLoggedInError(
        f"the token in {store.path} belongs to {recorded}, not to {asked.rstrip('/')}: "
        f"log in there first (`inexogy --base-url {asked.rstrip('/')} login --email ...`), "
        f"or drop --base-url / {BASE_URL_ENV} to use {recorded}"
    )


def save_credentials(store: TokenStore | None, credentials: Credentials) -> None:
    """Save ``credentials`` to ``store`` when there is one."""
    if store is not None:
        with request_errors_mapped():
            store.save(credentials)


def check_method(method: str) -> None:
    """Refuse a login method other than ``oauth`` and ``basic``."""
    if method not in ("oauth", "basic"):
        raise ValueError(f"unknown login method {method!r}: use 'oauth' or 'basic'")
