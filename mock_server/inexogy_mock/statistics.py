"""Statistics (count, minimum, maximum, mean, variance) of a field over the raw readings.

Whole 15-minute blocks are summarised in closed form (see :mod:`inexogy_mock.signals`); only
the partial blocks at both ends are computed slot by slot, so a year costs about as much as a
day. Counters are summarised on their exact integral (the served values are floored, so mean
and variance agree within rounding); their minimum and maximum are the first and last value.
A meter that reports rarely (gas: one reading per quarter hour) is summarised over its actual
readings. ``mean`` is rounded to 4 decimals as the service does (``230935.6667``,
``420770138841.7405``: the Elixir library's tests and docs); ``variance`` is not
(``60227.88888887056``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .meters import Field, MeterModel
from .readings import compute_readings, counter_values
from .signals import (
    SLOTS_PER_BLOCK,
    Moments,
    sum_moments_of_blocks,
    value_moments_of_blocks,
)

_MEAN_DECIMALS = 4
_EXPLICIT_SLOTS = 86_400
"""Up to a day of a counter in coarse steps is summarised on its served values; beyond, on
the exact integral (mean within one step of the served values', variance alike)."""


def _slot_window(meter: MeterModel, from_ms: int, to_ms: int, now_ms: int) -> tuple[int, int]:
    """Return the slots ``[start, end)`` of the raw readings of a meter reading every slot."""
    first = meter.first_slot()
    if first is None:
        return 0, 0
    start = max(meter.clock.first_slot(from_ms), first)
    end = min(meter.clock.first_slot(to_ms), meter.end_slot(now_ms))
    return start, max(start, end)


def _split(start: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Split ``[start, end)`` into head slots, whole blocks and tail slots."""
    first_block = -(-start // SLOTS_PER_BLOCK)
    end_block = end // SLOTS_PER_BLOCK
    if first_block >= end_block:
        return np.arange(start, end, dtype=np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64)
    head = np.arange(start, first_block * SLOTS_PER_BLOCK, dtype=np.int64)
    blocks = np.arange(first_block, end_block, dtype=np.int64)
    tail = np.arange(end_block * SLOTS_PER_BLOCK, end, dtype=np.int64)
    return head, blocks, tail


def field_statistic(definition: Field, start: int, end: int) -> dict[str, Any]:
    """Return the Statistic of a field's raw readings in the slot window ``[start, end)``."""
    if definition.counter and definition.step > 1 and end - start <= _EXPLICIT_SLOTS:
        # a counter in coarse steps: exact on the served values while that is cheap
        return _sparse_statistic(counter_values(definition, np.arange(start, end)))
    head, blocks, tail = _split(start, end)
    edges = np.concatenate([head, tail])
    signal = definition.signal
    if not definition.counter:
        moments = Moments.of(signal.values(edges).astype(np.float64))
        moments += value_moments_of_blocks(signal, blocks)
        mean = moments.total / moments.count
        variance = moments.squares / moments.count - mean * mean
        low, high = moments.minimum, moments.maximum
    else:
        # centred on the integral at the first slot, against cancellation in the variance
        reference = int(signal.sums(np.array([start], dtype=np.int64))[0])
        centred = (signal.sums(edges) - reference).astype(np.float64)
        moments = Moments.of(centred) + sum_moments_of_blocks(signal, blocks, reference)
        scale = definition.num / definition.den
        centred_mean = moments.total / moments.count
        mean = definition.offset + (reference + centred_mean) * scale
        variance = (moments.squares / moments.count - centred_mean * centred_mean) * scale**2
        ends = counter_values(definition, np.array([start, end - 1], dtype=np.int64))
        low, high = float(ends.min()), float(ends.max())
    return {
        "count": moments.count,
        "minimum": _number(low),
        "maximum": _number(high),
        "mean": round(mean, _MEAN_DECIMALS),
        "variance": max(variance, 0.0),
    }


def _sparse_statistic(values: np.ndarray) -> dict[str, Any]:
    """Return the Statistic of explicit readings."""
    moments = Moments.of(values.astype(np.float64))
    mean = moments.total / moments.count
    variance = float(((values - mean) ** 2).mean())
    return {
        "count": moments.count,
        "minimum": _number(moments.minimum),
        "maximum": _number(moments.maximum),
        "mean": round(mean, _MEAN_DECIMALS),
        "variance": variance,
    }


def statistic(
    meter: MeterModel, name: str, from_ms: int, to_ms: int, now_ms: int
) -> dict[str, Any]:
    """Return the Statistic object of one field of a meter over ``[from_ms, to_ms)``."""
    if meter.clock.every > 1:
        table = compute_readings(meter, [name], from_ms, to_ms, now_ms)
        if not len(table):
            return {"count": 0, "minimum": 0, "maximum": 0, "mean": 0, "variance": 0}
        return _sparse_statistic(table.columns[name])
    start, end = _slot_window(meter, from_ms, to_ms, now_ms)
    if end <= start:
        return {"count": 0, "minimum": 0, "maximum": 0, "mean": 0, "variance": 0}
    return field_statistic(meter.fields[name], start, end)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
