"""``Reauthorizer``: runs the dance again when an access token has expired."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import httpx
import inexogy_client

from .credentials import DEFAULT_APP_NAME, Credentials
from .errors import TokenStoreError
from .store import TokenStore

__all__ = ["Reauthorizer"]

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 30.0
DEFAULT_MIN_INTERVAL = 1.0
"""Seconds between the starts of two dances: the real service rate-limits the authorize step."""
DEFAULT_MAX_DANCES = 3
"""Fresh tokens one request may see refused before it gives up."""
# httpx arguments that the generated Client takes as its own fields (passing them inside
# httpx_args as well would give httpx the same keyword twice).
_CLIENT_FIELDS = {
    "timeout": "timeout",
    "headers": "headers",
    "cookies": "cookies",
    "verify": "verify_ssl",
    "follow_redirects": "follow_redirects",
}


class Reauthorizer:
    """Get a new access token with the email and password ``password_provider`` returns.

    ``OAuth1Auth`` calls it when a data call answers 401. It reuses the consumer of the expired
    credentials (registering a new one if the server has forgotten it), saves the new
    credentials to ``store`` when one is given, and speaks HTTP only through a generated
    ``inexogy_client.Client`` of its own, built from ``base_url`` and ``httpx_args`` (e.g.
    ``verify``, a ``timeout``: 30 s unless given). The same ``httpx_args`` serve the sync and
    the async dance, so a transport in them fits only one of the two.

    Dances start at least ``min_interval`` seconds apart, and a request gives up with
    ``TokenExpiredError`` once the service refused ``max_dances`` tokens fresh from a dance
    (see ``inexogy_auth.healing``). Before dancing it looks into ``store``: when another
    process already saved a newer token of the same consumer there, that one is used instead.
    """

    def __init__(
        self,
        base_url: str,
        password_provider: Callable[[], tuple[str, str]],
        *,
        store: TokenStore | None = None,
        app_name: str = DEFAULT_APP_NAME,
        httpx_args: dict[str, Any] | None = None,
        min_interval: float = DEFAULT_MIN_INTERVAL,
        max_dances: int = DEFAULT_MAX_DANCES,
    ) -> None:
        if min_interval < 0:
            raise ValueError(f"min_interval must not be negative, not {min_interval}")
        if max_dances < 1:
            raise ValueError(f"max_dances must be at least 1, not {max_dances}")
        self.min_interval = min_interval
        self.max_dances = max_dances
        self.base_url = base_url
        self.store = store
        self.app_name = app_name
        self._password_provider = password_provider
        self._httpx_args = dict(httpx_args or {})
        # Tokens taken from the store once are never taken again (they may be refused too).
        self._tokens_seen: set[str] = set()

    def __repr__(self) -> str:
        return (
            f"Reauthorizer(base_url={self.base_url!r}, app_name={self.app_name!r}, "
            f"store={self.store!r})"
        )

    def reauthorize(self, expired: Credentials | None) -> Credentials:
        """Run the dance with the sync client, save and return the new credentials.

        A newer token of the same consumer in the store is returned instead, without a dance.
        """
        stored = self._newer_in_store(expired)
        if stored is not None:
            return stored
        from .dance import authorize  # the dance's models are loaded only when one is needed

        email, password = self._password_provider()
        with self._client() as client:
            credentials = authorize(
                client, email, password, app_name=self.app_name, consumer=_consumer_of(expired)
            )
        self._tokens_seen.add(credentials.token)
        self._save(credentials)
        return credentials

    async def reauthorize_async(self, expired: Credentials | None) -> Credentials:
        """Run the dance with the async client, save and return the new credentials.

        A newer token of the same consumer in the store is returned instead, without a dance.
        """
        stored = self._newer_in_store(expired)
        if stored is not None:
            return stored
        from .dance import authorize_async

        email, password = self._password_provider()
        async with self._client() as client:
            credentials = await authorize_async(
                client, email, password, app_name=self.app_name, consumer=_consumer_of(expired)
            )
        self._tokens_seen.add(credentials.token)
        self._save(credentials)
        return credentials

    def _client(self) -> inexogy_client.Client:
        fields: dict[str, Any] = {"timeout": httpx.Timeout(DEFAULT_TIMEOUT)}
        httpx_args: dict[str, Any] = {}
        for name, value in self._httpx_args.items():
            if name in _CLIENT_FIELDS:
                fields[_CLIENT_FIELDS[name]] = value
            else:
                httpx_args[name] = value
        if not isinstance(fields["timeout"], httpx.Timeout):
            fields["timeout"] = httpx.Timeout(fields["timeout"])
        return inexogy_client.Client(base_url=self.base_url, httpx_args=httpx_args, **fields)

    def _newer_in_store(self, expired: Credentials | None) -> Credentials | None:
        """Return a token another process saved after ``expired`` was issued, if any."""
        if self.store is None or expired is None:
            return None
        try:
            stored = self.store.load()
        except TokenStoreError:
            return None  # the dance will write a good one
        if (
            stored is None
            or stored == expired
            or stored.consumer_key != expired.consumer_key
            or stored.token in self._tokens_seen
        ):
            return None
        self._tokens_seen.add(stored.token)
        logger.debug("using the newer access token another process saved to %s", self.store.path)
        return stored

    def _save(self, credentials: Credentials) -> None:
        if self.store is None:
            return
        try:
            self.store.save(credentials.for_service(self.base_url))
        except TokenStoreError as exc:
            # The new token works for this session; failing the data call would help nobody.
            logger.warning("the new access token could not be saved: %s", exc)
        else:
            logger.debug("new access token saved to %s", self.store.path)


def _consumer_of(credentials: Credentials | None) -> tuple[str, str] | None:
    if credentials is None:
        return None
    return credentials.consumer_key, credentials.consumer_secret
