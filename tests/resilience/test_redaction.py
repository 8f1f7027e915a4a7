"""Secrets in every form stay out of exception texts and the command's error line (issue 10, 7).

A server (or a proxy in front of it) that echoes the request's ``Authorization: Basic ...``
header in a 401 body used to put base64(email:password) into the error text.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, quote_plus

import httpx
import pytest
from inexogy import Inexogy, InvalidCredentialsError
from inexogy.cli import app
from inexogy_auth import BasicAuth, redact_text, secret_forms
from pytest_httpserver import HTTPServer
from typer.testing import CliRunner
from werkzeug import Request, Response

EMAIL = "owner@example.com"
PASSWORD = "Pa55-wörd/+&="  # reserved characters and non-ASCII: every encoding differs
PAIR = f"{EMAIL}:{PASSWORD}"
BASIC = base64.b64encode(PAIR.encode()).decode()
CLEARED = ("INEXOGY_BASE_URL", "INEXOGY_TOKEN_FILE", "INEXOGY_EMAIL", "INEXOGY_PASSWORD")


def leaked_forms(text: str) -> list[str]:
    forms = {
        PASSWORD,
        quote(PASSWORD, safe=""),
        quote_plus(PASSWORD),
        BASIC,
        BASIC.rstrip("="),
        base64.urlsafe_b64encode(PAIR.encode()).decode(),
    }
    return [form for form in forms if form in text]


@pytest.mark.parametrize(
    "text",
    [
        f"password={PASSWORD}",
        f"password={quote(PASSWORD, safe='')}",
        f"authorize?email=x&password={quote_plus(PASSWORD)}",
        f"401 Unauthorized: Authorization: Basic {BASIC}",
        f'{{"headers": {{"Authorization": "Basic {BASIC}"}}}}',
        f"echo: Basic {BASIC}",
        f"raw {BASIC} in a text",
        f"raw {PASSWORD} in a text",
    ],
)
def test_every_form_of_a_secret_is_redacted(text: str) -> None:
    assert leaked_forms(redact_text(text, [PASSWORD, PAIR])) == []


def test_oauth_header_values_are_redacted() -> None:
    header = (
        'Authorization: OAuth oauth_consumer_key="ck", oauth_token="tok", '
        'oauth_signature="c2lnbmF0dXJl%3D", oauth_nonce="n"'
    )
    redacted = redact_text(f"500: could not handle {header}\nsecond line")
    assert "tok" not in redacted
    assert "c2lnbmF0dXJl" not in redacted
    assert redacted.endswith("OAuth [REDACTED]\nsecond line")


def test_plain_words_after_basic_stay_readable() -> None:
    text = "401 Unauthorized: Basic authentication failed"
    assert redact_text(text) == text


def test_secret_forms_cover_raw_percent_and_base64() -> None:
    forms = secret_forms(PAIR)
    assert {PAIR, quote(PAIR, safe=""), BASIC, BASIC.rstrip("=")} <= forms


def echoing_server(httpserver: HTTPServer, *, raw_too: bool = False) -> str:
    def echo(request: Request) -> Response:
        header = request.headers["Authorization"]
        raw = f" (raw: {header.split()[1]})" if raw_too else ""
        return Response(
            f"401 Unauthorized: bad credentials in Authorization: {header}{raw}",
            status=401,
            content_type="text/plain",
        )

    httpserver.expect_request("/public/v1/meters").respond_with_handler(echo)
    return httpserver.url_for("/public/v1")


def test_an_echoed_basic_header_is_not_in_the_exception(httpserver: HTTPServer) -> None:
    url = echoing_server(httpserver)
    with (
        Inexogy(auth=BasicAuth(EMAIL, PASSWORD), base_url=url, retry=None) as api,
        pytest.raises(InvalidCredentialsError) as caught,
    ):
        api.meters()
    shown = f"{caught.value} {caught.value!r} {caught.value.message}"
    assert "401 Unauthorized: bad credentials" in shown
    assert leaked_forms(shown) == []


def test_an_echoed_basic_header_is_not_in_the_command_line(httpserver: HTTPServer) -> None:
    # The command knows the email and password, so even the bare base64 pair is caught.
    url = echoing_server(httpserver, raw_too=True)
    env: dict[str, str | None] = dict.fromkeys(CLEARED)
    env.update({"INEXOGY_EMAIL": EMAIL, "INEXOGY_PASSWORD": PASSWORD})
    result = CliRunner().invoke(
        app, ["--base-url", url, "--auth", "basic", "--retries", "0", "meters"], env=env
    )
    assert result.exit_code == 1
    assert result.stderr.startswith("inexogy: error: ")
    assert leaked_forms(result.stdout + result.stderr) == []
    verbose = CliRunner().invoke(
        app, ["-v", "--base-url", url, "--auth", "basic", "--retries", "0", "meters"], env=env
    )
    assert verbose.exit_code == 1
    assert "bad credentials in Authorization: Basic [REDACTED]" in verbose.stderr  # traceback
    assert leaked_forms(verbose.stdout + verbose.stderr) == []


def test_an_httpx_client_of_the_caller_keeps_its_own_auth_for_other_hosts() -> None:
    # Redaction must not touch what is not the API's: a borrowed client's other requests.
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("Authorization", ""))
        return httpx.Response(200, json=[])

    with (
        httpx.Client(transport=httpx.MockTransport(answer)) as http_client,
        Inexogy(
            auth=BasicAuth(EMAIL, PASSWORD),
            base_url="https://api.example.com/public/v1",
            http_client=http_client,
        ) as api,
    ):
        assert api.meters() == []
    assert seen == [f"Basic {BASIC}"]
