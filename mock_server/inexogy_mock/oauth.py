"""An OAuth 1.0a provider (HMAC-SHA1) with in-memory consumers, tokens and nonces.

Signatures are checked by oauthlib's rules and primitives against the exact URL the client used
(held equal to oauthlib's own verification by property tests). Failures raise
:class:`~inexogy_mock.texts.ServiceError` with status 401: a text message for a malformed
header, unknown consumer, bad signature, stale timestamp or replayed nonce, and an empty body
for an unknown or expired token (as the real service answers).
"""

from __future__ import annotations

import binascii
import collections
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote

from oauthlib.oauth1.rfc5849 import signature, utils

from .texts import ServiceError

TIMESTAMP_WINDOW_S = 300.0
# A timestamp is seconds since the epoch: more digits than this are refused before any
# arithmetic (a 400-digit one used to overflow the float comparison into a 500).
_MAX_TIMESTAMP_DIGITS = 12


class SignedRequest(NamedTuple):
    """What a signature covers: method, full URL with query, the header and a form body."""

    method: str
    url: str
    authorization: str
    form_body: str | None


@dataclass
class _Consumer:
    secret: str
    owner: str


@dataclass
class _RequestToken:
    secret: str
    consumer_key: str
    verifier: str | None = None
    email: str | None = None


@dataclass
class _AccessToken:
    secret: str
    consumer_key: str
    email: str
    issued_at: float
    requests_served: int = 0


@dataclass(frozen=True)
class TokenLifetime:
    """When access tokens expire: after some seconds and/or some data requests (None: never)."""

    seconds: float | None = None
    requests: int | None = None


def _unauthorized(message: str | None) -> ServiceError:
    return ServiceError(401, message)


