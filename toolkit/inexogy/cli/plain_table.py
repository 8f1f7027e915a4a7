"""A table drawn as rich draws it on a non-terminal, without importing rich.

Importing rich and laying out a table cost ``inexogy meters`` about as much as its request;
output that goes to a pipe or a file has no colours to show, so the command draws its table
here instead: the same heavy-headed box, widths, word wrapping, title and caption as
``rich.table.Table`` printed by a ``rich.console.Console`` that is not a terminal (a test
compares both, character for character, over many tables and widths). Text this module cannot
measure exactly as rich does (wide or combining characters, control characters) is refused
with ``None``: the caller then draws with rich.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from attrs import frozen

__all__ = ["PlainColumn", "draw_table"]

_WORD = re.compile(r"\s*\S+\s*")  # a word and the spaces around it, as rich splits lines
_TRAILING_SPACE = re.compile(r"\s+$")
_PADDING = 2  # one space either side of each cell


def _one_cell_each(text: str) -> bool:
    """Whether every character of ``text`` is printable and one cell wide, for rich too."""
    return all(
        " " <= char <= "~" or ("\xa0" <= char <= "\u02ff" and char != "\xad") for char in text
    )


@frozen
class PlainColumn:
    """A column: its header, whether its cells may wrap, and its narrowest width."""

    header: str
    no_wrap: bool = False
    min_width: int | None = None


def _reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """Take ``total`` off ``values`` in proportion to ``ratios``, at most ``maximums`` each."""
    ratios = [ratio if maximum else 0 for ratio, maximum in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values[:]
    remaining = total
    result = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * remaining / total_ratio))
            result.append(value - taken)
            remaining -= taken
            total_ratio -= ratio
        else:
            result.append(value)
    return result


def _collapse(widths: list[int], wrapable: list[bool], available: int) -> list[int]:
    """Narrow the widest wrapping columns, step by step, until the table fits (if it can)."""
    excess = sum(widths) - available
    if not any(wrapable):
        return widths
    while sum(widths) and excess > 0:
        widest = max(width for width, wraps in zip(widths, wrapable, strict=True) if wraps)
        second = max(
            width if wraps and width != widest else 0
            for width, wraps in zip(widths, wrapable, strict=True)
        )
        ratios = [
            int(wraps and width == widest) for width, wraps in zip(widths, wrapable, strict=True)
        ]
        if not any(ratios) or widest == second:
            break
        widths = _reduce(excess, ratios, [min(excess, widest - second)] * len(widths), widths)
        excess = sum(widths) - available
    return widths


def _column_widths(
    columns: Sequence[PlainColumn], cells: Sequence[Sequence[str]], available: int
) -> list[int]:
    """Return the width of each column, padding included, borders not (rich's rules)."""

    def measured(index: int, limit: int) -> int:
        if limit < 1:
            return 0
        longest = max(len(text) for text in cells[index])
        width = min(longest + _PADDING, limit) if limit > _PADDING else limit
        minimum = columns[index].min_width
        return width if minimum is None else max(width, minimum + _PADDING)

    widths = [measured(index, available) or 1 for index in range(len(columns))]
    if sum(widths) > available:
        widths = _collapse(widths, [not column.no_wrap for column in columns], available)
        if sum(widths) > available:
            excess = sum(widths) - available
            widths = _reduce(excess, [1] * len(widths), widths, widths)
        widths = [measured(index, width) for index, width in enumerate(widths)]
    return widths


def _lines(text: str, width: int, wrap: bool) -> list[str]:
    """Return the lines of a cell ``width`` wide: wrapped at spaces if ``wrap``, padded, cut."""
    breaks, offset = [], 0
    for match in _WORD.finditer(text) if wrap else ():
        start, word = match.start(), match.group()
        length = len(word.rstrip())
        if width - offset >= length:
            offset += len(word)
        elif length > width or (offset and start):
            if start:
                breaks.append(start)
            offset = len(word)
    bounds = [0, *breaks, len(text)]
    lines = []
    for begin, end in itertools.pairwise(bounds):
        line = text[begin:end]
        if len(line) > width and (space := _TRAILING_SPACE.search(line)):
            line = line[: len(line) - min(len(space.group()), len(line) - width)]
        lines.append(_fit(line, width))
    return lines


def _fit(text: str, width: int) -> str:
    """``text`` padded to ``width``, or cut to it with an ellipsis."""
    return text.ljust(width) if len(text) <= width else text[: width - 1] + "…"


def draw_table(
    title: str,
    columns: Sequence[PlainColumn],
    rows: Sequence[Sequence[str]],
    width: int,
    caption: str = "",
) -> str | None:
    """Draw a table ``width`` characters wide (title left, caption centred), or return ``None``.

    ``None`` when a text has a character that is not one cell wide: rich measures those
    differently, so the caller draws that table with rich.
    """
    texts = [title, caption, *(column.header for column in columns)]
    if not all(_one_cell_each(text) for text in [*texts, *(cell for row in rows for cell in row)]):
        return None
    cells = [[column.header, *(row[index] for row in rows)] for index, column in enumerate(columns)]
    widths = _column_widths(columns, cells, width - len(columns) - 1)
    table_width = sum(widths) + len(columns) + 1
    if min(widths) <= _PADDING or max(len(title), len(caption)) > table_width:
        return None  # cells too narrow for text, or a title that wraps: left to rich
    out = [title.ljust(table_width)] if title else []
    out.append("┏" + "┳".join("━" * w for w in widths) + "┓")
    for number in range(len(rows) + 1):
        drawn = [
            _lines(cell[number], w - _PADDING, wrap=not column.no_wrap)
            for cell, w, column in zip(cells, widths, columns, strict=True)
        ]
        edge = "┃" if number == 0 else "│"
        for line in range(max(len(lines) for lines in drawn)):
            parts = [
                f" {lines[line] if line < len(lines) else ' ' * (w - _PADDING)} "
                for lines, w in zip(drawn, widths, strict=True)
            ]
            out.append(edge + edge.join(parts) + edge)
        if number == 0:
            out.append("┡" + "╇".join("━" * w for w in widths) + "┩")
    out.append("└" + "┴".join("─" * w for w in widths) + "┘")
    if caption:
        out.append((" " * ((table_width - len(caption)) // 2) + caption).ljust(table_width))
    return "".join(line[:width] + "\n" for line in out)  # a console crops at its width
