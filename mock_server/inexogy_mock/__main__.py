"""The ``inexogy-mock`` command (also ``python -m inexogy_mock``): serve the simulator."""

from __future__ import annotations

import sys
import threading
from typing import Annotated

import typer

from .app import create_app
from .faults import FaultPlan
from .ratelimit import RateLimits
from .server import running

__all__ = ["app", "main"]

app = typer.Typer(
    name="inexogy-mock",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _faults(script: str | None, rate: float | None, seed: int) -> FaultPlan | None:
    if script:
        return FaultPlan.scripted([kind.strip() for kind in script.split(",") if kind.strip()])
    if rate:
        return FaultPlan.random(rate, seed)
    return None


@app.command(help="Serve a simulator of the inexogy API (demo account demo@inexogy.com / demo).")
def serve(
    host: Annotated[
        str, typer.Option("--host", metavar="ADDRESS", help="Address to bind (default: loopback).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", metavar="PORT", help="Port (0 picks a free one).")
    ] = 8080,
    token_lifetime: Annotated[
        float | None,
        typer.Option("--token-lifetime", metavar="S", help="Access tokens expire after S seconds."),
    ] = None,
    token_lifetime_requests: Annotated[
        int | None,
        typer.Option(
            "--token-lifetime-requests",
            metavar="N",
            help="Access tokens expire after N data requests.",
        ),
    ] = None,
    fault_script: Annotated[
        str | None,
        typer.Option(
            "--fault-script", metavar="LIST", help="Faults in order, e.g. 500,503,429:2,empty,ok."
        ),
    ] = None,
    fault_rate: Annotated[
        float | None,
        typer.Option("--fault-rate", metavar="R", help="Probability of a random fault."),
    ] = None,
    fault_seed: Annotated[
        int, typer.Option("--fault-seed", metavar="N", help="Seed of random faults.")
    ] = 0,
    rate_limit: Annotated[
        list[str] | None,
        typer.Option(
            "--rate-limit",
            metavar="STEP=CALLS/SECONDS",
            help="Per-IP limit of consumer_token or authorize, e.g. authorize=1/30 "
            "(repeatable; default 1000/60 each).",
        ),
    ] = None,
    real_limits: Annotated[
        bool,
        typer.Option(
            "--real-limits",
            help="Rate limits like the real service's: a second quick authorize gets 429 "
            "(authorize=1/30, consumer_token=5/600; --rate-limit overrides).",
        ),
    ] = False,
) -> None:
    """Run the server until interrupted; print where it listens once it is ready."""
    try:
        base = RateLimits.real() if real_limits else RateLimits()
        app_ = create_app(
            token_lifetime=token_lifetime,
            token_lifetime_requests=token_lifetime_requests,
            faults=_faults(fault_script, fault_rate, fault_seed),
            rate_limits=RateLimits.parse(rate_limit or (), base),
        )
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    try:
        with running(app_, host, port) as base_url:
            print(f"inexogy-mock listening on {base_url}", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        return
    except OSError as error:
        print(f"inexogy-mock: cannot listen on {host}:{port}: {error}", file=sys.stderr)
        raise typer.Exit(1) from None


def main() -> None:
    """Entry point of ``inexogy-mock``."""
    app(prog_name="inexogy-mock")


if __name__ == "__main__":
    main()
