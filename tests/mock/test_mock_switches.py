"""Simulation switches: token lifetimes, fault injection and rate limits."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import httpx
import orjson
import pytest
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, FaultPlan, RateLimits, create_app, running
from mock_testkit import NOW_S, TestSigner, dance

BASIC = httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)


class FakeClock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@contextmanager
def _serve(**options: object) -> Iterator[str]:
    with running(create_app(clock=lambda: NOW_S, **options)) as url:  # type: ignore[arg-type]
        yield url


def _statuses(base_url: str, count: int, auth: httpx.Auth = BASIC) -> list[int]:
    with httpx.Client(base_url=base_url, auth=auth) as client:
        return [client.get("/meters").status_code for _ in range(count)]


def test_token_lifetime_in_requests() -> None:
    with _serve(token_lifetime_requests=2) as url:
        key, secret, token, token_secret = dance(url, DEMO_EMAIL, DEMO_PASSWORD)
        signer = TestSigner(key, secret, token, token_secret)
        with httpx.Client(base_url=url, auth=signer) as client:
            answers = [client.get("/meters") for _ in range(3)]
        assert [answer.status_code for answer in answers] == [200, 200, 401]
        assert answers[2].content == b""
        assert _statuses(url, 3) == [200, 200, 200]  # Basic auth has no token to expire


def test_token_lifetime_in_seconds() -> None:
    clock = FakeClock()
    with _serve(token_lifetime=60.0, auth_clock=clock) as url:
        key, secret, token, token_secret = dance(url, DEMO_EMAIL, DEMO_PASSWORD)

        def meters() -> httpx.Response:
            signer = TestSigner(key, secret, token, token_secret, timestamp=int(clock.now))
            with httpx.Client(base_url=url, auth=signer) as client:
                return client.get("/meters")

        clock.now += 59
        assert meters().status_code == 200
        clock.now += 2
        expired = meters()
        assert expired.status_code == 401
        assert expired.content == b""


def _fault_answers(script: Sequence[str]) -> list[httpx.Response]:
    answers = []
    with (
        _serve(faults=FaultPlan.scripted(script)) as url,
        httpx.Client(base_url=url, auth=BASIC) as client,
    ):
        for _ in range(len(script) + 1):
            answers.append(client.get("/meters"))
    return answers


def test_scripted_status_faults_then_normal() -> None:
    answers = _fault_answers(["500", "503", "429", "429:2", "503:7", "ok"])
    assert [a.status_code for a in answers] == [500, 503, 429, 429, 503, 200, 200]
    assert answers[0].text == "500 Internal Server Error: Internal Server Error"
    assert answers[1].text == "503 Service Unavailable: Service Unavailable"
    assert answers[2].text == "429 Too Many Requests: Rate limit exceeded"
    assert "retry-after" not in answers[2].headers
    assert answers[3].headers["retry-after"] == "2"
    assert answers[4].headers["retry-after"] == "7"
    assert answers[5].json() == answers[6].json()


def test_empty_and_truncated_bodies() -> None:
    empty, truncated, normal = _fault_answers(["empty", "truncated"])
    assert (empty.status_code, empty.content) == (200, b"")
    assert truncated.status_code == 200
    assert normal.content.startswith(truncated.content)
    assert 0 < len(truncated.content) < len(normal.content)
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(truncated.content)


def test_latency_delays_a_normal_answer() -> None:
    with (
        _serve(faults=FaultPlan.scripted(["latency:0.3"])) as url,
        httpx.Client(base_url=url, auth=BASIC) as client,
    ):
        started = time.monotonic()
        delayed = client.get("/meters")
        elapsed = time.monotonic() - started
        assert delayed.status_code == 200
        assert elapsed >= 0.3
        assert delayed.json() == client.get("/meters").json()


def test_drop_closes_the_connection_without_an_answer() -> None:
    with (
        _serve(faults=FaultPlan.scripted(["drop"])) as url,
        httpx.Client(base_url=url, auth=BASIC) as client,
    ):
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/meters")
        assert client.get("/meters").status_code == 200


def test_faults_spare_the_oauth_steps() -> None:
    with _serve(faults=FaultPlan.scripted(["500"])) as url:
        key, secret, token, token_secret = dance(url, DEMO_EMAIL, DEMO_PASSWORD)
        assert _statuses(url, 2, TestSigner(key, secret, token, token_secret)) == [500, 200]


def test_random_faults_are_reproducible_by_seed() -> None:
    def run(seed: int) -> list[int]:
        with _serve(faults=FaultPlan.random(0.5, seed, kinds=["500", "503"])) as url:
            return _statuses(url, 12)

    first = run(7)
    assert first == run(7)
    assert set(first) == {200, 500, 503}
    assert first != run(8)


def test_fault_plan_checks_its_input() -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        FaultPlan.scripted(["teapot"])
    with pytest.raises(ValueError, match="between 0 and 1"):
        FaultPlan.random(1.5, 0)
    assert FaultPlan.random(0.0, 1).next_fault() == "ok"


def test_rate_limits_per_ip_on_consumer_token_and_authorize() -> None:
    limits = RateLimits(consumer_token_calls=2, authorize_calls=1)
    with _serve(rate_limits=limits) as url, httpx.Client(base_url=url) as client:
        registered = [client.post("/oauth1/consumer_token", data={"client": "x"}) for _ in range(3)]
        assert [r.status_code for r in registered] == [200, 200, 429]
        assert registered[2].text == (
            "429 Too Many Requests: Rate of consumer_token requests from 127.0.0.1 is too high. "
            "Please reuse tokens!"
        )
        params = {"oauth_token": "t", "email": DEMO_EMAIL, "password": DEMO_PASSWORD}
        first = client.get("/oauth1/authorize", params=params)
        second = client.get("/oauth1/authorize", params=params)
        assert first.status_code == 400  # unknown request token, but counted
        assert second.status_code == 429
        assert (
            second.text
            == "429 Too Many Requests: Rate of authorize requests from 127.0.0.1 is too high."
        )


def test_rate_limit_window_slides() -> None:
    clock = FakeClock()
    limits = RateLimits(consumer_token_calls=1, consumer_token_seconds=10)
    with _serve(rate_limits=limits, auth_clock=clock) as url, httpx.Client(base_url=url) as client:
        assert client.post("/oauth1/consumer_token", data={"client": "x"}).status_code == 200
        assert client.post("/oauth1/consumer_token", data={"client": "x"}).status_code == 429
        clock.now += 10
        assert client.post("/oauth1/consumer_token", data={"client": "x"}).status_code == 200


@pytest.mark.parametrize("given", ["authorize=1/.", "authorize=1/1..2", "authorize=x/3"])
def test_a_malformed_rate_limit_says_how_to_write_one(given: str) -> None:
    from inexogy_mock.ratelimit import RateLimits

    with pytest.raises(ValueError, match=r"use STEP=CALLS/SECONDS"):
        RateLimits.parse([given])
