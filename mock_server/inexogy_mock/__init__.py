"""A faithful simulator of the inexogy smart-meter API, built from the project's openapi.yaml.

``create_app()`` returns a connexion ``AsyncApp`` (with ``.switches`` to change faults, token
lifetime and rate limits while it serves); ``running(app)`` serves it on loopback and yields
the base URL; ``inexogy-mock`` (or ``python -m inexogy_mock``) serves it from the command line;
the pytest plugin ``inexogy_mock.pytest_plugin`` gives tests a running simulator. The
simulator knows only the spec and oauthlib, never the project's clients.
"""

from .accounts import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_PASSWORD, Account, demo_meters
from .app import BASE_PATH, DEFAULT_SPEC, SimulatorApp, create_app
from .faults import FaultPlan
from .meters import FIRST_MEASUREMENT_MS, Location, MeterSpec, meter_id
from .oauth import TokenLifetime
from .ratelimit import RateLimits
from .server import running
from .switches import Switches

__all__ = [
    "BASE_PATH",
    "DEFAULT_SPEC",
    "DEMO_ACCOUNT",
    "DEMO_EMAIL",
    "DEMO_PASSWORD",
    "FIRST_MEASUREMENT_MS",
    "Account",
    "FaultPlan",
    "Location",
    "MeterSpec",
    "RateLimits",
    "SimulatorApp",
    "Switches",
    "TokenLifetime",
    "create_app",
    "demo_meters",
    "meter_id",
    "running",
]