@dataclass
class OAuthProvider:
    """Consumers, request tokens, verifiers and access tokens of one server."""

    passwords: Mapping[str, str] = field(repr=False)
    clock: Callable[[], float]
    lifetime: TokenLifetime = field(default_factory=TokenLifetime)
    _consumers: dict[str, _Consumer] = field(default_factory=dict, repr=False)
    _request_tokens: dict[str, _RequestToken] = field(default_factory=dict, repr=False)
    _access_tokens: dict[str, _AccessToken] = field(default_factory=dict, repr=False)
    _nonces: set[tuple[str, str, str]] = field(default_factory=set, repr=False)
    # (when seen, nonce) in arrival order: the oldest are forgotten first
    _nonce_ages: collections.deque[tuple[float, tuple[str, str, str]]] = field(
        default_factory=collections.deque, repr=False
    )

    def register_consumer(self, owner: str) -> tuple[str, str]:
        """Register a client application; return its key and secret."""
        key, secret = secrets.token_hex(13), secrets.token_hex(13)
        self._consumers[key] = _Consumer(secret, owner)
        return key, secret

    def issue_request_token(self, consumer_key: str) -> tuple[str, str]:
        """Return a new request token and secret for a consumer."""
        token, secret = secrets.token_hex(16), secrets.token_hex(8)
        self._request_tokens[token] = _RequestToken(secret, consumer_key)
        return token, secret

    def authorize(self, token: str, email: str, password: str) -> str | None:
        """Authorize a request token with an account's credentials; return the verifier.

        Returns None for wrong credentials; raises a 400 for an unknown request token.
        """
        request_token = self._request_tokens.get(token)
        if request_token is None:
            raise ServiceError(400, f"Unknown request token: {token}")
        if self.passwords.get(email) != password:
            return None
        request_token.verifier = secrets.token_hex(16)
        request_token.email = email
        return request_token.verifier

    def issue_access_token(self, request_token_key: str) -> tuple[str, str]:
        """Exchange a (verified) request token for an access token and secret."""
        request_token = self._request_tokens.pop(request_token_key)
        assert request_token.email is not None
        token, secret = secrets.token_hex(16), secrets.token_hex(8)
        self._access_tokens[token] = _AccessToken(
            secret, request_token.consumer_key, request_token.email, self.clock()
        )
        return token, secret

    def verify(self, request: SignedRequest, step: str) -> dict[str, str]:
        """Check a signed request and return its oauth parameters.

        ``step`` is ``request_token`` (consumer only), ``access_token`` (consumer, authorized
        request token and verifier) or ``data`` (consumer and a live access token; the request
        counts against the token's lifetime). The returned dict carries ``email`` for ``data``.
        """
        now = self.clock()
        try:
            header = _parsed_header(request.authorization)
        except ValueError:
            raise _unauthorized("Malformed OAuth Authorization header") from None
        params = _checked_params(header, now)
        consumer_key = params["oauth_consumer_key"]
        consumer = self._consumers.get(consumer_key)
        if consumer is None:
            raise _unauthorized(f"Unknown consumer key: {consumer_key}")
        token_key = params.get("oauth_token", "")
        if step == "data":
            access_token = self._live_access_token(token_key, consumer_key, now)
            self._check_signature(
                request, params, consumer.secret, access_token.secret, header=header
            )
            self._check_nonce(consumer_key, token_key, params, now)
            access_token.requests_served += 1
            params["email"] = access_token.email  # added once the header is checked
            return params
        token_secret = ""
        duplicated_verifier = False
        if step == "access_token":
            request_token = self._request_tokens.get(token_key)
            if request_token is None or request_token.consumer_key != consumer_key:
                raise _unauthorized(None)
            in_header = params.get("oauth_verifier")
            in_body = _form_value(request, "oauth_verifier")
            verifier = in_header or in_body
            conflicting = in_header is not None and in_body is not None and in_header != in_body
            if request_token.verifier is None or verifier != request_token.verifier or conflicting:
                raise _unauthorized("Invalid or missing oauth_verifier")
            token_secret = request_token.secret
            # The real service accepts a verifier sent in the Authorization header and in the
            # form body at once, signed as one parameter, as some clients send it [sure]:
            # see _check_signature.
            duplicated_verifier = in_header is not None and in_body is not None
        self._check_signature(
            request, params, consumer.secret, token_secret, once=duplicated_verifier, header=header
        )
        self._check_nonce(consumer_key, token_key, params, now)
        return params

    def _live_access_token(self, token_key: str, consumer_key: str, now: float) -> _AccessToken:
        access_token = self._access_tokens.get(token_key)
        if access_token is None or access_token.consumer_key != consumer_key:
            raise _unauthorized(None)
        seconds, requests = self.lifetime.seconds, self.lifetime.requests
        expired = (seconds is not None and now - access_token.issued_at > seconds) or (
            requests is not None and access_token.requests_served >= requests
        )
        if expired:
            del self._access_tokens[token_key]
            raise _unauthorized(None)
        return access_token

    @staticmethod
    def _check_signature(
        request: SignedRequest,
        params: Mapping[str, str],
        client_secret: str,
        token_secret: str,
        *,
        once: bool = False,
        header: Mapping[str, str] | None = None,
    ) -> None:
        """Verify the HMAC-SHA1 signature as oauthlib's ``verify_hmac_sha1`` does.

        Built from oauthlib's primitives (``parse_authorization_header``, ``escape``,
        ``unescape``, ``base_string_uri``) and RFC 5849 §3.4's rules, without oauthlib's
        per-call overhead; a property test holds it equal to oauthlib's own verification.
        Queries and forms holding what oauthlib refuses ("%zz", "[]|^{}`") are verified over
        the parameters a server decodes from them.

        ``once``: ``oauth_verifier`` came in the header and in the form body; a signature over
        the parameters with the verifier counted once is accepted too (what the real service
        accepts), besides the strict RFC 5849 one that counts it twice.
        ``header``: the header as :func:`_parsed_header` parses it, when the caller has it.
        """
        url, _, query = request.url.partition("?")
        try:
            if header is None:
                header = _parsed_header(request.authorization)
            base_uri = _escaped_base_uri(url)
        except ValueError:
            raise _unauthorized("Invalid signature") from None
        # A usual header holds only unreserved characters besides the signature (hex or
        # decimal nonces and tokens, digits, "HMAC-SHA1", "1.0"): unescaping and escaping its
        # parameters then change nothing, and they are signed as they are.
        kept = dict(header)
        kept.pop("oauth_signature", None)
        kept.pop("realm", None)
        plain = _UNRESERVED.fullmatch("".join(kept) + "".join(kept.values())) is not None
        if plain and not (query or request.form_body or once):
            # the usual signed GET: escaping its normalized parameters again (RFC 5849 §3.6)
            # only turns each "=" and "&" into %3D and %26
            candidates = ["%26".join([f"{name}%3D{kept[name]}" for name in sorted(kept)])]
        else:
            pairs = list(kept.items()) if plain else _escaped_header_pairs(header)
            if query:
                pairs += _escaped_pairs(_form_pairs(query))
            if request.form_body:
                pairs += _escaped_pairs(_form_pairs(request.form_body))
            candidates = [_normalized(pairs)]
            if once:
                deduplicated = list(pairs)
                deduplicated.remove(("oauth_verifier", utils.escape(params["oauth_verifier"])))
                candidates.append(_normalized(deduplicated))
        signer = _signer(client_secret, token_secret)
        method = request.method.upper()
        given = params["oauth_signature"].encode()
        for normalized in candidates:
            base_string = f"{method}&{base_uri}&{normalized}"
            digest = signer.copy()
            digest.update(base_string.encode())
            expected = binascii.b2a_base64(digest.digest(), newline=False)
            if hmac.compare_digest(expected, given):
                return
        raise _unauthorized("Invalid signature")

    def _check_nonce(
        self, consumer_key: str, token_key: str, params: Mapping[str, str], now: float
    ) -> None:
        ages = self._nonce_ages
        # arrival order is time order: forget from the oldest, as long as they are stale
        while ages and now - ages[0][0] > 2 * TIMESTAMP_WINDOW_S:
            self._nonces.discard(ages.popleft()[1])
        nonce_key = (
            consumer_key,
            token_key,
            params["oauth_nonce"] + ":" + params["oauth_timestamp"],
        )
        if nonce_key in self._nonces:
            raise _unauthorized("Nonce already used")
        self._nonces.add(nonce_key)
        ages.append((now, nonce_key))


