"""Retrying failed calls: exponential backoff with full jitter, honouring ``Retry-After``.

Every attempt runs the whole call again through the generated client, so the auth signs it
anew (a retry at the transport level would resend the same OAuth nonce, which a correct
server refuses as a replay).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from attrs import field, frozen, validators

from .errors import InexogyError, InvalidResponseError, NetworkError, RateLimitError

__all__ = ["AsyncSleep", "Retrier", "RetryPolicy", "Sleep"]

T = TypeVar("T")
Sleep = Callable[[float], None]
"""A blocking sleep, ``time.sleep`` by default."""
AsyncSleep = Callable[[float], Awaitable[None]]
"""An awaitable sleep, ``asyncio.sleep`` by default."""

_log = logging.getLogger("inexogy")


@frozen
class RetryPolicy:
    """When and how long to wait before trying a failed call again.

    A call is retried when it failed with a status in ``retry_on`` (429 and 5xx by default),
    with no answer (timeout, refused or dropped connection; ``retry_network``) or with an
    unusable answer (empty body, broken JSON; ``retry_invalid_response``). Attempt ``n``
    waits ``jitter()`` (uniform in [0, 1)) times ``min(max_delay, base_delay * 2**(n-1))``
    seconds ("full jitter"), or exactly the server's ``Retry-After`` when it sent one. It gives up
    after ``max_attempts`` attempts, or when the next wait would end more than ``max_total``
    seconds after the first attempt began; the last error is raised then.

    Calls that are not idempotent (creating a virtual meter) are retried only when the
    server certainly did not act on them: 429, 503, or a connection that never opened.
    """

    max_attempts: int = field(default=5, validator=validators.ge(1))
    base_delay: float = field(default=0.5, validator=validators.ge(0))
    max_delay: float = field(default=30.0, validator=validators.ge(0))
    max_total: float = field(default=120.0, validator=validators.ge(0))
    retry_on: frozenset[int] = field(
        default=frozenset({429, 500, 502, 503, 504}), converter=frozenset
    )
    retry_network: bool = True
    retry_invalid_response: bool = True
    jitter: Callable[[], float] = field(default=random.random, repr=False, eq=False)

    def retries(self, error: InexogyError, *, idempotent: bool = True) -> bool:
        """Whether ``error`` is worth another attempt."""
        if isinstance(error, NetworkError):
            return self.retry_network and (idempotent or not error.request_sent)
        if isinstance(error, InvalidResponseError):
            return self.retry_invalid_response and idempotent
        if error.status is None or error.status not in self.retry_on:
            return False
        return idempotent or error.status in (429, 503)

    def backoff(self, attempt: int) -> float:
        """Return the wait after failed attempt ``attempt`` (1-based) when the server named none."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return self.jitter() * ceiling

    def delay(self, error: InexogyError, attempt: int) -> float:
        """Return the wait before the next attempt: the ``Retry-After`` given, else the backoff."""
        if error.retry_after is not None:
            return error.retry_after
        return self.backoff(attempt)


@frozen
class Retrier:
    """Runs calls under a retry policy (``None``: once), with injectable sleep and clock."""

    policy: RetryPolicy | None
    monotonic: Callable[[], float] = time.monotonic

    def _next_delay(
        self, error: InexogyError, attempt: int, started: float, idempotent: bool
    ) -> float | None:
        """Return the wait before another attempt, or ``None`` to give up and raise ``error``."""
        policy = self.policy
        if policy is None or attempt >= policy.max_attempts:
            return None
        if not policy.retries(error, idempotent=idempotent):
            return None
        delay = policy.delay(error, attempt)
        if self.monotonic() - started + delay > policy.max_total:
            return None
        kind = "rate limited" if isinstance(error, RateLimitError) else type(error).__name__
        _log.info("attempt %d failed (%s: %s); retrying in %.2f s", attempt, kind, error, delay)
        return delay

    def call(self, attempt: Callable[[], T], sleep: Sleep, *, idempotent: bool = True) -> T:
        """Run ``attempt`` until it succeeds or the policy gives up."""
        started = self.monotonic()
        number = 1
        while True:
            try:
                return attempt()
            except InexogyError as error:
                delay = self._next_delay(error, number, started, idempotent)
                if delay is None:
                    raise
            sleep(delay)
            number += 1

    async def call_async(
        self, attempt: Callable[[], Awaitable[T]], sleep: AsyncSleep, *, idempotent: bool = True
    ) -> T:
        """Await ``attempt()`` until it succeeds or the policy gives up."""
        started = self.monotonic()
        number = 1
        while True:
            try:
                return await attempt()
            except InexogyError as error:
                delay = self._next_delay(error, number, started, idempotent)
                if delay is None:
                    raise
            await sleep(delay)
            number += 1
