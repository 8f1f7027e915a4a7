"""Direct dispatch of the GET operations that take no parameters (``/meters``), in one layer.

Connexion's per-request machinery (routing in each of its middlewares, parameter parsing,
request validation) has nothing to do for an operation without parameters, yet it costs more
than the answer itself; so do the simulator's own middlewares, each scanning the headers
again. Such a request, sent exactly (GET, no query string, no body announced), is served by
this outermost layer alone: one pass over the headers, the same authentication
(:class:`~inexogy_mock.auth_middleware.Authenticator`) and the same fault plan as any other
data request, then its handler. Anything else (a query string, another method, a trailing
slash, a body) goes through the full stack.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from connexion.context import _context, _receive, _scope
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth_middleware import Authenticator, request_context, request_url
from .faults import RAW_SEND_KEY, FaultMiddleware, FaultPlan
from .oauth import SignedRequest
from .texts import ServiceError, text_response

Handler = Callable[[], Awaitable[Response]]
_logger = logging.getLogger(__name__)
ROUTING_KEY = "connexion_routing"
_AUTHORIZATION, _HOST = b"authorization", b"host"
# a body goes through the full stack, where its size is checked
_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})


def parameterless_gets(spec: Mapping[str, Any], base_path: str) -> dict[str, str]:
    """Return ``{full path: operationId}`` of the spec's GET operations without parameters."""
    found = {}
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation and not operation.get("parameters") and not item.get("parameters"):
            found[base_path + path] = operation["operationId"]
    return found


class DirectDispatch:
    """Outermost layer: serve parameterless GETs (authentication, faults, handler) itself."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Mapping[str, tuple[str, Handler]],
        base_path: str,
        authenticator: Authenticator,
        plan_of: Callable[[], FaultPlan | None],
    ) -> None:
        self.app = app
        self._routes = {
            path: ({"api_base_path": base_path, "operation_id": operation}, handler)
            for path, (operation, handler) in routes.items()
        }
        self._authenticator = authenticator
        self._plan_of = plan_of
        self._faults = FaultMiddleware(self._dispatch, plan_of=plan_of)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a parameterless GET directly; pass anything else on to the full stack."""
        route = (
            self._routes.get(scope["path"])
            if scope["type"] == "http"
            and scope["method"] == "GET"
            and not scope.get("query_string")
            else None
        )
        if route is None:
            await self.app(scope, receive, send)
            return
        authorization = host = None
        for key, value in scope["headers"]:
            name = bytes(key).lower()
            if name == _AUTHORIZATION:
                if authorization is None:
                    authorization = bytes(value).decode("latin-1")
            elif name == _HOST:
                if host is None:
                    host = bytes(value).decode("latin-1")
            elif name in _BODY_HEADERS:
                await self.app(scope, receive, send)
                return
        scope.setdefault("extensions", {})[ROUTING_KEY] = dict(route[0])
        signed = SignedRequest("GET", request_url(scope, host), authorization or "", None)
        try:
            self._authenticator.authenticate(request_context(scope), "data", signed)
        except ServiceError as error:
            await error.response()(scope, receive, send)
            return
        if self._plan_of() is None:
            await self._dispatch(scope, receive, send)
            return
        scope[RAW_SEND_KEY] = send  # a "drop" fault closes the server's connection
        try:
            await self._faults(scope, receive, send)
        finally:
            del scope[RAW_SEND_KEY]  # the server's send holds the scope: no cycle left behind

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        _context.set(request_context(scope))
        _scope.set(scope)
        _receive.set(receive)
        try:
            response = await self._routes[scope["path"]][1]()
        except ServiceError as error:
            response = error.response()
        except Exception:
            # The service's plain 500, but never a silent one: a bug here must be seen.
            _logger.exception("the handler of %s failed", scope["path"])
            response = text_response(500, "Internal Server Error")
        await response(scope, receive, send)
