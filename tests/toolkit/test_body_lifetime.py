"""An answer (and its body) is freed as soon as its call is done, not when the collector runs.

httpx's response stream refers back to its response: a cycle, which only Python's cycle
collector frees, at a time of its choosing. A raw day's body is tens of MB: kept alive that
way, several of them pile up during a long export. These tests switch the collector off and
check that every answer is gone once the call that asked for it has returned.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import httpx
import pytest
from inexogy import AsyncInexogy, Inexogy
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD

# Two hours of raw readings (one a second) across midnight: two requests of a day at most.
TWO_RAW_HOURS = (datetime(2024, 6, 1, 23, tzinfo=UTC), datetime(2024, 6, 2, 1, tzinfo=UTC))


@pytest.fixture
def no_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


class Answers:
    """Weak references to every httpx.Response a client received."""

    def __init__(self) -> None:
        self.seen: list[weakref.ref[httpx.Response]] = []

    def record(self, response: httpx.Response) -> None:
        self.seen.append(weakref.ref(response))

    async def record_async(self, response: httpx.Response) -> None:
        self.record(response)

    def alive(self) -> int:
        return sum(answer() is not None for answer in self.seen)


@contextmanager
def sync_client(base_url: str, answers: Answers) -> Iterator[Inexogy]:
    with (
        httpx.Client(event_hooks={"response": [answers.record]}) as http,
        Inexogy(
            auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=base_url, http_client=http
        ) as api,
    ):
        yield api


@pytest.mark.usefixtures("no_collector")
def test_raw_answers_are_freed_when_their_chunk_is_parsed(base_url: str, solar_id: str) -> None:
    answers = Answers()
    with sync_client(base_url, answers) as api:
        chunks = api.iter_readings(solar_id, *TWO_RAW_HOURS, resolution="raw")
        rows = sum(len(chunk) for chunk in chunks)
        assert rows == 2 * 3600
        assert len(answers.seen) == 2
        assert answers.alive() == 0
        table = api.readings(solar_id, *TWO_RAW_HOURS, resolution="raw")
        assert len(table) == rows
        assert len(answers.seen) == 4
        assert answers.alive() == 0


@pytest.mark.usefixtures("no_collector")
def test_typed_answers_are_freed_when_their_call_returns(base_url: str, solar_id: str) -> None:
    answers = Answers()
    with sync_client(base_url, answers) as api:
        assert api.meters()
        assert api.field_names(solar_id)
        assert len(answers.seen) == 2
        assert answers.alive() == 0


@pytest.mark.usefixtures("no_collector")
def test_async_answers_are_freed_when_their_chunk_is_parsed(base_url: str, solar_id: str) -> None:
    answers = Answers()

    async def run() -> int:
        auth = BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)
        async with (
            httpx.AsyncClient(event_hooks={"response": [answers.record_async]}) as http,
            AsyncInexogy(auth=auth, base_url=base_url, http_client=http) as api,
        ):
            rows = 0
            async for chunk in api.iter_readings(solar_id, *TWO_RAW_HOURS, resolution="raw"):
                rows += len(chunk)
            assert await api.meters()
        return rows

    assert asyncio.run(run()) == 2 * 3600
    assert len(answers.seen) == 3
    assert answers.alive() == 0
