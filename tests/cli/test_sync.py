"""``inexogy sync``: a local archive kept current, against the simulator over loopback.

The simulator's data clock is fixed at NOW (2025-06-15 12:00 UTC: June is the open month),
and every request is counted where it arrives. Authentication is Basic (the demo account),
so no login is needed.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_testkit import SOLAR_SERIAL, SOLAR_SHORT_SERIAL, Cli, said
from inexogy.archive.lock import locked
from inexogy.files import TEMPORARY_SUFFIX
from inexogy_mock import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    Account,
    FaultPlan,
    MeterSpec,
    RequestLog,
    create_app,
    running,
)
from typer.testing import Result

NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)
JUNE_MS = int(datetime(2025, 6, 1, tzinfo=UTC).timestamp() * 1000)
BASIC = ("--auth", "basic", "--email", DEMO_EMAIL)


@pytest.fixture(scope="module")
def counted() -> Iterator[tuple[str, RequestLog]]:
    log = RequestLog(create_app(clock=NOW.timestamp))
    with running(log) as url:
        yield url, log


@pytest.fixture
def log(counted: tuple[str, RequestLog]) -> RequestLog:
    counted[1].clear()
    return counted[1]


@pytest.fixture
def sync(counted: tuple[str, RequestLog], tmp_path: Path) -> Cli:
    return Cli(counted[0], tmp_path / "token.json")


def run_sync(cli: Cli, *args: str) -> Result:
    return cli(*BASIC, "sync", *args, env={"INEXOGY_PASSWORD": DEMO_PASSWORD})


def archive_files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.parquet"))}


def test_sync_fetches_what_is_missing_then_only_the_open_month(
    sync: Cli, log: RequestLog, tmp_path: Path
) -> None:
    archive = tmp_path / "archive"
    first = run_sync(sync, str(archive), "--meter", SOLAR_SHORT_SERIAL, "--from", "2025-04-10")
    assert first.exit_code == 0, first.stderr
    fetched = [line for line in first.stdout.splitlines() if line.startswith("fetched")]
    assert [line.split()[2] for line in sorted(fetched)] == ["2025-04", "2025-05", "2025-06"]
    assert all(SOLAR_SERIAL in line for line in fetched)
    assert "fetched 3 period(s) in 3 request(s)" in first.stdout
    before = archive_files(archive)
    assert len(before) == 3

    log.clear()
    second = run_sync(sync, str(archive), "--meter", SOLAR_SERIAL, "--from", "2025-04-10")

    assert second.exit_code == 0, second.stderr
    assert [r.query["from"] for r in log.to("/readings")] == [str(JUNE_MS)]
    lines = second.stdout.splitlines()
    assert lines[0].startswith(f"fetched  {SOLAR_SERIAL}  2025-06  ")
    assert "(open, fetched again next time)" in lines[0]
    assert f"kept     {SOLAR_SERIAL}  2 final period(s) 2025-04 .. 2025-05" in lines
    assert "fetched 1 period(s) in 1 request(s)" in lines[-1]
    assert lines[-1].endswith("readings; kept 2 final period(s)")
    assert archive_files(archive) == before


def test_without_meter_every_meter_of_the_account_is_synced(
    sync: Cli, log: RequestLog, tmp_path: Path
) -> None:
    result = run_sync(sync, str(tmp_path / "all"), "--from", "2025-06-14")
    assert result.exit_code == 0, result.stderr
    meters = {r.query["meterId"] for r in log.to("/readings")}
    assert len(meters) == 5  # the demo account's meters, one open month each
    assert {p.parent.parent.name for p in (tmp_path / "all").rglob("*.parquet")} == {
        f"meter={meter}" for meter in meters
    }


def test_sync_refuses_bad_input_with_the_usual_exit_codes(sync: Cli, tmp_path: Path) -> None:
    coarse = run_sync(sync, str(tmp_path / "a"), "--resolution", "one_week")
    unknown = run_sync(sync, str(tmp_path / "a"), "--meter", "nope")
    clash = tmp_path / "file"
    clash.write_text("")
    on_a_file = run_sync(sync, str(clash), "--from", "2025-06-14")
    (tmp_path / "busy").mkdir()
    with locked(tmp_path / "busy"):
        busy = run_sync(sync, str(tmp_path / "busy"), "--from", "2025-06-14")

    assert coarse.exit_code == 2
    assert "'one_week' is not one of" in said(coarse.stderr)
    assert unknown.exit_code == 1
    assert unknown.stderr.startswith("inexogy: error: no meter 'nope' in this account")
    assert on_a_file.exit_code == 2
    assert "is a file" in said(on_a_file.stderr)
    assert busy.exit_code == 1
    assert "another inexogy sync" in busy.stderr
    assert "run this one again" in busy.stderr
    assert not (tmp_path / "a").exists()
    assert archive_files(tmp_path / "busy") == {}


@pytest.mark.slow
def test_ctrl_c_leaves_a_consistent_archive_that_a_rerun_completes(
    sync: Cli, log: RequestLog, tmp_path: Path
) -> None:
    """SIGINT to a real ``inexogy sync`` process, then a rerun: no completed period refetched."""
    slow = RequestLog(create_app(clock=NOW.timestamp, faults=FaultPlan(["latency:0.3"] * 30)))
    interrupted = tmp_path / "interrupted"
    with running(slow) as slow_url:
        env = {k: v for k, v in os.environ.items() if not k.startswith("INEXOGY_")}
        env |= {"INEXOGY_BASE_URL": slow_url, "INEXOGY_PASSWORD": DEMO_PASSWORD}
        with subprocess.Popen(
            [sys.executable, "-m", "inexogy.cli", *BASIC, "sync", str(interrupted),
             "--meter", SOLAR_SERIAL, "--from", "2024-10-01"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        ) as process:  # fmt: skip
            assert process.stdout is not None
            assert process.stderr is not None
            first_line = process.stdout.readline()  # the first file is written
            process.send_signal(signal.SIGINT)
            process.wait(timeout=60)  # the outputs are short: no pipe fills up meanwhile
            # Not communicate(): it reads the pipes underneath readline's buffer.
            rest, errors = process.stdout.read(), process.stderr.read()
    assert first_line.startswith("fetched"), errors
    assert process.returncode == 130, errors
    assert "interrupted: the " in errors
    assert "run the same command again" in errors
    reported = {line.split()[2] for line in [first_line, *rest.splitlines()] if line}
    on_disk = {path.stem for path in interrupted.rglob("*.parquet")}
    # Every file reported is there (Ctrl-C between writing a file and its line may leave
    # one more), and the sync stopped before the end: 2024-10 .. 2025-06 is 9 months.
    assert reported <= on_disk
    assert 1 <= len(on_disk) < 9
    assert not list(interrupted.rglob(f"*{TEMPORARY_SUFFIX}"))

    rerun = run_sync(sync, str(interrupted), "--meter", SOLAR_SERIAL, "--from", "2024-10-01")
    assert rerun.exit_code == 0, rerun.stderr
    refetched = {r.query["from"] for r in log.to("/readings")}
    finished = [month for month in on_disk if month != "2025-06"]
    for month in finished:  # no completed month is fetched again
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
        assert str(int(start.timestamp() * 1000)) not in refetched
    assert len(refetched) == 9 - len(finished)

    whole = run_sync(sync, str(tmp_path / "whole"), "--meter", SOLAR_SERIAL, "--from", "2024-10-01")
    assert whole.exit_code == 0, whole.stderr
    assert archive_files(interrupted) == archive_files(tmp_path / "whole")


def test_verbose_lists_every_request_and_every_kept_file(sync: Cli, tmp_path: Path) -> None:
    archive = str(tmp_path / "archive")
    run_sync(sync, archive, "--meter", SOLAR_SERIAL, "--from", "2025-04-01")
    result = sync(
        "-v", *BASIC, "sync", archive, "--meter", SOLAR_SERIAL, "--from", "2025-04-01",
        env={"INEXOGY_PASSWORD": DEMO_PASSWORD},
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    requests = [line for line in result.stderr.splitlines() if "HTTP Request: GET" in line]
    assert len(requests) == 2  # the meters, then the open month
    assert "readings?meterId=" in requests[1]
    assert f"from={JUNE_MS}" in requests[1]
    kept = [line for line in result.stdout.splitlines() if line.startswith("kept")]
    assert kept == [
        f"kept     {SOLAR_SERIAL}  {month}  (final)" for month in ("2025-04", "2025-05")
    ]


def test_a_meter_that_never_sent_data_is_left_out_with_the_reason(tmp_path: Path) -> None:
    account = Account(
        "new@example.com",
        "new-password",
        [MeterSpec("solar", "70000001", first_measurement_ms=None), MeterSpec("gas", "70000002")],
    )
    with running(create_app(accounts=[account], clock=NOW.timestamp)) as url:
        result = Cli(url, tmp_path / "token.json")(
            "--auth", "basic", "--email", account.email, "sync", str(tmp_path / "a"),
            "--from", "2025-06-14", env={"INEXOGY_PASSWORD": account.password},
        )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "left out 1ESY1170000001: it has never sent data" in lines
    fetched = [line.split()[1] for line in lines if line.startswith("fetched")]
    assert fetched == ["7ELS8170000002"]  # a gas meter's full serial starts with 7
