"""A faithful simulator of the inexogy smart-meter API, built from the project's openapi.yaml.

``create_app()`` returns a connexion ``AsyncApp`` (with ``.switches`` to change faults, token
lifetime and rate limits while it serves); ``running(app)`` serves it on loopback and yields
the base URL; ``inexogy-mock`` (or ``python -m inexogy_mock``) serves it from the command line;
the pytest plugin ``inexogy_mock.pytest_plugin`` gives tests a running simulator. The
simulator knows only the spec and oauthlib, never the project's clients. It needs the
``mock`` extra (``pip install 'inexogy[mock]'``); without it, using a name says so.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .accounts import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_PASSWORD, Account, demo_meters
    from .app import BASE_PATH, DEFAULT_SPEC, SimulatorApp, create_app
    from .faults import FaultPlan, GlitchPlan
    from .meters import FIRST_MEASUREMENT_MS, Location, MeterSpec, meter_id
    from .oauth import TokenLifetime
    from .ratelimit import RateLimits
    from .requestlog import LoggedRequest, RequestLog
    from .server import running
    from .switches import Switches

    __version__: str

# Names are imported on first use: the pytest plugin (loaded by every pytest run where the
# package is installed) imports this package, and must not pay for connexion, or fail
# without it, until a fixture is used.
_WHERE = {
    "DEMO_ACCOUNT": "accounts",
    "DEMO_EMAIL": "accounts",
    "DEMO_PASSWORD": "accounts",
    "Account": "accounts",
    "demo_meters": "accounts",
    "BASE_PATH": "app",
    "DEFAULT_SPEC": "app",
    "SimulatorApp": "app",
    "create_app": "app",
    "FaultPlan": "faults",
    "GlitchPlan": "faults",
    "FIRST_MEASUREMENT_MS": "meters",
    "Location": "meters",
    "MeterSpec": "meters",
    "meter_id": "meters",
    "TokenLifetime": "oauth",
    "RateLimits": "ratelimit",
    "LoggedRequest": "requestlog",
    "RequestLog": "requestlog",
    "running": "server",
    "Switches": "switches",
}


# What the simulator needs beyond the base install: the `mock` extra.
_EXTRA_PACKAGES = frozenset({"connexion", "flask", "starlette", "uvicorn", "numpy"})


def __getattr__(name: str) -> Any:
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("inexogy")
        except PackageNotFoundError:  # run from a source tree that was never installed
            return "0+unknown"
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'inexogy_mock' has no attribute {name!r}")
    try:
        imported = importlib.import_module(f".{module}", __name__)
    except ModuleNotFoundError as error:
        missing = (error.name or "").split(".")[0]
        if missing not in _EXTRA_PACKAGES:
            raise
        raise ImportError(
            f"the inexogy simulator needs {missing}, which is not installed: "
            "pip install 'inexogy[mock]'",
            name=error.name,
        ) from None
    value = getattr(imported, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "BASE_PATH",
    "DEFAULT_SPEC",
    "DEMO_ACCOUNT",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FIRST_MEASUREMENT_MS",
    "Account",
    "FaultPlan",
    "GlitchPlan",
    "Location",
    "LoggedRequest",
    "MeterSpec",
    "RateLimits",
    "RequestLog",
    "SimulatorApp",
    "Switches",
    "TokenLifetime",
    "create_app",
    "demo_meters",
    "meter_id",
    "running",
]
