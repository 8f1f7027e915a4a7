"""The daily and seasonal shapes of a house, a business and a gas heating, per 15-minute block.

Each function returns a :data:`~inexogy_mock.signals.BlockGenerator`: a pure function of the
meter's seed and the block index (integer levels ``B`` and noise amplitudes ``a``). Power is in
mW per 1-second slot, gas flow in millilitres per slot, voltage in mV.

Recorded readings (the Elixir ``discovergy`` library's tests and docs, pydiscovergy's fixtures)
show power in steps of 10 mW (``147460``, ``6230``) and voltage in steps of 100 mV
(``230700``): power levels and amplitudes here are multiples of 10 mW, so every slot value is
too; voltage levels and amplitudes are multiples of 100 mV, its noise following the fine
pattern of :mod:`inexogy_mock.signals` (``|d| <= 3``: a few hundred mV, as recorded).
"""

from __future__ import annotations

import numpy as np

from .signals import (
    BLOCK_MS,
    PATTERN_MAX,
    SLOT_MS,
    BlockGenerator,
    FloatArray,
    Int64Array,
    uniform,
)

_DAY_MS = 86_400_000
_HOUR_MS = 3_600_000
_YEAR_DAYS = 365.2425
_SLOTS_PER_DAY = _DAY_MS // SLOT_MS
POWER_STEP_MW = 10
"""Power is reported in steps of 10 mW."""
VOLTAGE_STEP_MV = 100
"""Voltage is reported in steps of 100 mV."""
NOISE_SHARE = 0.3
"""Raw noise stays below this share of the block level, so a slot never changes sign."""


def _clock(blocks: Int64Array) -> tuple[FloatArray, FloatArray, Int64Array]:
    """Return local hour of day (CET), season (1 in January, -1 in July) and day index."""
    middle = blocks * BLOCK_MS + BLOCK_MS // 2
    hour = ((middle / _HOUR_MS) + 1.0) % 24.0
    days = middle // _DAY_MS
    season = np.cos(2 * np.pi * ((middle / _DAY_MS) % _YEAR_DAYS) / _YEAR_DAYS)
    return hour, season, days


def _bump(hour: FloatArray, centre: float, width: float) -> FloatArray:
    """Return a Gaussian bump over the hour of day."""
    return np.exp(-(((hour - centre) / width) ** 2))


def noise_amplitude(levels: Int64Array) -> Int64Array:
    """Return the largest amplitude (a multiple of 10 mW) keeping every slot on its level's sign."""
    steps = np.floor(np.abs(levels) * NOISE_SHARE / PATTERN_MAX / POWER_STEP_MW)
    return steps.astype(np.int64) * POWER_STEP_MW


def household_watts(seed: int, blocks: Int64Array, base: float, evening: float) -> FloatArray:
    """Return the consumption of a household in W: base load, morning and evening peaks."""
    hour, season, _ = _clock(blocks)
    shape = (
        base * (1 + 0.25 * season)
        + 0.4 * evening * _bump(hour, 7.5, 1.0)
        + evening * (1 + 0.2 * season) * _bump(hour, 19.0, 1.6)
    )
    jitter = 0.8 + 0.4 * uniform(seed, 10, blocks)
    appliance = np.where(uniform(seed, 11, blocks) < 0.06, 1800.0, 0.0)
    return shape * jitter + appliance


def solar_watts(seed: int, blocks: Int64Array, peak: float) -> FloatArray:
    """Return the output of a photovoltaic plant in W: longer, stronger days in summer."""
    hour, season, days = _clock(blocks)
    day_length = 12.0 - 4.0 * season
    sunrise = 13.0 - day_length / 2
    angle = np.clip((hour - sunrise) / day_length, 0.0, 1.0)
    sun = np.sin(np.pi * angle) ** 1.5
    clouds = 0.25 + 0.75 * uniform(seed, 20, days)
    flicker = 0.85 + 0.15 * uniform(seed, 21, blocks)
    return peak * (0.7 - 0.3 * season) * sun * clouds * flicker


def business_watts(seed: int, blocks: Int64Array) -> FloatArray:
    """Return the consumption of a small business in W: working hours on weekdays."""
    hour, season, days = _clock(blocks)
    weekday = (days + 3) % 7 < 5  # 1970-01-01 was a Thursday
    working = np.where(weekday, _bump(hour, 13.0, 4.0), 0.15 * _bump(hour, 13.0, 4.0))
    jitter = 0.9 + 0.2 * uniform(seed, 30, blocks)
    return (4000.0 * (1 + 0.2 * season) + 18000.0 * working) * jitter


