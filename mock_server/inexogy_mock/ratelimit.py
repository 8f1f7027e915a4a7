"""Per-source-IP rate limits of the unsigned OAuth steps (sliding windows), changeable live.

The real service limits ``/oauth1/consumer_token`` and ``/oauth1/authorize`` per source IP
(the Elixir `discovergy` library's "API quirks" guide, and the ioBroker and evcc issues):
``429 Too Many Requests: Rate of authorize requests from <ip> is too high.``, and "two calls
in quick succession from one address are enough to trigger" the ``authorize`` limit, which is
tighter than the ``consumer_token`` one. No ``Retry-After`` header was ever seen, and the
windows themselves are not published: :meth:`RateLimits.real` is this project's choice.
"""

from __future__ import annotations

import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

STEPS = ("consumer_token", "authorize")
_LIMIT = re.compile(
    r"^\s*(?P<step>[a-z_]+)\s*=\s*(?P<calls>\d+)\s*/\s*(?P<seconds>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*s?$"
)


@dataclass(frozen=True)
class RateLimits:
    """At most ``*_calls`` requests per ``*_seconds`` from one IP address, per OAuth step.

    The defaults are generous (a test suite does not trip them by accident); :meth:`real`
    gives limits that behave like the real service's.
    """

    consumer_token_calls: int = 1_000
    consumer_token_seconds: float = 60.0
    authorize_calls: int = 1_000
    authorize_seconds: float = 60.0

    def __post_init__(self) -> None:
        for step in STEPS:
            calls, seconds = self.of(step)
            if calls < 0 or not seconds > 0:
                raise ValueError(
                    f"the {step} limit needs a call count >= 0 and a window > 0 seconds"
                )

    @classmethod
    def real(cls) -> RateLimits:
        """Limits that behave like the real service's: a second quick ``authorize`` is a 429.

        Chosen (the real windows are unpublished): one ``authorize`` per 30 s and five
        ``consumer_token`` per 10 minutes from one address.
        """
        return cls(
            consumer_token_calls=5,
            consumer_token_seconds=600.0,
            authorize_calls=1,
            authorize_seconds=30.0,
        )

    def of(self, step: str) -> tuple[int, float]:
        """Return ``(calls, seconds)`` of ``consumer_token`` or ``authorize``."""
        if step not in STEPS:
            raise ValueError(f"unknown rate-limited step {step!r}: use {' or '.join(STEPS)}")
        calls: int = getattr(self, f"{step}_calls")
        seconds: float = getattr(self, f"{step}_seconds")
        return calls, seconds

    def with_limit(self, step: str, calls: int, seconds: float) -> RateLimits:
        """Return these limits with ``step`` allowed ``calls`` requests per ``seconds``."""
        if step == "authorize":
            return replace(self, authorize_calls=calls, authorize_seconds=seconds)
        self.of(step)
        return replace(self, consumer_token_calls=calls, consumer_token_seconds=seconds)

    @classmethod
    def parse(cls, specs: Iterable[str], base: RateLimits | None = None) -> RateLimits:
        """Apply ``STEP=CALLS/SECONDS`` texts (``authorize=2/60``) to ``base`` (the defaults).

        Raises ``ValueError`` naming the text that does not fit.
        """
        limits = base if base is not None else cls()
        for spec in specs:
            match = _LIMIT.match(spec)
            if match is None:
                raise ValueError(
                    f"bad rate limit {spec!r}: use STEP=CALLS/SECONDS with STEP "
                    f"{' or '.join(STEPS)}, e.g. authorize=1/30"
                )
            limits = limits.with_limit(match["step"], int(match["calls"]), float(match["seconds"]))
        return limits


class SlidingWindow:
    """Counts the calls of each key in the last ``seconds`` and says when there are too many."""

    def __init__(self, calls: int, seconds: float, clock: Callable[[], float]) -> None:
        self.calls = calls
        self.seconds = seconds
        self._clock = clock
        self._seen: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Record a call of ``key``; return False when it is over the limit (not recorded)."""
        now = self._clock()
        with self._lock:
            seen = self._seen[key]
            while seen and now - seen[0] >= self.seconds:
                seen.popleft()
            if len(seen) >= self.calls:
                return False
            seen.append(now)
            return True

    def configure(self, calls: int, seconds: float) -> None:
        """Apply a new limit and forget the calls counted so far."""
        with self._lock:
            self.calls = calls
            self.seconds = seconds
            self._seen.clear()


class RateLimiter:
    """The live windows of one server, one per rate-limited OAuth step."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self._limits = limits
        self.consumer_token = SlidingWindow(*limits.of("consumer_token"), clock)
        self.authorize = SlidingWindow(*limits.of("authorize"), clock)

    @property
    def limits(self) -> RateLimits:
        """The limits in force."""
        return self._limits

    def configure(self, limits: RateLimits) -> None:
        """Put new limits in force (counting starts afresh)."""
        self._limits = limits
        self.consumer_token.configure(*limits.of("consumer_token"))
        self.authorize.configure(*limits.of("authorize"))
