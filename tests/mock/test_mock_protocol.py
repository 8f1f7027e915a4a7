"""The simulator speaks the real service's protocol to a client stricter than ours.

Facts of the real service checked here (the sources are independent clients of it):
- [sure] `request_token`, `authorize` and `access_token` answer
  `Content-Type: application/x-www-form-urlencoded`, without parameters; so does
  `website_access_code` (the Elixir `discovergy` library's recorded answers in
  test/discovergy/oauth_test.exs; ../shared/api-reference.md "Recorded details").
- [sure] `access_token` accepts an `oauth_verifier` sent in the Authorization header and in the
  form body at once, signed as one parameter (api-reference.md "Recorded details").
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Generator
from urllib.parse import parse_qsl

import httpx
import pytest
import yaml
from inexogy_mock import DEFAULT_SPEC, DEMO_EMAIL, DEMO_PASSWORD
from inexogy_mock.pytest_plugin import InexogyServer
from mock_testkit import NOW_MS, DemoMeters, TestSigner, meters_of
from oauthlib import oauth1

FORM = "application/x-www-form-urlencoded"
ACCEPT = {"Accept": "application/json, text/plain"}


class StrictClientError(Exception):
    """The strict client met an answer it does not accept."""


def _strict_form(answer: httpx.Response) -> dict[str, str]:
    """Decode a token answer only when it is typed exactly as the real service types it."""
    if answer.status_code != 200 or answer.headers.get("content-type") != FORM:
        raise StrictClientError(
            f"{answer.request.url.path}: {answer.status_code} {answer.headers.get('content-type')}"
        )
    return dict(parse_qsl(answer.text, strict_parsing=True))


class _VerifierTwice(httpx.Auth):
    """Sign with the verifier counted once, then send it in the header and in the form body."""

    requires_request_body = True

    def __init__(self, key: str, secret: str, token: str, token_secret: str, verifier: str):
        self._client = oauth1.Client(
            key,
            client_secret=secret,
            resource_owner_key=token,
            resource_owner_secret=token_secret,
            verifier=verifier,
        )
        self._verifier = verifier

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        _, headers, _ = self._client.sign(str(request.url), request.method)
        body = f"oauth_verifier={self._verifier}".encode()
        kept = {k: v for k, v in request.headers.items() if k.lower() != "content-length"}
        kept.update({"Authorization": headers["Authorization"], "Content-Type": FORM})
        yield httpx.Request(request.method, request.url, headers=kept, content=body)


def strict_login(base_url: str, email: str, password: str) -> tuple[str, str, str, str]:
    """The four steps as a strict client does them; return consumer and access token pairs."""
    with httpx.Client(base_url=base_url, headers=ACCEPT) as http:
        consumer = http.post("/oauth1/consumer_token", data={"client": "strict"}).json()
        key, secret = consumer["key"], consumer["secret"]
        request_token = _strict_form(
            http.post("/oauth1/request_token", auth=TestSigner(key, secret, callback="oob"))
        )
        token, token_secret = request_token["oauth_token"], request_token["oauth_token_secret"]
        params = {"oauth_token": token, "email": email, "password": password}
        verifier = _strict_form(http.get("/oauth1/authorize", params=params))["oauth_verifier"]
        auth = _VerifierTwice(key, secret, token, token_secret, verifier)
        access = _strict_form(http.post("/oauth1/access_token", auth=auth))
    return key, secret, access["oauth_token"], access["oauth_token_secret"]


@pytest.fixture(scope="module")
def meters(inexogy_server: InexogyServer) -> DemoMeters:
    return meters_of(inexogy_server.base_url, DEMO_EMAIL, DEMO_PASSWORD)


def _operations(meters: DemoMeters) -> dict[str, tuple[str, str, dict[str, str], int]]:
    """operationId -> (method, path, query, the status the demo account gets)."""
    day = {"from": str(NOW_MS - 3_600_000), "to": str(NOW_MS)}
    return {
        "getMeters": ("GET", "/meters", {}, 200),
        "getFieldNames": ("GET", "/field_names", {"meterId": meters.solar}, 200),
        "getDevices": ("GET", "/devices", {"meterId": meters.solar}, 200),
        "getReadings": ("GET", "/readings", {"meterId": meters.solar, **day}, 200),
        "getLastReading": ("GET", "/last_reading", {"meterId": meters.solar}, 200),
        "getStatistics": ("GET", "/statistics", {"meterId": meters.solar, **day}, 200),
        "getLoadProfile": (
            "GET",
            "/load_profile",
            {
                "meterId": meters.rlm,
                **dict.fromkeys(("fromYear", "toYear"), "2024"),
                **dict.fromkeys(("fromMonth", "toMonth"), "6"),
                "fromDay": "10",
                "toDay": "11",
            },
            200,
        ),
        "getRawLoadProfile": (
            "GET",
            "/raw_load_profile",
            {"meterId": meters.rlm, "year": "2024", "month": "6", "day": "10"},
            200,
        ),
        "getDisaggregation": ("GET", "/disaggregation", {"meterId": meters.solar, **day}, 200),
        "getActivities": ("GET", "/activities", {"meterId": meters.solar, **day}, 200),
        "getWebsiteAccessCode": ("GET", "/website_access_code", {"email": DEMO_EMAIL}, 200),
        "getVirtualMeter": ("GET", "/virtual_meter", {"meterId": meters.virtual}, 200),
        # the demo account may not create virtual meters (403), nobody may delete one (501)
        "createVirtualMeter": ("POST", "/virtual_meter", {"meterIdsPlus": meters.solar}, 403),
        "deleteVirtualMeter": ("DELETE", "/virtual_meter", {"meterId": meters.virtual}, 501),
    }


def _spec_operations() -> set[str]:
    spec = yaml.safe_load(DEFAULT_SPEC.read_text())
    return {
        operation["operationId"]
        for item in spec["paths"].values()
        for method, operation in item.items()
        if method != "parameters"
    }


def test_a_strict_client_logs_in_and_runs_every_operation(
    inexogy_server: InexogyServer, meters: DemoMeters
) -> None:
    key, secret, token, token_secret = strict_login(
        inexogy_server.base_url, DEMO_EMAIL, DEMO_PASSWORD
    )
    operations = _operations(meters)
    oauth_steps = {"createConsumerToken", "createRequestToken", "authorize", "createAccessToken"}
    assert set(operations) | oauth_steps == _spec_operations()
    signer = TestSigner(key, secret, token, token_secret)
    with httpx.Client(base_url=inexogy_server.base_url, auth=signer, headers=ACCEPT) as http:
        statuses = {
            name: http.request(method, path, params=query).status_code
            for name, (method, path, query, _) in operations.items()
        }
    assert statuses == {name: expected for name, (*_, expected) in operations.items()}


def test_token_answers_and_access_codes_are_typed_exactly_as_forms(
    inexogy_server: InexogyServer,
) -> None:
    # strict_login checks the three token answers; the access code is typed the same way
    credentials = strict_login(inexogy_server.base_url, DEMO_EMAIL, DEMO_PASSWORD)
    with httpx.Client(base_url=inexogy_server.base_url, auth=TestSigner(*credentials)) as http:
        answer = http.get("/website_access_code", params={"email": "x@example.com"})
    assert answer.status_code == 200
    assert answer.headers["content-type"] == FORM


def _access_token_answer(base_url: str, sign_once: bool, body_verifier: str | None) -> int:
    with httpx.Client(base_url=base_url, headers=ACCEPT) as http:
        consumer = http.post("/oauth1/consumer_token", data={"client": "t"}).json()
        key, secret = consumer["key"], consumer["secret"]
        answer = http.post("/oauth1/request_token", auth=TestSigner(key, secret))
        request_token = dict(parse_qsl(answer.text))
        token, token_secret = request_token["oauth_token"], request_token["oauth_token_secret"]
        params = {"oauth_token": token, "email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        verifier = dict(parse_qsl(http.get("/oauth1/authorize", params=params).text))
        verifier_value = verifier["oauth_verifier"]
        form = {"oauth_verifier": body_verifier or verifier_value}
        if sign_once:
            auth: httpx.Auth = _VerifierTwice(key, secret, token, token_secret, verifier_value)
            return http.post("/oauth1/access_token", auth=auth).status_code
        # RFC 5849 strictly: the verifier counted twice (header and body) in the base string
        signer = TestSigner(key, secret, token, token_secret, verifier=verifier_value)
        return http.post("/oauth1/access_token", auth=signer, data=form).status_code


def test_verifier_in_header_and_body_is_accepted_signed_once_or_twice(
    inexogy_server: InexogyServer,
) -> None:
    assert _access_token_answer(inexogy_server.base_url, sign_once=True, body_verifier=None) == 200
    assert _access_token_answer(inexogy_server.base_url, sign_once=False, body_verifier=None) == 200


def test_a_different_verifier_in_the_body_is_refused(inexogy_server: InexogyServer) -> None:
    # the header's verifier is right, the body's is not: the signature (over both) must fail
    status = _access_token_answer(inexogy_server.base_url, sign_once=False, body_verifier="x" * 32)
    assert status == 401


def test_a_signature_over_a_dropped_parameter_is_still_refused(
    inexogy_server: InexogyServer,
) -> None:
    # only the duplicated verifier may be counted once: a signature that leaves out a query
    # parameter the request carries stays invalid
    credentials = strict_login(inexogy_server.base_url, DEMO_EMAIL, DEMO_PASSWORD)
    client = oauth1.Client(
        credentials[0],
        client_secret=credentials[1],
        resource_owner_key=credentials[2],
        resource_owner_secret=credentials[3],
        nonce=uuid.uuid4().hex,
        timestamp=str(int(time.time())),
    )
    _, headers, _ = client.sign(inexogy_server.base_url + "/meters")
    with httpx.Client(base_url=inexogy_server.base_url, headers=ACCEPT) as http:
        answer = http.get("/meters", params={"extra": "1"}, headers=headers)
    assert answer.status_code == 401
    assert answer.text == "401 Unauthorized: Invalid signature"


@pytest.fixture(scope="module")
def credentials(inexogy_server: InexogyServer) -> tuple[str, str, str, str]:
    return strict_login(inexogy_server.base_url, DEMO_EMAIL, DEMO_PASSWORD)


# Hostile requests (issue 10): never an undocumented 5xx -----------------------------------


def _oauth_header(**params: str) -> str:
    fields = {
        "oauth_consumer_key": "k" * 26,
        "oauth_nonce": "n",
        "oauth_signature": "s",
        "oauth_signature_method": "HMAC-SHA1",
        "oauth_timestamp": str(int(time.time())),
        "oauth_version": "1.0",
        **params,
    }
    return "OAuth " + ", ".join(f'{key}="{value}"' for key, value in fields.items())


@pytest.mark.parametrize("path", ["/meters", "/oauth1/request_token", "/oauth1/access_token"])
def test_a_400_digit_timestamp_is_a_401_without_any_credential(
    inexogy_server: InexogyServer, path: str
) -> None:
    method = "GET" if path == "/meters" else "POST"
    with httpx.Client(base_url=inexogy_server.base_url, headers=ACCEPT) as http:
        answer = http.request(
            method, path, headers={"Authorization": _oauth_header(oauth_timestamp="9" * 400)}
        )
    assert answer.status_code == 401
    assert answer.text == "401 Unauthorized: Invalid oauth_timestamp"


@pytest.mark.parametrize(
    ("raw_query", "canonical_query"),
    [
        ("email=%zz@example.com", "email=%25zz%40example.com"),
        ("email=a[]|^{}`@example.com", "email=a%5B%5D%7C%5E%7B%7D%60%40example.com"),
    ],
)
def test_a_signed_query_oauthlib_refuses_is_verified_like_any_other(
    inexogy_server: InexogyServer,
    credentials: tuple[str, str, str, str],
    raw_query: str,
    canonical_query: str,
) -> None:
    # Sent raw (as httpx sends them), these are the parameters "%zz@example.com" and
    # "a[]|^{}`@example.com": signed over their canonical encoding, the request verifies.
    base = inexogy_server.base_url + "/website_access_code?"
    client = oauth1.Client(
        credentials[0],
        client_secret=credentials[1],
        resource_owner_key=credentials[2],
        resource_owner_secret=credentials[3],
    )
    _, headers, _ = client.sign(base + canonical_query)
    with httpx.Client(headers=ACCEPT) as http:
        answer = http.get(httpx.URL(base + raw_query), headers=headers)
        tampered = headers["Authorization"].replace('oauth_signature="', 'oauth_signature="A')
        forged = http.get(httpx.URL(base + raw_query), headers={"Authorization": tampered})
    assert answer.status_code == 200, answer.text
    assert (forged.status_code, forged.text) == (401, "401 Unauthorized: Invalid signature")


def test_a_form_of_100000_fields_is_a_400(inexogy_server: InexogyServer) -> None:
    body = "&".join(f"f{i}=1" for i in range(100_000))
    with httpx.Client(base_url=inexogy_server.base_url, headers=ACCEPT) as http:
        for path in ("/oauth1/consumer_token", "/oauth1/access_token"):
            answer = http.post(path, content=body, headers={"Content-Type": FORM})
            assert answer.status_code == 400
            assert answer.text == "400 Bad Request: A form may hold at most 1000 fields"


def test_an_oversized_body_is_a_413(inexogy_server: InexogyServer) -> None:
    with httpx.Client(base_url=inexogy_server.base_url, headers=ACCEPT) as http:
        declared = http.post(
            "/oauth1/consumer_token", content=b"client=" + b"x" * 2_000_000, headers={}
        )
        streamed = http.post("/oauth1/consumer_token", content=iter([b"client=", b"x" * 1_100_000]))
    for answer in (declared, streamed):
        assert answer.status_code == 413
        assert answer.headers["content-type"] == "text/html"
        assert "413 Request Entity Too Large" in answer.text


def test_a_small_request_is_answered_while_a_heavy_one_is_computed(
    inexogy_server: InexogyServer, meters: DemoMeters
) -> None:
    # A virtual meter's raw day with each=true and disaggregation=true is the heaviest answer
    # (about 0.8 s of computing). It is computed in a worker thread: small requests sent
    # meanwhile are all answered before the heavy answer even starts. (Computed on the event
    # loop instead, the small requests wait for it and its headers come first.)
    heavy_params = {
        "meterId": meters.virtual,
        "from": str(NOW_MS - 86_400_000),
        "to": str(NOW_MS),
        "resolution": "raw",
        "each": "true",
        "disaggregation": "true",
    }
    order: list[str] = []
    auth = httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)
    with httpx.Client(base_url=inexogy_server.base_url, auth=auth, timeout=60) as http:
        sent = threading.Event()

        def heavy() -> None:
            sent.set()
            with http.stream("GET", "/readings", params=heavy_params) as answer:
                order.append(f"heavy {answer.status_code}")
                answer.read()

        worker = threading.Thread(target=heavy)
        worker.start()
        sent.wait()
        time.sleep(0.05)  # let the heavy request reach the server
        for _ in range(3):
            order.append(f"small {http.get('/meters').status_code}")
        worker.join()
    assert order == ["small 200", "small 200", "small 200", "heavy 200"]
