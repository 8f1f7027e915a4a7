"""The ``inexogy`` command line: ``inexogy login``, ``meters``, ``readings``, ``plot``...

``main`` is the console-script entry point; ``app`` is the typer application (for tests
and for embedding). Both need the ``cli`` extra (``pip install 'inexogy[cli]'``); without it
``main`` says so in one line.
"""

from __future__ import annotations

import sys

from inexogy.extras import MissingExtraError

__all__ = ["app", "main"]

# What the command itself needs at start (polars, matplotlib... are checked where used).
_COMMAND_NEEDS = frozenset({"typer", "click", "rich"})

try:
    from .app import app, main
except ModuleNotFoundError as error:
    _missing = (error.name or "").split(".")[0]
    if _missing not in _COMMAND_NEEDS:
        raise
    _explained = MissingExtraError(_missing, "cli", "the inexogy command")

    def main() -> None:
        """Say which extra the ``inexogy`` command needs, and exit with status 1."""
        sys.exit(f"inexogy: error: {_explained}")
