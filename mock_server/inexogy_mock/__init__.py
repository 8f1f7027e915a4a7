"""A faithful simulator of the inexogy smart-meter API, built from the project's openapi.yaml.

``create_app()`` returns a connexion ``AsyncApp``; ``running(app)`` serves it on loopback and
yields the base URL; ``inexogy-mock`` (or ``python -m inexogy_mock``) serves it from the
command line. The simulator knows only the spec and oauthlib, never the project's clients.
"""

from .accounts import DEMO_ACCOUNT, DEMO_EMAIL, DEMO_PASSWORD, Account, demo_meters
from .app import BASE_PATH, DEFAULT_SPEC, create_app
from .faults import FaultPlan, GlitchPlan
from .meters import FIRST_MEASUREMENT_MS, Location, MeterSpec, meter_id
from .ratelimit import RateLimits
from .requestlog import LoggedRequest, RequestLog
from .server import running

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
    "create_app",
    "demo_meters",
    "meter_id",
    "running",
]
