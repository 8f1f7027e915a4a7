"""Shared helpers of the simulator's tests: the fixed clock, meter lookup and an OAuth signer.

The signer is a small oauthlib-based ``httpx.Auth`` with pinnable nonce and timestamp, so the
tests can replay a nonce or age a timestamp on purpose.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from urllib.parse import parse_qsl

import httpx
from inexogy_mock import Account, demo_meters
from oauthlib import oauth1

NOW_S = 1_718_452_800.0  # 2024-06-15T12:00:00Z: the data clock of the shared server
NOW_MS = int(NOW_S * 1000)
WRITER = Account(
    "writer@example.com", "writer-password", demo_meters(), can_create_virtual_meters=True
)


@dataclass(frozen=True)
class DemoMeters:
    """The meterIds of the demo account's meters, by role."""

    solar: str
    modern: str
    gas: str
    rlm: str
    virtual: str


def meters_of(base_url: str, email: str, password: str) -> DemoMeters:
    """Ask the server for an account's meters (over HTTP, Basic auth) and name them by type."""
    with httpx.Client(base_url=base_url, auth=httpx.BasicAuth(email, password)) as client:
        meters = client.get("/meters").json()
    by_type: dict[str, str] = {}
    for meter in meters:  # the configured meter of each type comes first
        by_type.setdefault(meter["type"], meter["meterId"])
    return DemoMeters(
        by_type["EASYMETER"],
        by_type["EBZ"],
        by_type["ELSTER"],
        by_type["RLM"],
        by_type["VIRTUAL_ELECTRICITY"],
    )


class TestSigner(httpx.Auth):
    """Sign each request with HMAC-SHA1 in the Authorization header."""

    __test__ = False
    requires_request_body = True

    def __init__(
        self,
        consumer_key: str,
        consumer_secret: str,
        token: str | None = None,
        token_secret: str | None = None,
        *,
        verifier: str | None = None,
        callback: str | None = None,
        nonce: str | None = None,
        timestamp: int | None = None,
    ) -> None:
        self.consumer_key = consumer_key
        self.consumer_secret = consumer_secret
        self.token = token
        self.token_secret = token_secret
        self.verifier = verifier
        self.callback = callback
        self.nonce = nonce
        self.timestamp = timestamp

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        client = oauth1.Client(
            self.consumer_key,
            client_secret=self.consumer_secret,
            resource_owner_key=self.token,
            resource_owner_secret=self.token_secret,
            verifier=self.verifier,
            callback_uri=self.callback,
            nonce=self.nonce or uuid.uuid4().hex,
            timestamp=str(self.timestamp if self.timestamp is not None else int(time.time())),
        )
        content_type = request.headers.get("content-type", "")
        body = (
            request.content.decode()
            if content_type == "application/x-www-form-urlencoded" and request.content
            else None
        )
        headers = {"Content-Type": content_type} if body else {}
        _, signed_headers, _ = client.sign(str(request.url), request.method, body, headers)
        request.headers["Authorization"] = signed_headers["Authorization"]
        yield request


def dance(
    base_url: str,
    email: str,
    password: str,
    *,
    verifier_in_body: bool = False,
    callback: str | None = "oob",
) -> tuple[str, str, str, str]:
    """Run the four OAuth steps with plain httpx; return consumer key/secret and token/secret."""
    with httpx.Client(base_url=base_url) as http:
        consumer = http.post("/oauth1/consumer_token", data={"client": "tests"}).json()
        key, secret = consumer["key"], consumer["secret"]
        answer = http.post("/oauth1/request_token", auth=TestSigner(key, secret, callback=callback))
        answer.raise_for_status()
        request_token = dict(parse_qsl(answer.text))
        answer = http.get(
            "/oauth1/authorize",
            params={
                "oauth_token": request_token["oauth_token"],
                "email": email,
                "password": password,
            },
        )
        answer.raise_for_status()
        verifier = dict(parse_qsl(answer.text))["oauth_verifier"]
        signer = TestSigner(
            key,
            secret,
            request_token["oauth_token"],
            request_token["oauth_token_secret"],
            verifier=None if verifier_in_body else verifier,
        )
        form = {"oauth_verifier": verifier} if verifier_in_body else None
        answer = http.post("/oauth1/access_token", auth=signer, data=form)
        answer.raise_for_status()
        access = dict(parse_qsl(answer.text))
    return key, secret, access["oauth_token"], access["oauth_token_secret"]
