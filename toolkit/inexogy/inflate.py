"""Undoing an answer's Content-Encoding without ever holding much more than its size limit.

httpx inflates each chunk that comes off the wire in one step, however large it becomes:
deflate reaches about 1:1000, so one 64 KiB chunk can become 64 MiB, and two layers of gzip
(``Content-Encoding: gzip, gzip``) about 1:1,000,000. ``BoundedDecoder`` takes httpx's place
for gzip and deflate, in any number of layers: it inflates with zlib's ``max_length``, so no
step produces more than the bytes the limit still allows plus one, and it raises as soon as
the body passes the limit. The decoded bytes are the same as httpx's (``deflate`` with or
without its zlib header, as httpx accepts it).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence

import httpx
from httpx._decoders import ContentDecoder  # the decoders' base class; not re-exported

__all__ = ["INFLATABLE", "BoundedDecoder"]

_WBITS = {"gzip": zlib.MAX_WBITS | 16, "x-gzip": zlib.MAX_WBITS | 16, "deflate": zlib.MAX_WBITS}

INFLATABLE = frozenset(_WBITS)
"""The content codings ``BoundedDecoder`` undoes."""


class _Inflater:
    """One layer of gzip or deflate."""

    def __init__(self, coding: str) -> None:
        self._decompressor = zlib.decompressobj(_WBITS[coding])
        # Some servers send raw deflate as "deflate": httpx then retries without the header.
        self._may_be_raw = coding == "deflate"

    def inflate(self, data: bytes, most: int) -> bytes:
        """Return at most ``most`` bytes inflated from ``data``; keep the rest as ``tail``."""
        try:
            inflated = self._decompressor.decompress(data, most)
        except zlib.error as error:
            if self._may_be_raw:
                self._may_be_raw = False
                self._decompressor = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.inflate(data, most)
            raise httpx.DecodingError(str(error)) from error
        self._may_be_raw = False
        return inflated

    @property
    def tail(self) -> bytes:
        """The input ``inflate`` left for the next step (its output was full)."""
        return self._decompressor.unconsumed_tail

    def flush(self) -> bytes:
        """Return what is left once the input has ended (nothing, as ``tail`` is empty)."""
        try:
            return self._decompressor.flush()
        except zlib.error as error:
            raise httpx.DecodingError(str(error)) from error


class BoundedDecoder(ContentDecoder):
    """Undo ``codings`` (as ``Content-Encoding`` lists them), stopping past ``limit`` bytes.

    Past the limit it raises what ``too_large`` returns; the decoded bytes held by then are at
    most ``limit + 1`` in all, and each inner layer's step at most ``limit + 1`` too.
    """

    def __init__(
        self, codings: Sequence[str], limit: int, too_large: Callable[[], Exception]
    ) -> None:
        self._layers = [_Inflater(coding) for coding in reversed(codings)]
        self._limit = limit
        self._too_large = too_large
        self._seen = 0
        self._decoded: list[bytes] = []

    def decode(self, data: bytes) -> bytes:
        """Return the body bytes ``data`` decodes to."""
        self._feed(0, data)
        return self._take()

    def flush(self) -> bytes:
        """Return the body bytes left when the answer has ended."""
        for level, layer in enumerate(self._layers):
            self._feed(level + 1, layer.flush())
        return self._take()

    def _feed(self, level: int, data: bytes) -> None:
        if level == len(self._layers):
            self._seen += len(data)
            if self._seen > self._limit:
                raise self._too_large()
            if data:
                self._decoded.append(data)
            return
        layer = self._layers[level]
        last = level == len(self._layers) - 1
        while True:
            most = self._limit - self._seen + 1 if last else self._limit + 1
            inflated = layer.inflate(data, most)
            self._feed(level + 1, inflated)
            data = layer.tail
            # Less than ``most`` out: zlib ran out of input, so nothing is pending.
            if not data and len(inflated) < most:
                return

    def _take(self) -> bytes:
        decoded, self._decoded = self._decoded, []
        return decoded[0] if len(decoded) == 1 else b"".join(decoded)
