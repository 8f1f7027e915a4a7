"""The meters table drawn without rich is rich's table, character for character."""

from __future__ import annotations

import io
import random
import string
import subprocess
import sys
from datetime import UTC

import pytest
from cli_testkit import SOLAR_SERIAL, Cli
from inexogy.cli.plain_table import PlainColumn, draw_table
from inexogy.cli.render import meters_text, print_meters
from inexogy_client.models import Location, Meter
from rich.console import Console

_LETTERS = string.ascii_letters + "äöüßÄ"


def _words(chance: random.Random) -> str:
    """A few words with odd spacing around and between them, or nothing."""
    if chance.random() < 0.05:
        return ""
    words = (
        "".join(chance.choice(_LETTERS) for _ in range(chance.randint(1, 16)))
        for _ in range(chance.randint(1, 7))
    )
    between = " " * chance.randint(1, 3)
    return chance.choice(["", " ", "\xa0"]) + between.join(words) + chance.choice(["", "  "])


def _meter(chance: random.Random, number: int) -> Meter:
    digits = "".join(chance.choice(string.digits) for _ in range(chance.randint(6, 30)))
    return Meter(
        meter_id=f"{chance.getrandbits(128):032x}",
        manufacturer_id="ESY",
        serial_number=str(number),
        full_serial_number=f"1ESY{digits}",
        type_=_words(chance) or "EASYMETER",
        measurement_type=chance.choice(["ELECTRICITY", "GAS", "WATER", "HEAT METER A"]),
        location=Location(
            street=_words(chance), street_number=str(number), zip_="01069", city=_words(chance)
        ),
        first_measurement_time=-1,
        last_measurement_time=chance.choice([-1, 1_717_000_000_000]),
    )


def _drawn_by_rich(meters: list[Meter], width: int) -> str:
    buffer = io.StringIO()
    print_meters(Console(file=buffer, width=width), meters, UTC)
    return buffer.getvalue()


@pytest.mark.parametrize("seed", range(8))
def test_the_plain_meters_table_is_the_one_rich_prints(seed: int) -> None:
    chance = random.Random(seed)
    compared = 0
    for _ in range(50):
        meters = [_meter(chance, number) for number in range(chance.randint(0, 5))]
        width = chance.randint(30, 220)
        plain = meters_text(meters, width, UTC)
        if plain is not None:  # None: the narrow list layout, drawn by rich
            assert plain == _drawn_by_rich(meters, width), (seed, width)
            compared += 1
    assert compared >= 30


def test_the_plain_table_wraps_the_location_and_keeps_every_id_whole() -> None:
    meter = _meter(random.Random(1), 1)
    meter.location = Location(street="Freiberger Straße", street_number="35", city="Dresden")
    plain = meters_text([meter], 100, UTC)

    assert plain is not None
    assert meter.meter_id in plain
    assert meter.full_serial_number in plain
    assert "More columns: --format csv" in plain
    assert plain == _drawn_by_rich([meter], 100)


@pytest.mark.parametrize("text", ["東京", "e\u0301", "tab\there", "line\nbreak", "soft\xadhyphen"])
def test_text_rich_measures_its_own_way_is_left_to_rich(text: str) -> None:
    assert draw_table("Meters", [PlainColumn("name")], [[text]], 80) is None
    assert draw_table("Meters", [PlainColumn("name")], [["plain"]], 80) is not None


def test_meters_to_a_pipe_prints_the_table_without_importing_rich(logged_in: Cli) -> None:
    script = (  # the console script's main(), then say on stderr whether rich was loaded
        "import atexit, sys\nfrom inexogy.cli import main\n"
        "atexit.register(lambda: print('rich' in sys.modules, file=sys.stderr))\n"
        "sys.argv = ['inexogy', 'meters']\nmain()"
    )
    env = {key: value for key, value in logged_in.env().items() if value is not None}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == "False\n"
    table = result.stdout
    assert table.startswith("Meters ")
    assert f"│ {SOLAR_SERIAL} " in table
    assert max(map(len, table.splitlines())) <= 160
