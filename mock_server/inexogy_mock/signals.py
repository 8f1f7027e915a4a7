"""Piecewise signals whose sums over any span have a closed form.

Time is cut into 1-second *slots*; 900 slots make a 15-minute *block*. A signal has, per block
``k``, an integer level ``B[k]`` and an integer noise amplitude ``a[k]``; the value in slot ``j``
of block ``k`` is ``B[k] + a[k] * d[(j + r[k]) % 900]`` where ``d`` is the cyclic difference of
one fixed pseudo-random pattern ``u`` (so it sums to zero over a block) and ``r[k]`` a
pseudo-random shift shared by every signal. Hence the sum over the first ``j`` slots of a block
is ``j * B[k] + a[k] * (u[r[k]] - u[(j + r[k]) % 900])``: counters, interval means and
statistics come from a handful of array operations, never from a loop over the past. Linear
combinations of signals are signals again, which is how phases, virtual meters and
import/export counters are built.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SLOT_MS = 1_000
SLOTS_PER_BLOCK = 900
BLOCK_MS = SLOT_MS * SLOTS_PER_BLOCK
PATTERN_MAX = 1_000
"""The pattern ``u`` lies in ``[0, PATTERN_MAX]``, so ``|d| <= PATTERN_MAX``."""

Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BlockGenerator = Callable[[Int64Array], tuple[Int64Array, Int64Array]]
"""Maps absolute block indices to the levels ``B`` and amplitudes ``a`` of those blocks."""

_GROWTH_BLOCKS = 96 * 92


def _mix(x: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """Splitmix64 finaliser, element-wise (wrapping uint64 arithmetic)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def uniform(seed: int, stream: int, keys: Int64Array) -> FloatArray:
    """Return deterministic pseudo-random floats in ``[0, 1)``, one per key."""
    salt = np.uint64((seed * 1_000_003 + stream * 7_919) % (1 << 64))
    mixed = _mix(_mix(keys.astype(np.uint64) ^ salt))
    return (mixed >> np.uint64(11)).astype(np.float64) / float(1 << 53)


class Pattern:
    """One fixed pseudo-random pattern ``u`` of a block, its cyclic difference ``d`` and sums."""

    def __init__(self, stream: int, top: int) -> None:
        keys = np.arange(SLOTS_PER_BLOCK, dtype=np.int64)
        self.u: Int64Array = np.floor(uniform(20240101, stream, keys) * (top + 1)).astype(np.int64)
        self.diff: Int64Array = self.u - np.roll(self.u, -1)
        self.diff_min = int(self.diff.min())
        self.diff_max = int(self.diff.max())
        self.diff_sq_sum = int((self.diff * self.diff).sum())
        self.u_f = self.u.astype(np.float64)
        self.u_sum = float(self.u_f.sum())
        self.u_sq_sum = float((self.u_f * self.u_f).sum())
        # j_dot_shifted[r] = sum_j j * u[(j + r) % N], for the second moment of counters
        self.j_dot_shifted: FloatArray = np.array(
            [float(np.dot(_J, np.roll(self.u_f, -shift))) for shift in range(SLOTS_PER_BLOCK)]
        )


_J = np.arange(SLOTS_PER_BLOCK, dtype=np.float64)
NOISE = Pattern(1, PATTERN_MAX)
"""The pattern of every signal but voltages: ``|d| <= PATTERN_MAX``."""
FINE = Pattern(3, 3)
"""A pattern with ``|d| <= 3``, for noise in coarse steps (voltage: 100 mV times ``d``)."""


def shifts(blocks: Int64Array) -> Int64Array:
    """Return the pattern shift ``r[k]`` of each block (the same for every signal)."""
    return np.floor(uniform(7, 2, blocks) * SLOTS_PER_BLOCK).astype(np.int64)


