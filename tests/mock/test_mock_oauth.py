"""The mock's OAuth 1.0a provider, driven by a small oauthlib signer written for these tests."""

from __future__ import annotations

import time
from collections.abc import Generator
from urllib.parse import parse_qsl

import httpx
import pytest
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD
from mock_testkit import TestSigner, dance


@pytest.fixture(scope="module")
def tokens(base_url: str) -> tuple[str, str, str, str]:
    """Consumer key/secret and access token/secret of the demo account."""
    return dance(base_url, DEMO_EMAIL, DEMO_PASSWORD)


def _meters(base_url: str, auth: httpx.Auth) -> httpx.Response:
    with httpx.Client(base_url=base_url, auth=auth) as client:
        return client.get("/meters", headers={"Accept": "application/json, text/plain"})


@pytest.mark.parametrize("callback", ["oob", None])
@pytest.mark.parametrize("verifier_in_body", [False, True])
def test_the_dance_accepts_what_clients_send(
    base_url: str, callback: str | None, verifier_in_body: bool
) -> None:
    key, secret, token, token_secret = dance(
        base_url, DEMO_EMAIL, DEMO_PASSWORD, verifier_in_body=verifier_in_body, callback=callback
    )
    response = _meters(base_url, TestSigner(key, secret, token, token_secret))
    assert response.status_code == 200
    assert len(response.json()) == 5


def test_consumer_token_answer(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        answer = client.post("/oauth1/consumer_token", data={"client": "MyOwnClient"}).json()
    assert set(answer) == {"key", "secret", "owner", "attributes", "principal"}
    assert (answer["owner"], answer["attributes"], answer["principal"]) == ("MyOwnClient", {}, None)


def test_request_token_answer_is_urlencoded(
    base_url: str, tokens: tuple[str, str, str, str]
) -> None:
    key, secret, _, _ = tokens
    with httpx.Client(base_url=base_url) as client:
        answer = client.post("/oauth1/request_token", auth=TestSigner(key, secret, callback="oob"))
    fields = dict(parse_qsl(answer.text))
    assert set(fields) == {"oauth_token", "oauth_token_secret", "oauth_callback_confirmed"}
    assert fields["oauth_callback_confirmed"] == "true"


def test_wrong_password_at_authorize(base_url: str, tokens: tuple[str, str, str, str]) -> None:
    key, secret, _, _ = tokens
    with httpx.Client(base_url=base_url) as client:
        request_token = dict(
            parse_qsl(client.post("/oauth1/request_token", auth=TestSigner(key, secret)).text)
        )
        answer = client.get(
            "/oauth1/authorize",
            params={
                "oauth_token": request_token["oauth_token"],
                "email": DEMO_EMAIL,
                "password": "nope",
            },
        )
    assert answer.status_code == 403
    assert answer.text == "403 Forbidden: Invalid email or password"


def test_wrong_verifier_is_refused(base_url: str, tokens: tuple[str, str, str, str]) -> None:
    key, secret, _, _ = tokens
    with httpx.Client(base_url=base_url) as client:
        request_token = dict(
            parse_qsl(client.post("/oauth1/request_token", auth=TestSigner(key, secret)).text)
        )
        client.get(
            "/oauth1/authorize",
            params={
                "oauth_token": request_token["oauth_token"],
                "email": DEMO_EMAIL,
                "password": DEMO_PASSWORD,
            },
        ).raise_for_status()
        signer = TestSigner(
            key,
            secret,
            request_token["oauth_token"],
            request_token["oauth_token_secret"],
            verifier="guess",
        )
        answer = client.post("/oauth1/access_token", auth=signer)
    assert answer.status_code == 401


def test_bad_signature(base_url: str, tokens: tuple[str, str, str, str]) -> None:
    key, _, token, token_secret = tokens
    response = _meters(base_url, TestSigner(key, "not-the-secret", token, token_secret))
    assert response.status_code == 401
    assert response.text == "401 Unauthorized: Invalid signature"


def test_unknown_consumer(base_url: str, tokens: tuple[str, str, str, str]) -> None:
    _, secret, token, token_secret = tokens
    response = _meters(base_url, TestSigner("unknown-consumer", secret, token, token_secret))
    assert response.status_code == 401
    assert response.text == "401 Unauthorized: Unknown consumer key: unknown-consumer"


def test_unknown_token_gets_an_empty_401(base_url: str, tokens: tuple[str, str, str, str]) -> None:
    key, secret, _, token_secret = tokens
    response = _meters(base_url, TestSigner(key, secret, "f" * 32, token_secret))
    assert response.status_code == 401
    assert response.content == b""


def test_replayed_nonce(base_url: str, tokens: tuple[str, str, str, str]) -> None:
    key, secret, token, token_secret = tokens
    pinned = TestSigner(
        key, secret, token, token_secret, nonce="same-nonce-every-time", timestamp=int(time.time())
    )
    assert _meters(base_url, pinned).status_code == 200
    replay = _meters(base_url, pinned)
    assert replay.status_code == 401
    assert replay.text == "401 Unauthorized: Nonce already used"


# 305 s, not 301: the timestamp is whole seconds and the request takes time to arrive, so a
# 1 s margin raced the window's edge on a loaded machine.
@pytest.mark.parametrize("skew", [-305, 305])
def test_timestamp_outside_five_minutes(
    base_url: str, tokens: tuple[str, str, str, str], skew: int
) -> None:
    key, secret, token, token_secret = tokens
    response = _meters(
        base_url, TestSigner(key, secret, token, token_secret, timestamp=int(time.time()) + skew)
    )
    assert response.status_code == 401
    assert response.text == "401 Unauthorized: Timestamp is out of the accepted window"


class _SignThenChange(httpx.Auth):
    """Sign a request, then send it somewhere else than what was signed."""

    def __init__(self, signer: TestSigner, change: str) -> None:
        self.signer = signer
        self.change = change

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        signed = next(self.signer.auth_flow(request))
        if self.change == "query":
            signed.url = signed.url.copy_merge_params({"extra": "1"})
        else:
            signed.headers["Host"] = f"localhost:{signed.url.port}"
        yield signed


@pytest.mark.parametrize("change", ["query", "host"])
def test_signature_covers_the_exact_url(
    base_url: str, tokens: tuple[str, str, str, str], change: str
) -> None:
    response = _meters(base_url, _SignThenChange(TestSigner(*tokens), change))
    assert response.status_code == 401
    assert response.text == "401 Unauthorized: Invalid signature"


def test_query_parameters_are_signed_and_verified(
    base_url: str, tokens: tuple[str, str, str, str]
) -> None:
    with httpx.Client(base_url=base_url, auth=TestSigner(*tokens)) as client:
        meter_id = client.get("/meters").json()[0]["meterId"]
        response = client.get("/field_names", params={"meterId": meter_id})
    assert response.status_code == 200
    assert response.json()[0] == "energy"


def test_access_token_cannot_sign_for_another_consumer(
    base_url: str, tokens: tuple[str, str, str, str]
) -> None:
    other_key, other_secret, _, _ = dance(base_url, DEMO_EMAIL, DEMO_PASSWORD)
    _, _, token, token_secret = tokens
    response = _meters(base_url, TestSigner(other_key, other_secret, token, token_secret))
    assert response.status_code == 401
    assert response.content == b""
