"""A progress bar on stderr for readings that take several requests."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

__all__ = ["ChunkProgress"]


class ChunkProgress:
    """A ``progress(done, total)`` callback that shows a bar once a range needs several requests.

    A single request shows nothing. On a terminal the bar disappears when done; elsewhere (a
    pipe, a log) one final line is left. It writes to stderr only, so stdout keeps only data.
    """

    def __init__(self, description: str, console: Console | None = None) -> None:
        self._description = description
        if console is None:
            from rich.console import Console

            console = Console(stderr=True)
        self._console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __call__(self, done: int, total: int) -> None:
        """Report that ``done`` of ``total`` requests are finished."""
        if total < 2:
            return
        if self._progress is None:
            # Imported here: only a range of several requests pays for rich.progress.
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("requests"),
                TimeElapsedColumn(),
                console=self._console,
                transient=self._console.is_terminal,
            )
            self._progress.start()
            self._task = self._progress.add_task(self._description, total=total)
        assert self._task is not None
        self._progress.update(self._task, completed=done, total=total)

    def __enter__(self) -> ChunkProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            if error is None:
                self._progress.stop()
                return
            # A failure or a stop: the command's one line says what happened; no bar, and
            # not even the empty line rich leaves when a bar ends elsewhere than on a terminal.
            self._progress.live.transient = True
            quiet = self._console.quiet
            self._console.quiet = True
            try:
                self._progress.stop()
            finally:
                self._console.quiet = quiet
