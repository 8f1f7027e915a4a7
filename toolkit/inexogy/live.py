"""Polling the latest readings of several meters: the last good values, their age, backoff.

A :class:`LivePoller` asks ``/last_reading`` of every selected meter, all meters of one poll
concurrently (bounded), and keeps what it learnt in an immutable :class:`Snapshot` that any
thread may read at any time without waiting for the service. A meter whose poll failed keeps
its last good reading (its ``age`` keeps growing), and the failure is recorded beside it. A
reading no newer than the one held is not taken again: an unchanged value is never re-reported
as new (``MeterState.fresh`` says whether the last poll brought a new reading).

Each request is tried under a :class:`~inexogy.RetryPolicy` (429 and ``Retry-After``, 5xx,
network failures), every attempt counted by its outcome. Between polls, :meth:`next_delay`
waits the interval, longer after failed polls (the server's ``Retry-After``, else exponential
backoff with jitter). An expired token is renewed by the client's auth when it was built
with a password provider (``Inexogy.from_token_store(password_provider=...)``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Literal, TypeVar, get_args

import attrs
from attrs import field, frozen
from inexogy_auth import redact_text
from inexogy_client.models import Meter

from .client import Inexogy
from .errors import (
    AuthenticationError,
    BadRequestError,
    InexogyError,
    InvalidResponseError,
    NetworkError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TokenExpiredError,
)
from .last_reading import Clock, LastReading, utc_now
from .meters import match_meter
from .retry import Retrier, RetryPolicy

__all__ = [
    "OUTCOMES",
    "LivePoller",
    "MeterState",
    "Outcome",
    "PollerStoppedError",
    "Snapshot",
    "outcome_of",
]

T = TypeVar("T")

Outcome = Literal[
    "ok",
    "rate_limited",
    "server_error",
    "network_error",
    "invalid_response",
    "token_expired",
    "auth_error",
    "bad_request",
    "not_found",
    "error",
]
"""How one request (one attempt) ended."""
OUTCOMES: tuple[Outcome, ...] = get_args(Outcome)
"""Every outcome, in a stable order (counters start at zero for each)."""

MAX_BACKOFF = 300.0
"""The longest wait between two polls after repeated failures, in seconds."""

_log = logging.getLogger("inexogy.live")


def outcome_of(error: InexogyError) -> Outcome:
    """Return the outcome a failed request counts as."""
    match error:
        case RateLimitError():
            return "rate_limited"
        case ServerError():
            return "server_error"
        case NetworkError():
            return "network_error"
        case InvalidResponseError():
            return "invalid_response"
        case TokenExpiredError():
            return "token_expired"
        case AuthenticationError():
            return "auth_error"
        case BadRequestError():
            return "bad_request"
        case NotFoundError():
            return "not_found"
    return "error"


def _unexpected(failure: Exception) -> InexogyError:
    """Wrap an error the toolkit did not expect (a bug) so that the poll records it and goes on."""
    _log.error("unexpected error while polling", exc_info=failure)
    detail = redact_text(str(failure))[:80]
    return InexogyError(f"unexpected {type(failure).__name__}: {detail}")


class PollerStoppedError(InexogyError):
    """The poller was stopped while it waited to retry a request."""


@frozen
class MeterState:
    """What is known about one meter: its last good reading and how its last poll went.

    ``reading`` is the newest reading received (``None`` before the first success); ``fresh``
    is true when the last poll brought it (false when the service answered the same reading
    again, or the poll failed); ``error`` is why the last poll failed (``None``: it succeeded);
    ``failures`` counts the failed polls since the last success.
    """

    meter: Meter
    reading: LastReading | None = None
    fresh: bool = False
    error: InexogyError | None = None
    failures: int = 0

    @property
    def meter_id(self) -> str:
        """The meter's id."""
        return self.meter.meter_id

    @property
    def up(self) -> bool:
        """Whether the last poll of this meter succeeded."""
        return self.error is None and self.reading is not None


