"""No password, consumer secret or token secret reaches a log, a repr or an error text."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote, quote_plus

import httpx
import inexogy_client
import pytest
from auth_testkit import (
    ACCESS,
    CONSUMER,
    EMAIL,
    NEW_ACCESS,
    PASSWORD,
    SECRETS,
    DanceServer,
    text,
)
from inexogy_auth import (
    BasicAuth,
    Credentials,
    InvalidCredentialsError,
    OAuth1Auth,
    Reauthorizer,
    SecretRedactingFilter,
    TokenStore,
    authorize,
    redact_text,
)
from inexogy_client.api.metadata import get_meters
from pytest_httpserver import HTTPServer

FORMS = sorted({form for s in SECRETS for form in (s, quote(s, safe=""), quote_plus(s, safe=""))})


def assert_secret_free(shown: str) -> None:
    for form in FORMS:
        assert form not in shown, f"a secret ({form[:3]}...) leaked into: {shown[:200]}"


def test_nothing_secret_in_any_log_record_at_debug(
    httpserver: HTTPServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = DanceServer(httpserver)
    server.dance()
    server.meters(CONSUMER, ACCESS, status=401)
    server.dance(register=False, access=NEW_ACCESS)
    server.meters(CONSUMER, NEW_ACCESS)
    server.request_token()
    server.authorize(text("403 Forbidden: Wrong credentials", 403))
    store = TokenStore(tmp_path / "token.json")

    with inexogy_client.Client(base_url=server.base_url) as client:
        credentials = authorize(client, EMAIL, PASSWORD)
    reauthorizer = Reauthorizer(server.base_url, lambda: (EMAIL, PASSWORD), store=store)
    auth = OAuth1Auth.from_credentials(credentials, reauthorizer=reauthorizer)
    with inexogy_client.Client(base_url=server.base_url, httpx_args={"auth": auth}) as client:
        assert get_meters.sync_detailed(client=client).status_code == 200
    with (
        inexogy_client.Client(base_url=server.base_url) as client,
        pytest.raises(InvalidCredentialsError) as refused,
    ):
        authorize(client, EMAIL, PASSWORD, consumer=CONSUMER)
    server.server.check()
    logging.getLogger("test").error("dance failed", exc_info=refused.value)

    # The test server's own request log (werkzeug) is the far end of the wire, not the client.
    records = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    for record in records:
        assert_secret_free(formatter.format(record))
        assert_secret_free(repr(record.args))
    names = {record.name for record in records}
    assert {"httpx", "httpcore.http11", "inexogy_auth.dance", "inexogy_auth.oauth1"} <= names
    authorize_lines = [r.getMessage() for r in records if "/oauth1/authorize" in r.getMessage()]
    assert authorize_lines
    assert all("password=[REDACTED]" in line for line in authorize_lines)
    assert store.load() == Credentials(*CONSUMER, *NEW_ACCESS)
    saved = store.path.read_text()
    assert PASSWORD not in saved
    assert quote(PASSWORD, safe="") not in saved


def test_reprs_and_strs_hide_secrets(tmp_path: Path) -> None:
    credentials = Credentials(*CONSUMER, *ACCESS)
    reauthorizer = Reauthorizer(
        "http://127.0.0.1/public/v1", lambda: (EMAIL, PASSWORD), store=TokenStore(tmp_path / "t")
    )
    shown = [
        repr(credentials),
        str(credentials),
        repr(OAuth1Auth.from_credentials(credentials, reauthorizer=reauthorizer)),
        repr(OAuth1Auth(*CONSUMER, "request-token", "request-SECRET-1", verifier="v")),
        repr(BasicAuth(EMAIL, PASSWORD)),
        repr(reauthorizer),
    ]
    for text_shown in shown:
        assert_secret_free(text_shown)
    assert CONSUMER[0] in shown[0]
    assert ACCESS[0] in shown[0]
    assert EMAIL in shown[4]


def test_redact_text_covers_urls_headers_json_and_known_values() -> None:
    cases = {
        f"GET /oauth1/authorize?oauth_token=t&email=e&password={quote(PASSWORD)} 200": (
            "GET /oauth1/authorize?oauth_token=t&email=e&password=[REDACTED] 200"
        ),
        'OAuth oauth_token="t", oauth_signature="abc%3D"': "OAuth [REDACTED]",
        "oauth_token=t&oauth_token_secret=s3cr3t&x=1": (
            "oauth_token=t&oauth_token_secret=[REDACTED]&x=1"
        ),
        '{"key": "k", "secret": "s3cr3t", "owner": "o"}': (
            '{"key": "k", "secret": [REDACTED], "owner": "o"}'
        ),
        "{'consumer_secret': 's3cr3t', 'token': 't'}": (
            "{'consumer_secret': [REDACTED], 'token': 't'}"
        ),
        "oauth_signature_method=HMAC-SHA1": "oauth_signature_method=HMAC-SHA1",
    }
    for raw, redacted in cases.items():
        assert redact_text(raw) == redacted
    assert redact_text(f"echo {PASSWORD} / {quote_plus(PASSWORD)}", [PASSWORD]) == (
        "echo [REDACTED] / [REDACTED]"
    )


def test_filter_rewrites_httpx_style_records() -> None:
    url = httpx.URL("http://h/oauth1/authorize", params={"password": PASSWORD, "email": EMAIL})
    record = logging.LogRecord(
        "httpx", logging.INFO, __file__, 1, 'HTTP Request: %s %s "%s"', ("GET", url, "200"), None
    )
    assert SecretRedactingFilter().filter(record) is True
    assert "password=[REDACTED]" in record.getMessage()
    assert_secret_free(record.getMessage())
    assert_secret_free(repr(record.args))


def test_filter_is_on_the_httpx_loggers() -> None:
    for name in ("httpx", "httpcore", "httpcore.http11", "httpcore.connection"):
        filters = logging.getLogger(name).filters
        assert sum(isinstance(f, SecretRedactingFilter) for f in filters) == 1
