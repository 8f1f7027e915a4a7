"""The global options of the ``inexogy`` command, and opening a client from them."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer
from attrs import define, field
from inexogy_auth import TokenStore

from inexogy.zones import local_zone

if TYPE_CHECKING:
    from inexogy import Inexogy, RetryPolicy

__all__ = ["PASSWORD_ENV", "AuthMethod", "GlobalOptions", "check_base_url", "read_password"]

AuthMethod = Literal["oauth", "basic"]
"""How data commands authenticate: the stored OAuth token, or email and password per call."""

PASSWORD_ENV = "INEXOGY_PASSWORD"  # noqa: S105 (the name of a variable, not a password)
"""The environment variable a password may come from instead of the prompt."""


@define
class GlobalOptions:
    """What the options before the command name chose, shared by every command.

    ``tz`` is the zone times are read and shown in (``--tz``, by default the system's).

    ``secrets`` collects every password read during the run, so that error texts can be
    scrubbed of them before they are printed.
    """

    base_url: str | None = None
    auth: AuthMethod = "oauth"
    token_file: Path | None = None
    email: str | None = None
    verbose: bool = False
    retries: int = 4
    tz: tzinfo = field(factory=local_zone)
    secrets: list[str] = field(factory=list, repr=False)

    def token_store(self) -> TokenStore:
        """Return the token store the options name (``--token-file``, else the default place)."""
        return TokenStore(self.token_file)

    def read_password(self, *, from_stdin: bool = False) -> str:
        """Read a password (see :func:`read_password`) and remember it as a secret."""
        password = read_password(from_stdin=from_stdin)
        self.remember_secret(password)
        return password

    def remember_secret(self, password: str) -> None:
        """Keep ``password`` (and ``email:password``, the Basic header's pair) for redaction."""
        self.secrets.append(password)
        if self.email:
            self.secrets.append(f"{self.email}:{password}")

    def open_client(self, **client_args: Any) -> Inexogy:
        """Open a client authenticated the way the options ask; the caller closes it.

        OAuth uses the stored token (re-authorizing on expiry when ``INEXOGY_EMAIL`` and
        ``INEXOGY_PASSWORD`` are both set); Basic needs ``--email`` and a password.
        ``client_args`` go to the ``Inexogy`` constructor (``retry`` replaces ``--retries``'s).
        """
        from inexogy import Inexogy  # the client's imports are paid only by commands that call

        client_args.setdefault("retry", self.retry())
        if self.auth == "basic":
            if not self.email:
                raise typer.BadParameter(
                    "--auth basic needs an email: pass --email or set INEXOGY_EMAIL",
                    param_hint="--email",
                )
            password = self.read_password()
            return Inexogy.login(
                self.email, password, method="basic", base_url=self.base_url, **client_args
            )
        return Inexogy.from_token_store(
            self.token_store(),
            base_url=self.base_url,
            password_provider=self._password_provider(),
            **client_args,
        )

    def retry(self) -> RetryPolicy | None:
        """Return the retry policy ``--retries`` asks for (``None`` for no retries)."""
        from inexogy import RetryPolicy

        return RetryPolicy(max_attempts=self.retries + 1) if self.retries > 0 else None

    @property
    def renews_token(self) -> bool:
        """Whether an expired OAuth token is renewed unattended (email and password are set)."""
        return self.auth == "oauth" and bool(self.email) and bool(os.environ.get(PASSWORD_ENV))

    def _password_provider(self) -> Callable[[], tuple[str, str]] | None:
        email, password = self.email, os.environ.get(PASSWORD_ENV)
        if not email or not password:
            return None
        self.remember_secret(password)
        return lambda: (email, password)


def check_base_url(base_url: str) -> None:
    """Refuse a ``--base-url`` that is not an http(s) URL with a host (usage error)."""
    import httpx  # here, not at start-up: only a given base URL needs it

    from inexogy.connection import DEFAULT_BASE_URL

    try:
        url = httpx.URL(base_url)
        good = url.scheme in ("http", "https") and bool(url.host)
    except (httpx.InvalidURL, ValueError, TypeError):
        good = False
    if not good:
        raise typer.BadParameter(
            f"{base_url!r} is not an http(s) URL with a host: give one like {DEFAULT_BASE_URL}",
            param_hint="--base-url",
        )


def read_password(*, from_stdin: bool = False) -> str:
    """Read a password from stdin (first line), else ``$INEXOGY_PASSWORD``, else a hidden prompt.

    An empty password is a usage error.
    """
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        source = "standard input"
    elif PASSWORD_ENV in os.environ:
        password = os.environ[PASSWORD_ENV]
        source = PASSWORD_ENV
    else:
        password = typer.prompt("Password", hide_input=True)
        source = "the prompt"
    if not password:
        raise typer.BadParameter(
            f"the password from {source} is empty: give the account's password"
        )
    return password
