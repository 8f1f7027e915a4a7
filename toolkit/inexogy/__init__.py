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
from .live import LivePoller, MeterState, Snapshot
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
    "RateLimitError",
    "Readings",
    "Resolution",
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
