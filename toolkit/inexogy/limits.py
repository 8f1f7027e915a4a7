"""Size limits on answers: a huge body is refused while it arrives, before it fills memory.

``ResponseLimits`` maps an endpoint path (``/readings``) to the most bytes its answer may
have; other paths get ``default``. ``guard_response`` applies the limit to an answer whose
body has not been read yet: a ``Content-Length`` over the limit is refused at once, and
reading stops with ``InvalidResponseError`` as soon as the body passes the limit (for
answers without a length, e.g. chunked ones). The limit bounds memory, so it counts the body
once its Content-Encoding is undone: a gzip "bomb" of a few KiB that would become gigabytes
is stopped as soon as it passes the limit, and gzip and deflate are inflated in bounded steps
(see ``inexogy.inflate``), so no more than about the limit is ever held. The bytes on the
wire are held to the same limit too (a compressed stream can run on without producing
anything).
"""

from __future__ import annotations

import http
from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

import httpx
from attrs import field, frozen
from httpx._decoders import ContentDecoder  # the decoders' base class; not re-exported

from .errors import InvalidResponseError, ServerError
from .inflate import INFLATABLE, BoundedDecoder

__all__ = ["DEFAULT_RESPONSE_LIMITS", "ResponseLimits", "guard_response", "refuse_unknown_status"]

_MIB = 1024 * 1024


def _positive_sizes(instance: Any, attribute: Any, value: Mapping[str, int]) -> None:
    for path, size in value.items():
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"the size limit for {path} must be a positive number of bytes")


def _as_dict(value: Mapping[str, int]) -> dict[str, int]:
    return dict(value)


@frozen
class ResponseLimits:
    """The most bytes an answer may have, per endpoint path; ``default`` for the others.

    The defaults leave room for the largest real answers (a virtual meter's raw day with all
    its sub-meters and fields is tens of MiB) and refuse what no meter could produce.
    """

    per_path: Mapping[str, int] = field(
        factory=lambda: {"/readings": 512 * _MIB, "/raw_load_profile": 64 * _MIB},
        converter=_as_dict,
        validator=_positive_sizes,
    )
    default: int = 32 * _MIB

    def for_path(self, path: str) -> int:
        """Return the limit of the endpoint at ``path`` (``/readings``, with or without prefix)."""
        endpoint = "/" + path.rstrip("/").rsplit("/", 1)[-1]
        return self.per_path.get(endpoint, self.default)

    def with_limits(self, limits: Mapping[str, int]) -> ResponseLimits:
        """Return these limits with some paths' limits replaced (``{"/readings": 2**30}``)."""
        return ResponseLimits({**self.per_path, **limits}, self.default)


DEFAULT_RESPONSE_LIMITS = ResponseLimits()
"""The limits a client has unless given others."""


class _TooLarge(InvalidResponseError):
    """An answer larger than its endpoint's limit."""


def _too_large(request: httpx.Request, limit: int) -> _TooLarge:
    return _TooLarge(
        f"{request.method} {request.url.path} answered more than {limit} bytes, the limit for "
        "this endpoint: the answer was refused (ask for a shorter range, or raise the limit "
        "with response_limits)",
        status=200,
    )


class _CappedStream(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A response body that stops with ``InvalidResponseError`` past ``limit`` bytes."""

    def __init__(self, stream: Any, request: httpx.Request, limit: int) -> None:
        self._stream = stream
        self._request = request
        self._limit = limit

    def __iter__(self) -> Iterator[bytes]:
        seen = 0
        for chunk in self._stream:
            seen += len(chunk)
            if seen > self._limit:
                raise _too_large(self._request, self._limit)
            yield chunk

    async def __aiter__(self) -> AsyncIterator[bytes]:
        seen = 0
        async for chunk in self._stream:
            seen += len(chunk)
            if seen > self._limit:
                raise _too_large(self._request, self._limit)
            yield chunk

    def close(self) -> None:
        self._stream.close()

    async def aclose(self) -> None:
        await self._stream.aclose()


class _CappedDecoder(ContentDecoder):
    """httpx's decoder for other codings (br, zstd), stopping past ``limit`` decoded bytes.

    Counted after each step, so one step may inflate one chunk off the wire entirely.
    """

    def __init__(self, decoder: ContentDecoder, request: httpx.Request, limit: int) -> None:
        self._decoder = decoder
        self._request = request
        self._limit = limit
        self._seen = 0

    def _counted(self, decoded: bytes) -> bytes:
        self._seen += len(decoded)
        if self._seen > self._limit:
            raise _too_large(self._request, self._limit)
        return decoded

    def decode(self, data: bytes) -> bytes:
        return self._counted(self._decoder.decode(data))

    def flush(self) -> bytes:
        return self._counted(self._decoder.flush())


def guard_response(response: httpx.Response, limits: ResponseLimits) -> None:
    """Apply the size limit of the response's endpoint to its (unread) body."""
    request = response.request
    limit = limits.for_path(request.url.path)
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(request, limit)
    response.stream = _CappedStream(response.stream, request, limit)
    codings = [
        coding.strip().lower()
        for coding in response.headers.get_list("content-encoding", split_commas=True)
    ]
    codings = [coding for coding in codings if coding not in ("", "identity")]
    if not codings:
        return
    # httpx decodes the body with the decoder it keeps in ``_decoder`` (made on first use by
    # ``_get_content_decoder``, httpx 0.18 to 0.28): the only place to bound the decoded bytes
    # before httpx joins them all into ``response.content``.
    if set(codings) <= INFLATABLE:
        response._decoder = BoundedDecoder(codings, limit, lambda: _too_large(request, limit))
    else:
        response._decoder = _CappedDecoder(response._get_content_decoder(), request, limit)


def refuse_unknown_status(response: httpx.Response) -> None:
    """Raise for a status the HTTP standard does not know (the generated client cannot parse it).

    The body is not read: an answer that breaks the protocol gets no further trust.
    """
    status = response.status_code
    try:
        http.HTTPStatus(status)
    except ValueError:
        pass
    else:
        return
    request = response.request
    text = f"{request.method} {request.url.path} answered the unknown HTTP status {status}"
    if 500 <= status < 600:
        raise ServerError(f"{text}: the service failed; try again later", status=status)
    raise InvalidResponseError(f"{text}; the answer was refused", status=status)
