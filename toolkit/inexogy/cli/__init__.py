"""The ``inexogy`` command line: ``inexogy login``, ``meters``, ``readings``, ``plot``...

``main`` is the console-script entry point; ``app`` is the typer application (for tests
and for embedding).
"""

from __future__ import annotations

from .app import app, main

__all__ = ["app", "main"]
