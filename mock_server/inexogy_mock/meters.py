"""Meters: what an account configures (:class:`MeterSpec`) and what the server computes with.

A :class:`MeterModel` knows the meter's Meter object (every documented field) and, per value
field, how to compute it from signals: a *rate* field (power, voltage, ...) reports the slot
value and its interval mean, a *counter* field (energy, volume) reports
``offset + floor(sum * num / den)`` where ``sum`` is the integral of a rate signal since the
first measurement.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any, Literal

import numpy as np

from . import house
from .signals import (
    BLOCK_MS,
    FINE,
    NOISE,
    SLOT_MS,
    BlockGenerator,
    BlockSeries,
    Int64Array,
    Signal,
)

MeterKind = Literal["solar", "modern", "gas", "rlm", "virtual"]
FIRST_MEASUREMENT_MS = 1_704_067_200_000
"""2024-01-01T00:00:00Z, the default first measurement of every meter."""
ENERGY_NUM, ENERGY_DEN = 25, 9
"""1 mW for one 1-second slot is 25/9 units of 10^-10 kWh."""
ENERGY_STEP = 1_000
"""Energy counters move in steps of 1000 units (10^-7 kWh), as every recorded value does
(``59852528585000``, ``173123071191000``: the Elixir library's tests, pydiscovergy's fixtures)."""
GAS_READING_SLOTS = 900
"""A gas meter sends one raw reading per 15 minutes (see :class:`MeterClock`)."""


@dataclass(frozen=True)
class Location:
    """Where a meter is installed; every part is a string (the zip keeps leading zeros)."""

    street: str = "Freiberger Straße"
    street_number: str = "35"
    zip: str = "01069"
    city: str = "Dresden"
    country: str = "DE"

    def to_json(self) -> dict[str, str]:
        """Return the API's ``location`` object."""
        return {
            "street": self.street,
            "streetNumber": self.street_number,
            "zip": self.zip,
            "city": self.city,
            "country": self.country,
        }


_KIND_DEFAULTS: Mapping[str, tuple[str, str, str, str]] = {
    # kind: manufacturerId, type, measurementType, loadProfileType
    "solar": ("ESY", "EASYMETER", "ELECTRICITY", "SLP"),
    "modern": ("EBZ", "EBZ", "ELECTRICITY", "SLP"),
    "gas": ("ELS", "ELSTER", "GAS", "SLP"),
    "rlm": ("EMH", "RLM", "ELECTRICITY", "RLM"),
    "virtual": ("VIRTUAL", "VIRTUAL_ELECTRICITY", "ELECTRICITY", "SLP"),
}


@dataclass(frozen=True)
class MeterSpec:
    """A meter of an account.

    ``kind`` picks the fields and the shape of the data: ``solar`` (three-phase with solar
    feed-in, ``power1..3``/``voltage1..3``), ``modern`` (``phaseNPower``/``phaseNVoltage``),
    ``gas`` (``volume``), ``rlm`` (load profiles) or ``virtual`` (the sum of the account's
    meters whose serial numbers are in ``plus`` minus those in ``minus``).
    ``first_measurement_ms`` must sit on a 15-minute boundary; ``None`` makes a meter that
    never sent data.
    """

    kind: MeterKind
    serial_number: str
    manufacturer_id: str | None = None
    first_measurement_ms: int | None = FIRST_MEASUREMENT_MS
    location: Location = field(default_factory=Location)
    administration_number: str = ""
    plus: tuple[str, ...] = ()
    minus: tuple[str, ...] = ()
    seed: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in _KIND_DEFAULTS:
            raise ValueError(
                f"unknown meter kind {self.kind!r}: use one of {sorted(_KIND_DEFAULTS)}"
            )
        first = self.first_measurement_ms
        if first is not None and first % BLOCK_MS:
            raise ValueError("first_measurement_ms must be a multiple of 900000 (15 minutes)")
        if self.kind == "virtual" and not self.plus:
            raise ValueError("a virtual meter needs at least one serial number in plus")

    @property
    def manufacturer(self) -> str:
        """The manufacturer code (the kind's default unless given)."""
        return self.manufacturer_id or _KIND_DEFAULTS[self.kind][0]

    @property
    def full_serial_number(self) -> str:
        """The full serial number: ``1ESY1161229886`` (electricity), ``7ELS8135823805`` (gas).

        The leading digit is the medium of the German meter numbering (1 electricity, 7 gas),
        as in the demo account's gas meter ``7ELS8135823805`` (evcc's tests, pydiscovergy's
        example); the two digits after the manufacturer are fixed per medium here.
        """
        if self.kind == "virtual":
            return f"{self.manufacturer}{self.serial_number}"
        if self.kind == "gas":
            return f"7{self.manufacturer}81{self.serial_number}"
        return f"1{self.manufacturer}11{self.serial_number}"

    @property
    def effective_seed(self) -> int:
        """The seed of the meter's data (derived from the serial number unless given)."""
        if self.seed is not None:
            return self.seed
        digest = hashlib.blake2b(self.full_serial_number.encode(), digest_size=4).digest()
        return int.from_bytes(digest, "big")