@frozen
class Snapshot:
    """Everything the poller knows after a poll; immutable, so safe to read from any thread.

    ``polls`` counts the polls done, ``ok`` says whether the last one succeeded for every
    meter, ``duration`` how many seconds it took, ``polled_at`` when it ended; ``requests``
    counts every request (retries included) by outcome since the poller started.
    """

    meters: tuple[MeterState, ...]
    requests: Mapping[Outcome, int] = field(factory=lambda: dict.fromkeys(OUTCOMES, 0))
    polls: int = 0
    ok: bool = False
    duration: float | None = None
    polled_at: datetime | None = None

    def state(self, meter_id: str) -> MeterState:
        """Return the state of the meter with this id; ``KeyError`` if it is not polled."""
        for state in self.meters:
            if state.meter_id == meter_id:
                return state
        raise KeyError(meter_id)


class LivePoller:
    """Polls the latest reading of several meters, keeping the last good one of each.

    ``client`` should be built with ``retry=None``: the poller retries each request itself
    under ``retry`` (``None``: once), so that every attempt is counted. ``fields`` limits the
    fields asked for (``None``: all); ``max_concurrency`` bounds the requests of one poll in
    flight at once. ``clock`` gives the wall time of ``Snapshot.polled_at``; ``monotonic``
    measures durations and the retry budget. Use :meth:`select` once, then :meth:`poll`
    (or :meth:`start` a background thread), and :meth:`stop` at the end.
    """

    def __init__(
        self,
        client: Inexogy,
        *,
        retry: RetryPolicy | None = None,
        fields: Sequence[str] | None = None,
        max_concurrency: int = 4,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be at least 1, not {max_concurrency}")
        self._client = client
        self._retrier = Retrier(retry, monotonic)
        self._fields = list(fields) if fields is not None else None
        self._max_concurrency = max_concurrency
        self._clock = clock
        self._monotonic = monotonic
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._requests: dict[Outcome, int] = dict.fromkeys(OUTCOMES, 0)
        self._failed_polls = 0
        self._snapshot = Snapshot(meters=())
        self._pool: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    @property
    def snapshot(self) -> Snapshot:
        """The state after the last poll (before any poll: the selected meters, no readings)."""
        return self._snapshot

    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""
        return self._stop.is_set()

    def select(self, selectors: Sequence[str] = ()) -> list[Meter]:
        """Choose the meters to poll: each selector a meterId or serial number; none: all.

        Asks the service for the account's meters (retried like any request). Raises
        ``NotFoundError`` for a selector that matches no meter, or the request's error.
        """
        meters = self._call(self._client.meters)
        chosen = list(meters) if not selectors else [match_meter(meters, s) for s in selectors]
        return self.use(chosen)

    def use(self, meters: Sequence[Meter]) -> list[Meter]:
        """Choose the meters to poll (as ``Inexogy.meters`` gave them); return them, each once."""
        unique = list({meter.meter_id: meter for meter in meters}.values())
        with self._lock:
            requests = dict(self._requests)
        self._snapshot = Snapshot(
            meters=tuple(MeterState(meter) for meter in unique), requests=requests
        )
        return unique

    def poll(self) -> Snapshot:
        """Ask every selected meter's latest reading once (concurrently); return the snapshot.

        A failed meter keeps its last good reading; the failure is recorded, not raised.
        Raises ``PollerStoppedError`` when :meth:`stop` cut the poll short (a wait between
        retries, or a request failing because the stop closed it).
        """
        states = self._snapshot.meters
        started = self._monotonic()
        if len(states) <= 1 or self._max_concurrency == 1:
            polled = tuple(self._poll_one(state) for state in states)
        else:
            pool = self._executor(len(states))
            polled = tuple(f.result() for f in [pool.submit(self._poll_one, s) for s in states])
        duration = self._monotonic() - started
        ok = all(state.error is None for state in polled)
        with self._lock:
            requests = dict(self._requests)
            self._failed_polls = 0 if ok else self._failed_polls + 1
        snapshot = Snapshot(
            meters=polled,
            requests=requests,
            polls=self._snapshot.polls + 1,
            ok=ok,
            duration=duration,
            polled_at=self._clock(),
        )
        self._snapshot = snapshot
        return snapshot

    def next_delay(self, interval: float) -> float:
        """Return the seconds to wait before the next poll: ``interval``, longer after failures.

        After a failed poll it waits at least the longest ``Retry-After`` the service gave;
        without one, after failures that are not about one meter alone (rate limits, server,
        network, auth), exponential backoff from ``interval`` with full jitter, up to
        ``MAX_BACKOFF`` (never less than ``interval``).
        """
        errors = [state.error for state in self._snapshot.meters if state.error is not None]
        if not errors:
            return interval
        waits = [error.retry_after for error in errors if error.retry_after is not None]
        if waits:
            return max(interval, *waits)
        if all(isinstance(error, BadRequestError | NotFoundError) for error in errors):
            return interval
        backoff = RetryPolicy(base_delay=interval, max_delay=max(interval, MAX_BACKOFF))
        return max(interval, backoff.backoff(self._failed_polls))

    def run(self, interval: float, on_poll: Callable[[Snapshot], None] | None = None) -> None:
        """Poll at ``interval`` (see :meth:`next_delay`) until :meth:`stop`.

        ``on_poll`` gets every snapshot. An unexpected error of a poll is logged and the
        polling goes on: a live feed must outlive one bad answer.
        """
        while not self._stop.is_set():
            try:
                snapshot = self.poll()
                if on_poll is not None:
                    on_poll(snapshot)
            except PollerStoppedError:
                return
            except Exception:
                _log.exception("a poll failed unexpectedly; polling goes on")
            if self._stop.wait(self.next_delay(interval)):
                return

    def start(
        self, interval: float, on_poll: Callable[[Snapshot], None] | None = None
    ) -> threading.Thread:
        """Run :meth:`run` in a background (daemon) thread; return the thread."""
        if self._thread is not None:
            raise RuntimeError("the poller was already started")
        self._thread = threading.Thread(
            target=self.run, args=(interval, on_poll), name="inexogy-poller", daemon=True
        )
        self._thread.start()
        return self._thread

    def stop(self, timeout: float = 0.5) -> bool:
        """Stop polling: wake any wait, join the thread up to ``timeout`` seconds.

        Returns whether the thread ended (a request still in flight may hold it longer; it is
        a daemon thread, so it never keeps the process alive).
        """
        self._stop.set()
        ended = True
        if self._thread is not None:
            self._thread.join(timeout)
            ended = not self._thread.is_alive()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        return ended

    # Internals

    def _executor(self, meters: int) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(min(self._max_concurrency, meters), "inexogy-live")
        return self._pool

    def _poll_one(self, state: MeterState) -> MeterState:
        meter_id = state.meter_id
        try:
            reading = self._call(lambda: self._client.last_reading(meter_id, fields=self._fields))
        except PollerStoppedError:
            raise
        except Exception as failure:
            if self._stop.is_set():  # stopping: a request cut short is no news
                raise PollerStoppedError("the poller was stopped") from failure
            error = failure if isinstance(failure, InexogyError) else _unexpected(failure)
            if state.error is None or type(state.error) is not type(error):
                _log.warning("meter %s: %s", meter_id, error)
            return attrs.evolve(state, fresh=False, error=error, failures=state.failures + 1)
        if state.error is not None:
            _log.warning("meter %s: answering again", meter_id)
        held = state.reading
        if held is not None and reading.time_ms <= held.time_ms:
            return attrs.evolve(state, fresh=False, error=None, failures=0)
        return MeterState(state.meter, reading, fresh=True)

    def _call(self, request: Callable[[], T]) -> T:
        """Run ``request`` under the retry policy, counting every attempt by its outcome."""

        def attempt() -> T:
            try:
                result = request()
            except InexogyError as error:
                self._count(outcome_of(error))
                raise
            except Exception:
                self._count("error")
                raise
            self._count("ok")
            return result

        return self._retrier.call(attempt, self._sleep)

    def _count(self, outcome: Outcome) -> None:
        with self._lock:
            self._requests[outcome] += 1

    def _sleep(self, seconds: float) -> None:
        """Wait between retries; :meth:`stop` cuts the wait short."""
        if self._stop.wait(seconds):
            raise PollerStoppedError("the poller was stopped")
