"""Command-line gaps of issue 10 (point 6): usage errors, never a crash or an empty export."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from inexogy.cli import app
from typer.testing import CliRunner, Result

CLEARED = ("INEXOGY_BASE_URL", "INEXOGY_TOKEN_FILE", "INEXOGY_EMAIL", "INEXOGY_PASSWORD")


def run(*args: str, tmp_path: Path) -> Result:
    env: dict[str, str | None] = dict.fromkeys(CLEARED)
    env["INEXOGY_TOKEN_FILE"] = str(tmp_path / "token.json")
    # A base URL nobody listens on: these must fail before any request is made.
    env["INEXOGY_BASE_URL"] = "http://127.0.0.1:9/public/v1"
    return CliRunner().invoke(app, list(args), env=env)


def said(output: str) -> str:
    """Typer draws usage errors in a box wrapped at 80 columns: one line of words."""
    return " ".join(output.replace("│", " ").split())


def test_a_range_entirely_in_the_future_is_a_usage_error_naming_now(tmp_path: Path) -> None:
    out = tmp_path / "future.csv"
    result = run(
        "readings", "1", "--from", "+2d", "--to", "+3d", "--resolution", "raw", "-o", str(out),
        tmp_path=tmp_path,
    )  # fmt: skip
    assert result.exit_code == 2
    message = said(result.stderr)
    assert "not before now" in message
    assert f"({datetime.now(UTC).year}-" in message or f"now ({datetime.now().year}-" in message
    assert not out.exists()


@pytest.mark.parametrize("when", ["-9999999999d", "+9999999999w", "-99999999999999999999s"])
def test_an_out_of_range_relative_time_is_a_usage_error(when: str, tmp_path: Path) -> None:
    result = run("readings", "1", "--from", when, "--resolution", "raw", tmp_path=tmp_path)
    assert result.exit_code == 2, result.output
    assert "too far from now" in said(result.stderr)
    assert "OverflowError" not in result.output + result.stderr


@pytest.mark.parametrize(
    "base_url", ["ftp://x", "x", "http://", "https:///public/v1", "mailto:me@example.com", "::"]
)
def test_a_base_url_that_is_not_http_with_a_host_is_a_usage_error(
    base_url: str, tmp_path: Path
) -> None:
    result = run("--base-url", base_url, "meters", tmp_path=tmp_path)
    assert result.exit_code == 2, result.output
    message = said(result.stderr)
    assert "--base-url" in message
    assert "is not an http(s) URL with a host" in message
    assert "unexpected" not in message


@pytest.mark.parametrize("base_url", ["http://a:b:c", "http://host:port/public/v1"])
def test_the_library_refuses_an_unparsable_base_url_with_a_value_error(base_url: str) -> None:
    # httpx raises its own InvalidURL (not a ValueError) for these: the toolkit says what to do.
    from inexogy.connection import resolve_base_url

    with pytest.raises(ValueError, match="is not an http"):
        resolve_base_url(base_url, None)
