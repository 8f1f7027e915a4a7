"""``inexogy watch``: JSON lines through a pipe, a live view under a pseudo-terminal."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import termios
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cli_testkit import SOLAR_SERIAL, Cli, data_lines, said
from inexogy.cli.watch import SPARK_WINDOW_MS, History, sparkline
from inexogy.last_reading import LastReading
from inexogy_mock import create_app, running
from live_testkit import COMMAND, command_env

FROZEN = datetime(2024, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def frozen_url() -> Iterator[str]:
    """A simulator whose clock stands still: the same last reading every time."""
    with running(create_app(clock=FROZEN.timestamp)) as url:
        yield url


@pytest.fixture(scope="module")
def frozen_cli(frozen_url: str, tmp_path_factory: pytest.TempPathFactory) -> Cli:
    cli = Cli(frozen_url, tmp_path_factory.mktemp("watch") / "token.json")
    cli.login()
    return cli


def last_reading(cli: Cli, *args: str) -> dict[str, object]:
    answer = cli("last-reading", SOLAR_SERIAL, "--units", "si", "--format", "json", *args)
    assert answer.exit_code == 0, answer.stderr
    document: dict[str, object] = json.loads(answer.stdout)
    return document


def test_piped_it_prints_one_json_line_per_poll(frozen_cli: Cli) -> None:
    result = frozen_cli("watch", SOLAR_SERIAL, "--interval", "0.1", "--count", "3")
    assert result.exit_code == 0, result.stderr
    lines = [json.loads(line) for line in data_lines(result.stdout)]
    expected = last_reading(frozen_cli)
    assert len(lines) == 3
    for line in lines:
        assert line["meterId"] == expected["meterId"]
        assert line["values"] == expected["values"]
        assert line["time"] == expected["time"]  # the same reading keeps its own time
    ages = [line["ageSeconds"] for line in lines]
    assert ages == sorted(ages)

    in_tokyo = frozen_cli("--tz", "Asia/Tokyo", "watch", SOLAR_SERIAL, "--count", "1")
    (line,) = [json.loads(line) for line in data_lines(in_tokyo.stdout)]
    assert line["time"] == last_reading(frozen_cli, "--tz", "Asia/Tokyo")["time"]
    assert line["time"].endswith("+09:00")


def test_fields_choose_what_is_asked_and_shown(frozen_cli: Cli) -> None:
    result = frozen_cli(
        "watch", SOLAR_SERIAL, "--interval", "0.1", "--count", "1", "--field", "power",
        "--field", "voltage1",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (line,) = [json.loads(line) for line in data_lines(result.stdout)]
    expected = last_reading(frozen_cli, "--fields", "power,voltage1")
    assert line["values"] == expected["values"]
    assert set(line["values"]) == {"power_W", "voltage1_V"}

    unknown = frozen_cli("watch", SOLAR_SERIAL, "--field", "volume")
    assert unknown.exit_code == 2
    assert "has no field 'volume'" in said(unknown.stderr)

    too_fast = frozen_cli("watch", SOLAR_SERIAL, "--interval", "1", env={"INEXOGY_BASE_URL": None})
    assert too_fast.exit_code == 2
    assert "give --interval 2 or more" in said(too_fast.stderr)


def _read_until(descriptor: int, wanted: list[str], seconds: float) -> str:
    """Read the terminal's output until every text in ``wanted`` appeared (or time ran out)."""
    seen = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if all(text.encode() in seen for text in wanted):
            break
        ready, _, _ = select.select([descriptor], [], [], 0.1)
        if ready:
            try:
                seen += os.read(descriptor, 65536)
            except OSError:  # the other side closed
                break
    return seen.decode(errors="replace")


@pytest.mark.parametrize("quit_with", ["q", "SIGINT"])
def test_in_a_terminal_it_shows_the_values_and_q_or_ctrl_c_quits(
    frozen_cli: Cli, tmp_path: Path, quit_with: str
) -> None:
    expected = last_reading(frozen_cli)
    values = expected["values"]
    assert isinstance(values, dict)
    token = Path(shutil.copy(frozen_cli.token_file, tmp_path / "token.json"))
    main, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    process = subprocess.Popen(
        [str(COMMAND), "watch", SOLAR_SERIAL, "--interval", "0.2"],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=command_env(frozen_cli.base_url, token, {"TERM": "xterm-256color"}),
        start_new_session=True,
    )
    os.close(terminal)
    try:
        shown = [f"{values['power_W']:.3f}", f"{values['voltage3_V']:.3f}", "q or Ctrl-C quits"]
        screen = _read_until(main, [*shown, "voltage3"], 20)
        for text in [*shown, "power1", "voltage3", SOLAR_SERIAL, " ago"]:
            assert text in screen, screen
        if quit_with == "q":
            os.write(main, b"q")
        else:  # what Ctrl-C sends to the terminal's foreground process
            process.send_signal(signal.SIGINT)
        assert process.wait(5) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(5)
        os.close(main)


def _reading(seconds: int, power_mw: int) -> LastReading:
    return LastReading("m", seconds * 1000, {"power": power_mw, "voltage1": 230_000})


def test_history_keeps_each_reading_once_within_the_window() -> None:
    history = History()
    history.add(_reading(0, 1_000))
    history.add(_reading(0, 9_000))  # the same reading again: not a new point
    history.add(_reading(2, 2_000))
    assert history.series("power") == [1.0, 2.0]
    history.add(_reading(SPARK_WINDOW_MS // 1000 + 1, 3_000))
    assert history.series("power") == [2.0, 3.0]  # the first fell out of the window
    assert history.series("voltage1") == [230.0, 230.0]
    assert history.series("energy") == []


def test_sparkline_spans_lowest_to_highest() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 7, 3.5, 7]) == "▁█▅█"
    assert sparkline([5, 5]) == "▄▄"