def meter_id(owner: str, full_serial_number: str) -> str:
    """Return the 32-hex-character meterId of a meter of an account (deterministic)."""
    return hashlib.blake2b(f"{owner}\n{full_serial_number}".encode(), digest_size=16).hexdigest()


@dataclass(frozen=True)
class MeterClock:
    """When a meter sends raw readings: its own times, not a grid of the server's.

    Recorded raw readings are about one second apart at the meter's own millisecond phase
    (``1593561600928``, ``1593561601928``: the Elixir library's tests; 53,962 readings in 15
    hours: its docs). Here reading ``i`` of a meter with ``every=1`` is slot ``i`` (1 s) at
    ``slot * 1000 + phase_ms``. A gas meter reports far more rarely (pydiscovergy's recorded
    statistics count 8 readings with an ``actualityDuration`` of 4 to 9 minutes): sources are
    silent on the exact rhythm, so a gas meter here sends one reading per 15 minutes
    (``every=900`` slots), in the slot ``offset`` of each quarter hour.
    """

    phase_ms: int = 0
    every: int = 1
    offset: int = 0

    def times(self, slots: Int64Array) -> Int64Array:
        """Return the reading times (ms) of reading slots."""
        result: Int64Array = slots * SLOT_MS + self.phase_ms
        return result

    def first_slot(self, low_ms: int) -> int:
        """Return the first reading slot whose time is at or after ``low_ms``."""
        slot = -(-(low_ms - self.phase_ms) // SLOT_MS)
        return slot + (self.offset - slot) % self.every

    def slots(self, low_ms: int, high_ms: int) -> Int64Array:
        """Return the reading slots whose times lie in ``[low_ms, high_ms)``."""
        first = self.first_slot(low_ms)
        end = -(-(high_ms - self.phase_ms) // SLOT_MS)
        return np.arange(first, max(first, end), self.every, dtype=np.int64)

    def last_slot(self, now_ms: int) -> int:
        """Return the last reading slot whose time is at or before ``now_ms``."""
        slot = (now_ms - self.phase_ms) // SLOT_MS
        return slot - (slot - self.offset) % self.every


def meter_clock(kind: str, seed: int) -> MeterClock:
    """Return the clock of a meter: a phase of 1..999 ms, gas once per quarter hour."""
    phase = 1 + seed % 999
    if kind == "gas":
        return MeterClock(phase, GAS_READING_SLOTS, (seed // 999) % GAS_READING_SLOTS)
    return MeterClock(phase)


@dataclass(frozen=True)
class Field:
    """How one value field of a meter is computed."""

    counter: bool
    signal: Signal
    offset: int = 0
    num: int = 1
    den: int = 1
    additive: bool = True
    aggregated: bool = True
    """Whether aggregated readings carry the interval mean (else 0)."""
    step: int = 1
    """A counter's resolution: its values are multiples of ``step`` above ``offset``."""


@lru_cache(maxsize=512)
def _series(name: str, seed: int, origin_block: int) -> BlockSeries:
    """Return the shared, lazily grown series of one generator (pure, so shared by apps).

    Voltages vary inside a quarter hour by 100 mV times the fine pattern (``|d| <= 3``).
    """
    pattern = FINE if name.rsplit(".", 1)[-1] in ("v1", "v2", "v3") else NOISE
    return BlockSeries(_GENERATORS[name](seed), origin_block, pattern)


def _net_solar(seed: int) -> BlockGenerator:
    return house.net_power(seed, solar_peak=7000.0, base=300.0, evening=1500.0)


def _net_modern(seed: int) -> BlockGenerator:
    return house.net_power(seed, solar_peak=0.0, base=220.0, evening=1200.0)


def _phase(net: Callable[[int], BlockGenerator], phase: int, seed: int) -> BlockGenerator:
    return house.phase_share(net(seed), seed, phase)


def _part(net: Callable[[int], BlockGenerator], sign: int, seed: int) -> BlockGenerator:
    return house.positive_part(net(seed), sign)


def _voltage(phase: int, seed: int) -> BlockGenerator:
    return house.voltage(seed, phase)


def _electric(
    prefix: str, net: Callable[[int], BlockGenerator]
) -> dict[str, Callable[[int], BlockGenerator]]:
    generators: dict[str, Callable[[int], BlockGenerator]] = {
        f"{prefix}.net": net,
        f"{prefix}.import": partial(_part, net, 1),
        f"{prefix}.export": partial(_part, net, -1),
    }
    for phase in (1, 2, 3):
        generators[f"{prefix}.p{phase}"] = partial(_phase, net, phase)
        generators[f"{prefix}.v{phase}"] = partial(_voltage, phase)
    return generators


_GENERATORS: dict[str, Callable[[int], BlockGenerator]] = {
    **_electric("solar", _net_solar),
    **_electric("modern", _net_modern),
    "rlm.net": house.business_power,
    "rlm.import": house.business_power,
    "rlm.export": lambda s: house.constant(0),
    "gas.flow": house.gas_flow,
    "gas.actuality": house.actuality,
    "gas.storage": lambda s: house.storage_number,
}


def _electric_fields(spec: MeterSpec, prefix: str, origin: int, style: str) -> dict[str, Field]:
    seed = spec.effective_seed

    def signal(name: str) -> Signal:
        return Signal(((1, _series(f"{prefix}.{name}", seed, origin)),))

    offset = (5_000 + seed % 20_000) * 10**10
    energy = Field(True, signal("import"), offset, ENERGY_NUM, ENERGY_DEN, step=ENERGY_STEP)
    offset = (seed % 3_000) * 10**10
    energy_out = Field(True, signal("export"), offset, ENERGY_NUM, ENERGY_DEN, step=ENERGY_STEP)
    fields = {"energy": energy, "energyOut": energy_out}
    if style == "classic":
        # An EASYMETER reports 13 fields, with the tariff registers 1 and 2 of both directions;
        # on the recorded single-tariff meter they read 0 (the Elixir library's tests).
        idle = Signal(())
        fields = {"energy": energy, "energy1": Field(True, idle), "energy2": Field(True, idle)}
        fields["energyOut"] = energy_out
        fields["energyOut1"] = Field(True, idle)
        fields["energyOut2"] = Field(True, idle)
    fields["power"] = Field(False, signal("net"))
    if style == "classic":
        for phase in (1, 2, 3):
            fields[f"power{phase}"] = Field(False, signal(f"p{phase}"))
        for phase in (1, 2, 3):
            fields[f"voltage{phase}"] = Field(False, signal(f"v{phase}"), additive=False)
    elif style == "phase":
        for phase in (1, 2, 3):
            fields[f"phase{phase}Power"] = Field(False, signal(f"p{phase}"))
        for phase in (1, 2, 3):
            fields[f"phase{phase}Voltage"] = Field(False, signal(f"v{phase}"), additive=False)
    return fields


def _gas_fields(spec: MeterSpec, origin: int) -> dict[str, Field]:
    seed = spec.effective_seed

    def signal(name: str) -> Signal:
        return Signal(((1, _series(f"gas.{name}", seed, origin)),))

    return {
        "volume": Field(True, signal("flow"), (1_000 + seed % 9_000) * 1_000, 1, 1_000),
        # aggregated gas readings report actualityDuration 0 (pydiscovergy's readings fixture)
        "actualityDuration": Field(False, signal("actuality"), additive=False, aggregated=False),
        "storageNumber": Field(False, signal("storage"), additive=False),
    }


@dataclass
class MeterModel:
    """A meter as the server sees it: its Meter object and how its fields are computed."""

    spec: MeterSpec
    meter_id: str
    fields: dict[str, Field]
    sub_meters: tuple[MeterModel, ...] = ()
    minus_meters: tuple[MeterModel, ...] = ()
    clock: MeterClock = field(default_factory=MeterClock)

    @property
    def first_ms(self) -> int | None:
        """The first measurement time in ms, or ``None`` for a meter without data."""
        if self.spec.kind == "virtual":
            firsts = [m.first_ms for m in self.sub_meters + self.minus_meters]
            if any(first is None for first in firsts):
                return None
            return max(first for first in firsts if first is not None)
        return self.spec.first_measurement_ms

    @property
    def is_virtual(self) -> bool:
        """Whether this is a virtual meter."""
        return self.spec.kind == "virtual"

    def first_slot(self) -> int | None:
        """Return the slot of the first raw reading, or ``None`` for a meter without data."""
        first = self.first_ms
        return None if first is None else self.clock.first_slot(first)

    def end_slot(self, now_ms: int) -> int:
        """Return the slot after the last one with data at ``now_ms`` (0 when there is none)."""
        first = self.first_slot()
        last = self.clock.last_slot(now_ms)
        if first is None or last < first:
            return 0
        return last + 1

    def last_ms(self, now_ms: int) -> int | None:
        """Return the time of the last raw reading at ``now_ms``, or ``None`` when none yet."""
        end = self.end_slot(now_ms)
        return None if end == 0 else int(self.clock.times(np.array([end - 1]))[0])

    def to_json(self, now_ms: int) -> dict[str, Any]:
        """Return the Meter object with every documented field."""
        _manufacturer, meter_type, measurement, load_profile = _KIND_DEFAULTS[self.spec.kind]
        first_slot = self.first_slot()
        last = self.last_ms(now_ms)
        first = None
        if first_slot is not None:
            first = int(self.clock.times(np.array([first_slot]))[0])
        return {
            "meterId": self.meter_id,
            "manufacturerId": self.spec.manufacturer,
            "serialNumber": self.spec.serial_number,
            "fullSerialNumber": self.spec.full_serial_number,
            "printedFullSerialNumber": self.spec.full_serial_number,
            "location": self.spec.location.to_json(),
            "administrationNumber": self.spec.administration_number,
            "type": meter_type,
            "measurementType": measurement,
            "loadProfileType": load_profile,
            "scalingFactor": 1,
            "currentScalingFactor": 1,
            "voltageScalingFactor": 1,
            "internalMeters": 1,
            "firstMeasurementTime": -1 if first is None or last is None else first,
            "lastMeasurementTime": -1 if last is None else last,
        }


def build_meter(
    spec: MeterSpec, owner: str, others: Mapping[str, MeterModel] | None = None
) -> MeterModel:
    """Return the model of a meter; a virtual one needs the account's other meters by serial."""
    identity = meter_id(owner, spec.full_serial_number)
    origin_block = (spec.first_measurement_ms or FIRST_MEASUREMENT_MS) // BLOCK_MS
    clock = meter_clock(spec.kind, spec.effective_seed)
    if spec.kind == "solar":
        fields = _electric_fields(spec, "solar", origin_block, "classic")
        return MeterModel(spec, identity, fields, clock=clock)
    if spec.kind == "modern":
        fields = _electric_fields(spec, "modern", origin_block, "phase")
        return MeterModel(spec, identity, fields, clock=clock)
    if spec.kind == "rlm":
        fields = _electric_fields(spec, "rlm", origin_block, "total")
        return MeterModel(spec, identity, fields, clock=clock)
    if spec.kind == "gas":
        return MeterModel(spec, identity, _gas_fields(spec, origin_block), clock=clock)
    known = others or {}
    missing = [serial for serial in spec.plus + spec.minus if serial not in known]
    if missing:
        raise ValueError(f"virtual meter {spec.serial_number}: unknown sub-meters {missing}")
    plus = tuple(known[serial] for serial in spec.plus)
    minus = tuple(known[serial] for serial in spec.minus)
    return virtual_meter(spec, identity, plus, minus)


def virtual_meter(
    spec: MeterSpec, identity: str, plus: Sequence[MeterModel], minus: Sequence[MeterModel]
) -> MeterModel:
    """Return a virtual meter: every additive field all its sub-meters share, summed.

    Its readings follow the clock of its first sub-meter.
    """
    members = [(1, meter) for meter in plus] + [(-1, meter) for meter in minus]
    shared = [
        name
        for name, definition in members[0][1].fields.items()
        if definition.additive and all(name in meter.fields for _, meter in members)
    ]
    fields: dict[str, Field] = {}
    for name in shared:
        parts = [(sign, meter.fields[name]) for sign, meter in members]
        first = parts[0][1]
        fields[name] = Field(
            first.counter,
            Signal.combine([part.signal.scaled(sign) for sign, part in parts]),
            sum(sign * part.offset for sign, part in parts),
            first.num,
            first.den,
            step=first.step,
        )
    return MeterModel(spec, identity, fields, tuple(plus), tuple(minus), members[0][1].clock)
