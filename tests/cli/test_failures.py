"""Auth modes, environment variables and failures: exit status 1 with one helpful line."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from cli_testkit import SOLAR_SERIAL, Cli, said
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, FaultPlan, create_app, running

BASIC = ("--auth", "basic", "--email", DEMO_EMAIL)
WITH_PASSWORD = {"INEXOGY_PASSWORD": DEMO_PASSWORD}


@contextmanager
def mock_cli(tmp_path: Path, **settings: Any) -> Iterator[Cli]:
    """A runner against a mock of its own, created with ``settings``."""
    with running(create_app(**settings)) as url:
        yield Cli(url, tmp_path / "token.json")


def test_basic_auth_needs_no_login(cli: Cli) -> None:
    result = cli(*BASIC, "meters", "--format", "json", env=WITH_PASSWORD)

    assert result.exit_code == 0, result.stderr
    assert SOLAR_SERIAL in result.stdout
    assert not cli.token_file.exists()


def test_basic_auth_reads_email_from_the_environment_and_prompts_for_the_password(
    cli: Cli,
) -> None:
    result = cli(
        "--auth", "basic", "last-reading", SOLAR_SERIAL, "--format", "json",
        env={"INEXOGY_EMAIL": DEMO_EMAIL}, input=f"{DEMO_PASSWORD}\n",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert "Password" in result.output
    assert json.loads(result.stdout.splitlines()[-1])["values"]


def test_a_wrong_basic_password_exits_1_without_showing_it(cli: Cli) -> None:
    secret = "not-the-Demo-pw-42"
    for verbose in ([], ["-v"]):
        result = cli(*verbose, *BASIC, "meters", env={"INEXOGY_PASSWORD": secret})

        assert result.exit_code == 1
        assert "refused" in said(result.stderr)
        assert secret not in result.stdout
        assert secret not in result.stderr


def test_basic_auth_without_an_email_is_a_usage_error(cli: Cli) -> None:
    result = cli("--auth", "basic", "meters", env=WITH_PASSWORD)

    assert result.exit_code == 2
    assert "--email" in said(result.stderr)


def test_base_url_option_beats_the_environment(logged_in: Cli) -> None:
    unreachable = "http://127.0.0.1:9/public/v1"  # the discard port: nothing listens

    via_env = logged_in("--retries", "0", "meters", env={"INEXOGY_BASE_URL": unreachable})
    via_option = logged_in(
        "--base-url", logged_in.base_url, "meters", env={"INEXOGY_BASE_URL": unreachable}
    )

    assert via_env.exit_code == 1  # the token belongs to the option's service, not the env's
    assert f"belongs to {logged_in.base_url}, not to {unreachable}" in said(via_env.stderr)
    assert via_option.exit_code == 0, via_option.stderr


def test_a_refused_connection_exits_1_with_one_line(logged_in: Cli) -> None:
    with socket.socket() as probe:  # a port that was free a moment ago
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/public/v1"
    token = json.loads(logged_in.token_file.read_text())
    logged_in.token_file.write_text(json.dumps({**token, "base_url": url}))  # a token of `url`

    result = logged_in("--base-url", url, "--retries", "0", "meters")

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("inexogy: error: no answer from")
    assert f"could not connect to {url}/meters " in lines[0]


def test_a_server_error_exits_1_and_says_to_try_later(tmp_path: Path) -> None:
    with mock_cli(tmp_path, faults=FaultPlan.scripted(["500"])) as cli:
        result = cli("--retries", "0", *BASIC, "meters", env=WITH_PASSWORD)

    assert result.exit_code == 1
    assert "500" in said(result.stderr)
    assert "try again later" in said(result.stderr)


def test_a_failed_request_is_retried(tmp_path: Path) -> None:
    with mock_cli(tmp_path, faults=FaultPlan.scripted(["503", "truncated"])) as cli:
        result = cli(*BASIC, "meters", "--format", "json", env=WITH_PASSWORD)

    assert result.exit_code == 0, result.stderr
    assert SOLAR_SERIAL in result.stdout


def test_rate_limiting_says_how_long_to_wait(tmp_path: Path) -> None:
    with mock_cli(tmp_path, faults=FaultPlan.scripted(["429:7"])) as cli:
        result = cli("--retries", "0", *BASIC, "meters", env=WITH_PASSWORD)

    assert result.exit_code == 1
    assert "wait 7 s" in said(result.stderr)


def test_an_unusable_answer_exits_1(tmp_path: Path) -> None:
    with mock_cli(tmp_path, faults=FaultPlan.scripted(["empty"])) as cli:
        result = cli("--retries", "0", *BASIC, "meters", env=WITH_PASSWORD)

    assert result.exit_code == 1
    assert "unusable answer" in said(result.stderr)


def test_an_expired_token_asks_to_log_in_again(tmp_path: Path) -> None:
    with mock_cli(tmp_path, token_lifetime_requests=1) as cli:
        cli.login()
        first = cli("meters", "--format", "json")
        second = cli("meters", "--format", "json")

    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 1
    assert "inexogy login" in second.stderr


def test_with_email_and_password_in_the_environment_an_expired_token_is_renewed(
    tmp_path: Path,
) -> None:
    renew = {"INEXOGY_EMAIL": DEMO_EMAIL, "INEXOGY_PASSWORD": DEMO_PASSWORD}
    with mock_cli(tmp_path, token_lifetime_requests=1) as cli:
        cli.login()
        old_token = json.loads(cli.token_file.read_text())["token"]
        first = cli("meters", "--format", "json", env=renew)
        second = cli("meters", "--format", "json", env=renew)

    assert first.exit_code == 0, first.stderr
    assert second.exit_code == 0, second.stderr
    assert json.loads(cli.token_file.read_text())["token"] != old_token


def test_an_unexpected_failure_is_one_line_and_a_traceback_only_with_verbose(
    logged_in: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(meters: object) -> str:
        raise RuntimeError("a bug in the renderer")

    monkeypatch.setattr("inexogy.cli.meters.meters_json", broken)

    quiet = logged_in("meters", "--format", "json")
    verbose = logged_in("-v", "meters", "--format", "json")

    assert quiet.exit_code == 1
    assert quiet.stderr.splitlines() == [
        "inexogy: error: unexpected RuntimeError: a bug in the renderer "
        "(run with -v for the traceback)"
    ]
    assert verbose.exit_code == 1
    assert "Traceback (most recent call last)" in verbose.stderr
    assert verbose.stderr.rstrip().endswith("(run with -v for the traceback)")
