"""The progress bar of long readings commands: on a failure, the command's one line stays alone."""

from __future__ import annotations

import io

import pytest
from inexogy.cli.progress import ChunkProgress
from rich.console import Console


def test_a_failure_leaves_nothing_of_the_bar_on_a_pipe() -> None:
    stderr = io.StringIO()
    console = Console(file=stderr, force_terminal=False)

    def fail_after_two_requests() -> None:
        with ChunkProgress("Fetching readings", console) as progress:
            progress(1, 4)
            progress(2, 4)
            raise RuntimeError("stopped")

    with pytest.raises(RuntimeError):
        fail_after_two_requests()
    assert stderr.getvalue() == ""
    assert not console.quiet  # the console is given back as it was


def test_a_finished_bar_leaves_its_final_line_on_a_pipe() -> None:
    stderr = io.StringIO()
    with ChunkProgress("Fetching readings", Console(file=stderr, force_terminal=False)) as progress:
        progress(1, 2)
        progress(2, 2)
    assert "2/2" in stderr.getvalue()
