"""The ``inexogy`` command: global options, the commands, and the entry point."""

from __future__ import annotations

import logging
import sys
from datetime import tzinfo
from pathlib import Path
from typing import Annotated

import typer
from inexogy_auth import SecretRedactingFilter

from inexogy.zones import local_zone

from .account import login, logout
from .chart import plot
from .data import last_reading, meters, readings, statistics
from .exporter import exporter
from .options import AuthMethod, GlobalOptions, check_base_url
from .sync import sync
from .usage import usage
from .watch import watch
from .when import use_zone
from .zone import ZoneHoistingGroup, zone_option

__all__ = ["app", "main"]

app = typer.Typer(
    cls=ZoneHoistingGroup,
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


app.command()(login)
app.command()(logout)
app.command()(meters)
app.command("last-reading")(last_reading)
app.command()(readings)
app.command()(statistics)
app.command()(plot)
app.command()(sync)
app.command()(usage)
app.command()(exporter)
app.command()(watch)


def main() -> None:
    """Run the ``inexogy`` command (the console-script entry point)."""
    # httpx imports its own command line (click, rich.syntax, pygments) when they are
    # installed, which the cli extra does: a third of the start-up of `inexogy meters` for
    # nothing. Marking that module absent in this process makes httpx skip it (it falls back
    # to a stub `httpx.main`); the library itself is untouched for other programs.
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
    app(prog_name="inexogy")
