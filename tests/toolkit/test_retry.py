"""The retry policy: backoff with full jitter, Retry-After, bounds, and what is retried."""

from __future__ import annotations

import pytest
from inexogy import (
    BadRequestError,
    InexogyError,
    InvalidResponseError,
    NetworkError,
    RateLimitError,
    RetryPolicy,
    ServerError,
)
from inexogy.retry import Retrier
from toolkit_testkit import FakeTime


def failing(errors: list[InexogyError], result: str = "done"):  # type: ignore[no-untyped-def]
    attempts: list[int] = []

    def attempt() -> str:
        attempts.append(1)
        if len(attempts) <= len(errors):
            raise errors[len(attempts) - 1]
        return result

    return attempt, attempts


def test_backoff_grows_exponentially_up_to_max_delay_with_full_jitter() -> None:
    top = RetryPolicy(base_delay=0.5, max_delay=3.0, jitter=lambda: 0.999999)
    assert [round(top.backoff(n), 3) for n in range(1, 6)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    bottom = RetryPolicy(jitter=lambda: 0.0)
    assert bottom.backoff(4) == 0.0


def test_retried_errors_succeed_and_each_wait_is_within_the_jitter_bound() -> None:
    clock = FakeTime()
    policy = RetryPolicy(base_delay=1.0, max_delay=10.0)
    attempt, attempts = failing(
        [ServerError("500", status=500), NetworkError("drop"), InvalidResponseError("empty")]
    )
    assert Retrier(policy, clock.monotonic).call(attempt, clock.sleep) == "done"
    assert len(attempts) == 4
    assert len(clock.sleeps) == 3
    for number, waited in enumerate(clock.sleeps, start=1):
        assert 0 <= waited <= 2 ** (number - 1)


def test_retry_after_is_waited_exactly() -> None:
    clock = FakeTime()
    attempt, _ = failing([RateLimitError("429", status=429, retry_after=2.0)])
    assert Retrier(RetryPolicy(), clock.monotonic).call(attempt, clock.sleep) == "done"
    assert clock.sleeps == [2.0]


def test_attempts_are_bounded_and_the_last_error_is_raised() -> None:
    clock = FakeTime()
    errors: list[InexogyError] = [ServerError(f"500 #{n}", status=500) for n in range(1, 10)]
    attempt, attempts = failing(errors)
    with pytest.raises(ServerError, match="500 #3"):
        Retrier(RetryPolicy(max_attempts=3), clock.monotonic).call(attempt, clock.sleep)
    assert len(attempts) == 3


def test_total_time_is_bounded() -> None:
    clock = FakeTime()
    errors: list[InexogyError] = [RateLimitError("429", status=429, retry_after=4.0)] * 10
    attempt, attempts = failing(errors)
    with pytest.raises(RateLimitError):
        Retrier(RetryPolicy(max_attempts=10, max_total=10.0), clock.monotonic).call(
            attempt, clock.sleep
        )
    assert clock.sleeps == [4.0, 4.0]
    assert len(attempts) == 3


@pytest.mark.parametrize(
    "error",
    [BadRequestError("400", status=400), ServerError("501", status=501), InexogyError("x")],
)
def test_errors_outside_the_policy_are_raised_at_once(error: InexogyError) -> None:
    clock = FakeTime()
    attempt, attempts = failing([error])
    with pytest.raises(type(error)):
        Retrier(RetryPolicy(), clock.monotonic).call(attempt, clock.sleep)
    assert len(attempts) == 1
    assert clock.sleeps == []


def test_no_policy_means_one_attempt() -> None:
    clock = FakeTime()
    attempt, attempts = failing([ServerError("503", status=503)])
    with pytest.raises(ServerError):
        Retrier(None, clock.monotonic).call(attempt, clock.sleep)
    assert len(attempts) == 1


def test_non_idempotent_calls_are_retried_only_where_the_server_did_not_act() -> None:
    policy = RetryPolicy()
    assert policy.retries(RateLimitError("", status=429), idempotent=False)
    assert policy.retries(ServerError("", status=503), idempotent=False)
    assert policy.retries(NetworkError("", request_sent=False), idempotent=False)
    assert not policy.retries(ServerError("", status=500), idempotent=False)
    assert not policy.retries(NetworkError("", request_sent=True), idempotent=False)
    assert not policy.retries(InvalidResponseError(""), idempotent=False)


def test_switches_and_status_list_are_configurable() -> None:
    policy = RetryPolicy(retry_on={503}, retry_network=False, retry_invalid_response=False)
    assert policy.retries(ServerError("", status=503))
    assert not policy.retries(ServerError("", status=500))
    assert not policy.retries(RateLimitError("", status=429))
    assert not policy.retries(NetworkError(""))
    assert not policy.retries(InvalidResponseError(""))


def test_invalid_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError, match="base_delay"):
        RetryPolicy(base_delay=-1)


@pytest.mark.anyio
async def test_async_retries_use_the_async_sleep() -> None:
    clock = FakeTime()
    calls: list[int] = []

    async def attempt() -> int:
        calls.append(1)
        if len(calls) == 1:
            raise RateLimitError("429", status=429, retry_after=1.5)
        return 7

    assert await Retrier(RetryPolicy(), clock.monotonic).call_async(attempt, clock.sleep_async) == 7
    assert clock.sleeps == [1.5]
