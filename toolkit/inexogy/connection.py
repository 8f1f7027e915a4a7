"""The generated client a high-level client talks through, on its own or a caller's httpx client.

A caller's httpx client is borrowed, never closed: its ``base_url`` is set when it has none,
and its ``auth`` is wrapped so that requests to the API are signed (and ask for JSON and
text errors) while its other requests keep the auth they had. Both are restored on close.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import AsyncGenerator, Generator

import httpx
import inexogy_client

from ._version import __version__
from .limits import DEFAULT_RESPONSE_LIMITS, ResponseLimits, guard_response, refuse_unknown_status

__all__ = [
    "ACCEPT",
    "BASE_URL_ENV",
    "DEFAULT_BASE_URL",
    "ApiAuth",
    "Connection",
    "base_url_for",
    "resolve_base_url",
    "user_agent",
    "verify_for",
]

DEFAULT_BASE_URL = "https://api.inexogy.com/public/v1"
"""The real service."""
BASE_URL_ENV = "INEXOGY_BASE_URL"
"""The environment variable that overrides the default base URL."""
ACCEPT = "application/json, text/plain"
"""The service sends its error texts only to clients that accept text/plain."""


def user_agent() -> str:
    """Return the User-Agent every request of the toolkit sends: ``inexogy/<version>``."""
    return f"inexogy/{__version__}"


def resolve_base_url(explicit: str | None, borrowed: httpx.URL | None = None) -> str:
    """Return the base URL to use: the argument, else the borrowed client's, else the environment's.

    Falls back to ``DEFAULT_BASE_URL``. A trailing slash is dropped.
    """
    chosen = explicit
    if chosen is None and borrowed is not None and str(borrowed):
        chosen = str(borrowed)
    if chosen is None:
        chosen = os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    try:
        url: httpx.URL | None = httpx.URL(chosen)
    except httpx.InvalidURL:  # not a ValueError: e.g. a port that is no number
        url = None
    if url is None or url.scheme not in ("http", "https") or not url.host:
        raise ValueError(
            f"base URL {chosen!r} is not an http(s) URL: give one like {DEFAULT_BASE_URL}"
        )
    return chosen.rstrip("/")


def base_url_for(explicit: str | None, http_client: httpx.Client | httpx.AsyncClient | None) -> str:
    """Return the base URL a client with these arguments will use (see ``resolve_base_url``)."""
    return resolve_base_url(explicit, None if http_client is None else http_client.base_url)


def verify_for(base_url: str) -> ssl.SSLContext | bool:
    """Return the ``verify`` of an owned httpx client for ``base_url``.

    For https, ``True``: httpx loads the CA bundle and verifies every certificate. For a
    plain-http base URL (a simulator on loopback) loading the bundle would cost ~40 ms of
    start-up for nothing, so the client gets a TLS context that trusts no authority: it still
    checks host names and requires certificates, so any https it might meet (a redirect, a
    proxy's target) fails verification instead of being trusted blindly.
    """
    if httpx.URL(base_url).scheme == "https":
        return True
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _same_url(first: str | httpx.URL, second: str | httpx.URL) -> bool:
    return str(first).rstrip("/") == str(second).rstrip("/")


class ApiAuth(httpx.Auth):
    """Authenticates requests under ``base_url`` with ``auth``; others go to ``fallback``.

    Requests to the API also get an ``Accept`` header that includes ``text/plain`` and the
    toolkit's User-Agent, and their final answers pass the checks that must come before the
    body is read: a status the HTTP standard knows, and the endpoint's size limit (``limits``).
    """

    def __init__(
        self,
        auth: httpx.Auth,
        base_url: str,
        fallback: httpx.Auth | None = None,
        limits: ResponseLimits = DEFAULT_RESPONSE_LIMITS,
    ):
        self.auth = auth
        self.fallback = fallback
        self.limits = limits
        self._prefix = base_url.rstrip("/") + "/"
        self.requires_request_body = auth.requires_request_body or bool(
            fallback and fallback.requires_request_body
        )
        self.requires_response_body = auth.requires_response_body or bool(
            fallback and fallback.requires_response_body
        )

    def __repr__(self) -> str:
        return f"ApiAuth({self.auth!r}, base_url={self._prefix[:-1]!r})"

    def _pick(self, request: httpx.Request) -> httpx.Auth | None:
        """Return the auth for ``request``; an API request also gets its Accept header here."""
        if str(request.url).startswith(self._prefix):
            request.headers["Accept"] = ACCEPT
            request.headers["User-Agent"] = user_agent()
            return self.auth
        return self.fallback

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Hand the request to the chosen auth's flow; check the API's final answer."""
        chosen = self._pick(request)
        if chosen is None:
            yield request
            return
        flow = chosen.sync_auth_flow(request)
        try:
            request = next(flow)
            while True:
                response = yield request
                try:
                    request = flow.send(response)
                except StopIteration:
                    break
        finally:
            flow.close()
        self._check(response)

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Hand the request to the chosen auth's async flow; check the API's final answer."""
        chosen = self._pick(request)
        if chosen is None:
            yield request
            return
        flow = chosen.async_auth_flow(request)
        try:
            request = await flow.__anext__()
            while True:
                response = yield request
                try:
                    request = await flow.asend(response)
                except StopAsyncIteration:
                    break
        finally:
            await flow.aclose()
        self._check(response)

    def _check(self, response: httpx.Response) -> None:
        refuse_unknown_status(response)
        guard_response(response, self.limits)


class Connection:
    """A generated ``inexogy_client.Client`` bound to one base URL and auth.

    With ``http_client`` the caller's httpx client is borrowed (see the module docstring);
    otherwise one is created and owned (closed by ``close``/``aclose``). ``asynchronous``
    chooses between ``httpx.Client`` and ``httpx.AsyncClient``.
    """

    def __init__(
        self,
        *,
        auth: httpx.Auth | None,
        base_url: str | None,
        timeout: float,
        http_client: httpx.Client | httpx.AsyncClient | None,
        asynchronous: bool,
        response_limits: ResponseLimits = DEFAULT_RESPONSE_LIMITS,
    ) -> None:
        expected = httpx.AsyncClient if asynchronous else httpx.Client
        if http_client is not None and not isinstance(http_client, expected):
            raise TypeError(
                f"http_client must be an {expected.__module__}.{expected.__name__}, "
                f"not {type(http_client).__name__}"
            )
        self.base_url = base_url_for(base_url, http_client)
        self._borrowed = http_client
        self._asynchronous = asynchronous
        self.client = inexogy_client.Client(
            base_url=self.base_url,
            headers={"Accept": ACCEPT, "User-Agent": user_agent()},
            timeout=httpx.Timeout(timeout),
            raise_on_unexpected_status=False,
            verify_ssl=verify_for(self.base_url),
            httpx_args={}
            if auth is None
            else {"auth": ApiAuth(auth, self.base_url, limits=response_limits)},
        )
        if http_client is None:
            # Created now, not lazily on first use, so worker threads never race to create it.
            if asynchronous:
                self.client.get_async_httpx_client()
            else:
                self.client.get_httpx_client()
            return
        self._previous_auth = http_client.auth
        self._previous_base_url = http_client.base_url
        if not str(http_client.base_url):
            http_client.base_url = httpx.URL(self.base_url)
        elif not _same_url(http_client.base_url, self.base_url):
            raise ValueError(
                f"the httpx client's base_url {str(http_client.base_url)!r} differs from "
                f"{self.base_url!r}: give the client no base_url, or the same one"
            )
        if auth is not None:
            http_client.auth = ApiAuth(
                auth, self.base_url, fallback=http_client.auth, limits=response_limits
            )
        if isinstance(http_client, httpx.AsyncClient):
            self.client.set_async_httpx_client(http_client)
        else:
            self.client.set_httpx_client(http_client)

    @property
    def owns_http_client(self) -> bool:
        """Whether the httpx client was created here (and so is closed here)."""
        return self._borrowed is None

    def _release(self) -> None:
        """Give a borrowed client back as it was."""
        borrowed = self._borrowed
        if borrowed is not None:
            # httpx takes None here (no auth) though its setter is annotated without it.
            borrowed.auth = self._previous_auth  # type: ignore[assignment]
            borrowed.base_url = self._previous_base_url

    def close(self) -> None:
        """Close the owned sync httpx client, or give a borrowed one back (never closed)."""
        if self._borrowed is None:
            self.client.get_httpx_client().close()
        else:
            self._release()

    async def aclose(self) -> None:
        """Close the owned async httpx client, or give a borrowed one back (never closed)."""
        if self._borrowed is None:
            await self.client.get_async_httpx_client().aclose()
        else:
            self._release()
