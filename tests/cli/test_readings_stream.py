"""``inexogy readings`` streams: the same bytes to stdout and to a file; CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import polars as pl
import pytest
from cli_testkit import SOLAR_SERIAL, Cli, said

# 70 days of 15-minute readings: three requests.
LONG = (
    "--from",
    "2024-01-10T00:00Z",
    "--to",
    "2024-03-20T00:00Z",
    "--resolution",
    "fifteen_minutes",
)


@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_stdout_gets_the_bytes_the_file_gets(logged_in: Cli, tmp_path: Path, format: str) -> None:
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / f"out.{format}"

    to_file = logged_in("readings", SOLAR_SERIAL, *LONG, "-o", str(target))
    to_stdout = logged_in("readings", SOLAR_SERIAL, *LONG, "--format", format)

    assert to_file.exit_code == 0, to_file.stderr
    assert to_stdout.exit_code == 0, to_stdout.stderr
    assert to_stdout.stdout_bytes == target.read_bytes()
    assert "Wrote 6720 readings" in said(to_file.stderr)
    assert [p.name for p in target.parent.iterdir()] == [target.name]  # no temporary file left


def test_csv_for_german_spreadsheets_reads_back_with_polars_and_csv(
    logged_in: Cli, tmp_path: Path
) -> None:
    plain, german = tmp_path / "plain.csv", tmp_path / "german.csv"
    assert logged_in("readings", SOLAR_SERIAL, *LONG, "-o", str(plain)).exit_code == 0

    result = logged_in(
        "readings",
        SOLAR_SERIAL,
        *LONG,
        "-o",
        str(german),
        "--csv-separator",
        ";",
        "--decimal-comma",
    )

    assert result.exit_code == 0, result.stderr
    expected = pl.read_csv(plain)
    back = pl.read_csv(german, separator=";", decimal_comma=True)
    assert back.equals(expected)
    with german.open(newline="") as text:
        rows = list(csv.reader(text, delimiter=";"))
    assert rows[0] == expected.columns
    assert len(rows) == 6721
    energy = rows[1][expected.columns.index("energy_kWh")]
    assert "," in energy
    assert "." not in energy


@pytest.mark.parametrize(
    ("options", "complaint"),
    [
        (["--decimal-comma"], "decimal comma needs another CSV separator"),
        (["--csv-separator", "ab"], "one ASCII character"),
    ],
)
def test_a_bad_csv_dialect_is_a_usage_error(
    logged_in: Cli, options: list[str], complaint: str
) -> None:
    result = logged_in("readings", SOLAR_SERIAL, *LONG, *options)
    assert result.exit_code == 2
    assert complaint in said(result.stderr)


def test_statistics_csv_in_the_german_dialect(logged_in: Cli) -> None:
    day = ("--from", "2024-03-01T00:00Z", "--to", "2024-03-02T00:00Z")
    result = logged_in(
        "statistics", SOLAR_SERIAL, *day, "--format", "csv", "--csv-separator", ";",
        "--decimal-comma",
    )  # fmt: skip
    plain = logged_in("statistics", SOLAR_SERIAL, *day, "--format", "csv")

    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter=";"))
    expected = list(csv.DictReader(io.StringIO(plain.stdout)))
    assert [row["field"] for row in rows] == [row["field"] for row in expected]
    for row, want in zip(rows, expected, strict=True):
        assert row["mean"].replace(",", ".") == want["mean"]
        assert "." not in row["mean"]


def test_meters_csv_with_a_semicolon(logged_in: Cli) -> None:
    result = logged_in("meters", "--format", "csv", "--csv-separator", ";")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout), delimiter=";"))
    assert SOLAR_SERIAL in {row["fullSerialNumber"] for row in rows}
