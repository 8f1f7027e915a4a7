"""Fixtures shared by every test area."""

from __future__ import annotations

import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def anyio_backend() -> str:
    """Run ``@pytest.mark.anyio`` tests on asyncio only."""
    return "asyncio"


_KILLED_WHILE_WRITING = """\
import os, signal, sys
from inexogy.files import atomic_path
with atomic_path(sys.argv[1]) as temporary:
    temporary.write_bytes(b"half of the file")
    os.kill(os.getpid(), signal.SIGKILL)
"""


@pytest.fixture
def killed_while_writing() -> Callable[[Path], Path]:
    """Make a process killed outright (SIGKILL) while writing a file atomically.

    Call it with the target; it returns the temporary file the killed writer left.
    """

    def kill(target: Path) -> Path:
        from inexogy.files import temporaries_of

        killed = subprocess.run(
            [sys.executable, "-c", _KILLED_WHILE_WRITING, str(target)], check=False
        )
        assert killed.returncode == -signal.SIGKILL
        (leftover,) = temporaries_of(target)
        return leftover

    return kill
