"""``BasicAuth``: the API's undocumented alternative to OAuth on data endpoints."""

from __future__ import annotations

from collections.abc import Generator

import httpx

__all__ = ["BasicAuth"]


class BasicAuth(httpx.Auth):
    """Send ``Authorization: Basic base64(email:password)`` with every request.

    The inexogy API accepts it on every data endpoint (not on the OAuth steps). ``repr`` shows
    the email and hides the password.
    """

    def __init__(self, email: str, password: str) -> None:
        self._email = email
        self._header = httpx.BasicAuth(email, password)

    @property
    def email(self) -> str:
        """The account's email address."""
        return self._email

    def __repr__(self) -> str:
        return f"BasicAuth(email={self._email!r}, password='***')"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Add the Basic Authorization header and send the request."""
        yield from self._header.auth_flow(request)
