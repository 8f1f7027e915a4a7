"""Direct dispatch of the GET operations that take no parameters (``/meters``).

Connexion's per-request machinery (routing in each of its middlewares, parameter parsing,
request validation) has nothing to do for an operation without parameters, yet it costs more
than the answer itself. Such a request, sent exactly (GET, no query string), is authenticated
and fault-injected by the same middlewares as any other and handed to its handler directly;
anything else (a query string, another method, a trailing slash) goes through connexion.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from connexion.context import _context, _receive, _scope
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from .auth_middleware import AuthMiddleware, request_context
from .faults import FaultMiddleware, FaultPlan
from .oauth import OAuthProvider
from .texts import ServiceError, text_response

Handler = Callable[[], Awaitable[Response]]
ROUTING_KEY = "connexion_routing"


def parameterless_gets(spec: Mapping[str, Any], base_path: str) -> dict[str, str]:
    """Return ``{full path: operationId}`` of the spec's GET operations without parameters."""
    found = {}
    for path, item in spec["paths"].items():
        operation = item.get("get")
        if operation and not operation.get("parameters") and not item.get("parameters"):
            found[base_path + path] = operation["operationId"]
    return found


class DirectDispatch:
    """Serve parameterless GETs through authentication and faults, then the handler."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        routes: Mapping[str, tuple[str, Handler]],
        base_path: str,
        provider: OAuthProvider,
        passwords: Mapping[str, str],
        plan_of: Callable[[], FaultPlan | None],
    ) -> None:
        self.app = app
        self._routes = dict(routes)
        self._base_path = base_path
        faults = FaultMiddleware(self._dispatch, plan_of=plan_of)
        self._chain = AuthMiddleware(faults, provider=provider, passwords=passwords)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Dispatch a parameterless GET directly; pass anything else on to connexion."""
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
        extensions = scope.setdefault("extensions", {})
        extensions[ROUTING_KEY] = {"api_base_path": self._base_path, "operation_id": route[0]}
        await self._chain(scope, receive, send)

    async def _dispatch(self, scope: Scope, receive: Receive, send: Send) -> None:
        _context.set(request_context(scope))
        _scope.set(scope)
        _receive.set(receive)
        try:
            response = await self._routes[scope["path"]][1]()
        except ServiceError as error:
            response = error.response()
        except Exception:
            response = text_response(500, "Internal Server Error")
        await response(scope, receive, send)
