"""The ``inexogy-mock`` command: serve the simulator until interrupted."""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Sequence

from .app import create_app
from .faults import FaultPlan
from .server import running


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="inexogy-mock",
        description="Serve a simulator of the inexogy API (demo account demo@inexogy.com / demo).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=int, default=8080, help="port (0 picks a free one)")
    parser.add_argument(
        "--token-lifetime", type=float, metavar="S", help="access tokens expire after S seconds"
    )
    parser.add_argument(
        "--token-lifetime-requests",
        type=int,
        metavar="N",
        help="access tokens expire after N data requests",
    )
    parser.add_argument(
        "--fault-script", metavar="LIST", help="faults in order, e.g. 500,503,429:2,ok"
    )
    parser.add_argument(
        "--fault-rate", type=float, metavar="R", help="probability of a random fault"
    )
    parser.add_argument(
        "--fault-seed", type=int, default=0, metavar="N", help="seed of random faults"
    )
    return parser


def _faults(args: argparse.Namespace) -> FaultPlan | None:
    if args.fault_script:
        return FaultPlan.scripted(
            [kind.strip() for kind in args.fault_script.split(",") if kind.strip()]
        )
    if args.fault_rate:
        return FaultPlan.random(args.fault_rate, args.fault_seed)
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until interrupted; print where it listens once it is ready."""
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        app = create_app(
            token_lifetime=args.token_lifetime,
            token_lifetime_requests=args.token_lifetime_requests,
            faults=_faults(args),
        )
    except ValueError as error:
        parser.error(str(error))
    try:
        with running(app, args.host, args.port) as base_url:
            print(f"inexogy-mock listening on {base_url}", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        return 0
    except OSError as error:
        print(f"inexogy-mock: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
