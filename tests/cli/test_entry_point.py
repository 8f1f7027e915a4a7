"""The installed ``inexogy`` command, run as a real process against the live mock."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

from cli_testkit import OWNER_EMAIL, OWNER_PASSWORD, SOLAR_SERIAL, password_forms

COMMAND = Path(sys.executable).with_name("inexogy")


def run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run the installed command; no inherited INEXOGY_* variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("INEXOGY_")}
    return subprocess.run(
        [str(COMMAND), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**clean, **env},
        timeout=60,
        check=False,
    )


def test_the_entry_point_logs_in_and_exports_readings(owner_url: str, tmp_path: Path) -> None:
    env = {"INEXOGY_BASE_URL": owner_url, "INEXOGY_TOKEN_FILE": str(tmp_path / "token.json")}

    login = run(
        ["-v", "login", "--email", OWNER_EMAIL, "--password-stdin"], env, stdin=OWNER_PASSWORD
    )
    readings = run(
        ["readings", SOLAR_SERIAL, "--from", "2024-03-01", "--to", "2024-03-02",
         "--resolution", "one_hour"],
        env,
    )  # fmt: skip
    usage = run(["readings", SOLAR_SERIAL, "--from", "never", "--resolution", "raw"], env)

    assert login.returncode == 0, login.stderr
    assert "oauth1/authorize" in login.stderr  # -v logged the requests...
    for form in password_forms(OWNER_PASSWORD):  # ...but never the password
        assert form not in login.stdout + login.stderr
    assert readings.returncode == 0, readings.stderr
    rows = list(csv.DictReader(io.StringIO(readings.stdout)))
    assert len(rows) == 24
    assert usage.returncode == 2
    assert "is not a time" in usage.stderr


def test_the_entry_point_exits_1_on_an_api_error(mock_url: str, tmp_path: Path) -> None:
    env = {"INEXOGY_BASE_URL": mock_url, "INEXOGY_TOKEN_FILE": str(tmp_path / "none.json")}

    result = run(["meters"], env)

    assert result.returncode == 1
    assert result.stderr.startswith("inexogy: error: not logged in")
    assert result.stdout == ""
