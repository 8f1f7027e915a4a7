"""Refuse to load the simulator without its packages, naming the extra that brings them."""

from __future__ import annotations

from importlib.util import find_spec

__all__: list[str] = []

for _needed in ("connexion", "numpy"):
    if find_spec(_needed) is None:
        raise ImportError(
            f"the inexogy simulator needs {_needed}, which is not installed: "
            "pip install 'inexogy[mock]'",
            name=_needed,
        )
