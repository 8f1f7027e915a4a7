"""Turn failures into one line on stderr and exit status 1 (a traceback only with ``-v``).

Usage errors stay typer's business (exit status 2). Every other failure of a command, from the
service, the network, the token file or an output file, is explained in one line saying
what went wrong and what to do, with every password read during the run scrubbed out.
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import typer
from inexogy_auth import redact_text
from typer.core import TyperGroup

from inexogy import errors
from inexogy.files import published_count
from inexogy.stops import Stopped, stops_caught

from .options import GlobalOptions

__all__ = ["CommandFailedError", "ReportingGroup", "describe_failure", "describe_stop"]

API_ERROR_EXIT = 1


class CommandFailedError(Exception):
    """A command could not do its job; the text says why and what to do."""


def describe_failure(error: BaseException, options: GlobalOptions) -> str:
    """Say in one line what went wrong with ``error`` and what to do about it."""
    login = "inexogy login --email YOUR_EMAIL"
    match error:
        case CommandFailedError():
            return str(error)
        case errors.NotLoggedInError() if options.token_store().path.exists():
            return error.message  # a token of another service: the message says which
        case errors.NotLoggedInError():
            return f"not logged in (no token in {options.token_store().path}): run `{login}` first"
        case errors.InvalidCredentialsError():
            return "the email or password was refused: check both and log in again"
        case errors.TokenExpiredError(login_helps=False):
            return error.message
        case errors.TokenExpiredError():
            return (
                f"the stored token is no longer accepted: run `{login}` again "
                "(against the same --base-url), or set INEXOGY_EMAIL and INEXOGY_PASSWORD "
                "so that it renews itself"
            )
        case errors.RateLimitError():
            wait = f"{error.retry_after:g} s" if error.retry_after is not None else "a minute"
            return f"the service limits requests ({error.message}): wait {wait} and try again"
        case errors.PermissionDeniedError():
            return f"this account may not do that ({error.message})"
        case errors.BadRequestError():
            return (
                f"the service refused the request ({error.message}): "
                "check the meter, the times and the fields"
            )
        case errors.ServerError():
            return f"the service failed ({error.message}): try again later"
        case errors.NetworkError():
            return f"no answer from the service: {error.message}"
        case errors.InvalidResponseError():
            return f"the service sent an unusable answer: {error.message}"
        case errors.TokenStoreError():
            return f"{error.message}: fix or delete the token file, then log in again"
        case errors.InexogyError():  # not found and the like: the message says what to do
            return error.message
    return f"unexpected {type(error).__name__}: {error} (run with -v for the traceback)"


def describe_stop(stop: Stopped, command: str, published_before: int) -> str:
    """Say in one line what a signal stopped, and that nothing was written (or what was)."""
    what = f"`inexogy {command}`" if command else "inexogy"
    count, last = published_count()
    if stop.writing is not None:
        return (
            f"{what} stopped by {stop.signal_name} while writing {stop.writing}: nothing was "
            f"written ({stop.writing} is as it was before)"
        )
    if count > published_before and last is not None:
        return f"{what} stopped by {stop.signal_name} after {last} was written completely"
    return f"{what} stopped by {stop.signal_name}: nothing was written"


class ReportingGroup(TyperGroup):
    """The command group of ``inexogy``: reports a failed command and exits with status 1.

    SIGINT and SIGTERM stop a command cleanly: files being written are removed, one line says
    what was stopped, and the exit status is 130 or 143 (128 + the signal's number).
    """

    def invoke(self, ctx: Any) -> Any:  # Any: typer's own Context type is private
        """Run the command; explain any failure other than a usage error."""
        published_before, _ = published_count()
        try:
            with stops_caught():
                return super().invoke(ctx)
        except Stopped as stop:
            line = describe_stop(stop, ctx.invoked_subcommand or "", published_before)
            typer.echo(f"inexogy: {line}", err=True)
            raise typer.Exit(stop.exit_status) from None
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise  # usage errors (exit status 2) and deliberate exits speak for themselves
        except BrokenPipeError:
            # The reader of stdout went away (``inexogy readings ... | head``): stop quietly,
            # and keep Python from complaining when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(API_ERROR_EXIT) from None
        except Exception as error:
            options = ctx.find_object(GlobalOptions) or GlobalOptions()
            if options.verbose:
                trace = "".join(traceback.format_exception(error))
                typer.echo(redact_text(trace, options.secrets), err=True, nl=False)
            line = redact_text(describe_failure(error, options), options.secrets)
            typer.echo(f"inexogy: error: {line}", err=True)
            raise typer.Exit(API_ERROR_EXIT) from None
