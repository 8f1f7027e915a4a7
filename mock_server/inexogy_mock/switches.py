"""``Switches``: faults, token lifetime and rate limits of a simulator, changed while it serves."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from .faults import FaultPlan
from .oauth import OAuthProvider, TokenLifetime
from .ratelimit import RateLimiter, RateLimits


class Switches:
    """The switches of one running simulator; every change applies to the next request.

    Safe to use from any thread (a test's, while the server runs in its own). ``reset()``
    restores what the server was created with.
    """

    def __init__(self, provider: OAuthProvider, limiter: RateLimiter, faults: FaultPlan | None):
        self._provider = provider
        self._limiter = limiter
        self._faults = faults
        self._lock = threading.RLock()
        self._initial = (faults, provider.lifetime, limiter.limits)

    @property
    def faults(self) -> FaultPlan | None:
        """The fault plan of data requests (None: no faults)."""
        return self._faults

    @property
    def token_lifetime(self) -> TokenLifetime:
        """When access tokens expire."""
        return self._provider.lifetime

    @property
    def rate_limits(self) -> RateLimits:
        """The per-IP limits of ``consumer_token`` and ``authorize``."""
        return self._limiter.limits

    def set_faults(self, faults: FaultPlan | Sequence[str] | None) -> None:
        """Inject faults into data requests: a plan, a script (``["503", "ok"]``) or None."""
        plan = faults if faults is None or isinstance(faults, FaultPlan) else FaultPlan(faults)
        with self._lock:
            self._faults = plan

    def set_token_lifetime(self, seconds: float | None = None, requests: int | None = None) -> None:
        """Expire access tokens after ``seconds`` and/or ``requests`` data requests (None: never).

        Applies to tokens already issued too: their age and use count are kept.
        """
        if (seconds is not None and seconds < 0) or (requests is not None and requests < 1):
            raise ValueError("a token lifetime needs seconds >= 0 and requests >= 1")
        with self._lock:
            self._provider.lifetime = TokenLifetime(seconds, requests)

    def set_rate_limits(self, limits: RateLimits | Sequence[str]) -> None:
        """Put rate limits in force: ``RateLimits`` or texts like ``["authorize=1/30"]``."""
        parsed = limits if isinstance(limits, RateLimits) else RateLimits.parse(limits)
        with self._lock:
            self._limiter.configure(parsed)

    def reset(self) -> None:
        """Restore the faults, token lifetime and rate limits the server was created with."""
        faults, lifetime, limits = self._initial
        with self._lock:
            self._faults = faults
            self._provider.lifetime = lifetime
            self._limiter.configure(limits)
