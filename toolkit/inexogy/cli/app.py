"""The ``inexogy`` command: global options, the commands, and the entry point."""

from __future__ import annotations

import gc
import logging
import sys
from datetime import tzinfo
from pathlib import Path
from typing import Annotated

import typer
from inexogy_auth import SecretRedactingFilter

from inexogy.zones import local_zone

from .lazy import LazyCommand, LazyGroup
from .options import AuthMethod, GlobalOptions, check_base_url
from .when import use_zone
from .zone import ZoneHoistingGroup, zone_option

__all__ = ["COMMANDS", "app", "main"]

# The commands, one entry each: name, module, function, and the first paragraph of the
# function's docstring (listed by --help, which imports no command; a test compares them).
# A command's module is imported, and the command built, only when it is run.
COMMANDS = (
    LazyCommand(
        "login",
        ".account",
        "login",
        "Log in with email and password (the OAuth dance) and store the token for later commands.",
    ),
    LazyCommand("logout", ".account", "logout", "Delete the stored OAuth token."),
    LazyCommand("meters", ".meters", "meters", "List the meters of the account."),
    LazyCommand(
        "last-reading",
        ".data",
        "last_reading",
        "Show the latest reading of a meter and how old it is.",
    ),
    LazyCommand(
        "readings",
        ".data",
        "readings",
        "Fetch readings over any range as CSV, JSON lines or Parquet (as many requests as needed).",
    ),
    LazyCommand(
        "statistics",
        ".data",
        "statistics",
        "Show count, minimum, maximum, mean and variance of each field over a range.",
    ),
    LazyCommand(
        "plot",
        ".chart",
        "plot",
        "Draw a chart: readings over a range as lines, or usage per period as bars (PNG or SVG).",
    ),
    LazyCommand(
        "sync",
        ".sync",
        "sync",
        "Keep a local Parquet archive of readings current: fetch only what is missing or open.",
    ),
    LazyCommand(
        "usage",
        ".usage",
        "usage",
        "Energy drawn and fed in (gas: volume) per hour, day, week, month or year, with costs.",
    ),
    LazyCommand(
        "exporter",
        ".exporter",
        "exporter",
        "Serve every meter's latest reading to Prometheus, polled in the background.",
    ),
    LazyCommand(
        "watch",
        ".watch",
        "watch",
        "Watch a meter live: power, per-phase power and voltage, the reading's age.",
    ),
)


class InexogyGroup(LazyGroup, ZoneHoistingGroup):
    """The ``inexogy`` group: the ``COMMANDS``, built when used; ``--tz`` after a command name."""

    lazy_commands = COMMANDS
    lazy_package = __package__ or "inexogy.cli"


app = typer.Typer(
    cls=InexogyGroup,
    name="inexogy",
    help="Read inexogy (formerly Discovergy) smart meters: meters, readings, statistics, charts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    # Plain click help and usage errors: typer's rich panels import rich.markdown and
    # markdown-it, which would double the start-up time of every `inexogy --help`.
    rich_markup_mode=None,
)


def _show_version(value: bool) -> None:
    if value:
        import inexogy

        typer.echo(f"inexogy {inexogy.__version__}")
        raise typer.Exit


@app.callback()
def global_options(
    ctx: typer.Context,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            envvar="INEXOGY_BASE_URL",
            help="The API's base URL (default: https://api.inexogy.com/public/v1).",
            show_default=False,
        ),
    ] = None,
    auth: Annotated[
        AuthMethod,
        typer.Option(
            "--auth", help="oauth: the token stored by `login`; basic: email and password."
        ),
    ] = "oauth",
    token_file: Annotated[
        Path | None,
        typer.Option(
            "--token-file",
            envvar="INEXOGY_TOKEN_FILE",
            dir_okay=False,
            help="Where the OAuth token is kept (default: in the user's config directory).",
            show_default=False,
        ),
    ] = None,
    email: Annotated[
        str | None,
        typer.Option(
            "--email",
            envvar="INEXOGY_EMAIL",
            help="The account's email, for --auth basic (password: $INEXOGY_PASSWORD or a prompt).",
        ),
    ] = None,
    retries: Annotated[
        int,
        typer.Option(
            "--retries", min=0, max=20, help="Retries of a failed request (429, 5xx, network)."
        ),
    ] = 4,
    verbose: Annotated[
        bool, typer.Option("-v", "--verbose", help="Log requests and show tracebacks.")
    ] = False,
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    tz: Annotated[
        tzinfo | None,
        typer.Option(
            "--tz",
            parser=zone_option,
            metavar="ZONE",
            help="Time zone of the times you type and of every time shown or written, "
            "e.g. Europe/Berlin or UTC (default: the system's zone). May also follow the "
            "command name.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Read your inexogy smart meters."""
    if base_url is not None:
        check_base_url(base_url)
    ctx.obj = GlobalOptions(
        base_url=base_url,
        auth=auth,
        token_file=token_file,
        email=email,
        verbose=verbose,
        retries=retries,
        tz=local_zone() if tz is None else tz,
    )
    use_zone(ctx.obj.tz)
    if verbose:
        _log_to_stderr(ctx)


def _log_to_stderr(ctx: typer.Context) -> None:
    """Log the toolkit and its HTTP requests to stderr (secrets redacted) while the command runs."""
    handler = logging.StreamHandler()
    handler.addFilter(SecretRedactingFilter())
    handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
    loggers = [logging.getLogger(name) for name in ("inexogy", "inexogy_auth", "httpx")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG if logger.name.startswith("inexogy") else logging.INFO)

    def stop_logging() -> None:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)

    ctx.call_on_close(stop_logging)


def main() -> None:
    """Run the ``inexogy`` command (the console-script entry point)."""
    # httpx imports its own command line (click, rich.syntax, pygments) when they are
    # installed, which the cli extra does: a third of the start-up of `inexogy meters` for
    # nothing. Marking that module absent in this process makes httpx skip it (it falls back
    # to a stub `httpx.main`); the library itself is untouched for other programs.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    try:
        app(prog_name="inexogy")
    finally:
        # The process ends with the command. Python's last garbage collection at exit would
        # walk every object of every module loaded (some 30,000: a sixth of the time of
        # `inexogy meters`) to free memory the system takes back anyway; frozen, they are
        # skipped. Nothing is lost: the commands close their files and connections
        # themselves, and Python never promised __del__ calls at exit.
        gc.freeze()