_REQUIRED = ("oauth_consumer_key", "oauth_signature", "oauth_timestamp", "oauth_nonce")


def _checked_params(header: Mapping[str, str], now: float) -> dict[str, str]:
    """Return the header's oauth parameters (unescaped), refusing missing or stale ones."""
    # only the signature is usually escaped: skip the call for the other values
    params = {
        key: _unescape(value) if "%" in value else value
        for key, value in header.items()
        if key != "realm"
    }
    if not all(map(params.get, _REQUIRED)):
        missing = ", ".join(name for name in _REQUIRED if not params.get(name))
        raise _unauthorized(f"Missing OAuth parameters: {missing}")
    if params.get("oauth_signature_method") != "HMAC-SHA1":
        raise _unauthorized("Unsupported signature method: use HMAC-SHA1")
    raw_timestamp = params["oauth_timestamp"]
    digits = raw_timestamp.isascii() and raw_timestamp.isdigit()  # [0-9]+ (never empty here)
    if len(raw_timestamp) > _MAX_TIMESTAMP_DIGITS or not digits:
        raise _unauthorized("Invalid oauth_timestamp")
    if abs(int(raw_timestamp) - now) > TIMESTAMP_WINDOW_S:
        raise _unauthorized("Timestamp is out of the accepted window")
    return params


def _form_value(request: SignedRequest, name: str) -> str | None:
    if not request.form_body:
        return None
    return dict(parse_qsl(request.form_body, keep_blank_values=True)).get(name)


_UNRESERVED = re.compile(r"[A-Za-z0-9._~-]*")


def _escape(text: str) -> str:
    """RFC 5849 §3.6 percent-encoding (oauthlib's ``utils.escape``), skipped when a no-op."""
    return text if _UNRESERVED.fullmatch(text) else str(utils.escape(text))


def _unescape(text: str) -> str:
    """Percent-decode as oauthlib's ``utils.unescape``; skipped when there is nothing to do.

    A text whose only escapes are %2B, %2F and %3D (an escaped base64 signature: its "+", "/"
    and "=") is decoded by three replacements, which cannot make a new "%"; anything else
    by oauthlib.
    """
    if "%" not in text:
        return text
    decoded = text.replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    if "%" not in decoded:
        return decoded
    return str(utils.unescape(text))