def _as_milli(watts: FloatArray) -> Int64Array:
    """Return power in mW, rounded to the 10 mW step of the meters."""
    return np.rint(watts * (1000.0 / POWER_STEP_MW)).astype(np.int64) * POWER_STEP_MW


def net_power(seed: int, *, solar_peak: float, base: float, evening: float) -> BlockGenerator:
    """Return the generator of a household's net power (import positive) in mW."""

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        watts = household_watts(seed, blocks, base, evening)
        if solar_peak:
            watts = watts - solar_watts(seed, blocks, solar_peak)
        levels = _as_milli(watts)
        return levels, noise_amplitude(levels)

    return generate


def business_power(seed: int) -> BlockGenerator:
    """Return the generator of a business's power in mW."""

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        levels = _as_milli(business_watts(seed, blocks))
        return levels, noise_amplitude(levels)

    return generate


def positive_part(source: BlockGenerator, sign: int) -> BlockGenerator:
    """Return the import (``sign=1``) or export (``sign=-1``) part of a net power generator."""

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        levels, amplitudes = source(blocks)
        keep = levels * sign > 0
        return np.where(keep, levels * sign, 0), np.where(keep, amplitudes * sign, 0)

    return generate


def phase_share(source: BlockGenerator, seed: int, phase: int) -> BlockGenerator:
    """Return phase 1, 2 or 3 of a total; the three phases add up to the total exactly."""

    def shares(blocks: Int64Array) -> tuple[FloatArray, FloatArray]:
        return 0.2 + 0.25 * uniform(seed, 40, blocks), 0.2 + 0.25 * uniform(seed, 41, blocks)

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        levels, amplitudes = source(blocks)
        first, second = shares(blocks)
        parts = []
        for values in (levels, amplitudes):
            steps = values // POWER_STEP_MW  # exact: the total is a multiple of the step
            one = np.floor(steps * first).astype(np.int64) * POWER_STEP_MW
            two = np.floor(steps * second).astype(np.int64) * POWER_STEP_MW
            parts.append((one, two, values - one - two)[phase - 1])
        return parts[0], parts[1]

    return generate


def voltage(seed: int, phase: int) -> BlockGenerator:
    """Return the generator of a phase voltage in mV (about 230 V, in 100 mV steps)."""

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        hour, _, _ = _clock(blocks)
        volts = (
            230.0
            + 2.5 * np.sin(2 * np.pi * hour / 24 + phase)
            + 3.0 * (uniform(seed, 50 + phase, blocks) - 0.5)
        )
        levels = np.rint(volts * (1000.0 / VOLTAGE_STEP_MV)).astype(np.int64) * VOLTAGE_STEP_MV
        return levels, np.full(blocks.shape, VOLTAGE_STEP_MV, dtype=np.int64)

    return generate


def gas_flow(seed: int) -> BlockGenerator:
    """Return the generator of a gas heating's flow in millilitres per 1-second slot."""

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        hour, season, _ = _clock(blocks)
        litres_per_day = 300.0 + 2200.0 * np.clip(season + 0.3, 0.0, None)
        shape = 0.4 + _bump(hour, 6.5, 1.5) + 0.8 * _bump(hour, 18.5, 2.5)
        jitter = 0.7 + 0.6 * uniform(seed, 60, blocks)
        per_slot = litres_per_day * 1000.0 / _SLOTS_PER_DAY * shape / 1.2 * jitter
        levels = np.rint(per_slot).astype(np.int64)
        return levels, noise_amplitude(levels)

    return generate


def constant(level: int) -> BlockGenerator:
    """Return a generator of a constant level without noise."""

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        return np.full(blocks.shape, level, dtype=np.int64), np.zeros(blocks.shape, np.int64)

    return generate


def actuality(seed: int) -> BlockGenerator:
    """Return the generator of a gas meter's ``actualityDuration`` in ms.

    Whole seconds from 4 to 9.5 minutes, as recorded (pydiscovergy's statistics fixture:
    250000 to 556000, mean 424000).
    """

    def generate(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
        seconds = 240 + np.floor(uniform(seed, 70, blocks) * 330).astype(np.int64)
        levels = seconds * 1_000
        return levels, np.zeros(blocks.shape, dtype=np.int64)

    return generate


def storage_number(blocks: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Return a gas meter's ``storageNumber``: the storage slot cycles every 15 minutes."""
    return blocks % 64, np.zeros(blocks.shape, dtype=np.int64)
