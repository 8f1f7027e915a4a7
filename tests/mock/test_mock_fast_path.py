"""The fast path of ``GET /meters``: a cached meter list, one middleware layer, lean OAuth.

The cached answer must be the answer a fresh rendering gives at every instant; the direct
dispatch must keep what the full stack does for the same request (body limits, nonces).
"""

from __future__ import annotations

import base64
import gc
import time
import weakref
from urllib.parse import quote

import httpx
import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, Account, MeterSpec, create_app, running
from inexogy_mock.accounts import Registry
from inexogy_mock.meter_list import MeterListCache, next_reading_ms
from inexogy_mock.oauth import TIMESTAMP_WINDOW_S, OAuthProvider, SignedRequest, _unescape
from inexogy_mock.texts import ServiceError
from oauthlib import oauth1

FIRST_MS = 1_717_200_000_000  # 2024-06-01T00:00:00Z, on a 15-minute boundary
OWNER = "owner@example.com"


def _fresh(registry: Registry, email: str, now_ms: int) -> bytes:
    return orjson.dumps([meter.to_json(now_ms) for meter in registry.meters(email)])


def test_the_cached_meter_list_is_what_a_fresh_rendering_gives_at_every_instant() -> None:
    account = Account(
        OWNER,
        "pw",
        [
            MeterSpec("solar", "1111"),
            MeterSpec("gas", "2222", first_measurement_ms=FIRST_MS),  # starts during the sweep
            MeterSpec("modern", "3333", first_measurement_ms=None),
            MeterSpec("virtual", "4444", plus=("1111", "2222")),
        ],
    )
    registry = Registry([account])
    cache = MeterListCache(registry)
    # every meter's first readings (the gas meter's first one comes during the sweep), a
    # millisecond either side of each, and the clock going back
    instants = []
    for meter in registry.meters(OWNER):
        first_slot = meter.first_slot()
        if first_slot is None:
            continue
        first_ms = int(meter.clock.times(np.array([first_slot]))[0])
        readings = meter.clock.times(meter.clock.slots(first_ms, first_ms + 3_600_000))[:4]
        instants += [int(ms) + step for ms in readings for step in (-1, 0, 1)]
    instants.sort()
    instants += [FIRST_MS + offset for offset in range(-2_000, 2_000, 37)]
    instants += [FIRST_MS - 1, instants[0] - 1]
    for now_ms in instants:
        assert cache.body(OWNER, now_ms) == _fresh(registry, OWNER, now_ms), now_ms
    assert next_reading_ms(registry.meters(OWNER)[2], FIRST_MS) is None  # never sends


def test_a_new_virtual_meter_appears_in_the_cached_list_at_once() -> None:
    account = Account(
        OWNER,
        "pw",
        [MeterSpec("solar", "1111"), MeterSpec("modern", "3333")],
        can_create_virtual_meters=True,
    )
    registry = Registry([account])
    cache = MeterListCache(registry)
    now_ms = FIRST_MS + 10_000
    before = orjson.loads(cache.body(OWNER, now_ms))
    ids = [meter["meterId"] for meter in before]
    created = registry.create_virtual(OWNER, ids, [])
    after = orjson.loads(cache.body(OWNER, now_ms + 1))  # same reading slot
    assert [meter["meterId"] for meter in after] == [*ids, created.meter_id]
    assert cache.body(OWNER, now_ms + 1) == _fresh(registry, OWNER, now_ms + 1)


