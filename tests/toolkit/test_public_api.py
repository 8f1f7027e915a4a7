"""The package's public names: pinned, and each one documented."""

from __future__ import annotations

import inspect

import inexogy

PUBLIC = {
    "ACCEPT", "BASE_URL_ENV", "CONVERSIONS", "DEFAULT_BASE_URL", "RESOLUTION_SPANS",
    "AsyncInexogy", "AuthenticationError", "BadRequestError", "Conversion", "Credentials",
    "CsvDialect", "ExportFormat", "ExportResult", "Inexogy", "InexogyError",
    "InvalidCredentialsError", "InvalidResponseError", "LastReading", "LivePoller", "MeterState",
    "NetworkError", "NotFoundError", "NotLoggedInError", "PermissionDeniedError",
    "PollerStoppedError",
    "RateLimitError", "Readings", "Resolution", "ResponseLimits", "RetryPolicy",
    "SchemaChangedError", "ServerError", "Snapshot",
    "TokenExpiredError", "TokenStore", "TokenStoreError", "Units", "conversion_for", "from_ms",
    "si_name", "split_range", "to_ms", "to_si", "Per", "UsageError",
}  # fmt: skip
PUBLIC |= {"ArchiveBusyError", "ArchiveError", "SyncSummary", "SyncedPeriod", "read_archive"}

METHODS = {
    "meters", "find_meter", "field_names", "devices", "readings", "last_reading", "statistics",
    "load_profile", "raw_load_profile", "disaggregation", "activities", "website_access_code",
    "virtual_meter", "create_virtual_meter", "delete_virtual_meter", "login", "from_token_store",
    "from_credentials", "export", "usage",
}  # fmt: skip
METHODS |= {"sync"}


def test_all_is_pinned_and_importable() -> None:
    assert set(inexogy.__all__) == PUBLIC
    for name in inexogy.__all__:
        assert getattr(inexogy, name) is not None


def test_every_public_class_and_function_has_a_docstring() -> None:
    for name in inexogy.__all__:
        value = getattr(inexogy, name)
        if inspect.isclass(value) or inspect.isfunction(value):
            assert inspect.getdoc(value), name


def test_sync_and_async_clients_offer_the_same_documented_methods() -> None:
    for client in (inexogy.Inexogy, inexogy.AsyncInexogy):
        for name in METHODS:
            method = getattr(client, name)
            assert inspect.getdoc(method), f"{client.__name__}.{name}"
    # AsyncInexogy.login returns an awaitable async context manager (test_ergonomics.py).
    for name in METHODS - {"from_token_store", "from_credentials", "login"}:
        assert inspect.iscoroutinefunction(getattr(inexogy.AsyncInexogy, name)), name
        assert not inspect.iscoroutinefunction(getattr(inexogy.Inexogy, name)), name


def test_both_clients_iterate_readings_chunk_by_chunk() -> None:
    # sync: a plain iterator; async: an async iterator (``async for``), not a coroutine
    for client in (inexogy.Inexogy, inexogy.AsyncInexogy):
        method = client.iter_readings
        assert inspect.getdoc(method)
        assert not inspect.iscoroutinefunction(method)