class BlockSeries:
    """The levels, amplitudes and prefix sums of one generated signal, grown on demand.

    Blocks before ``origin_block`` do not exist; prefix sums count from the origin. Growing is
    guarded by a lock because the pure cache may be shared by servers in several threads.
    """

    def __init__(
        self, generate: BlockGenerator, origin_block: int, pattern: Pattern = NOISE
    ) -> None:
        self._generate = generate
        self.origin_block = origin_block
        self.pattern = pattern
        self._levels: Int64Array = np.zeros(0, dtype=np.int64)
        self._amplitudes: Int64Array = np.zeros(0, dtype=np.int64)
        self._prefix: Int64Array = np.zeros(1, dtype=np.int64)
        self._lock = threading.Lock()

    def _ensure(self, end_block: int) -> None:
        """Make sure every block before ``end_block`` is generated."""
        have = self.origin_block + len(self._levels)
        if end_block <= have:
            return
        with self._lock:
            have = self.origin_block + len(self._levels)
            if end_block <= have:
                return
            target = max(end_block, have + _GROWTH_BLOCKS)
            new_blocks = np.arange(have, target, dtype=np.int64)
            levels, amplitudes = self._generate(new_blocks)
            prefix = self._prefix[-1] + np.cumsum(levels * SLOTS_PER_BLOCK)
            self._amplitudes = np.concatenate([self._amplitudes, amplitudes])
            self._prefix = np.concatenate([self._prefix, prefix])
            self._levels = np.concatenate([self._levels, levels])

    def take(self, blocks: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
        """Return levels, amplitudes and prefix sums (slot sums before each block)."""
        if blocks.size == 0:
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        self._ensure(int(blocks.max()) + 1)
        index = blocks - self.origin_block
        if index.size and int(index.min()) < 0:
            raise ValueError("block before the first measurement")
        return self._levels[index], self._amplitudes[index], self._prefix[index]


@dataclass(frozen=True)
class SlotGrid:
    """Where some slots sit in their blocks: computed once, shared by every signal asked.

    ``blocks`` are the blocks to look up (every block between the first and the last slot's
    when the slots are dense, else one per slot) and ``index`` maps each slot to its block
    there, so block-level lookups happen once per block rather than once per slot.
    """

    blocks: Int64Array
    index: Int64Array
    offset: Int64Array
    pattern: Int64Array
    shift: Int64Array

    @staticmethod
    def of(slots: Int64Array) -> SlotGrid:
        """Return the grid of some absolute slot indices."""
        blocks = slots // SLOTS_PER_BLOCK
        offset = slots % SLOTS_PER_BLOCK
        if blocks.size and int(blocks.max()) - int(blocks.min()) < blocks.size:
            low = int(blocks.min())
            unique = np.arange(low, int(blocks.max()) + 1, dtype=np.int64)
            index = blocks - low
        else:
            unique, index = blocks, np.arange(blocks.size, dtype=np.int64)
        shift = shifts(unique)[index]
        pattern = (offset + shift) % SLOTS_PER_BLOCK
        return SlotGrid(unique, index, offset, pattern, shift)


@dataclass(frozen=True)
class Signal:
    """An integer linear combination of block series (``sum coef * series``)."""

    terms: tuple[tuple[int, BlockSeries], ...]

    def scaled(self, factor: int) -> Signal:
        """Return this signal multiplied by an integer."""
        return Signal(tuple((coef * factor, series) for coef, series in self.terms))

    @property
    def pattern(self) -> Pattern:
        """The noise pattern of the signal (its terms must share one)."""
        patterns = {id(series.pattern): series.pattern for _, series in self.terms}
        if len(patterns) > 1:
            raise ValueError("a signal cannot mix noise patterns")
        return next(iter(patterns.values()), NOISE)

    @staticmethod
    def combine(parts: Sequence[Signal]) -> Signal:
        """Return the sum of several signals."""
        return Signal(tuple(term for part in parts for term in part.terms))

    def blocks(self, blocks: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
        """Return the combined levels, amplitudes and prefix sums of some blocks."""
        levels = np.zeros(blocks.shape, dtype=np.int64)
        amplitudes = np.zeros(blocks.shape, dtype=np.int64)
        prefix = np.zeros(blocks.shape, dtype=np.int64)
        for coef, series in self.terms:
            lev, amp, pre = series.take(blocks)
            levels += coef * lev
            amplitudes += coef * amp
            prefix += coef * pre
        return levels, amplitudes, prefix

    def values(self, slots: Int64Array | SlotGrid) -> Int64Array:
        """Return the value of each slot (absolute slot index since the epoch)."""
        grid = slots if isinstance(slots, SlotGrid) else SlotGrid.of(slots)
        levels, amplitudes, _ = self.blocks(grid.blocks)
        index = grid.index
        result: Int64Array = levels[index] + amplitudes[index] * self.pattern.diff[grid.pattern]
        return result

    def sums(self, slots: Int64Array | SlotGrid) -> Int64Array:
        """Return the sum of the slots from the origin up to (excluding) each given slot."""
        grid = slots if isinstance(slots, SlotGrid) else SlotGrid.of(slots)
        levels, amplitudes, prefix = self.blocks(grid.blocks)
        index = grid.index
        u = self.pattern.u
        result: Int64Array = (
            prefix[index]
            + grid.offset * levels[index]
            + amplitudes[index] * (u[grid.shift] - u[grid.pattern])
        )
        return result


@dataclass(frozen=True)
class Moments:
    """Count, sum, sum of squares, minimum and maximum of a set of values."""

    count: int
    total: float
    squares: float
    minimum: float
    maximum: float

    @staticmethod
    def of(values: FloatArray) -> Moments:
        """Return the moments of explicit values."""
        if values.size == 0:
            return Moments(0, 0.0, 0.0, np.inf, -np.inf)
        return Moments(
            int(values.size),
            float(values.sum()),
            float((values * values).sum()),
            float(values.min()),
            float(values.max()),
        )

    def __add__(self, other: Moments) -> Moments:
        return Moments(
            self.count + other.count,
            self.total + other.total,
            self.squares + other.squares,
            min(self.minimum, other.minimum),
            max(self.maximum, other.maximum),
        )


def value_moments_of_blocks(signal: Signal, blocks: Int64Array) -> Moments:
    """Return the moments of the slot values of whole blocks, in closed form."""
    if blocks.size == 0:
        return Moments.of(np.zeros(0))
    levels, amplitudes, _ = signal.blocks(blocks)
    pattern = signal.pattern
    lev = levels.astype(np.float64)
    amp = amplitudes.astype(np.float64)
    low = np.where(amp >= 0, amp * pattern.diff_min, amp * pattern.diff_max)
    high = np.where(amp >= 0, amp * pattern.diff_max, amp * pattern.diff_min)
    return Moments(
        int(blocks.size) * SLOTS_PER_BLOCK,
        float(lev.sum()) * SLOTS_PER_BLOCK,
        float((SLOTS_PER_BLOCK * lev * lev + amp * amp * pattern.diff_sq_sum).sum()),
        float((lev + low).min()),
        float((lev + high).max()),
    )


def sum_moments_of_blocks(signal: Signal, blocks: Int64Array, reference: int) -> Moments:
    """Return the moments of ``sums(slot) - reference`` over whole blocks, in closed form.

    ``sums`` inside block ``k`` is ``alpha + j * B - a * u[(j + r) % N]`` with
    ``alpha = P + a * u[r]``; expanding the square needs ``sum_j j * u[(j + r) % N]`` which is
    tabulated per shift. Minimum and maximum are left to the caller (counters are monotone).
    """
    if blocks.size == 0:
        return Moments.of(np.zeros(0))
    levels, amplitudes, prefix = signal.blocks(blocks)
    pattern = signal.pattern
    shift = shifts(blocks)
    lev = levels.astype(np.float64)
    amp = amplitudes.astype(np.float64)
    alpha = (prefix - reference).astype(np.float64) + amp * pattern.u_f[shift]
    n = float(SLOTS_PER_BLOCK)
    sum_j = float(_J.sum())
    sum_j2 = float((_J * _J).sum())
    total = n * alpha + lev * sum_j - amp * pattern.u_sum
    squares = (
        n * alpha * alpha
        + lev * lev * sum_j2
        + amp * amp * pattern.u_sq_sum
        + 2 * alpha * lev * sum_j
        - 2 * alpha * amp * pattern.u_sum
        - 2 * amp * lev * pattern.j_dot_shifted[shift]
    )
    return Moments(
        int(blocks.size) * SLOTS_PER_BLOCK, float(total.sum()), float(squares.sum()), 0, 0
    )
