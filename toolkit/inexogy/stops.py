"""Stopping cleanly on SIGINT and SIGTERM: a signal becomes an exception, raised at a safe point.

``stops_caught()`` turns SIGINT and SIGTERM into ``Stopped`` (a ``BaseException``, like
``KeyboardInterrupt``), so ``finally`` blocks and context managers run and remove what they
started. Inside ``uninterruptible()`` (the few steps that publish a finished file) a signal
is only noted, and ``Stopped`` is raised when the block ends, so a stop never lands between
"the file is complete under its name" and "the temporary file is gone".
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

__all__ = ["Interrupted", "Stopped", "stops_caught", "uninterruptible"]


class Stopped(BaseException):
    """The process was asked to stop (SIGINT or SIGTERM); ``exit_status`` is 128 + signal.

    ``writing`` is the file whose atomic write it interrupted (and so left untouched), if any.
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.writing: Path | None = None
        self.signal_name = signal.Signals(signum).name
        self.exit_status = 128 + signum
        super().__init__(f"stopped by {self.signal_name}")


class Interrupted(Stopped, KeyboardInterrupt):
    """``Stopped`` by SIGINT; a ``KeyboardInterrupt`` too, so handlers of Ctrl-C still work."""


def _stop(signum: int) -> Stopped:
    return Interrupted(signum) if signum == signal.SIGINT else Stopped(signum)


_state = threading.local()


def _deferring() -> bool:
    return bool(getattr(_state, "depth", 0))


def _handle(signum: int, frame: FrameType | None) -> None:
    # Python runs handlers in the main thread, between bytecodes.
    if _deferring():
        _state.pending = signum
        return
    raise _stop(signum)


@contextmanager
def stops_caught() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into ``Stopped`` while the block runs (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        previous[int(signum)] = signal.signal(signum, _handle)
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextmanager
def uninterruptible() -> Iterator[None]:
    """Hold back ``Stopped`` until the block has ended; then raise it if a signal came."""
    _state.depth = getattr(_state, "depth", 0) + 1
    try:
        yield
    finally:
        _state.depth -= 1
        pending = getattr(_state, "pending", None)
        if pending is not None and not _state.depth:
            _state.pending = None
            raise _stop(pending)
