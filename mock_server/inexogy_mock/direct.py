"""Direct dispatch of the GET operations that take no parameters (``/meters``), in one layer.

Connexion's per-request machinery (routing in each of its middlewares, parameter parsing,
request validation, the request context behind werkzeug proxies, a response object) has
nothing to do for an operation without parameters, yet it costs more than the answer itself;
so do the simulator's own middlewares, each scanning the headers again. Such a request, sent
exactly (GET, no query string, no body announced), is served by this outermost layer alone:
one pass over the headers, the same authentication
(:class:`~inexogy_mock.auth_middleware.Authenticator`) and the same fault plan as any other
data request, then the operation's answer, sent as two ASGI messages with the headers a
:func:`~inexogy_mock.handlers.json_response` carries. Anything else (a query string, another
method, a trailing slash, a body) goes through the full stack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from starlette.types import ASGIApp, Receive, Scope, Send

from .auth_middleware import Authenticator, request_context, request_url
from .faults import RAW_SEND_KEY, FaultMiddleware, FaultPlan
from .oauth import SignedRequest
from .texts import ServiceError, text_response

_logger = logging.getLogger(__name__)
ROUTING_KEY = "connexion_routing"
_AUTHORIZATION, _HOST = b"authorization", b"host"
# a body goes through the full stack, where its size is checked
_BODY_HEADERS = frozenset({b"content-length", b"transfer-encoding"})
_JSON_TYPE = (b"content-type", b"application/json")


class DirectRoute(NamedTuple):
    """A parameterless GET served directly: its operationId and its answer.

    ``answer`` returns the JSON body for an account (its email); it may raise
    :class:`~inexogy_mock.texts.ServiceError` for an error answer.
    """

    operation_id: str
    answer: Callable[[str], bytes]


def parameterless_gets(spec: Mapping[str, Any], base_path: str) -> dict[str, str]:
    """Return ``{full path: operationId}`` of the spec's GET operations without parameters."""
    found = {}
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation and not operation.get("parameters") and not item.get("parameters"):
            found[base_path + path] = operation["operationId"]
    return found


async def send_json(send: Send, body: bytes) -> None:
    """Send a 200 JSON answer: the messages a starlette ``Response`` of ``body`` sends."""
    headers = [(b"content-length", b"%d" % len(body)), _JSON_TYPE]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class DirectDispatch:
    """Outermost layer: serve parameterless GETs (authentication, faults, answer) itself."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Mapping[str, DirectRoute],
        base_path: str,
        authenticator: Authenticator,
        plan_of: Callable[[], FaultPlan | None],
    ) -> None:
        self.app = app
        self._routes = dict(routes)
        self._routing = {
            path: {"api_base_path": base_path, "operation_id": route.operation_id}
            for path, route in routes.items()
        }
        self._authenticator = authenticator
        self._plan_of = plan_of
        self._faults = FaultMiddleware(self._answer_from_context, plan_of=plan_of)

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
        signed = SignedRequest("GET", request_url(scope, host), authorization or "", None)
        try:
            user = self._authenticator.data_user(signed)
        except ServiceError as error:
            await error.response()(scope, receive, send)
            return
        if self._plan_of() is None:
            await self._answer(route, user, scope, receive, send)
            return
        # a fault plan reads the operation from connexion's routing, as in the full stack
        scope.setdefault("extensions", {})[ROUTING_KEY] = dict(self._routing[scope["path"]])
        request_context(scope)["user"] = user
        scope[RAW_SEND_KEY] = send  # a "drop" fault closes the server's connection
        try:
            await self._faults(scope, receive, send)
        finally:
            del scope[RAW_SEND_KEY]  # the server's send holds the scope: no cycle left behind

    async def _answer_from_context(self, scope: Scope, receive: Receive, send: Send) -> None:
        user: str = request_context(scope)["user"]
        await self._answer(self._routes[scope["path"]], user, scope, receive, send)

    @staticmethod
    async def _answer(
        route: DirectRoute, user: str, scope: Scope, receive: Receive, send: Send
    ) -> None:
        try:
            body = route.answer(user)
        except ServiceError as error:
            await error.response()(scope, receive, send)
            return
        except Exception:
            # The service's plain 500, but never a silent one: a bug here must be seen.
            _logger.exception("the handler of %s failed", scope["path"])
            await text_response(500, "Internal Server Error")(scope, receive, send)
            return
        await send_json(send, body)
