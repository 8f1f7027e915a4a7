"""Atomic writes under signals and crashes (issue 10, point 3): no temporary file survives.

These send real signals to this process (the main thread), with ``stops_caught`` turning them
into ``Stopped`` as the ``inexogy`` command does; the command itself is tested in
``test_clean_stops``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from inexogy.files import (
    TEMPORARY_SUFFIX,
    atomic_path,
    remove_stale_temporaries,
    temporaries_of,
    write_atomically,
)
from inexogy.stops import Stopped, stops_caught


def everything_in(directory: Path) -> list[str]:
    return sorted(path.name for path in directory.iterdir())


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_while_writing_leaves_the_target_untouched(signum: int, tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_bytes(b"the old export\n")

    def write(stream: BinaryIO) -> None:
        stream.write(b"half of the new")
        os.kill(os.getpid(), signum)
        stream.write(b" export, never finished\n")  # pragma: no cover - the signal stops first

    with pytest.raises(Stopped) as caught, stops_caught():
        write_atomically(target, write)
    assert caught.value.exit_status == 128 + signum
    assert caught.value.writing == target
    assert target.read_bytes() == b"the old export\n"
    assert everything_in(tmp_path) == ["out.csv"]


def test_a_signal_during_the_rename_waits_until_the_file_is_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.parquet"
    real_replace = os.replace

    def replace_while_signalled(source: str, destination: str) -> None:
        os.kill(os.getpid(), signal.SIGTERM)  # arrives in the middle of publishing
        real_replace(source, destination)

    monkeypatch.setattr(os, "replace", replace_while_signalled)
    with pytest.raises(Stopped) as caught, stops_caught():
        write_atomically(target, lambda stream: stream.write(b"complete"))
    assert caught.value.writing is None  # it came after the file was published
    assert target.read_bytes() == b"complete"
    assert everything_in(tmp_path) == ["out.parquet"]


def test_a_failing_writer_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"

    def fail(stream: BinaryIO) -> None:
        stream.write(b"partial")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        write_atomically(target, fail)
    assert everything_in(tmp_path) == []


def test_temporaries_have_a_recognisable_name_and_are_published_0644(tmp_path: Path) -> None:
    target = tmp_path / "readings [2024].csv"
    with atomic_path(target) as temporary:
        assert temporary.parent == tmp_path
        assert temporary.name.startswith(f".{target.name}.{os.getpid()}-")
        assert temporary.name.endswith(TEMPORARY_SUFFIX)
        assert temporaries_of(target) == [temporary]
        temporary.write_bytes(b"data")
    assert target.read_bytes() == b"data"
    assert oct(target.stat().st_mode & 0o777) == "0o644"
    assert temporaries_of(target) == []


def test_a_later_write_removes_what_a_killed_writer_left(
    tmp_path: Path, killed_while_writing: Callable[[Path], Path]
) -> None:
    target = tmp_path / "out.csv"
    # A writer killed with SIGKILL: its process is gone, its temporary file is not.
    leftover = killed_while_writing(target)
    # One of a writer that still runs (here: a sleeping child) must be left alone.
    with subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"]) as alive:
        try:
            busy = tmp_path / f".out.csv.{alive.pid}-busy{TEMPORARY_SUFFIX}"
            busy.write_bytes(b"being written")
            write_atomically(target, lambda stream: stream.write(b"new"))
            assert not leftover.exists()
            assert busy.exists()
            assert target.read_bytes() == b"new"
        finally:
            alive.kill()
    assert remove_stale_temporaries(target) == [busy]
    assert everything_in(tmp_path) == ["out.csv"]
