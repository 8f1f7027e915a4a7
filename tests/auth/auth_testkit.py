"""Server-side checks for the auth tests: verify OAuth 1.0a signatures the way a server does."""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit

from oauthlib.oauth1.rfc5849 import signature, utils
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

FORM = "application/x-www-form-urlencoded"


def oauth_params(authorization: str) -> dict[str, str]:
    """The oauth_* parameters of an ``Authorization: OAuth ...`` header, unescaped."""
    assert authorization.startswith("OAuth "), authorization
    return {key: unquote(value) for key, value in utils.parse_authorization_header(authorization)}


def signature_verifies(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    consumer_secret: str,
    token_secret: str | None,
) -> bool:
    """Whether the request's HMAC-SHA1 signature verifies, rebuilt from what went on the wire.

    The form body counts when the Content-Type is form-encoded (RFC 5849 §3.4.1.3.1), as on a
    server; the query comes from the URL the server saw.
    """
    authorization = headers["Authorization"]
    oauth = oauth_params(authorization)
    assert oauth["oauth_signature_method"] == "HMAC-SHA1"
    assert oauth["oauth_version"] == "1.0"
    assert oauth["oauth_nonce"]
    assert oauth["oauth_timestamp"].isdigit()
    form = body.decode() if headers.get("Content-Type") == FORM and body else None
    # The query decoded leniently, as web servers do (oauthlib's own decoder refuses raw "|").
    params = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    params += signature.collect_parameters(
        body=form, headers={"Authorization": authorization}, exclude_oauth_signature=True
    )
    request = types.SimpleNamespace(
        uri=url, http_method=method, params=params, signature=oauth["oauth_signature"]
    )
    return bool(signature.verify_hmac_sha1(request, consumer_secret, token_secret))


def wire_url(request: Request) -> str:
    """The URL a werkzeug request arrived at, with the raw path and query as sent."""
    return f"{request.scheme}://{request.host}{request.environ['RAW_URI']}"


def werkzeug_verifies(request: Request, consumer_secret: str, token_secret: str | None) -> bool:
    """``signature_verifies`` for a request received by pytest-httpserver."""
    return signature_verifies(
        request.method,
        wire_url(request),
        dict(request.headers.items()),
        request.get_data(),
        consumer_secret,
        token_secret,
    )


# --- a scripted inexogy server for the four OAuth steps and one data endpoint -------------------

PREFIX = "/public/v1"
APP_NAME = "inexogy-python"
EMAIL = "user@example.com"
PASSWORD = "pw-S3cret&=ä x"  # reserved characters, non-ASCII and a space: all must be encoded
CONSUMER = ("consumer-key-1", "consumer-SECRET-1")
NEW_CONSUMER = ("consumer-key-2", "consumer-SECRET-2")
REQUEST_TOKEN = ("request-token-1", "request-SECRET-1")
VERIFIER = "verifier-1"
ACCESS = ("access-token-1", "access-SECRET-1")
NEW_ACCESS = ("access-token-2", "access-SECRET-2")
SECRETS = (
    PASSWORD,
    CONSUMER[1],
    NEW_CONSUMER[1],
    REQUEST_TOKEN[1],
    ACCESS[1],
    NEW_ACCESS[1],
)


def text(body: str, status: int = 200, **headers: str) -> Response:
    """A text/plain answer, as the API gives for tokens and errors."""
    return Response(body, status=status, headers=headers, content_type="text/plain")


def accepts_text(request: Request) -> bool:
    """Whether the request's Accept header lets the API answer text/plain."""
    return "text/plain" in request.headers.get("Accept", "")


