"""The JSON-lines view of a readings answer that pyarrow reads block by block (inexogy.columns)."""

from __future__ import annotations

import pytest
from inexogy.columns import _JsonLines

BODY = b'[{"time":1,"values":{"a":1}},{"time":2,"values":{"a":2}},{"time":3,"values":{}}]'


def read_all(lines: _JsonLines, size: int) -> tuple[bytes, int]:
    blocks = []
    while block := lines.read(size):
        blocks.append(block)
    return b"".join(blocks), len(blocks)


@pytest.mark.parametrize("size", range(1, len(BODY) + 2))
def test_every_separator_becomes_a_line_break_whatever_the_block_size(size: int) -> None:
    text, blocks = read_all(_JsonLines(BODY, 1, len(BODY) - 1), size)
    assert text == BODY[1:-1].replace(b"},{", b"}\n{")
    assert text.count(b"\n") == 2
    assert blocks >= (len(BODY) - 2) // max(size, 3)  # read in blocks, not all at once


def test_reading_everything_at_once() -> None:
    assert _JsonLines(BODY, 1, len(BODY) - 1).read() == BODY[1:-1].replace(b"},{", b"}\n{")
    assert _JsonLines(BODY, 5, 5).read(10) == b""