def _decoded(text: str) -> str:
    """Decode one form name or value as ``parse_qsl`` (oauthlib's ``urldecode``) does."""
    if "%" in text or "+" in text:
        return unquote(text.replace("+", " "), errors="replace")
    return text


def _form_pairs(encoded: str) -> list[tuple[str, str]]:
    """Decode a query or form as oauthlib's ``urldecode`` does (blank values kept).

    oauthlib refuses characters outside its "urlencoded" set and stray "%" signs ("[]|^{}`",
    "%zz", which clients such as httpx send raw); they are decoded as ``parse_qsl`` decodes
    them, to the parameters RFC 5849 §3.4.1.3 signs.
    """
    pairs = []
    for piece in encoded.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((_decoded(name), _decoded(value)))
    return pairs


def _escaped_pairs(
    pairs: Sequence[tuple[str, str]], *, from_header: bool = False
) -> list[tuple[str, str]]:
    """Escape parameters for the base string as oauthlib's ``collect_parameters`` does.

    Values of ``oauth_*`` names are unescaped first, ``oauth_signature`` is left out, and so is
    the header's ``realm``.
    """
    escaped = []
    for name, value in pairs:
        if name.startswith("oauth_"):
            if name == "oauth_signature":
                continue
            value = _unescape(value)
        elif from_header and name == "realm":
            continue
        escaped.append((_escape(name), _escape(value)))
    return escaped


def _escaped_header_pairs(header: Mapping[str, str]) -> list[tuple[str, str]]:
    """``_escaped_pairs`` of the Authorization header's parameters (``realm`` left out)."""
    return _escaped_pairs(list(header.items()), from_header=True)


@functools.lru_cache(maxsize=256)
def _signer(client_secret: str, token_secret: str) -> hmac.HMAC:
    """Return an HMAC-SHA1 keyed by a consumer and a token secret (RFC 5849 §3.4.2), to copy.

    Copying a keyed HMAC is cheaper than keying a new one for every request.
    """
    key = f"{utils.escape(client_secret)}&{utils.escape(token_secret)}".encode()
    return hmac.new(key, digestmod=hashlib.sha1)


def _normalized(pairs: list[tuple[str, str]]) -> str:
    """Return the escaped normalized parameters (RFC 5849 §3.4.1.3.2, then §3.6 again).

    Escaping the joined, already escaped pairs again can only touch "%", "=" and "&".
    """
    return (
        "&".join([f"{name}={value}" for name, value in sorted(pairs)])
        .replace("%", "%25")
        .replace("=", "%3D")
        .replace("&", "%26")
    )


def _parsed_header(authorization: str) -> dict[str, str]:
    """Parse as oauthlib's ``parse_authorization_header`` does.

    oauthlib splits the header at the commas outside quoted strings (urllib's
    ``parse_http_list``), then each part at its first "=" (``parse_keqv_list``). A header
    without a backslash and without a comma inside quotes (what every client sends) splits at
    every comma: it is parsed so here, the same steps without the per-character loop; anything
    else goes to oauthlib's parser itself.
    """
    if "\\" not in authorization and authorization[:6].lower().startswith("oauth "):
        rest = authorization[6:]
        # the odd pieces between quotes are the quoted strings (the last may be unterminated)
        if "," not in "".join(rest.split('"')[1::2]):
            parts = rest.split(",")
            if not parts[-1]:
                parts.pop()  # parse_http_list drops an empty last part only
            try:
                parsed = {
                    name: value[1:-1] if value[0] == '"' and value[-1] == '"' else value
                    for part in parts
                    for name, value in [part.strip().split("=", 1)]
                }
            except (IndexError, ValueError):  # oauthlib's parser refuses the same parts
                raise ValueError("Malformed authorization header") from None
            return parsed
    return dict(utils.parse_authorization_header(authorization))


@functools.lru_cache(maxsize=256)
def _escaped_base_uri(url: str) -> str:
    """Return the escaped base string URI (RFC 5849 §3.4.1.2) of a URL without its query."""
    return str(utils.escape(signature.base_string_uri(url)))
