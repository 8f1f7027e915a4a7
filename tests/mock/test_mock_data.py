"""Data invariants, property-based over meters, spans and resolutions (over loopback HTTP)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import httpx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from inexogy_mock.meters import ENERGY_STEP, MeterSpec, build_meter
from inexogy_mock.readings import compute_readings
from inexogy_mock.statistics import statistic
from mock_testkit import NOW_MS, DemoMeters

FIRST_MS = 1_704_067_200_000
DAY_MS = 86_400_000
# resolution: (spacing in ms or None for calendar months/years, longest span the test asks for)
# Raw readings come at the meter's own times: every second at a millisecond phase of the meter
# (gas: every 15 minutes), see inexogy_mock.meters.MeterClock.
RESOLUTIONS = {
    "raw": (1_000, 3 * 3_600_000),
    "three_minutes": (180_000, 2 * DAY_MS),
    "fifteen_minutes": (900_000, 5 * DAY_MS),
    "one_hour": (3_600_000, 20 * DAY_MS),
    "one_day": (DAY_MS, 160 * DAY_MS),
    "one_week": (7 * DAY_MS, 170 * DAY_MS),
    "one_month": (None, 170 * DAY_MS),
    "one_year": (None, 170 * DAY_MS),
}
ELECTRIC = ("solar", "modern", "rlm", "virtual")
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


def _units_per_mw_ms(duration_ms: int) -> float:
    """Energy units (10^-10 kWh) of 1 mW during ``duration_ms``."""
    return duration_ms / 360


def _readings(
    client: httpx.Client,
    meter_id: str,
    start: int,
    end: int,
    resolution: str,
    fields: str | None = None,
) -> list[dict]:  # type: ignore[type-arg]
    params: dict[str, str | int] = {
        "meterId": meter_id,
        "from": start,
        "to": end,
        "resolution": resolution,
    }
    if fields:
        params["fields"] = fields
    response = client.get("/readings", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _boundary(resolution: str, time_ms: int) -> bool:
    if resolution == "raw":
        return time_ms % 1_000 != 0  # the meter's phase, never the server's whole second
    spacing = RESOLUTIONS[resolution][0]
    if spacing is not None:
        anchor = 4 * DAY_MS if resolution == "one_week" else 0
        return (time_ms - anchor) % spacing == 0
    moment = datetime.fromtimestamp(time_ms / 1000, UTC)
    calendar_start = moment.day == 1 and moment.hour == moment.minute == moment.second == 0
    return calendar_start and (resolution == "one_month" or moment.month == 1)


queries = st.fixed_dictionaries(
    {
        "role": st.sampled_from(("solar", "modern", "gas", "rlm", "virtual")),
        "resolution": st.sampled_from(list(RESOLUTIONS)),
        "start": st.integers(FIRST_MS - DAY_MS, NOW_MS - 60_000),
        "fraction": st.floats(0.0, 1.0),
    }
)


@SETTINGS
@given(query=queries)
def test_readings_invariants(basic_http: httpx.Client, demo: DemoMeters, query: dict) -> None:  # type: ignore[type-arg]
    resolution = query["resolution"]
    start = query["start"]
    end = start + 1 + int(query["fraction"] * RESOLUTIONS[resolution][1])
    meter_id = getattr(demo, query["role"])
    readings = _readings(basic_http, meter_id, start, end, resolution)
    again = _readings(basic_http, meter_id, start, end, resolution)
    assert readings == again  # a pure function of meter and time

    times = [reading["time"] for reading in readings]
    assert times == sorted(set(times))
    assert all(max(start, FIRST_MS) <= t < end and t <= NOW_MS for t in times)
    assert all(_boundary(resolution, t) for t in times)
    if resolution == "raw":
        spacing = 900_000 if query["role"] == "gas" else 1_000
        assert all(b - a == spacing for a, b in itertools.pairwise(times))

    counters = ("volume",) if query["role"] == "gas" else ("energy", "energyOut")
    for name in counters:
        values = [reading["values"][name] for reading in readings]
        assert all(b >= a for a, b in itertools.pairwise(values)), name

    if query["role"] in ELECTRIC:
        sub_meters = 2 if query["role"] == "virtual" else 1
        for before, after in itertools.pairwise(readings):
            duration = after["time"] - before["time"]
            net = (after["values"]["energy"] - after["values"]["energyOut"]) - (
                before["values"]["energy"] - before["values"]["energyOut"]
            )
            integral = before["values"]["power"] * _units_per_mw_ms(duration)
            # each counter moves in steps of ENERGY_STEP units (as recorded)
            rounding = 2 * sub_meters * ENERGY_STEP + (
                0 if resolution == "raw" else 0.5 * sub_meters * _units_per_mw_ms(duration)
            )
            assert abs(net - integral) <= rounding


@SETTINGS
@given(
    role=st.sampled_from(ELECTRIC),
    resolution=st.sampled_from(["three_minutes", "fifteen_minutes", "one_hour", "one_day"]),
    start=st.integers(FIRST_MS, NOW_MS - 2 * DAY_MS),
)
def test_every_resolution_agrees_with_raw(
    basic_http: httpx.Client, demo: DemoMeters, role: str, resolution: str, start: int
) -> None:
    meter_id = getattr(demo, role)
    spacing = RESOLUTIONS[resolution][0]
    assert spacing is not None
    aggregated = _readings(basic_http, meter_id, start, start + spacing + 1, resolution)[0]
    boundary = aggregated["time"]
    raw = _readings(basic_http, meter_id, boundary, boundary + 1_000, "raw")[0]
    assert boundary < raw["time"] < boundary + 1_000  # the first reading of the interval
    assert raw["values"]["energy"] == aggregated["values"]["energy"]
    assert raw["values"]["energyOut"] == aggregated["values"]["energyOut"]
    if spacing <= 3_600_000:
        slots = _readings(basic_http, meter_id, boundary, boundary + spacing, "raw", "power")
        mean = sum(slot["values"]["power"] for slot in slots) / len(slots)
        assert abs(aggregated["values"]["power"] - mean) <= 0.5


@SETTINGS
@given(role=st.sampled_from(ELECTRIC), start=st.integers(FIRST_MS, NOW_MS - DAY_MS))
def test_fifteen_minutes_is_the_mean_of_three_minutes(
    basic_http: httpx.Client, demo: DemoMeters, role: str, start: int
) -> None:
    meter_id = getattr(demo, role)
    quarter = _readings(basic_http, meter_id, start, start + 900_001, "fifteen_minutes")[0]
    fifths = _readings(
        basic_http, meter_id, quarter["time"], quarter["time"] + 900_000, "three_minutes"
    )
    assert len(fifths) == 5
    mean = sum(r["values"]["power"] for r in fifths) / 5
    assert abs(quarter["values"]["power"] - mean) <= 1


@SETTINGS
@given(
    role=st.sampled_from(("solar", "gas", "virtual")),
    start=st.integers(FIRST_MS - 600_000, NOW_MS - 3_600_000),
    length=st.integers(1, 3 * 3_600_000),
)
def test_statistics_agree_with_the_raw_readings(
    basic_http: httpx.Client, demo: DemoMeters, role: str, start: int, length: int
) -> None:
    meter_id = getattr(demo, role)
    end = start + length
    readings = _readings(basic_http, meter_id, start, end, "raw")
    stats = basic_http.get(
        "/statistics", params={"meterId": meter_id, "from": start, "to": end}
    ).json()
    for name, answer in stats.items():
        values = [reading["values"][name] for reading in readings]
        assert answer["count"] == len(values)
        if not values:
            continue
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / len(values)
        assert (answer["minimum"], answer["maximum"]) == (min(values), max(values))
        assert answer["mean"] == pytest.approx(mean, abs=1.0)
        assert answer["variance"] == pytest.approx(variance, rel=1e-6, abs=1.0)


@SETTINGS
@given(day=st.dates(datetime(2024, 1, 1).date(), datetime(2024, 6, 14).date()))
def test_load_profile_agrees_with_readings(
    basic_http: httpx.Client, demo: DemoMeters, day: object
) -> None:
    params = {
        "meterId": demo.rlm,
        "fromYear": day.year,
        "fromMonth": day.month,
        "fromDay": day.day,  # type: ignore[attr-defined]
        "toYear": day.year,
        "toMonth": day.month,
        "toDay": day.day,
    }  # type: ignore[attr-defined]
    rows = basic_http.get("/load_profile", params=params).json()
    assert len(rows) == 96
    first = rows[0]["time"]
    quarters = _readings(
        basic_http, demo.rlm, first, first + DAY_MS + 1, "fifteen_minutes", "energy"
    )
    energies = [reading["values"]["energy"] for reading in quarters]
    for row, before, after in zip(rows, energies, energies[1:], strict=False):
        assert row["1.29"] == pytest.approx((after - before) / 1e10, abs=1e-4)


@SETTINGS
@given(
    kind=st.sampled_from(("solar", "modern", "gas", "rlm")),
    seed=st.integers(0, 2**31),
    origin_block=st.integers(FIRST_MS // 900_000, (NOW_MS - 10 * DAY_MS) // 900_000),
    resolution=st.sampled_from(list(RESOLUTIONS)),
    offset=st.integers(-DAY_MS, 5 * DAY_MS),
    fraction=st.floats(0.0, 1.0),
)
def test_random_meters_keep_the_invariants(
    kind: str, seed: int, origin_block: int, resolution: str, offset: int, fraction: float
) -> None:
    origin = origin_block * 900_000
    meter = build_meter(
        MeterSpec(kind, "42", seed=seed, first_measurement_ms=origin), "x@example.com"
    )  # type: ignore[arg-type]
    start = origin + offset
    end = start + 1 + int(fraction * RESOLUTIONS[resolution][1])
    names = list(meter.fields)
    table = compute_readings(meter, names, start, end, NOW_MS, resolution)
    assert table.times.size == 0 or (table.times[0] >= max(origin, start) and table.times[-1] < end)
    assert (table.times <= NOW_MS).all()
    for name, definition in meter.fields.items():
        if definition.counter:
            assert (np.diff(table.columns[name]) >= 0).all(), name
    if "power" in meter.fields and len(table) > 1:
        net = np.diff(table.columns["energy"] - table.columns["energyOut"])
        integral = table.columns["power"][:-1] * np.diff(table.times) / 360
        slack = 2 * ENERGY_STEP + (0 if resolution == "raw" else 0.5 * np.diff(table.times) / 360)
        assert (np.abs(net - integral) <= slack).all()
    if resolution == "raw" and len(table):
        for name in names:
            stat = statistic(meter, name, start, end, NOW_MS)
            values = table.columns[name].astype(float)
            assert stat["count"] == values.size
            assert (stat["minimum"], stat["maximum"]) == (values.min(), values.max())
            assert stat["mean"] == pytest.approx(values.mean(), abs=1.0)