def test_a_get_of_meters_with_a_body_still_meets_the_body_limit() -> None:
    with (
        running(create_app()) as url,
        httpx.Client(base_url=url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as http,
    ):
        oversized = http.request("GET", "/meters", content=b"x" * 2_000_000)
        small = http.request("GET", "/meters", content=b"{}")
        plain = http.get("/meters")
    assert oversized.status_code == 413
    assert "413 Request Entity Too Large" in oversized.text
    assert small.status_code == plain.status_code == 200
    assert small.json() == plain.json()


def test_a_served_request_leaves_no_reference_cycle_behind() -> None:
    # The scope used to hold the server's send, which holds the scope: every request became
    # garbage for the cycle collector (a full collection over connexion's objects is slow).
    class Probe:
        """Lives as long as the scope that holds it."""

    probes: list[weakref.ref[Probe]] = []
    app = create_app()

    async def keep(scope: dict[str, object], receive: object, send: object) -> None:
        if scope["type"] == "http":
            probe = Probe()
            scope["test.probe"] = probe
            probes.append(weakref.ref(probe))
        await app(scope, receive, send)

    with (
        running(keep) as url,
        httpx.Client(base_url=url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as http,
    ):
        gc.disable()
        try:
            assert http.get("/meters").status_code == 200
            assert http.get("/field_names", params={"meterId": "x" * 32}).status_code == 400
            # the connection holds on to its last request until the next one
            assert http.get("/meters").status_code == 200
            time.sleep(0.2)  # the server's task lets go of the scope after the answer
            assert len(probes) == 3
            assert [ref() for ref in probes[:2]] == [None, None]
        finally:
            gc.enable()


def test_used_nonces_are_refused_and_forgotten_once_stale() -> None:
    now = [1_800_000_000.0]
    provider = OAuthProvider({"a@b.c": "pw"}, lambda: now[0])
    consumer, consumer_secret = provider.register_consumer("test")
    request_token, _ = provider.issue_request_token(consumer)
    assert provider.authorize(request_token, "a@b.c", "pw") is not None
    token, token_secret = provider.issue_access_token(request_token)
    url = "http://127.0.0.1:8080/public/v1/meters"

    def signed(nonce: str) -> SignedRequest:
        client = oauth1.Client(
            consumer,
            client_secret=consumer_secret,
            resource_owner_key=token,
            resource_owner_secret=token_secret,
            nonce=nonce,
            timestamp=str(int(now[0])),
        )
        return SignedRequest("GET", url, client.sign(url)[1]["Authorization"], None)

    first = signed("n1")
    assert provider.verify(first, "data")["email"] == "a@b.c"
    with pytest.raises(ServiceError) as refused:
        provider.verify(first, "data")
    assert (refused.value.status, refused.value.message) == (401, "Nonce already used")
    now[0] += 2 * TIMESTAMP_WINDOW_S + 1
    provider.verify(signed("n2"), "data")
    assert len(provider._nonces) == len(provider._nonce_ages) == 1


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.lists(
            st.sampled_from(
                ["%2B", "%2F", "%3D", "%2b", "%3d", "%25", "%", "A", "z", "+", "/", "="]
            )
        ).map("".join),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=12),
        st.binary(max_size=24).map(lambda raw: quote(base64.b64encode(raw).decode(), safe="")),
    )
)
def test_unescaping_is_oauthlibs(text: str) -> None:
    assert _unescape(text) == oauth1.rfc5849.utils.unescape(text)


def _meters_answer(app: object) -> tuple[int, list[tuple[str, str]], bytes]:
    with (
        running(app) as url,
        httpx.Client(base_url=url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as http,
    ):
        answer = http.get("/meters")
    headers = [(k, v) for k, v in answer.headers.multi_items() if k not in ("date", "server")]
    return answer.status_code, headers, answer.content


def test_the_direct_answer_is_what_connexion_answers_byte_for_byte() -> None:
    # response validation sends every request through connexion's whole stack
    now = FIRST_MS / 1000 + 86_400.0
    direct = _meters_answer(create_app(clock=lambda: now))
    full_stack = _meters_answer(create_app(clock=lambda: now, validate_responses=True))
    assert direct == full_stack
    assert direct[0] == 200
    assert ("content-type", "application/json") in direct[1]


def test_a_failing_direct_answer_is_the_services_500_and_is_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken() -> float:
        raise RuntimeError("clock broke")

    with (
        caplog.at_level("ERROR", logger="inexogy_mock.direct"),
        running(create_app(clock=broken)) as url,
        httpx.Client(base_url=url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as http,
    ):
        failed = http.get("/meters")
    assert failed.status_code == 500
    assert failed.text == "500 Internal Server Error: Internal Server Error"
    assert "the handler of /public/v1/meters failed" in caplog.text
