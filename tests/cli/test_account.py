"""``inexogy login`` and ``logout`` against the live mock: the token, the password's secrecy."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_testkit import OWNER_EMAIL, OWNER_PASSWORD, Cli, password_forms, said
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD

WRONG_PASSWORD = "Wr0ng-Pa55word-xyz"


def test_login_with_password_stdin_stores_the_token_and_says_where(cli: Cli) -> None:
    result = cli("login", "--email", DEMO_EMAIL, "--password-stdin", input=f"{DEMO_PASSWORD}\n")

    assert result.exit_code == 0, result.stderr
    assert str(cli.token_file) in result.stdout
    stored = json.loads(cli.token_file.read_text())
    assert set(stored) >= {"consumer_key", "consumer_secret", "token", "token_secret"}


def test_login_takes_email_and_password_from_the_environment(cli: Cli) -> None:
    result = cli("login", env={"INEXOGY_EMAIL": DEMO_EMAIL, "INEXOGY_PASSWORD": DEMO_PASSWORD})

    assert result.exit_code == 0, result.stderr
    assert cli.token_file.exists()
    assert cli("meters", "--format", "json").exit_code == 0


def test_login_prompts_for_the_password_without_echoing_it(cli: Cli) -> None:
    result = cli("login", "--email", DEMO_EMAIL, input=f"{DEMO_PASSWORD}\n")

    assert result.exit_code == 0, result.stderr
    assert "Password" in result.output
    assert f"Password: {DEMO_PASSWORD}" not in result.output
    assert cli.token_file.exists()


@pytest.mark.parametrize("verbose", [[], ["-v"]], ids=["quiet", "verbose"])
def test_a_refused_password_exits_1_and_never_shows_the_password(
    cli: Cli, verbose: list[str]
) -> None:
    result = cli(*verbose, "login", "--email", DEMO_EMAIL, "--password-stdin", input=WRONG_PASSWORD)

    assert result.exit_code == 1
    assert "password was refused" in said(result.stderr)
    assert WRONG_PASSWORD not in result.output
    assert WRONG_PASSWORD not in result.stderr
    assert not cli.token_file.exists()
    if verbose:
        assert "Traceback" in said(result.stderr)
    else:
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("source", ["stdin", "environment", "prompt"])
def test_a_good_password_is_never_printed_even_with_verbose_logging(
    owner_url: str, tmp_path: Path, source: str
) -> None:
    cli = Cli(owner_url, tmp_path / "token.json")
    args = ["-v", "login", "--email", OWNER_EMAIL]
    stdin = f"{OWNER_PASSWORD}\n" if source in ("stdin", "prompt") else None
    if source == "stdin":
        args.append("--password-stdin")
    env = {"INEXOGY_PASSWORD": OWNER_PASSWORD} if source == "environment" else None

    login = cli(*args, input=stdin, env=env)
    meters = cli("-v", "meters", "--format", "json")

    assert login.exit_code == 0, login.stderr
    assert meters.exit_code == 0, meters.stderr
    assert "oauth1/authorize" in login.stderr  # the requests were logged
    for form in password_forms(OWNER_PASSWORD):
        for output in (login.output, login.stderr, meters.output, meters.stderr):
            assert form not in output
    assert OWNER_PASSWORD not in cli.token_file.read_text()


def test_a_failed_login_keeps_the_token_already_stored(logged_in: Cli) -> None:
    before = logged_in.token_file.read_bytes()

    result = logged_in("login", "--email", DEMO_EMAIL, "--password-stdin", input=WRONG_PASSWORD)

    assert result.exit_code == 1
    assert logged_in.token_file.read_bytes() == before
    assert logged_in("meters", "--format", "json").exit_code == 0


def test_an_empty_password_is_a_usage_error(cli: Cli) -> None:
    result = cli("login", "--email", DEMO_EMAIL, "--password-stdin", input="\n")

    assert result.exit_code == 2
    assert "empty" in said(result.stderr)


def test_login_without_an_email_is_a_usage_error(cli: Cli) -> None:
    result = cli("login", env={"INEXOGY_PASSWORD": DEMO_PASSWORD})

    assert result.exit_code == 2
    assert "--email" in said(result.stderr)


def test_logout_deletes_the_token_and_a_second_logout_says_so(logged_in: Cli) -> None:
    first = logged_in("logout")
    second = logged_in("logout")

    assert first.exit_code == 0
    assert "deleted" in first.stdout
    assert not logged_in.token_file.exists()
    assert second.exit_code == 0
    assert "Not logged in" in second.stdout


def test_commands_without_a_token_exit_1_and_say_to_log_in(cli: Cli) -> None:
    result = cli("meters")

    assert result.exit_code == 1
    assert "inexogy login" in said(result.stderr)
    assert str(cli.token_file) in said(result.stderr)


def test_the_token_file_option_beats_the_environment(logged_in: Cli, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"

    result = logged_in("--token-file", str(elsewhere), "meters")

    assert result.exit_code == 1
    assert str(elsewhere) in said(result.stderr)
