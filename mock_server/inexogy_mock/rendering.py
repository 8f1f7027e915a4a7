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

_ROWS_PER_BLOCK = 4096
_FULL = 10_000  # index offset of the zero-padded 4-digit texts
_ZERO = 20_000  # index of the text of the number 0


def _chunk_texts() -> Cells:
    """Return the 4-byte texts: 0..9999 without leading zeros, then with, then ``0``."""
    short = [(str(q).encode() if q else b"").rjust(4, b"\x00") for q in range(10_000)]
    full = [f"{q:04d}".encode() for q in range(10_000)]
    return np.frombuffer(b"".join([*short, *full, b"\x00\x00\x000"]), dtype=np.uint32)


_TEXTS = _chunk_texts()


def _fixed(text: bytes, rows: int) -> Cells:
    """Return a text as NUL-padded cells, repeated (without copying) for every row."""
    cells = np.frombuffer(text + b"\x00" * (-len(text) % 4), dtype=np.uint32)
    return np.broadcast_to(cells, (rows, cells.size))


def number_cells(values: Int64Array) -> Cells:
    """Return the decimal texts of integers as cells: a sign cell if needed, then the digits."""
    magnitude = np.abs(values)
    chunks = max(1, -(-len(str(int(magnitude.max()))) // 4)) if values.size else 1
    signed = bool((values < 0).any())
    cells: Cells = np.empty((values.size, chunks + signed), dtype=np.uint32)
    if signed:
        cells[:, 0] = np.where(values < 0, ord("-"), 0)
    rest = magnitude
    for position in range(chunks):
        higher, chunk = np.divmod(rest, 10_000)
        index = chunk + np.where(higher > 0, _FULL, 0)
        if position == 0:
            index[magnitude == 0] = _ZERO
        cells[:, cells.shape[1] - 1 - position] = _TEXTS[index]
        rest = higher
    return cells


def readings_json(times: Int64Array, columns: Mapping[str, Int64Array]) -> bytes:
    """Return ``[{"time":t,"values":{name:value,...}},...]`` for integer columns."""
    rows = int(times.size)
    if rows == 0:
        return b"[]"
    keys = [b'{"time":'] + [
        (b',"values":{"' if i == 0 else b',"') + name.encode() + b'":'
        for i, name in enumerate(columns)
    ]
    blocks: list[Cells] = []
    for key, values in zip(keys, [times, *columns.values()], strict=True):
        blocks += [_fixed(key, rows), number_cells(values)]
    if not columns:
        blocks.append(_fixed(b',"values":{', rows))
    blocks.append(_fixed(b"}},", rows))
    width = sum(block.shape[1] for block in blocks)
    size = min(rows, _ROWS_PER_BLOCK)
    work = bytearray(size * width * 4)
    view = np.frombuffer(work, dtype=np.uint32).reshape(size, width)
    parts: list[bytes | bytearray] = [b"["]
    for start in range(0, rows, size):
        stop = min(rows, start + size)
        np.concatenate([block[start:stop] for block in blocks], axis=1, out=view[: stop - start])
        filled = (stop - start) * width * 4
        text = work if filled == len(work) else work[:filled]
        parts.append(text.translate(None, b"\x00"))
    parts[-1] = parts[-1][:-1]  # the last reading's comma
    parts.append(b"]")
    return b"".join(parts)
