"""The glitch switch: registers that read 0 or jump back, as the real service sometimes sends."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, GlitchPlan, create_app, running
from mock_testkit import NOW_MS, NOW_S, DemoMeters, meters_of

BASIC = httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)
HOUR = 3_600_000
FIRST = NOW_MS - 6 * HOUR  # six hourly readings before the server's "now"
ZERO_AT, BACK_AT = FIRST + HOUR, FIRST + 3 * HOUR


@pytest.fixture(scope="module")
def glitchy() -> Iterator[tuple[str, DemoMeters]]:
    plan = GlitchPlan({ZERO_AT: "zero", BACK_AT: "backwards"})
    with running(create_app(clock=lambda: NOW_S, glitches=plan)) as url:
        yield url, meters_of(url, DEMO_EMAIL, DEMO_PASSWORD)


def readings(url: str, meter_id: str, resolution: str, **query: object) -> list[dict[str, object]]:
    params = {"meterId": meter_id, "from": FIRST, "to": NOW_MS, "resolution": resolution, **query}
    with httpx.Client(base_url=url, auth=BASIC) as client:
        answer = client.get("/readings", params=params)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-length"] == str(len(answer.content))
    rows: list[dict[str, object]] = answer.json()
    return rows


def test_chosen_readings_carry_a_zero_or_a_backwards_register(
    glitchy: tuple[str, DemoMeters], base_url: str, demo: DemoMeters
) -> None:
    url, meters = glitchy
    clean = readings(base_url, demo.solar, "one_hour")
    glitched = readings(url, meters.solar, "one_hour")

    assert [row["time"] for row in glitched] == [row["time"] for row in clean]
    for before, after in zip(clean, glitched, strict=True):
        values, seen = before["values"], after["values"]
        assert isinstance(values, dict)
        assert isinstance(seen, dict)
        if after["time"] == ZERO_AT:
            assert seen["energy"] == seen["energyOut"] == 0
        elif after["time"] == BACK_AT:
            assert seen["energy"] == values["energy"] // 2
            assert seen["energy"] < clean[0]["values"]["energy"]  # type: ignore[index]
        else:
            assert seen == values
        assert seen["power"] == values["power"]  # only registers glitch


def test_the_same_reading_glitches_at_every_resolution(glitchy: tuple[str, DemoMeters]) -> None:
    url, meters = glitchy
    quarter = {row["time"]: row["values"] for row in readings(url, meters.solar, "fifteen_minutes")}
    gas = readings(url, meters.gas, "one_hour")

    assert quarter[ZERO_AT]["energy"] == 0  # type: ignore[index]
    assert quarter[ZERO_AT + 900_000]["energy"] > 0  # type: ignore[index]
    assert next(row for row in gas if row["time"] == ZERO_AT)["values"]["volume"] == 0  # type: ignore[index]


def test_a_glitch_rate_is_reproducible_and_checked() -> None:
    plan = GlitchPlan(rate=0.3, seed=5)
    again = GlitchPlan(rate=0.3, seed=5)
    kinds = [plan.kind_at(FIRST + n * 900_000) for n in range(200)]

    assert kinds == [again.kind_at(FIRST + n * 900_000) for n in range(200)]
    assert 30 < sum(kind is not None for kind in kinds) < 90
    assert {"zero", "backwards"} <= set(kinds)
    with pytest.raises(ValueError, match="between 0 and 1"):
        GlitchPlan(rate=1.5)
    with pytest.raises(ValueError, match="zero or backwards"):
        GlitchPlan({FIRST: "sideways"})
