"""What the live commands (``exporter``, ``watch``) share: the interval, retries, stopping."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from .options import GlobalOptions

if TYPE_CHECKING:  # httpx and the library: imported when a command polls, not at start-up
    from inexogy import RetryPolicy

__all__ = ["MIN_INTERVAL", "check_interval", "live_retry", "stop_on_signals", "wait_for"]

MIN_INTERVAL = 0.1
"""The shortest interval anywhere (the simulator, tests), in seconds."""


def check_interval(
    interval: float, options: GlobalOptions, service_minimum: float, command: str
) -> None:
    """Refuse an interval shorter than ``service_minimum`` seconds against the real service.

    The service updates a reading about every 2 seconds and limits request rates; any other
    base URL (the simulator, a proxy of yours) may be polled down to ``MIN_INTERVAL``.
    """
    import httpx

    from inexogy.connection import DEFAULT_BASE_URL, resolve_base_url

    try:
        host = httpx.URL(resolve_base_url(options.base_url)).host
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--base-url") from None
    service_host = httpx.URL(DEFAULT_BASE_URL).host
    if interval < service_minimum and (host == service_host or host.endswith(".inexogy.com")):
        raise typer.BadParameter(
            f"{command} polls {host} at most every {service_minimum:g} s: "
            f"give --interval {service_minimum:g} or more",
            param_hint="--interval",
        )


def live_retry(options: GlobalOptions, interval: float) -> RetryPolicy | None:
    """Return the retry policy of a poll's requests: ``--retries``, within about one interval.

    A longer ``Retry-After`` ends the poll instead; the poller then waits it out before the
    next one.
    """
    from inexogy import RetryPolicy

    if options.retries == 0:
        return None
    return RetryPolicy(
        max_attempts=options.retries + 1,
        base_delay=min(0.5, interval / 4),
        max_delay=interval,
        max_total=interval,
    )


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """Yield an event set by SIGINT or SIGTERM (in place of their usual effect) until exit."""
    stop = threading.Event()

    def handle(_signum: int, _frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def wait_for(stop: threading.Event) -> None:
    """Block until ``stop`` is set, waking often enough for signal handlers to run promptly."""
    while not stop.wait(0.1):
        pass
