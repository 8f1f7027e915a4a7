"""The ASGI middleware that authenticates every request (OAuth 1.0a or Basic).

It sits where connexion's own security middleware would (after routing, before validation):
a connexion security handler cannot read the form body that OAuth signs, this middleware can.
It buffers the body, checks the credentials, records the account (or the verified OAuth
parameters) in the connexion context and hands the body on.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .bodies import read_body
from .oauth import OAuthProvider, SignedRequest
from .texts import MISSING_AUTHORIZATION, ServiceError

UNSIGNED_OPERATIONS = frozenset({"createConsumerToken", "authorize"})
OAUTH_STEPS = {"createRequestToken": "request_token", "createAccessToken": "access_token"}
CONTEXT_KEY = "connexion_context"


def operation_id(scope: Scope) -> str | None:
    """Return the operationId connexion's router attached to the scope (None if unrouted)."""
    routing: Mapping[str, Any] = scope.get("extensions", {}).get("connexion_routing", {})
    return routing.get("operation_id")


def request_context(scope: Scope) -> dict[str, Any]:
    """Return the connexion context of a request (what handlers see as ``context``)."""
    extensions: dict[str, Any] = scope.setdefault("extensions", {})
    context: dict[str, Any] = extensions.setdefault(CONTEXT_KEY, {})
    return context


def header(scope: Scope, name: bytes) -> str | None:
    """Return a request header (latin-1 decoded), or None."""
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def request_url(scope: Scope, host: str | None = None) -> str:
    """Return the URL exactly as the client addressed it (scheme, host, port, path, query).

    ``host`` is the request's Host header when the caller has it already.
    """
    host = (
        host or header(scope, b"host") or "{}:{}".format(*scope.get("server") or ("localhost", 80))
    )
    raw_path = scope.get("raw_path")
    path = bytes(raw_path).decode("latin-1") if raw_path else scope["path"]
    query = bytes(scope.get("query_string", b"")).decode("latin-1")
    return f"{scope.get('scheme', 'http')}://{host}{path}" + (f"?{query}" if query else "")


class Authenticator:
    """Check a request's credentials (OAuth 1.0a or Basic) and record them in its context."""

    def __init__(self, provider: OAuthProvider, passwords: Mapping[str, str]) -> None:
        self._provider = provider
        self._passwords = passwords

    def authenticate(
        self,
        context: dict[str, Any],
        step: str,
        signed: SignedRequest,
    ) -> None:
        """Verify ``signed`` for an OAuth ``step`` (``data`` for data requests) or raise a 401.

        Records the account in ``context["user"]`` and the verified OAuth parameters in
        ``context["oauth"]``. Basic authentication is accepted for data requests only.
        """
        authorization = signed.authorization
        if not authorization or not authorization.strip():
            raise ServiceError(401, MISSING_AUTHORIZATION)
        scheme = authorization.split(" ", 1)[0].lower()
        if scheme == "basic" and step == "data":
            context["user"] = self._basic_user(authorization)
            return
        if scheme != "oauth":
            raise ServiceError(401, f"Unsupported authorization scheme: {scheme}")
        params = self._provider.verify(signed, step)
        context["oauth"] = params
        if "email" in params:
            context["user"] = params["email"]

    def data_user(self, signed: SignedRequest) -> str:
        """Verify a data request's credentials (OAuth or Basic); return its account's email."""
        context: dict[str, Any] = {}
        self.authenticate(context, "data", signed)
        user: str = context["user"]
        return user

    def _basic_user(self, authorization: str) -> str:
        try:
            decoded = base64.b64decode(authorization.split(" ", 1)[1].strip(), validate=True)
            email, _, password = decoded.decode("utf-8").partition(":")
        except (IndexError, ValueError, binascii.Error, UnicodeDecodeError):
            raise ServiceError(401, "Malformed Basic Authorization header") from None
        if self._passwords.get(email) != password:
            raise ServiceError(401, "Invalid email or password")
        return email


class AuthMiddleware:
    """Authenticate data requests and verify the signed OAuth steps."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        provider: OAuthProvider,
        passwords: Mapping[str, str],
    ) -> None:
        self.app = app
        self._authenticator = Authenticator(provider, passwords)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Authenticate the request, then pass it on (or answer the 401)."""
        operation = operation_id(scope) if scope["type"] == "http" else None
        if operation is None or operation in UNSIGNED_OPERATIONS:
            await self.app(scope, receive, send)
            return
        if header(scope, b"content-length") or header(scope, b"transfer-encoding"):
            body, receive = await read_body(receive)
        else:
            body = b""  # no body announced (the usual GET): nothing to buffer
        content_type = (header(scope, b"content-type") or "").split(";")[0].strip().lower()
        form = (
            body.decode("latin-1") if content_type == "application/x-www-form-urlencoded" else None
        )
        signed = SignedRequest(
            scope["method"], request_url(scope), header(scope, b"authorization") or "", form
        )
        try:
            self._authenticator.authenticate(
                request_context(scope), OAUTH_STEPS.get(operation, "data"), signed
            )
        except ServiceError as error:
            await error.response()(scope, receive, send)
            return
        await self.app(scope, receive, send)
