"""The ``inexogy-mock`` console script: the simulator's command, or one line naming its extra."""

from __future__ import annotations

import sys

__all__ = ["main"]

# What the simulator's command imports at start; any of them missing means the extra is.
_NEEDS = frozenset(
    {"typer", "click", "rich", "connexion", "flask", "starlette", "uvicorn", "numpy", "a2wsgi"}
)


def main() -> None:
    """Run ``inexogy-mock``; without the ``mock`` extra say so in one line and exit with 1."""
    try:
        from .__main__ import main as serve
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in _NEEDS:
            raise
        sys.exit(
            f"inexogy-mock: error: the simulator needs {missing}, which is not installed: "
            "pip install 'inexogy[mock]'"
        )
    serve()
