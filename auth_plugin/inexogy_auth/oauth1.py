"""``OAuth1Auth``: OAuth 1.0a HMAC-SHA1 signing as an ``httpx.Auth``, with re-authorization."""

from __future__ import annotations

import base64
import functools
import hmac
import logging
import re
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Generator
from typing import TYPE_CHECKING
from urllib.parse import unquote

import attrs
import httpx
from oauthlib.oauth1.rfc5849 import signature, utils

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
# Strings RFC 5849 §3.6 percent-encoding leaves unchanged.
_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")


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
        self._signer: _Signer | None = None
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
        signer = self._signer
        if signer is None or signer.keys is not keys:
            signer = self._signer = _Signer(keys, self._callback, self._verifier)
        form: str | None = None
        if (
            request.method not in _METHODS_WITHOUT_BODY
            and request.headers.get("Content-Type") == FORM_CONTENT_TYPE
            and request.content
        ):
            form = request.content.decode("utf-8")
        request.headers["Authorization"] = signer.authorization(
            request.method, request.url, form, self._nonce_factory(), str(int(self._clock()))
        )

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


def _escape(text: str) -> str:
    """RFC 5849 §3.6 percent-encoding (oauthlib's ``utils.escape``), skipped when a no-op."""
    return text if _UNRESERVED.fullmatch(text) else utils.escape(text)


def _decoded(text: str) -> str:
    """Decode one name or value as ``urllib.parse.parse_qsl`` does (what oauthlib uses)."""
    if "%" in text or "+" in text:
        return unquote(text.replace("+", " "), errors="replace")
    return text


def _escaped_pairs(encoded: str) -> list[tuple[str, str]]:
    """Decode a query or form as oauthlib's ``collect_parameters`` does; escape each pair.

    oauthlib decodes with ``parse_qsl(keep_blank_values=True)`` after refusing characters
    outside its "urlencoded" set and stray "%" signs (which httpx sends raw: "[]|^{}`",
    "%zz"); decoding them as ``parse_qsl`` does is what a server sees, so the signature is
    the one oauthlib makes once they are escaped (the property tests compare the two).
    Names starting with ``oauth_`` are unescaped once more and ``oauth_signature`` is left
    out, as ``collect_parameters`` does.
    """
    pairs = []
    for piece in encoded.split("&"):
        if not piece:
            continue
        raw_name, _, raw_value = piece.partition("=")
        name, value = _decoded(raw_name), _decoded(raw_value)
        if name.startswith("oauth_"):
            if name == "oauth_signature":
                continue
            value = utils.unescape(value)
        pairs.append((_escape(name), _escape(value)))
    return pairs


@functools.lru_cache(maxsize=256)
def _escaped_base_uri(scheme: str, netloc: str, path: str) -> str:
    """Return the escaped base string URI (RFC 5849 §3.4.1.2) of a URL without its query."""
    escaped: str = utils.escape(signature.base_string_uri(f"{scheme}://{netloc}{path}"))
    return escaped


class _Signer:
    """HMAC-SHA1 signatures for one set of keys, equal to ``oauthlib.oauth1.Client.sign``'s.

    Built from oauthlib's own primitives (``urldecode``, ``escape``, ``base_string_uri``,
    the RFC 5849 key and base string rules); what does not change between requests is
    computed once: the escaped protocol parameters, the signing key, each base URI.
    """

    def __init__(self, keys: _Keys, callback: str | None, verifier: str | None) -> None:
        self.keys = keys
        fixed = [
            ("oauth_version", "1.0"),
            ("oauth_signature_method", "HMAC-SHA1"),
            ("oauth_consumer_key", keys.consumer_key),
        ]
        # oauthlib leaves out empty token, callback and verifier values
        for name, value in (
            ("oauth_token", keys.token),
            ("oauth_callback", callback),
            ("oauth_verifier", verifier),
        ):
            if value:
                fixed.append((name, value))
        self._fixed_pairs = [(name, utils.escape(value)) for name, value in fixed]
        # the header lists the parameters in oauthlib's order: nonce, timestamp, then these
        self._fixed_header = "".join(f', {name}="{value}"' for name, value in self._fixed_pairs)
        secret = utils.escape(keys.consumer_secret or "")
        self._key = f"{secret}&{utils.escape(keys.token_secret or '')}".encode()

    def authorization(
        self, method: str, url: httpx.URL, form: str | None, nonce: str, timestamp: str
    ) -> str:
        """Return the ``Authorization`` header of a request (``form``: its form body)."""
        nonce, timestamp = _escape(nonce), _escape(timestamp)
        pairs = [("oauth_nonce", nonce), ("oauth_timestamp", timestamp), *self._fixed_pairs]
        raw_path = url.raw_path.decode("ascii")
        path, _, query = raw_path.partition("?")
        if query:
            pairs += _escaped_pairs(query)
        if form:
            pairs += _escaped_pairs(form)
        pairs.sort()
        # Escaping the normalized parameters again (RFC 5849 §3.4.1.1) can only touch "%",
        # "=" and "&": every name and value in it is escaped already.
        normalized = (
            "&".join([f"{name}={value}" for name, value in pairs])
            .replace("%", "%25")
            .replace("=", "%3D")
            .replace("&", "%26")
        )
        netloc = url.netloc.decode("ascii")
        base_string = f"{method.upper()}&{_escaped_base_uri(url.scheme, netloc, path)}&{normalized}"
        digest = hmac.digest(self._key, base_string.encode(), "sha1")
        signed = (
            base64.b64encode(digest)
            .decode("ascii")
            .replace("+", "%2B")
            .replace("/", "%2F")
            .replace("=", "%3D")
        )
        return (
            f'OAuth oauth_nonce="{nonce}", oauth_timestamp="{timestamp}"'
            f'{self._fixed_header}, oauth_signature="{signed}"'
        )
