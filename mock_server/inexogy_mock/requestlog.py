"""Counting what a client sends: an ASGI wrapper that records every HTTP request it passes on."""

from __future__ import annotations

import threading
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

__all__ = ["LoggedRequest", "RequestLog"]


class LoggedRequest(NamedTuple):
    """One request as the server received it: method, path (without the query) and query."""

    method: str
    path: str
    query: dict[str, str]


class RequestLog:
    """Wraps an ASGI app (e.g. ``create_app()``) and records each HTTP request it receives.

    Serve the wrapper instead of the app (``running(RequestLog(create_app()))``) and read
    ``requests`` (or ``to(path_suffix)``) to see how many requests a client really sent.
    """

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._requests: list[LoggedRequest] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        """Record an HTTP request, then pass it on unchanged."""
        if scope["type"] == "http":
            query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
            with self._lock:
                self._requests.append(LoggedRequest(scope["method"], scope["path"], query))
        await self.app(scope, receive, send)

    @property
    def requests(self) -> list[LoggedRequest]:
        """The requests received so far, in arrival order (a copy)."""
        with self._lock:
            return list(self._requests)

    def to(self, path_suffix: str) -> list[LoggedRequest]:
        """Return the requests whose path ends with ``path_suffix`` (e.g. ``"/readings"``)."""
        return [request for request in self.requests if request.path.endswith(path_suffix)]

    def clear(self) -> None:
        """Forget the requests recorded so far."""
        with self._lock:
            self._requests.clear()
