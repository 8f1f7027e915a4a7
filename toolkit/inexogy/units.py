"""Units of reading values: the service's raw units and their conversion to SI-style units.

The service sends integers in small units. The conversion divides and renames the field
with a unit suffix, so a converted value can never be mistaken for a raw one:

| raw field names                                   | raw unit    | divide by | SI name         |
|---------------------------------------------------|-------------|-----------|-----------------|
| ``energy``, ``energy1``, ``energyOut``,           | 10^-10 kWh  | 1e10      | ``<name>_kWh``  |
| ``energyOut2``, ``energyProducer*`` (``energy*``) |             |           |                 |
| ``power``, ``power1..3`` (older meters),          | mW (signed, | 1000      | ``<name>_W``    |
| ``phase1Power..phase3Power`` (newer meters)       | + import)   |           |                 |
| ``voltage1..3`` (older meters),                   | mV          | 1000      | ``<name>_V``    |
| ``phase1Voltage..phase3Voltage`` (newer meters)   |             |           |                 |
| ``volume`` (gas)                                  | litres      | 1000      | ``volume_m³``   |
| anything else (``actualityDuration``, devices...) | unknown     | (kept)    | unchanged       |

Examples: ``energy`` 123_400_000_000 -> ``energy_kWh`` 12.34; ``phase1Power`` -1500 ->
``phase1Power_W`` -1.5; ``voltage1`` 230_100 -> ``voltage1_V`` 230.1.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Literal

from attrs import frozen

__all__ = ["CONVERSIONS", "Conversion", "Units", "conversion_for", "si_name", "to_si"]

Units = Literal["raw", "si"]
"""How values are given: ``"raw"`` as the service sends them, ``"si"`` converted."""


@frozen
class Conversion:
    """How fields matching ``pattern`` convert: value / ``divisor``, named ``<field>_<unit>``.

    ``decimals`` is how many decimal places one raw unit takes in the converted unit (3 for
    mW -> W): rounding a converted column to it removes binary float noise
    (``87.98100000000001``) without losing anything the raw integer held. ``precision`` is
    the decimal places a meter actually resolves in the converted unit (energy: 0.1 Wh, as
    load profiles give it, where the raw unit would allow 10^-10 kWh): converted values are
    given to that many places (``16830.5309`` kWh, not ``16830.5308912533``).
    """

    pattern: re.Pattern[str]
    raw_unit: str
    unit: str
    divisor: float
    decimals: int
    precision: int

    def convert(self, value: float) -> float:
        """Return a raw value in this conversion's unit, to its ``precision``."""
        return round(value / self.divisor, self.precision)

    def name(self, field: str) -> str:
        """Return the SI name of ``field``: the raw name with this conversion's unit suffix."""
        return f"{field}_{self.unit}"


CONVERSIONS: tuple[Conversion, ...] = (
    Conversion(re.compile(r"energy\w*"), "10^-10 kWh", "kWh", 1e10, 10, 4),
    Conversion(re.compile(r"power\d*|phase\d+Power"), "mW", "W", 1000.0, 3, 3),
    Conversion(re.compile(r"voltage\d*|phase\d+Voltage"), "mV", "V", 1000.0, 3, 3),
    Conversion(re.compile(r"volume"), "l", "m³", 1000.0, 3, 3),
)
"""The conversion table, tried in order; a field matches when the whole name matches."""


def conversion_for(field: str) -> Conversion | None:
    """Return the conversion of a raw field name, or ``None`` for a field of unknown unit."""
    for conversion in CONVERSIONS:
        if conversion.pattern.fullmatch(field):
            return conversion
    return None


def si_name(field: str) -> str:
    """Return the name of ``field`` after conversion (unchanged when its unit is unknown)."""
    conversion = conversion_for(field)
    return field if conversion is None else conversion.name(field)


def to_si(values: Mapping[str, float]) -> dict[str, float]:
    """Convert one reading's raw values (to the unit's precision), renaming each field."""
    converted: dict[str, float] = {}
    for field, value in values.items():
        conversion = conversion_for(field)
        if conversion is None:
            converted[field] = value
        else:
            converted[conversion.name(field)] = conversion.convert(value)
    return converted