class DanceServer:
    """Registers the expected requests of a dance, in order, on a pytest-httpserver.

    Every handler checks what the real service needs (method, path, form, Accept, signature
    with the right secrets, OAuth parameters) and answers ``response`` or the normal answer.
    """

    def __init__(self, server: HTTPServer) -> None:
        self.server = server

    @property
    def base_url(self) -> str:
        return self.server.url_for(PREFIX)

    def consumer_token(
        self, response: Response | None = None, consumer: tuple[str, str] = CONSUMER
    ) -> None:
        def handle(request: Request) -> Response:
            assert accepts_text(request)
            assert "Authorization" not in request.headers
            if response is not None:
                return response
            return Response(
                json.dumps(
                    {
                        "key": consumer[0],
                        "secret": consumer[1],
                        "owner": APP_NAME,
                        "attributes": {},
                        "principal": None,
                    }
                ),
                content_type="application/json",
            )

        self.server.expect_ordered_request(
            f"{PREFIX}/oauth1/consumer_token",
            method="POST",
            data=f"client={APP_NAME}",
            headers={"Content-Type": FORM},
        ).respond_with_handler(handle)

    def request_token(
        self, response: Response | None = None, consumer: tuple[str, str] = CONSUMER
    ) -> None:
        def handle(request: Request) -> Response:
            assert accepts_text(request)
            oauth = oauth_params(request.headers["Authorization"])
            assert oauth["oauth_consumer_key"] == consumer[0]
            assert oauth["oauth_callback"] == "oob"
            assert "oauth_token" not in oauth
            assert werkzeug_verifies(request, consumer[1], None)
            if response is not None:
                return response
            return text(
                f"oauth_token={REQUEST_TOKEN[0]}&oauth_token_secret={REQUEST_TOKEN[1]}"
                "&oauth_callback_confirmed=true"
            )

        self.server.expect_ordered_request(
            f"{PREFIX}/oauth1/request_token", method="POST"
        ).respond_with_handler(handle)

    def authorize(self, response: Response | None = None) -> None:
        def handle(request: Request) -> Response:
            assert accepts_text(request)
            assert "Authorization" not in request.headers
            return response if response is not None else text(f"oauth_verifier={VERIFIER}")

        self.server.expect_ordered_request(
            f"{PREFIX}/oauth1/authorize",
            method="GET",
            query_string={"oauth_token": REQUEST_TOKEN[0], "email": EMAIL, "password": PASSWORD},
        ).respond_with_handler(handle)

    def access_token(
        self,
        response: Response | None = None,
        consumer: tuple[str, str] = CONSUMER,
        access: tuple[str, str] = ACCESS,
    ) -> None:
        def handle(request: Request) -> Response:
            assert accepts_text(request)
            oauth = oauth_params(request.headers["Authorization"])
            assert oauth["oauth_consumer_key"] == consumer[0]
            assert oauth["oauth_token"] == REQUEST_TOKEN[0]
            assert oauth["oauth_verifier"] == VERIFIER
            assert werkzeug_verifies(request, consumer[1], REQUEST_TOKEN[1])
            if response is not None:
                return response
            return text(f"oauth_token={access[0]}&oauth_token_secret={access[1]}")

        self.server.expect_ordered_request(
            f"{PREFIX}/oauth1/access_token", method="POST"
        ).respond_with_handler(handle)

    def dance(
        self,
        *,
        register: bool = True,
        consumer: tuple[str, str] = CONSUMER,
        access: tuple[str, str] = ACCESS,
    ) -> None:
        """The whole dance, answered normally."""
        if register:
            self.consumer_token(consumer=consumer)
        self.request_token(consumer=consumer)
        self.authorize()
        self.access_token(consumer=consumer, access=access)

    def meters(self, consumer: tuple[str, str], access: tuple[str, str], status: int = 200) -> None:
        """GET /meters signed with ``consumer`` and ``access``, answered ``status``."""

        def handle(request: Request) -> Response:
            oauth = oauth_params(request.headers["Authorization"])
            assert oauth["oauth_token"] == access[0]
            assert werkzeug_verifies(request, consumer[1], access[1])
            if status == 401:
                return Response("", status=401)
            return Response("[]", status=status, content_type="application/json")

        self.server.expect_ordered_request(f"{PREFIX}/meters", method="GET").respond_with_handler(
            handle
        )

    def paths(self) -> list[str]:
        """The paths requested so far, in order, without the API prefix."""
        return [request.path.removeprefix(PREFIX) for request, _ in self.server.log]
