"""``inexogy login`` and ``inexogy logout``: keep or drop the stored OAuth token."""

from __future__ import annotations

from typing import Annotated

import typer

from .options import GlobalOptions

__all__ = ["login", "logout"]


def login(
    ctx: typer.Context,
    email: Annotated[
        str | None,
        typer.Option("--email", envvar="INEXOGY_EMAIL", help="The account's email."),
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from the first line of standard input "
            "(else $INEXOGY_PASSWORD, else a hidden prompt).",
        ),
    ] = False,
) -> None:
    """Log in with email and password (the OAuth dance) and store the token for later commands."""
    options = ctx.ensure_object(GlobalOptions)
    if options.auth == "basic":
        raise typer.BadParameter(
            "login stores an OAuth token; with --auth basic every command sends the email and "
            "password itself: drop --auth basic to log in",
            param_hint="--auth",
        )
    address = email or options.email
    if not address:
        raise typer.BadParameter(
            "login needs the account's email: pass --email or set INEXOGY_EMAIL",
            param_hint="--email",
        )
    store = options.token_store()
    from inexogy import Inexogy  # the client's imports are paid only by commands that call
    from inexogy.responses import request_errors_mapped

    with request_errors_mapped():
        store.check()  # before the password is asked for and the dance is run
    password = options.read_password(from_stdin=password_stdin)
    with Inexogy.login(
        address, password, base_url=options.base_url, store=store, retry=options.retry()
    ):
        pass
    typer.echo(f"Logged in as {address}; the token is stored in {store.path}")


def logout(ctx: typer.Context) -> None:
    """Delete the stored OAuth token."""
    store = ctx.ensure_object(GlobalOptions).token_store()
    if store.delete():
        typer.echo(f"Logged out: deleted the token in {store.path}")
    else:
        typer.echo(f"Not logged in: there is no token in {store.path}")
