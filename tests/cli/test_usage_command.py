"""``inexogy usage`` and ``--tz``: usage tables people can trust, every time in the chosen zone."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from cli_testkit import SOLAR_SERIAL, SOLAR_SHORT_SERIAL, Cli, data_lines, said
from inexogy import to_ms
from inexogy.cli.usage import usage_table
from inexogy.cli.zone import hoist_zone
from inexogy_mock import GlitchPlan, create_app, running
from rich.console import Console

BERLIN = ZoneInfo("Europe/Berlin")
MONTHS = ("--from", "2025-01-01", "--to", "2026-01-01", "--per", "month")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?[+-]\d\d:\d\d$")


def table_rows(text: str) -> list[list[str]]:
    """The cells of each body or footer row of a rich table."""
    return [
        [cell.strip() for cell in line.strip("│").split("│")]
        for line in text.splitlines()
        if line.startswith("│")
    ]


def test_the_usage_of_a_year_per_month_is_a_table_a_person_can_trust(logged_in: Cli) -> None:
    result = logged_in(
        "--tz", "Europe/Berlin", "usage", SOLAR_SHORT_SERIAL, *MONTHS, "--price", "0.32"
    )

    assert result.exit_code == 0, result.stderr
    assert "Usage of 1ESY1161229886 per month, Europe/Berlin" in result.stdout
    rows = table_rows(result.stdout)
    body, total = rows[:-1], rows[-1]
    assert [row[0] for row in body] == [
        f"{month} 2025"
        for month in (
            "January", "February", "March", "April", "May", "June", "July", "August",
            "September", "October", "November", "December",
        )
    ]  # fmt: skip
    assert body[0][1:3] == ["2025-01-01T00:00:00+01:00", "2025-02-01T00:00:00+01:00"]
    assert body[2][1:3] == ["2025-03-01T00:00:00+01:00", "2025-04-01T00:00:00+02:00"]
    assert total[0] == "total"
    drawn = [float(row[3]) for row in body]
    cost = [float(row[5]) for row in body]
    assert float(total[3]) == pytest.approx(sum(drawn), abs=0.006)
    assert cost == pytest.approx([d * 0.32 for d in drawn], abs=0.006)
    assert float(total[5]) == pytest.approx(float(total[3]) * 0.32, abs=0.006)
    assert all(d > 0 for d in drawn)
    assert "kWh drawn x 0.32" in said(result.stdout)
    assert "warning" not in result.stderr


def test_csv_and_json_carry_the_same_periods_as_the_table(logged_in: Cli) -> None:
    args = ("--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, *MONTHS, "--feed-in-price", "0.08")

    table = logged_in(*args)
    csv = logged_in(*args, "--format", "csv")
    document = logged_in(*args, "--format", "json")

    assert table.exit_code == csv.exit_code == document.exit_code == 0
    frame = pl.read_csv(csv.stdout.encode())
    rows = json.loads(document.stdout)
    assert frame.columns == [
        "start",
        "end",
        "partial",
        "drawn_kWh",
        "fed_in_kWh",
        "credit",
        "glitches",
    ]
    assert [row["start"] for row in rows] == frame["start"].to_list()
    assert [row[1] for row in table_rows(table.stdout)[:-1]] == frame["start"].to_list()
    assert all(ISO.match(text) for text in frame["start"].to_list() + frame["end"].to_list())
    assert [row["fed_in_kWh"] for row in rows] == frame["fed_in_kWh"].to_list()
    assert [row["credit"] for row in rows] == pytest.approx([v * 0.08 for v in frame["fed_in_kWh"]])


def test_tz_may_follow_the_command_and_utc_is_accepted(logged_in: Cli) -> None:
    before = logged_in("--tz", "UTC", "usage", SOLAR_SERIAL, *MONTHS, "--format", "csv")
    after = logged_in("usage", SOLAR_SERIAL, *MONTHS, "--format", "csv", "--tz", "UTC")

    assert before.exit_code == after.exit_code == 0, before.stderr + after.stderr
    assert before.stdout == after.stdout
    assert data_lines(before.stdout)[1].startswith(
        "2025-01-01T00:00:00+00:00,2025-02-01T00:00:00+00:00,"
    )


def test_an_unknown_zone_is_a_usage_error_saying_what_works(logged_in: Cli) -> None:
    result = logged_in("--tz", "Europe/Berln", "usage", SOLAR_SERIAL, *MONTHS)

    assert result.exit_code == 2
    assert "IANA name like Europe/Berlin" in said(result.stderr)


def test_the_days_of_a_change_of_daylight_saving_have_23_and_25_hours(logged_in: Cli) -> None:
    spring = logged_in(
        "--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, "--per", "hour", "--format", "csv",
        "--from", "2025-03-30", "--to", "2025-03-31",
    )  # fmt: skip
    autumn = logged_in(
        "--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, "--per", "hour", "--format", "csv",
        "--from", "2025-10-26", "--to", "2025-10-27",
    )  # fmt: skip

    assert len(data_lines(spring.stdout)) - 1 == 23
    assert len(data_lines(autumn.stdout)) - 1 == 25
    assert "2025-03-30T01:00:00+01:00,2025-03-30T03:00:00+02:00," in spring.stdout
    assert "2025-10-26T02:00:00+02:00,2025-10-26T02:00:00+01:00," in autumn.stdout


def test_a_running_period_is_marked_partial(logged_in: Cli) -> None:
    result = logged_in(
        "--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, "--from", "-2d", "--per", "day"
    )

    assert result.exit_code == 0, result.stderr
    rows = table_rows(result.stdout)
    assert rows[-2][-1] == "partial: not over yet"
    assert all(row[-1] == "" for row in rows[:-2])


def test_the_usage_goes_to_a_file_atomically(logged_in: Cli, tmp_path: Path) -> None:
    target = tmp_path / "usage.json"

    result = logged_in("usage", SOLAR_SERIAL, *MONTHS, "--format", "json", "-o", str(target))

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert len(json.loads(target.read_text())) == 12
    assert "Wrote the usage of 1ESY1161229886 per month" in result.stderr


@pytest.fixture(scope="module")
def glitchy_url() -> Iterator[str]:
    march = to_ms(datetime(2025, 3, 1, tzinfo=BERLIN))
    with running(create_app(glitches=GlitchPlan({march: "zero"}))) as url:
        yield url


def test_glitches_are_left_out_and_reported_in_a_warning(glitchy_url: str, tmp_path: Path) -> None:
    # The token of another mock is no good here: log in to this one.
    cli = Cli(glitchy_url, tmp_path / "token.json")
    cli.login()

    result = cli("--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, *MONTHS)

    assert result.exit_code == 0, result.stderr
    warnings = [line for line in data_lines(result.stderr) if "warning" in line]
    assert warnings == [
        "inexogy: warning: energy and energyOut: read 0 at 2025-03-01T00:00:00+01:00, "
        "used the reading of 2025-03-01T00:03:00+01:00"
    ]
    rows = table_rows(result.stdout)
    assert [row[-1] for row in rows[1:3]] == ["glitch left out (see warnings)"] * 2
    assert all(float(row[3]) > 100 for row in rows[:-1])  # no month near zero or negative


# The same times in every output for one --tz


READINGS = ("readings", SOLAR_SERIAL, "--from", "2025-03-30T00:00", "--to", "2025-03-30T04:00")
BERLIN_HOURS = [
    "2025-03-30T00:00:00+01:00",
    "2025-03-30T01:00:00+01:00",
    "2025-03-30T03:00:00+02:00",
]


def test_readings_show_the_same_times_in_csv_jsonl_and_parquet(
    logged_in: Cli, tmp_path: Path
) -> None:
    base = ("--tz", "Europe/Berlin", *READINGS, "--resolution", "one_hour", "--fields", "energy")
    csv = logged_in(*base, "--format", "csv")
    jsonl = logged_in(*base, "--format", "jsonl")
    parquet = logged_in(*base, "-o", str(tmp_path / "r.parquet"))
    usage = logged_in(
        "--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, "--from", "2025-03-30T00:00",
        "--to", "2025-03-30T04:00", "--per", "hour",
    )  # fmt: skip

    assert csv.exit_code == jsonl.exit_code == parquet.exit_code == usage.exit_code == 0
    assert pl.read_csv(csv.stdout.encode())["time"].to_list() == BERLIN_HOURS
    assert [json.loads(line)["time"] for line in data_lines(jsonl.stdout)] == BERLIN_HOURS
    frame = pl.read_parquet(tmp_path / "r.parquet")
    assert frame.schema["time"] == pl.Datetime("ms", "Europe/Berlin")
    assert [moment.isoformat() for moment in frame["time"].to_list()] == BERLIN_HOURS
    assert [row[1] for row in table_rows(usage.stdout)[:-1]] == BERLIN_HOURS


def test_the_other_commands_speak_the_zone_too(logged_in: Cli) -> None:
    meters = logged_in("--tz", "America/New_York", "meters", "--format", "csv")
    last = logged_in("--tz", "Asia/Kolkata", "last-reading", SOLAR_SERIAL, "--format", "json")
    statistics = logged_in(
        "--tz", "Europe/Berlin", "statistics", SOLAR_SERIAL, "--from", "2025-07-01",
        "--to", "2025-07-02", "--fields", "power",
    )  # fmt: skip

    assert meters.exit_code == last.exit_code == statistics.exit_code == 0
    first_times = pl.read_csv(meters.stdout.encode())["firstMeasurementTime"].to_list()
    # the solar meter's first reading, 2024-01-01 00:00:00.439 UTC (the meter's own millisecond
    # phase), in New York
    assert "2023-12-31T19:00:00.439-05:00" in first_times
    assert json.loads(last.stdout)["time"].endswith("+05:30")
    assert "2025-07-01T00:00:00+02:00 to 2025-07-02T00:00:00+02:00" in said(statistics.stdout)


def test_a_narrow_terminal_never_cuts_a_number_or_a_time_short(logged_in: Cli) -> None:
    csv = logged_in("--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, *MONTHS, "--format", "csv")
    frame = pl.read_csv(csv.stdout.encode()).with_columns(
        pl.col("start", "end").str.to_datetime(time_zone="Europe/Berlin")
    )
    console = Console(width=80, record=True, file=io.StringIO())

    console.print(usage_table(frame, "month", "title", width=80))

    text = console.export_text()
    assert "…" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    rows = table_rows(text)
    assert rows[0][0] == "2025-01-01T00:00:00+01:00"
    assert rows[-1][0] == "total"
    assert float(rows[-1][1]) == pytest.approx(frame["drawn_kWh"].sum(), abs=0.001)
    assert "the last ends at 2026-01-01T00:00:00+01:00" in said(text)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["usage", "m", "--tz", "UTC"], ["--tz", "UTC", "usage", "m"]),
        (["-v", "usage", "m", "--tz=UTC", "-o", "x"], ["--tz=UTC", "-v", "usage", "m", "-o", "x"]),
        (["--tz", "UTC", "usage", "m"], ["--tz", "UTC", "usage", "m"]),
        (["usage", "m", "--", "--tz", "UTC"], ["usage", "m", "--", "--tz", "UTC"]),
        (["--help"], ["--help"]),
    ],
)
def test_a_tz_after_the_command_moves_before_it(args: list[str], expected: list[str]) -> None:
    assert hoist_zone(args, {"usage", "readings"}) == expected


def test_without_tz_the_system_zone_is_used(logged_in: Cli) -> None:
    result = logged_in(
        "usage", SOLAR_SERIAL, *MONTHS, "--format", "csv", env={"TZ": "America/New_York"}
    )

    assert result.exit_code == 0, result.stderr
    assert data_lines(result.stdout)[1].startswith("2025-01-01T00:00:00-05:00,")
