"""The data commands against the live mock: meters, last-reading, readings, statistics."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from cli_testkit import SOLAR_SERIAL, SOLAR_SHORT_SERIAL, Cli, data_lines, said

DAY = ("--from", "2024-03-01T00:00Z", "--to", "2024-03-02T00:00Z")


def _solar_meter_id(cli: Cli) -> str:
    result = cli("meters", "--format", "json")
    assert result.exit_code == 0, result.stderr
    (meter,) = [m for m in json.loads(result.stdout) if m["fullSerialNumber"] == SOLAR_SERIAL]
    return str(meter["meterId"])


def test_meters_as_json_lists_the_demo_meters_as_the_api_names_them(logged_in: Cli) -> None:
    result = logged_in("meters", "--format", "json")

    assert result.exit_code == 0, result.stderr
    meters = json.loads(result.stdout)
    solar = next(m for m in meters if m["fullSerialNumber"] == SOLAR_SERIAL)
    assert solar["serialNumber"] == SOLAR_SHORT_SERIAL
    assert solar["manufacturerId"] == "ESY"
    assert len(solar["meterId"]) == 32


def test_meters_as_csv_has_a_header_and_one_row_per_meter(logged_in: Cli) -> None:
    expected = json.loads(logged_in("meters", "--format", "json").stdout)

    result = logged_in("meters", "--format", "csv")

    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [row["meterId"] for row in rows] == [m["meterId"] for m in expected]
    assert SOLAR_SERIAL in [row["fullSerialNumber"] for row in rows]


def test_meters_as_a_table_shows_the_ids_and_serial_numbers(logged_in: Cli) -> None:
    expected = json.loads(logged_in("meters", "--format", "json").stdout)

    result = logged_in("meters")

    assert result.exit_code == 0, result.stderr
    for meter in expected:
        assert meter["meterId"] in result.stdout
        assert meter["fullSerialNumber"] in result.stdout


@pytest.mark.parametrize("how", ["full serial", "short serial", "meterId"])
def test_last_reading_finds_the_meter_by_id_or_serial_and_tells_the_age(
    logged_in: Cli, how: str
) -> None:
    meter_id = _solar_meter_id(logged_in)
    meter = {"full serial": SOLAR_SERIAL, "short serial": SOLAR_SHORT_SERIAL, "meterId": meter_id}

    result = logged_in("last-reading", meter[how], "--format", "json")

    assert result.exit_code == 0, result.stderr
    reading = json.loads(result.stdout)
    assert reading["meterId"] == meter_id
    taken = datetime.fromisoformat(reading["time"])
    age = datetime.now(UTC) - taken
    assert timedelta(0) <= age < timedelta(hours=1)
    assert 0 <= reading["ageSeconds"] <= age.total_seconds() + 1


def test_last_reading_in_si_and_raw_units(logged_in: Cli) -> None:
    si = json.loads(logged_in("last-reading", SOLAR_SERIAL, "--format", "json").stdout)
    raw = json.loads(
        logged_in("last-reading", SOLAR_SERIAL, "--units", "raw", "--format", "json").stdout
    )

    assert "energy_kWh" in si["values"]
    assert "power_W" in si["values"]
    assert "energy" in raw["values"]
    if raw["time"] == si["time"]:  # the same reading: the conversion is exact
        assert si["values"]["energy_kWh"] == pytest.approx(raw["values"]["energy"] / 1e10)


def test_last_reading_table_names_the_units_and_the_age(logged_in: Cli) -> None:
    result = logged_in("last-reading", SOLAR_SERIAL)

    assert result.exit_code == 0, result.stderr
    assert "kWh" in result.stdout
    assert " W" in result.stdout
    assert " ago" in result.stdout


def test_an_unknown_meter_exits_1_and_points_to_the_meter_list(logged_in: Cli) -> None:
    result = logged_in("last-reading", "1XYZ0000000000")

    assert result.exit_code == 1
    assert "inexogy meters" in said(result.stderr)
    assert "Traceback" not in result.stderr


def test_readings_csv_on_stdout_has_a_header_and_every_15_minutes_of_a_day(
    logged_in: Cli,
) -> None:
    result = logged_in("readings", SOLAR_SERIAL, *DAY, "--resolution", "fifteen_minutes")

    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 96
    assert {"time", "energy_kWh", "power_W"} <= set(rows[0])
    times = [datetime.fromisoformat(row["time"]) for row in rows]
    assert times[0] == datetime(2024, 3, 1, tzinfo=UTC)
    assert all(b - a == timedelta(minutes=15) for a, b in itertools.pairwise(times))
    assert result.stderr == ""  # one request: no progress bar


def test_readings_of_chosen_fields_as_json_lines_in_raw_units(logged_in: Cli) -> None:
    result = logged_in(
        "readings", SOLAR_SHORT_SERIAL, *DAY, "--resolution", "one_hour",
        "--fields", "energy,power", "--units", "raw", "--format", "jsonl",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in data_lines(result.stdout)]
    assert len(lines) == 24
    assert set(lines[0]) == {"time", "energy", "power"}
    assert all(isinstance(line["energy"], int) for line in lines)


def test_raw_readings_over_several_requests_go_to_parquet_with_a_progress_bar(
    logged_in: Cli, tmp_path: Path
) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "raw.parquet"

    result = logged_in(
        "readings", SOLAR_SERIAL, "--from", "2024-03-01T23:00Z", "--to", "2024-03-03T01:00Z",
        "--resolution", "raw", "--output", str(target),
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "3/3" in said(result.stderr)  # the range crosses two midnights: three requests
    frame = pl.read_parquet(target)
    assert frame.schema["time"] == pl.Datetime("ms", "UTC")
    # one reading every second (at the meter's own millisecond phase) over 26 hours, none lost
    # or doubled at the two request borders
    assert frame.height == 26 * 3600
    times = frame["time"]
    start = datetime(2024, 3, 1, 23, tzinfo=UTC)
    assert start < times.min() < start + timedelta(seconds=1)
    assert (times.diff().drop_nulls() == timedelta(seconds=1)).all()
    assert f"{frame.height} readings" in said(result.stderr)
    assert [p.name for p in target.parent.iterdir()] == ["raw.parquet"]  # no leftover part


def test_readings_with_relative_times(logged_in: Cli) -> None:
    before = datetime.now(UTC)

    result = logged_in(
        "readings", SOLAR_SERIAL, "--from", "-2h", "--to", "-1h", "--resolution", "three_minutes"
    )

    assert result.exit_code == 0, result.stderr
    rows = csv.DictReader(io.StringIO(result.stdout))
    times = [datetime.fromisoformat(row["time"]) for row in rows]
    assert len(times) in (20, 21)
    assert before - timedelta(hours=2, minutes=3) <= times[0]
    assert times[-1] <= datetime.now(UTC) - timedelta(hours=1)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--output", "x.xlsx"], "cannot tell the format"),
        (["--output", "x.csv", "--format", "parquet"], "names csv, not parquet"),
    ],
)
def test_the_output_format_must_be_clear(
    logged_in: Cli, tmp_path: Path, args: list[str], complaint: str
) -> None:
    args = [str(tmp_path / arg) if arg.startswith("x.") else arg for arg in args]

    result = logged_in("readings", SOLAR_SERIAL, *DAY, "--resolution", "one_hour", *args)

    assert result.exit_code == 2
    assert complaint in said(result.stderr)
    assert list(tmp_path.iterdir()) == [logged_in.token_file]


def test_a_file_name_without_a_known_suffix_is_fine_with_a_format(
    logged_in: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "readings.txt"

    result = logged_in(
        "readings", SOLAR_SERIAL, *DAY, "--resolution", "one_hour", "--format", "jsonl",
        "--output", str(target),
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert len([json.loads(line) for line in data_lines(target.read_text())]) == 24


def test_parquet_needs_an_output_file(logged_in: Cli) -> None:
    result = logged_in(
        "readings", SOLAR_SERIAL, *DAY, "--resolution", "one_hour", "--format", "parquet"
    )

    assert result.exit_code == 2
    assert "--output" in said(result.stderr)


@pytest.mark.parametrize(
    ("args", "complaint"),
    [
        (["--from", "yesterday-ish", "--resolution", "raw"], "is not a time"),
        (["--from", "2024-03-02", "--to", "2024-03-01", "--resolution", "raw"], "not after"),
        (["--from", "-1d", "--resolution", "hourly"], "--resolution"),
        (["--from", "-1d", "--resolution", "raw", "--fields", " , "], "--fields"),
        (["--resolution", "raw"], "--from"),
    ],
    ids=["bad time", "reversed range", "bad resolution", "no fields", "no start"],
)
def test_bad_arguments_are_usage_errors(logged_in: Cli, args: list[str], complaint: str) -> None:
    result = logged_in("readings", SOLAR_SERIAL, *args)

    assert result.exit_code == 2
    assert complaint in said(result.stderr)


def test_an_unknown_command_is_a_usage_error(logged_in: Cli) -> None:
    assert logged_in("meterz").exit_code == 2


def test_statistics_as_json_and_csv(logged_in: Cli) -> None:
    args = ("statistics", SOLAR_SERIAL, *DAY, "--fields", "power,energy", "--units", "raw")

    as_json = logged_in(*args, "--format", "json")
    as_csv = logged_in(*args, "--format", "csv")

    assert as_json.exit_code == 0, as_json.stderr
    statistics = json.loads(as_json.stdout)
    assert set(statistics) == {"power", "energy"}
    power = statistics["power"]
    assert power["count"] > 0
    assert power["minimum"] <= power["mean"] <= power["maximum"]
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert {row["field"] for row in rows} == {"power", "energy"}


def test_statistics_table_in_si_units(logged_in: Cli) -> None:
    result = logged_in("statistics", SOLAR_SERIAL, *DAY, "--fields", "power")

    assert result.exit_code == 0, result.stderr
    assert "power_W" in result.stdout
    assert "variance" in result.stdout


@pytest.mark.parametrize("command", ["readings", "statistics", "last-reading"])
def test_unknown_fields_are_a_usage_error_that_lists_the_meters_fields(
    logged_in: Cli, command: str
) -> None:
    range_args = [] if command == "last-reading" else [*DAY]
    resolution = ["--resolution", "one_hour"] if command == "readings" else []

    result = logged_in(command, SOLAR_SERIAL, *range_args, *resolution, "--fields", "power,wat")

    assert result.exit_code == 2
    assert "'wat'" in said(result.stderr)
    assert "voltage1" in said(result.stderr)  # one of the fields the solar meter does have


def test_an_output_folder_that_does_not_exist_is_a_usage_error(
    logged_in: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "missing" / "raw.csv"

    result = logged_in(
        "readings", SOLAR_SERIAL, *DAY, "--resolution", "raw", "--output", str(target)
    )

    assert result.exit_code == 2
    assert "does not exist" in said(result.stderr)
    assert not target.parent.exists()


def test_a_range_without_data_gives_a_header_and_says_so(logged_in: Cli) -> None:
    result = logged_in(
        "readings", SOLAR_SERIAL, "--from", "2023-06-01T00:00Z", "--to", "2023-06-02T00:00Z",
        "--resolution", "one_hour",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert data_lines(result.stdout) == ["time"]
    assert "No readings" in said(result.stderr)
