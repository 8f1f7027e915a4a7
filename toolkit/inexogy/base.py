"""What the sync and the async client share: settings, connection, retries, range planning."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Self

import httpx
import inexogy_auth
from inexogy_auth import BasicAuth, Credentials, TokenStore

from .calls import Call, readings_chunk, readings_frame_chunk
from .chunks import Resolution, split_range
from .connection import Connection, base_url_for
from .last_reading import Clock
from .limits import DEFAULT_RESPONSE_LIMITS, ResponseLimits
from .meters import MeterRef, known_meter_id, match_meter
from .retry import Retrier, RetryPolicy
from .sessions import (
    PasswordProvider,
    oauth_auth,
    save_credentials,
    stored_credentials,
    token_base_url,
)
from .timestamps import Moment, to_moment, to_ms

if TYPE_CHECKING:
    import polars as pl
    from inexogy_client.models import Meter, Reading

__all__ = ["ClientBase", "Progress"]

Progress = Callable[[int, int], None]
"""Called with (chunks done, chunks in all) after each request of a long range."""


class ClientBase:
    """Settings and plumbing of ``Inexogy`` and ``AsyncInexogy``."""

    def __init__(
        self,
        *,
        auth: httpx.Auth | None,
        base_url: str | None,
        http_client: httpx.Client | httpx.AsyncClient | None,
        retry: RetryPolicy | None,
        timeout: float,
        max_concurrency: int,
        clock: Clock,
        monotonic: Callable[[], float],
        asynchronous: bool,
        response_limits: ResponseLimits | Mapping[str, int] | None = None,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, not {max_concurrency}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive seconds, not {timeout}")
        self._response_limits = _limits(response_limits)
        self._connection = Connection(
            auth=auth,
            base_url=base_url,
            timeout=timeout,
            http_client=http_client,
            asynchronous=asynchronous,
            response_limits=self._response_limits,
        )
        self._retrier = Retrier(retry, monotonic)
        self._max_concurrency = max_concurrency
        self._clock = clock
        self._meters: list[Meter] | None = None

    @classmethod
    def from_credentials(
        cls,
        credentials: Credentials,
        *,
        base_url: str | None = None,
        password_provider: PasswordProvider | None = None,
        store: TokenStore | None = None,
        app_name: str = inexogy_auth.DEFAULT_APP_NAME,
        **kwargs: Any,
    ) -> Self:
        """Return a client signing with OAuth ``credentials`` (consumer and access token).

        With a ``password_provider`` (returning email and password) an expired token is
        renewed by itself and saved to ``store``; without one it raises ``TokenExpiredError``.
        """
        resolved = base_url_for(base_url, kwargs.get("http_client"))
        auth = oauth_auth(
            credentials,
            resolved,
            password_provider=password_provider,
            store=store,
            app_name=app_name,
        )
        return cls(auth=auth, base_url=resolved, **kwargs)

    @classmethod
    def from_token_store(
        cls,
        store: TokenStore | None = None,
        *,
        base_url: str | None = None,
        password_provider: PasswordProvider | None = None,
        **kwargs: Any,
    ) -> Self:
        """Return a client signing with the token saved by an earlier login.

        ``store`` defaults to ``TokenStore()`` (``$INEXOGY_TOKEN_FILE``, else the user's
        config directory). ``base_url`` defaults to the service the token was issued by.
        Raises ``NotLoggedInError`` when the store holds no token, or a token of another
        service than ``base_url`` (or ``$INEXOGY_BASE_URL``).
        """
        store = TokenStore() if store is None else store
        credentials = stored_credentials(store)
        return cls.from_credentials(
            credentials,
            base_url=token_base_url(base_url, credentials, store),
            password_provider=password_provider,
            store=store,
            **kwargs,
        )

    @classmethod
    def _basic(
        cls, email: str, password: str, base_url: str | None, kwargs: dict[str, Any]
    ) -> Self:
        """Return a client sending the password with every request (``method="basic"``)."""
        return cls(auth=BasicAuth(email, password), base_url=base_url, **kwargs)

    @staticmethod
    def _dance_connection(
        base_url: str | None, kwargs: dict[str, Any], *, asynchronous: bool
    ) -> Connection:
        """Return the unsigned connection the OAuth dance of a login runs on."""
        return Connection(
            auth=None,
            base_url=base_url,
            timeout=kwargs.get("timeout", 30.0),
            http_client=kwargs.get("http_client"),
            asynchronous=asynchronous,
        )

    @classmethod
    def _logged_in(
        cls,
        credentials: Credentials,
        connection: Connection,
        email: str,
        password: str,
        *,
        store: TokenStore | None,
        app_name: str,
        kwargs: dict[str, Any],
    ) -> Self:
        """Return a client signing with the dance's ``credentials``, saved to ``store``."""
        credentials = credentials.for_service(connection.base_url)
        save_credentials(store, credentials)
        return cls.from_credentials(
            credentials,
            base_url=connection.base_url,
            store=store,
            password_provider=lambda: (email, password),
            app_name=app_name,
            **kwargs,
        )

    @property
    def response_limits(self) -> ResponseLimits:
        """The size limits answers are held to (see ``inexogy.ResponseLimits``)."""
        return self._response_limits

    @property
    def base_url(self) -> str:
        """The API's base URL, e.g. ``https://api.inexogy.com/public/v1``."""
        return self._connection.base_url

    @property
    def retry(self) -> RetryPolicy | None:
        """The retry policy (``None``: every call is tried once)."""
        return self._retrier.policy

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    def _remember_meters(self, meters: list[Meter]) -> list[Meter]:
        """Keep the account's meters for resolving serial numbers later; return them."""
        self._meters = meters
        return meters

    def _resolved(self, meter: MeterRef, meters: list[Meter] | None) -> str:
        """Return the meterId of ``meter``, looked up in ``meters`` if it is a serial number."""
        known = known_meter_id(meter)
        if known is not None:
            return known
        assert meters is not None
        assert isinstance(meter, str)
        return match_meter(meters, meter).meter_id

    def _needs_meters(self, meters: Sequence[MeterRef]) -> bool:
        """Whether resolving ``meters`` needs the account's meters not fetched yet."""
        return self._meters is None and any(known_meter_id(meter) is None for meter in meters)

    def _moment(self, value: Moment, name: str) -> datetime:
        """Return the aware datetime ``value`` names; dates and offset-less strings in ``tz``.

        ``tz`` is the client's time zone when it has one, else UTC.
        """
        zone = getattr(self, "tz", None)
        return to_moment(value, name, zone if isinstance(zone, tzinfo) else UTC)

    def _span(self, start: Moment, end: Moment | None) -> tuple[datetime, datetime | None]:
        """Return ``start`` and ``end`` (``None``: now) as aware datetimes (see ``_moment``)."""
        return self._moment(start, "start"), None if end is None else self._moment(end, "end")

    def _readings_calls(
        self,
        meter_id: str,
        start: datetime,
        end: datetime | None,
        resolution: Resolution,
        fields: Sequence[str] | None,
    ) -> list[tuple[int, int, Call[list[Reading]]]]:
        """One call per span the resolution allows (typed path), with the span it covers."""
        return [
            (low, high, readings_chunk(meter_id, low, high, resolution, fields))
            for low, high in self._readings_spans(start, end, resolution)
        ]

    def _frame_calls(
        self,
        meter_id: str,
        start: datetime,
        end: datetime | None,
        resolution: Resolution,
        fields: Sequence[str] | None,
    ) -> list[Call[pl.DataFrame]]:
        """One call per span the resolution allows, each answer straight into columns."""
        limit = self._response_limits.for_path("/readings")
        return [
            readings_frame_chunk(meter_id, low, high, resolution, fields, limit)
            for low, high in self._readings_spans(start, end, resolution)
        ]

    def _readings_spans(
        self, start: datetime, end: datetime | None, resolution: Resolution
    ) -> list[tuple[int, int]]:
        """Return the spans of ``[start, end)`` (``end``: now) one request each may cover."""
        lower = to_ms(start, "start")
        upper = to_ms(self._clock() if end is None else end, "end")
        if upper <= lower:
            raise ValueError(
                f"the range is empty: start {start.isoformat()} is not before "
                f"{'now' if end is None else 'end'} ({(end or self._clock()).isoformat()})"
            )
        return split_range(lower, upper, resolution)


def _limits(given: ResponseLimits | Mapping[str, int] | None) -> ResponseLimits:
    """Return the limits for what a client was given: nothing, limits, or sizes per path."""
    if given is None:
        return DEFAULT_RESPONSE_LIMITS
    if isinstance(given, ResponseLimits):
        return given
    return DEFAULT_RESPONSE_LIMITS.with_limits(given)
