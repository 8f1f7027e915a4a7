"""The everyday rough edges of the command: version, agent, completion, layout, defaults."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from cli_testkit import SOLAR_SERIAL, Cli, said
from inexogy.cli.render import print_meters
from inexogy.connection import user_agent
from inexogy_client.models import Location, Meter
from rich.console import Console

DAY = ("--from", "2024-03-01T00:00Z", "--to", "2024-03-02T00:00Z")


def test_version_names_the_distributions_version(cli: Cli) -> None:
    result = cli("--version")

    assert result.exit_code == 0
    assert result.stdout == f"inexogy {version('inexogy')}\n"


def test_python_dash_m_inexogy_runs_the_command() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INEXOGY_")}
    result = subprocess.run(
        [sys.executable, "-m", "inexogy", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"inexogy {version('inexogy')}"


def test_shell_completion_is_offered(cli: Cli) -> None:
    result = cli("--help")

    assert "--install-completion" in result.stdout
    assert "--show-completion" in result.stdout


def test_every_request_names_the_toolkit_and_its_version() -> None:
    assert user_agent() == f"inexogy/{version('inexogy')}"


def _meter(number: int) -> Meter:
    return Meter(
        meter_id=f"{number:032x}",
        manufacturer_id="ESY",
        serial_number=f"{number:08d}",
        full_serial_number=f"1ESY11{number:08d}",
        type_="EASYMETER",
        measurement_type="ELECTRICITY",
        location=Location(street="Freiberger Straße", street_number="35", zip_="01069", city="X"),
        first_measurement_time=-1,
        last_measurement_time=1_717_000_000_000,
    )


@pytest.mark.parametrize("width", [200, 120, 100, 80, 60, 40, 20])
def test_the_meters_table_never_cuts_an_id_or_a_serial_number(width: int) -> None:
    meters = [_meter(number) for number in (61229886, 412873, 99999999)]
    buffer = io.StringIO()
    console = Console(file=buffer, width=width)

    print_meters(console, meters)

    lines = buffer.getvalue().splitlines()
    for meter in meters:
        assert any(meter.meter_id in line for line in lines), width
        assert any(meter.full_serial_number in line for line in lines), width
    if width >= 60:  # wide enough for the lines of a meter: nothing runs past the edge
        assert max(map(len, lines)) <= width


def test_readings_without_a_resolution_choose_one_and_say_which(logged_in: Cli) -> None:
    result = logged_in("readings", SOLAR_SERIAL, *DAY)

    assert result.exit_code == 0, result.stderr
    assert "Resolution three_minutes (chosen for the range" in result.stderr
    assert len(list(csv.DictReader(io.StringIO(result.stdout)))) == 480


@pytest.mark.parametrize(
    "command",
    [
        ("readings",),
        ("readings", "--resolution", "raw"),
        ("plot", "--output", "chart.png"),
        ("plot", "--kind", "usage", "--output", "chart.png"),
        ("usage", "--per", "day"),
        ("statistics",),
    ],
)
def test_an_unknown_meter_gives_only_its_error(
    logged_in: Cli, command: tuple[str, ...], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing about the request (such as the resolution chosen for it) before the meter is
    # known: a wrong meter's error stands alone.
    folder = tmp_path / "here"
    folder.mkdir()
    monkeypatch.chdir(folder)
    name, *options = command

    result = logged_in(name, "1XYZ0000000000", *DAY, *options)

    assert result.exit_code == 1, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith("inexogy: error: no meter '1XYZ0000000000' in this account"), line
    assert result.stdout == ""
    assert list(folder.iterdir()) == []


def test_help_lists_resolutions_fine_to_coarse_and_every_time_form(logged_in: Cli) -> None:
    text = said(logged_in("readings", "--help").stdout)

    order = "raw|three_minutes|fifteen_minutes|one_hour|one_day|one_week|one_month|one_year"
    assert order in text
    for form in ("now", "today", "yesterday", "-7d", "-12h", "-30m", "-2w", "2024-03-01"):
        assert form in text
    assert "2024-03-01T12:00+01:00" in text


def test_values_are_given_to_the_precision_of_their_unit(logged_in: Cli) -> None:
    result = logged_in("last-reading", SOLAR_SERIAL, "--format", "json")

    assert result.exit_code == 0, result.stderr
    values = json.loads(result.stdout)["values"]
    assert values["energy_kWh"] == round(values["energy_kWh"], 4)
    assert values["power_W"] == round(values["power_W"], 3)
    statistics = logged_in("statistics", SOLAR_SERIAL, *DAY, "--format", "json")
    energy = json.loads(statistics.stdout)["energy_kWh"]
    assert energy["mean"] == round(energy["mean"], 4)


def test_units_are_written_the_same_way_in_tables_and_files(logged_in: Cli) -> None:
    gas = logged_in("meters", "--format", "json")
    meters = json.loads(gas.stdout)
    gas_serial = next(m["fullSerialNumber"] for m in meters if m["measurementType"] == "GAS")
    table = logged_in("last-reading", gas_serial)
    readings = logged_in("readings", gas_serial, *DAY, "--resolution", "one_hour")

    assert table.exit_code == 0, table.stderr
    assert "m³" in table.stdout
    assert "m3" not in table.stdout
    assert "volume_m³" in readings.stdout.splitlines()[0]


def test_a_token_records_its_service_and_commands_use_it(cli: Cli, tmp_path: Path) -> None:
    login = cli("login", "--email", "demo@inexogy.com", env={"INEXOGY_PASSWORD": "demo"})
    assert login.exit_code == 0, login.stderr
    assert json.loads(cli.token_file.read_text())["base_url"] == cli.base_url

    without_url = cli("meters", "--format", "json", env={"INEXOGY_BASE_URL": None})
    other = "http://127.0.0.1:9/public/v1"
    elsewhere = cli("--base-url", other, "meters", env={"INEXOGY_BASE_URL": None})

    assert without_url.exit_code == 0, without_url.stderr
    assert any(m["fullSerialNumber"] == SOLAR_SERIAL for m in json.loads(without_url.stdout))
    assert elsewhere.exit_code == 1
    assert f"belongs to {cli.base_url}, not to {other}" in said(elsewhere.stderr)


def test_a_wrong_password_is_one_clear_sentence(cli: Cli) -> None:
    result = cli("login", "--email", "demo@inexogy.com", env={"INEXOGY_PASSWORD": "wrong"})

    assert result.exit_code == 1
    assert result.stderr == (
        "inexogy: error: the email or password was refused: check both and log in again\n"
    )
