"""Helpers of the command-line tests: an in-process runner of ``inexogy`` against a mock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote, quote_plus

from inexogy.cli import app
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD
from typer.testing import CliRunner, Result

OWNER_EMAIL = "owner@example.com"
OWNER_PASSWORD = "Unusual-Pa55word!"
SOLAR_SERIAL = "1ESY1161229886"
SOLAR_SHORT_SERIAL = "61229886"

# Variables a developer's shell may carry that would change what the command does.
_CLEARED = ("INEXOGY_BASE_URL", "INEXOGY_TOKEN_FILE", "INEXOGY_EMAIL", "INEXOGY_PASSWORD")


class Cli:
    """Runs ``inexogy`` in-process against one mock, with its own token file."""

    def __init__(self, base_url: str, token_file: Path) -> None:
        self.base_url = base_url
        self.token_file = token_file

    def env(self, extra: Mapping[str, str | None] | None = None) -> dict[str, str | None]:
        """The environment of a run: the mock's URL, the token file, TZ=UTC; nothing inherited."""
        env: dict[str, str | None] = dict.fromkeys(_CLEARED)
        env["INEXOGY_BASE_URL"] = self.base_url
        env["INEXOGY_TOKEN_FILE"] = str(self.token_file)
        env["TZ"] = "UTC"  # the system zone --tz defaults to: the same on every machine
        env.update(extra or {})
        return env

    def __call__(
        self,
        *args: str,
        input: str | None = None,
        env: Mapping[str, str | None] | None = None,
    ) -> Result:
        """Run ``inexogy ARGS``; stdout and stderr are kept apart on the result."""
        return CliRunner().invoke(app, list(args), input=input, env=self.env(env))

    def login(self) -> Result:
        """Log in as the demo account; assert it worked."""
        result = self("login", "--email", DEMO_EMAIL, env={"INEXOGY_PASSWORD": DEMO_PASSWORD})
        assert result.exit_code == 0, result.stderr
        return result


def password_forms(password: str) -> list[str]:
    """The password as typed and as it travels percent-encoded in a URL or a form."""
    return [password, quote(password, safe=""), quote_plus(password)]


def data_lines(text: str) -> Sequence[str]:
    """The non-empty lines of an output."""
    return [line for line in text.splitlines() if line]


def said(output: str) -> str:
    """An output as one line of words: typer draws usage errors in a box, wrapped at 80 columns."""
    return " ".join(output.replace("│", " ").split())
