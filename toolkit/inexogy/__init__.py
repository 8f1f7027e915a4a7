"""The inexogy (formerly Discovergy) smart-meter API for people.

``Inexogy`` (and ``AsyncInexogy`` for asyncio) wrap the generated ``inexogy_client`` and the
``inexogy_auth`` plugin: log in once, keep the token, get typed results, long ranges split and
merged, retries with backoff, units converted on request, tables as polars DataFrames::

    from datetime import UTC, datetime, timedelta
    from inexogy import Inexogy

    with Inexogy.login("demo@inexogy.com", "demo") as api:
        meter = api.find_meter("1ESY1161229886")
        print(api.last_reading(meter.meter_id).si_values())
        week = api.readings(
            meter.meter_id, datetime.now(UTC) - timedelta(days=7), resolution="fifteen_minutes"
        )
        week.write("week.csv", units="si")
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

if TYPE_CHECKING:
    from inexogy_auth import Credentials, TokenStore

    from .archive import ArchiveBusyError, ArchiveError, SyncedPeriod, SyncSummary, read_archive
    from .async_client import AsyncInexogy
    from .chunks import RESOLUTION_SPANS, Resolution, split_range
    from .client import Inexogy
    from .connection import ACCEPT, BASE_URL_ENV, DEFAULT_BASE_URL
    from .errors import (
        AuthenticationError,
        BadRequestError,
        InexogyError,
        InvalidCredentialsError,
        InvalidResponseError,
        NetworkError,
        NotFoundError,
        NotLoggedInError,
        PermissionDeniedError,
        RateLimitError,
        ServerError,
        TokenExpiredError,
        TokenStoreError,
    )
    from .export import CsvDialect, ExportFormat, SchemaChangedError
    from .last_reading import LastReading
    from .limits import ResponseLimits
    from .live import LivePoller, MeterState, PollerStoppedError, Snapshot
    from .readings import Readings
    from .retry import RetryPolicy
    from .stream import ExportResult
    from .timestamps import from_ms, to_ms
    from .units import CONVERSIONS, Conversion, Units, conversion_for, si_name, to_si
    from .usage import Per, UsageError

__all__ = [
    "ACCEPT",
    "BASE_URL_ENV",
    "CONVERSIONS",
    "DEFAULT_BASE_URL",
    "RESOLUTION_SPANS",
    "ArchiveBusyError",
    "ArchiveError",
    "AsyncInexogy",
    "AuthenticationError",
    "BadRequestError",
    "Conversion",
    "Credentials",
    "CsvDialect",
    "ExportFormat",
    "ExportResult",
    "Inexogy",
    "InexogyError",
    "InvalidCredentialsError",
    "InvalidResponseError",
    "LastReading",
    "LivePoller",
    "MeterState",
    "NetworkError",
    "NotFoundError",
    "NotLoggedInError",
    "Per",
    "PermissionDeniedError",
    "PollerStoppedError",
    "RateLimitError",
    "Readings",
    "Resolution",
    "ResponseLimits",
    "RetryPolicy",
    "SchemaChangedError",
    "ServerError",
    "Snapshot",
    "SyncSummary",
    "SyncedPeriod",
    "TokenExpiredError",
    "TokenStore",
    "TokenStoreError",
    "Units",
    "UsageError",
    "conversion_for",
    "from_ms",
    "read_archive",
    "si_name",
    "split_range",
    "to_ms",
    "to_si",
]

# Where each public name lives: imported on first use (PEP 562), so that `import inexogy` and
# the `inexogy` command's start pay only for what they use (httpx, the generated client and
# the optional packages are imported when a name needing them is first touched).
_MODULES = {
    "LivePoller": ".live",
    "PollerStoppedError": ".live",
    "MeterState": ".live",
    "Snapshot": ".live",
    "Per": ".usage",
    "UsageError": ".usage",
    "ArchiveBusyError": ".archive",
    "ArchiveError": ".archive",
    "SyncSummary": ".archive",
    "SyncedPeriod": ".archive",
    "read_archive": ".archive",
    "ACCEPT": ".connection",
    "AsyncInexogy": ".async_client",
    "AuthenticationError": ".errors",
    "BASE_URL_ENV": ".connection",
    "BadRequestError": ".errors",
    "CONVERSIONS": ".units",
    "Conversion": ".units",
    "Credentials": "inexogy_auth",
    "DEFAULT_BASE_URL": ".connection",
    "CsvDialect": ".export",
    "ExportFormat": ".export",
    "ExportResult": ".stream",
    "SchemaChangedError": ".export",
    "Inexogy": ".client",
    "InexogyError": ".errors",
    "InvalidCredentialsError": ".errors",
    "InvalidResponseError": ".errors",
    "LastReading": ".last_reading",
    "ResponseLimits": ".limits",
    "NetworkError": ".errors",
    "NotFoundError": ".errors",
    "NotLoggedInError": ".errors",
    "PermissionDeniedError": ".errors",
    "RESOLUTION_SPANS": ".chunks",
    "RateLimitError": ".errors",
    "Readings": ".readings",
    "Resolution": ".chunks",
    "RetryPolicy": ".retry",
    "ServerError": ".errors",
    "TokenExpiredError": ".errors",
    "TokenStore": "inexogy_auth",
    "TokenStoreError": ".errors",
    "Units": ".units",
    "conversion_for": ".units",
    "from_ms": ".timestamps",
    "si_name": ".units",
    "split_range": ".chunks",
    "to_ms": ".timestamps",
    "to_si": ".units",
}


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
