"""``OAuth1Auth``: OAuth 1.0a HMAC-SHA1 signing as an ``httpx.Auth``, with re-authorization."""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING, cast
from urllib.parse import quote

import attrs
import httpx
from oauthlib import oauth1

from .credentials import Credentials
from .errors import TokenExpiredError
from .healing import TokenHealing
from .redaction import redact_text

if TYPE_CHECKING:
    from .reauthorizer import Reauthorizer

__all__ = ["OAuth1Auth"]

logger = logging.getLogger(__name__)

FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
_METHODS_WITHOUT_BODY = frozenset({"GET", "HEAD"})
# oauthlib refuses query strings with characters outside its "urlencoded" set or with stray
# "%" signs, both of which httpx sends raw (e.g. "[]|^{}`", "%zz"). Escaping them for oauthlib
# does not change the parameters a server decodes, so the signature stays the same.
_OAUTHLIB_QUERY_SAFE = "=&;:%+~,*@!()/?'$"
_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


@attrs.frozen
class _Keys:
    """What a request is signed with; ``generation`` grows with every re-authorization."""

    consumer_key: str
    consumer_secret: str = attrs.field(repr=False)
    token: str | None
    token_secret: str | None = attrs.field(repr=False)
    generation: int = 0


def _new_nonce() -> str:
    return secrets.token_hex(16)


class OAuth1Auth(httpx.Auth):
    """Sign every request with OAuth 1.0a HMAC-SHA1 (``oauth_version="1.0"``).

    Works with ``httpx.Client`` and ``httpx.AsyncClient`` alike, so it fits the generated
    client: ``inexogy_client.Client(base_url=..., httpx_args={"auth": auth})``. The signature
    covers the method, the URL with its query parameters and, when the Content-Type is exactly
    ``application/x-www-form-urlencoded``, the form body; other bodies are not signed. Each
    request gets a fresh unguessable nonce and a timestamp in seconds; ``nonce_factory`` and
    ``clock`` replace them (for tests that pin the exact header).

    When a request signed with an access token answers 401, a ``reauthorizer`` runs the
    authorization dance again and the request is replayed, signed anew: one dance at a time,
    shared by every request that needs it, so that parallel requests heal too (see
    ``inexogy_auth.healing``). Without a reauthorizer, or when the service refuses even fresh
    tokens, ``TokenExpiredError`` is raised.
    """

    requires_request_body = True

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        token: str | None = None,
        token_secret: str | None = None,
        *,
        verifier: str | None = None,
        callback: str | None = None,
        nonce_factory: Callable[[], str] | None = None,
        clock: Callable[[], float] | None = None,
        reauthorizer: Reauthorizer | None = None,
    ) -> None:
        if (token is None) != (token_secret is None):
            raise ValueError("give token and token_secret together, or neither")
        if verifier is not None and token is None:
            raise ValueError("a verifier needs the request token (and its secret) it belongs to")
        self._keys = _Keys(consumer_key, consumer_secret, token, token_secret)
        self._verifier = verifier
        self._callback = callback
        self._nonce_factory = nonce_factory or _new_nonce
        self._clock = clock or time.time
        self._reauthorizer = reauthorizer
        self._healing = TokenHealing()

    @classmethod
    def from_credentials(
        cls, credentials: Credentials, *, reauthorizer: Reauthorizer | None = None
    ) -> OAuth1Auth:
        """Sign with the consumer and access token of ``credentials``."""
        return cls(
            credentials.consumer_key,
            credentials.consumer_secret,
            credentials.token,
            credentials.token_secret,
            reauthorizer=reauthorizer,
        )

    @property
    def credentials(self) -> Credentials | None:
        """The credentials requests are signed with now; None unless it holds an access token."""
        return self._credentials_of(self._keys)

    def __repr__(self) -> str:
        keys = self._keys
        return (
            f"OAuth1Auth(consumer_key={keys.consumer_key!r}, consumer_secret='***', "
            f"token={keys.token!r}, token_secret={'***' if keys.token_secret else None!r}, "
            f"reauthorizer={self._reauthorizer!r})"
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign the request once (the 401 handling lives in the sync and async flows)."""
        self._sign(request, self._keys)
        yield request

    def sync_auth_flow(
        self, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign and send; on a 401 heal the token (see ``inexogy_auth.healing``) and replay."""
        return self._healing.sync_flow(self, request)

    def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Sign and send; on a 401 heal the token (see ``inexogy_auth.healing``) and replay."""
        return self._healing.async_flow(self, request)

    def _sign(self, request: httpx.Request, keys: _Keys) -> None:
        body: str | None = None
        headers: dict[str, str] = {}
        if (
            request.method not in _METHODS_WITHOUT_BODY
            and request.headers.get("Content-Type") == FORM_CONTENT_TYPE
            and request.content
        ):
            body = request.content.decode("utf-8")
            headers["Content-Type"] = FORM_CONTENT_TYPE
        signer = oauth1.Client(
            keys.consumer_key,
            client_secret=keys.consumer_secret,
            resource_owner_key=keys.token,
            resource_owner_secret=keys.token_secret,
            callback_uri=self._callback,
            verifier=self._verifier,
            signature_method=oauth1.SIGNATURE_HMAC_SHA1,
            signature_type=oauth1.SIGNATURE_TYPE_AUTH_HEADER,
            nonce=self._nonce_factory(),
            timestamp=str(int(self._clock())),
        )
        _, signed, _ = signer.sign(_signable_uri(request.url), request.method, body, headers)
        request.headers["Authorization"] = cast(dict[str, str], signed)["Authorization"]

    def _token_refused(self, response: httpx.Response, keys: _Keys) -> bool:
        return (
            response.status_code == httpx.codes.UNAUTHORIZED
            and keys.token is not None
            and self._verifier is None
        )

    def _require_reauthorizer(
        self, request: httpx.Request, response: httpx.Response
    ) -> Reauthorizer:
        if self._reauthorizer is None:
            raise TokenExpiredError(
                "the access token was refused (it expired or was revoked): log in again, or "
                "give the password (a Reauthorizer) so that it renews itself",
                status=response.status_code,
                message=redact_text(response.text.strip()),
            )
        logger.debug("401 on %s %s: re-authorizing", request.method, request.url.path)
        return self._reauthorizer

    def _install(self, credentials: Credentials) -> None:
        generation = self._keys.generation + 1
        self._keys = _Keys(
            credentials.consumer_key,
            credentials.consumer_secret,
            credentials.token,
            credentials.token_secret,
            generation,
        )
        logger.debug("signing with the new access token (generation %d)", generation)

    def _credentials_of(self, keys: _Keys) -> Credentials | None:
        if keys.token is None or keys.token_secret is None or self._verifier is not None:
            return None
        return Credentials(keys.consumer_key, keys.consumer_secret, keys.token, keys.token_secret)


def _signable_uri(url: httpx.URL) -> str:
    text = str(url.copy_with(fragment=None))
    head, mark, query = text.partition("?")
    query = quote(_STRAY_PERCENT.sub("%25", query), safe=_OAUTHLIB_QUERY_SAFE)
    return head + mark + query
