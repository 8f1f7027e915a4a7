"""SIGINT and SIGTERM stop ``inexogy readings`` cleanly at any point (issue 10, point 3).

The command runs as a process of its own against a simulator whose every data request takes
``LATENCY`` seconds (its latency fault), so "while fetching" is a moment the test can hit for
sure: it waits until the simulator has received the n-th request, then signals. "While
writing" is hit by watching for the temporary file. Each run must end with exit status 130
(SIGINT) or 143 (SIGTERM), exactly one line on stderr, no temporary file, and the target
untouched (here: an older export that must survive byte for byte).
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from inexogy.files import TEMPORARY_SUFFIX, temporaries_of
from resilience_testkit import CountingFaults, command_env, simulator, start_command

LATENCY = "latency:0.4"
OLD_EXPORT = b"time,power_W\nan older export that must survive\n"
# Four raw days of one field: four requests, ~170,000 rows to write.
ARGS = [
    "--auth",
    "basic",
    "readings",
    "10512345",
    "--from",
    "2025-06-01T00:00Z",
    "--to",
    "2025-06-05T00:00Z",
]
ARGS += ["--resolution", "raw", "--fields", "power"]


def run_and_signal(
    tmp_path: Path, suffix: str, signum: int, after_requests: int | None
) -> tuple[int, str, Path, bool]:
    """Run the export, send ``signum`` after that many requests (None: while writing)."""
    target = tmp_path / f"export{suffix}"
    target.write_bytes(OLD_EXPORT)
    faults = CountingFaults([LATENCY] * 50)
    with simulator(clock=time.time, faults=faults) as url:
        command = start_command(
            [*ARGS, "-o", str(target)], command_env(url, tmp_path / "token.json")
        )
        signalled = False
        try:
            if after_requests is not None:
                assert faults.wait_for(after_requests), "the command never asked"
                command.send_signal(signum)
                signalled = True
            else:
                deadline = time.monotonic() + 60
                while command.poll() is None and time.monotonic() < deadline:
                    if temporaries_of(target):
                        command.send_signal(signum)
                        signalled = True
                        break
                    time.sleep(0.0005)
            _, stderr = command.communicate(timeout=60)
        finally:
            if command.poll() is None:
                command.kill()
    return command.returncode, stderr, target, signalled


def stop_lines(stderr: str) -> list[str]:
    """The lines of stderr: a stop must say everything in exactly one line."""
    return stderr.splitlines()


def assert_clean_stop(status: int, stderr: str, target: Path, signum: int) -> None:
    assert status == 128 + signum, stderr
    lines = stop_lines(stderr)
    assert len(lines) == 1, stderr
    assert signal.Signals(signum).name in lines[0]
    assert "nothing was written" in lines[0]
    assert target.read_bytes() == OLD_EXPORT
    assert temporaries_of(target) == []
    assert not [p.name for p in target.parent.iterdir() if p.name.endswith(TEMPORARY_SUFFIX)]


@pytest.mark.parametrize(
    "signum", [pytest.param(signal.SIGINT, marks=pytest.mark.slow), signal.SIGTERM]
)
def test_a_signal_while_fetching_stops_with_nothing_written(signum: int, tmp_path: Path) -> None:
    status, stderr, target, _ = run_and_signal(tmp_path, ".parquet", signum, after_requests=2)
    assert_clean_stop(status, stderr, target, signum)
    assert "`inexogy readings` stopped by" in stderr


@pytest.mark.slow
@pytest.mark.parametrize(
    ("suffix", "signum", "after_requests"),
    [
        (".csv", signal.SIGINT, 1),
        (".csv", signal.SIGTERM, 4),
        (".parquet", signal.SIGTERM, 1),
        (".parquet", signal.SIGINT, 3),
    ],
)
def test_signals_at_many_points_of_a_long_export(
    suffix: str, signum: int, after_requests: int, tmp_path: Path
) -> None:
    status, stderr, target, _ = run_and_signal(tmp_path, suffix, signum, after_requests)
    assert_clean_stop(status, stderr, target, signum)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("suffix", "signum"), [(".csv", signal.SIGINT), (".parquet", signal.SIGTERM)]
)
def test_a_signal_as_the_temporary_file_appears(suffix: str, signum: int, tmp_path: Path) -> None:
    status, stderr, target, signalled = run_and_signal(tmp_path, suffix, signum, None)
    assert temporaries_of(target) == []
    if status == 0:
        # The write ended before the signal could land: then the export is whole.
        assert target.read_bytes() != OLD_EXPORT
        assert target.stat().st_size > 100_000
        return
    lines = stop_lines(stderr)
    assert len(lines) == 1, stderr
    assert status == 128 + signum
    assert signalled
    if "written completely" in lines[0]:
        assert target.read_bytes() != OLD_EXPORT  # the rename had happened: whole and new
    else:
        assert "nothing was written" in lines[0]
        assert target.read_bytes() == OLD_EXPORT
