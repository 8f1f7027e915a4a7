"""Every script in examples/ runs, as a reader would run it, against the simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running(create_app()) as url:
        yield url


def run(script: str, simulator: str, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run an example in ``folder`` with the demo account's email and password in its env."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("INEXOGY_")}
    env |= {
        "INEXOGY_BASE_URL": simulator,
        "INEXOGY_EMAIL": DEMO_EMAIL,
        "INEXOGY_PASSWORD": DEMO_PASSWORD,
        "INEXOGY_TOKEN_FILE": str(folder / "token.json"),
    }
    return subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_every_example_is_tested_here() -> None:
    tested = {
        "login_and_export.py",
        "async_last_readings.py",
        "usage_report.py",
        "test_with_the_simulator.py",
    }
    assert {path.name for path in EXAMPLES.glob("*.py")} == tested


def test_login_and_export_writes_a_week_and_keeps_the_token(simulator: str, tmp_path: Path) -> None:
    first = run("login_and_export.py", simulator, tmp_path, "61229886")
    second = run("login_and_export.py", simulator, tmp_path, "1ESY1161229886", "again.csv")

    assert first.returncode == 0, first.stderr
    assert "672 readings of 1ESY1161229886 written to week.csv" in first.stdout
    assert (tmp_path / "token.json").exists()
    header, *rows = (tmp_path / "week.csv").read_text().splitlines()
    assert header.startswith("time,energy_kWh,")
    assert len(rows) == 672
    assert second.returncode == 0, second.stderr
    assert (tmp_path / "again.csv").read_text() == (tmp_path / "week.csv").read_text()


def test_async_last_readings_prints_every_meter(simulator: str, tmp_path: Path) -> None:
    result = run("async_last_readings.py", simulator, tmp_path)

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 5
    assert any(line.startswith("1ESY1161229886: {'energy_kWh': ") for line in lines)
    assert any("'volume_m³': " in line for line in lines)


def test_usage_report_prints_one_line_per_day(simulator: str, tmp_path: Path) -> None:
    result = run("usage_report.py", simulator, tmp_path, "1ESY1161229886", "3")

    assert result.returncode == 0, result.stderr
    title, *days = result.stdout.splitlines()
    assert title == "Energy of 1ESY1161229886, kWh per day (UTC)"
    assert len(days) == 3
    for line in days:
        assert " imported " in line
        assert " exported " in line
        assert float(line.split()[2]) > 0


def test_the_simulator_example_passes_its_own_tests(simulator: str, tmp_path: Path) -> None:
    result = run("test_with_the_simulator.py", simulator, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout
