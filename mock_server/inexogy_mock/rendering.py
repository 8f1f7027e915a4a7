"""JSON text of many readings at once, built by numpy rather than per reading in Python.

Each reading becomes one row of a uint32 matrix: the fixed text (``{"time":``,
``,"values":{"energy":``, ...) in cells that are the same for every row, and each number as
4-digit chunks looked up in a table of 4-byte texts, right-aligned, with NUL bytes where a
shorter number leaves room. Deleting every NUL byte (``bytes.translate``) leaves the compact
JSON text, byte for byte what ``orjson.dumps`` writes for the same list of dicts. Rows are
processed in blocks small enough to stay in the CPU cache.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
Cells = npt.NDArray[np.uint32]

_ROWS_PER_BLOCK = 8192
_FULL = 10_000  # index offset of the zero-padded 4-digit texts
_ZERO = 20_000  # index of the text of the number 0


def _chunk_texts() -> Cells:
    """Return the 4-byte texts: 0..9999 without leading zeros, then with, then ``0``."""
    short = [(str(q).encode() if q else b"").rjust(4, b"\x00") for q in range(10_000)]
    full = [f"{q:04d}".encode() for q in range(10_000)]
    return np.frombuffer(b"".join([*short, *full, b"\x00\x00\x000"]), dtype=np.uint32)


_TEXTS = _chunk_texts()
_FULL_TEXTS = _TEXTS[_FULL:_ZERO]


def _text_cells(text: bytes) -> Cells:
    """Return a text as NUL-padded cells."""
    return np.frombuffer(text + b"\x00" * (-len(text) % 4), dtype=np.uint32)


class _Number:
    """Where one integer column goes in a row of cells, and how many cells it needs."""

    def __init__(self, values: Int64Array, start: int, low: int, high: int) -> None:
        self.values = values
        top = max(abs(low), abs(high))
        self.chunks = max(1, -(-len(str(top)) // 4))
        self.signed = low < 0
        # every value as long as every other (and positive): no leading zeros to blank
        self.even = low > 0 and len(str(low)) == len(str(high))
        self.start = start
        self.width = self.chunks + self.signed

    def write(self, cells: Cells, start: int, stop: int) -> None:
        """Write the texts of rows ``start:stop`` into ``cells`` (one row per value)."""
        values = self.values[start:stop]
        if self.even:
            self._write_even(cells, values)
            return
        magnitude = np.abs(values)
        if self.signed:
            cells[:, self.start] = np.where(values < 0, ord("-"), 0)
        rest = magnitude
        last = self.start + self.width - 1
        for position in range(self.chunks):
            higher, chunk = np.divmod(rest, 10_000)
            index = chunk + (higher > 0) * _FULL
            if position == 0:
                index[magnitude == 0] = _ZERO
            cells[:, last - position] = _TEXTS[index]
            rest = higher

    def _write_even(self, cells: Cells, values: Int64Array) -> None:
        """Write positive values of one length: full 4-digit chunks under a short top one."""
        rest = values
        last = self.start + self.width - 1
        for position in range(self.chunks - 1):
            rest, chunk = np.divmod(rest, 10_000)
            cells[:, last - position] = _FULL_TEXTS[chunk]
        cells[:, self.start] = _TEXTS[rest]


def readings_json(times: Int64Array, columns: Mapping[str, Int64Array]) -> bytes:
    """Return ``[{"time":t,"values":{name:value,...}},...]`` for integer columns."""
    rows = int(times.size)
    if rows == 0:
        return b"[]"
    keys = [b'{"time":'] + [
        (b',"values":{"' if i == 0 else b',"') + name.encode() + b'":'
        for i, name in enumerate(columns)
    ]
    template: list[Cells] = []
    numbers: list[_Number] = []
    width = 0
    pending = b""
    for key, values in zip(keys, [times, *columns.values()], strict=True):
        low, high = int(values.min()), int(values.max())
        if low == high:  # the same number in every row: part of the fixed text
            pending += key + str(low).encode()
            continue
        template.append(_text_cells(pending + key))
        pending = b""
        width += template[-1].size
        numbers.append(_Number(values, width, low, high))
        template.append(np.zeros(numbers[-1].width, dtype=np.uint32))
        width += numbers[-1].width
    closing = b"}}," if columns else b',"values":{}},'
    template.append(_text_cells(pending + closing))
    size = min(rows, _ROWS_PER_BLOCK)
    work = bytearray(size * (width + template[-1].size) * 4)
    view = np.frombuffer(work, dtype=np.uint32).reshape(size, -1)
    view[:] = np.concatenate(template)  # the fixed texts, written once
    parts: list[bytes | bytearray] = [b"["]
    for start in range(0, rows, size):
        stop = min(rows, start + size)
        block = view[: stop - start]
        for number in numbers:
            number.write(block, start, stop)
        filled = block.size * 4
        text = work if filled == len(work) else work[:filled]
        parts.append(text.translate(None, b"\x00"))
    parts[-1] = parts[-1][:-1]  # the last reading's comma
    parts.append(b"]")
    return b"".join(parts)
