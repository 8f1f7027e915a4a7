"""Per-source-IP rate limits of the unsigned OAuth steps (sliding windows)."""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RateLimits:
    """At most ``*_calls`` requests per ``*_seconds`` from one IP address, per OAuth step.

    The defaults are generous (a test suite does not trip them by accident); the real service
    trips on two quick ``authorize`` calls.
    """

    consumer_token_calls: int = 1_000
    consumer_token_seconds: float = 60.0
    authorize_calls: int = 1_000
    authorize_seconds: float = 60.0


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
