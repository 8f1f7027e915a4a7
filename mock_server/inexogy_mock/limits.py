"""Request size limits: bodies past a size are refused with 413, huge forms with 400.

The real service sits behind nginx, whose default ``client_max_body_size`` is 1 MiB and which
answers a larger body with its own HTML ``413 Request Entity Too Large`` page (the service's
other nginx pages are HTML too: the Elixir `discovergy` library's "API quirks" guide). Only the
OAuth POSTs carry a body, a handful of short fields; a form of more than
:data:`MAX_FORM_FIELDS` fields is refused with a 400 before anything parses it (the real
service's answer to such a form is unknown: this is the simulator's choice).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from .bodies import replaying
from .texts import text_response

MAX_BODY_BYTES = 1024 * 1024
MAX_FORM_FIELDS = 1000
_NGINX_413 = (
    b"<html>\r\n<head><title>413 Request Entity Too Large</title></head>\r\n<body>\r\n"
    b"<center><h1>413 Request Entity Too Large</h1></center>\r\n<hr><center>nginx</center>\r\n"
    b"</body>\r\n</html>\r\n"
)
_FORM = b"application/x-www-form-urlencoded"


def _headers(scope: Scope) -> dict[bytes, bytes]:
    return {bytes(key).lower(): bytes(value) for key, value in scope.get("headers", [])}


async def _too_large(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"text/html"),
                (b"content-length", str(len(_NGINX_413)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": _NGINX_413})


class BodyLimitMiddleware:
    """Early in the stack: refuse oversized bodies (413) and forms with too many fields (400)."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the body (if any) before anything else sees it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        length = headers.get(b"content-length")
        if length is None and b"transfer-encoding" not in headers:
            await self.app(scope, receive, send)  # no body: the common GET
            return
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await _too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _too_large(send)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if content_type == _FORM and body.count(b"&") >= MAX_FORM_FIELDS:
            message_text = f"A form may hold at most {MAX_FORM_FIELDS} fields"
            await text_response(400, message_text)(scope, receive, send)
            return
        await self.app(scope, replaying(body, receive), send)
