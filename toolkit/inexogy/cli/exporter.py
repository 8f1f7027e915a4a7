"""``inexogy exporter``: serve the meters' latest readings to Prometheus."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer
from inexogy_auth import SecretRedactingFilter

from inexogy.extras import MissingExtraError, require

from .failures import CommandFailedError
from .options import GlobalOptions
from .polling import MIN_INTERVAL, check_interval, live_retry, stop_on_signals, wait_for

if TYPE_CHECKING:  # the poller (and httpx) are imported when the command runs
    pass

__all__ = ["exporter", "parse_listen"]

DEFAULT_LISTEN = "127.0.0.1:9464"
SERVICE_MIN_INTERVAL = 5.0
"""The shortest --interval against the real service, in seconds."""


def parse_listen(listen: str) -> tuple[str, int]:
    """Split ``HOST:PORT`` (``[::1]:9464`` for IPv6; ``:9464`` for every address)."""
    host, separator, port = listen.rpartition(":")
    if not separator or not port.isdigit() or int(port) > 65535:
        raise typer.BadParameter(
            f"{listen!r} is not HOST:PORT: give e.g. 127.0.0.1:9464 or [::1]:9464",
            param_hint="--listen",
        )
    host = host.removeprefix("[").removesuffix("]") or "0.0.0.0"  # noqa: S104 (asked for)
    return host, int(port)


def exporter(
    ctx: typer.Context,
    listen: Annotated[
        str,
        typer.Option(
            "--listen",
            metavar="HOST:PORT",
            help="Where to serve /metrics (port 0: any free port; :PORT: every address).",
        ),
    ] = DEFAULT_LISTEN,
    interval: Annotated[
        float,
        typer.Option(
            "--interval",
            min=MIN_INTERVAL,
            metavar="SECONDS",
            help=(
                f"Seconds between polls (at least {SERVICE_MIN_INTERVAL:g} against the real "
                "service; longer after failures)."
            ),
        ),
    ] = 30.0,
    meter: Annotated[
        list[str] | None,
        typer.Option(
            "--meter",
            metavar="METER",
            help="A meterId or serial number to export; repeat for several (default: all).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Serve every meter's latest reading to Prometheus, polled in the background.

    A scrape is answered from memory: the last good values with their age, never an error.
    Stop with Ctrl-C or SIGTERM. For unattended token renewal set INEXOGY_EMAIL and
    INEXOGY_PASSWORD, or use --auth basic.
    """
    options = ctx.ensure_object(GlobalOptions)
    host, port = parse_listen(listen)
    try:
        require("prometheus_client", "cli", "inexogy exporter")
    except MissingExtraError as error:
        raise CommandFailedError(str(error)) from None
    from inexogy.metrics import serve_metrics  # prometheus_client: only when exporting

    check_interval(interval, options, SERVICE_MIN_INTERVAL, "the exporter")
    with options.open_client(retry=None) as client:
        from inexogy.live import LivePoller

        poller = LivePoller(client, retry=live_retry(options, interval))
        meters = poller.select(meter or ())
        try:
            server = serve_metrics(lambda: poller.snapshot, host, port)
        except OSError as error:
            raise CommandFailedError(
                f"cannot listen on {listen}: {error.strerror or error}; choose another --listen"
            ) from None
        if options.auth == "oauth" and not options.renews_token:
            typer.echo(
                "inexogy exporter: an expired token will not be renewed: set INEXOGY_EMAIL and "
                "INEXOGY_PASSWORD for unattended renewal",
                err=True,
            )
        typer.echo(
            f"inexogy exporter: serving {server.url}, polling {len(meters)} meter"
            f"{'' if len(meters) == 1 else 's'} every {interval:g} s",
            err=True,
        )
        with _warnings_to_stderr(options), stop_on_signals() as stop:
            poller.start(interval)
            try:
                wait_for(stop)
            finally:
                server.close()
                # A request still in flight is cut short when the client closes just below.
                poller.stop(timeout=0.2)
    typer.echo("inexogy exporter: stopped", err=True)


@contextmanager
def _warnings_to_stderr(options: GlobalOptions) -> Iterator[None]:
    """Print the poller's warnings (a meter failing, answering again) on stderr, redacted.

    With ``-v`` the command's log already goes to stderr.
    """
    if options.verbose:
        yield
        return
    handler = logging.StreamHandler()
    handler.addFilter(SecretRedactingFilter())
    handler.setFormatter(logging.Formatter("inexogy exporter: %(message)s"))
    logger = logging.getLogger("inexogy.live")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
