"""The simulator's data looks like real meters' (facts recorded from independent clients).

Sources: pydiscovergy's test fixtures and example, the Elixir ``discovergy`` library's tests,
docs and "API quirks" guide, evcc's tests (the demo account's meters); see also
``tests/corpus/``.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime

import httpx
from mock_testkit import NOW_MS, DemoMeters

DAY_MS = 86_400_000
EASYMETER_FIELDS = [
    "energy", "energy1", "energy2", "energyOut", "energyOut1", "energyOut2",
    "power", "power1", "power2", "power3", "voltage1", "voltage2", "voltage3",
]  # fmt: skip


def _raw(client: httpx.Client, meter_id: str, start: int, end: int) -> list[dict]:  # type: ignore[type-arg]
    params = {"meterId": meter_id, "from": start, "to": end}
    response = client.get("/readings", params=params)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def test_an_easymeter_reports_13_fields_with_its_tariff_registers(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    names = basic_http.get("/field_names", params={"meterId": demo.solar}).json()
    assert names == EASYMETER_FIELDS
    readings = _raw(basic_http, demo.solar, NOW_MS - 60_000, NOW_MS)
    assert all(list(reading["values"]) == EASYMETER_FIELDS for reading in readings)
    # energy counters in steps of 1000 units (10^-7 kWh), as every recorded value
    assert all(r["values"][n] % 1_000 == 0 for r in readings for n in ("energy", "energyOut"))
    assert len({r["values"]["energyOut"] for r in readings}) > 1  # noon: the house exports
    # a single-tariff meter: the tariff registers stay at 0 (the Elixir library's tests)
    registers = ("energy1", "energy2", "energyOut1", "energyOut2")
    assert {reading["values"][name] for reading in readings for name in registers} == {0}


def test_raw_readings_are_a_second_apart_at_the_meters_own_millisecond(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    phases = set()
    for meter_id in (demo.solar, demo.modern, demo.rlm):
        times = [r["time"] for r in _raw(basic_http, meter_id, NOW_MS - 60_000, NOW_MS)]
        assert len(times) == 60
        assert {b - a for a, b in itertools.pairwise(times)} == {1_000}
        phases.add(times[0] % 1_000)
    assert 0 not in phases
    assert len(phases) == 3  # each meter keeps its own clock


def test_gas_raw_readings_are_sparse(basic_http: httpx.Client, demo: DemoMeters) -> None:
    times = [r["time"] for r in _raw(basic_http, demo.gas, NOW_MS - DAY_MS, NOW_MS)]
    assert len(times) == 96  # one per quarter hour, at a moment of the meter's own
    assert {b - a for a, b in itertools.pairwise(times)} == {900_000}
    assert times[0] % 900_000 != 0
    last = basic_http.get("/last_reading", params={"meterId": demo.gas}).json()
    assert last["time"] == times[-1]
    assert 240_000 <= last["values"]["actualityDuration"] < 570_000  # minutes, as recorded


def test_power_in_10_mw_steps_and_voltage_in_100_mv_steps(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    for meter_id, power, voltage in [
        (demo.solar, ("power", "power1", "power2", "power3"), ("voltage1", "voltage2", "voltage3")),
        (
            demo.modern,
            ("power", "phase1Power", "phase2Power", "phase3Power"),
            ("phase1Voltage", "phase2Voltage", "phase3Voltage"),
        ),
    ]:
        readings = _raw(basic_http, meter_id, NOW_MS - 3_600_000, NOW_MS)
        powers = {r["values"][name] for r in readings for name in power}
        volts = {r["values"][name] for r in readings for name in voltage}
        assert all(value % 10 == 0 for value in powers)
        assert len({value % 100 for value in powers}) > 1  # 10 mW steps, not coarser
        assert all(value % 100 == 0 for value in volts)
        assert all(200_000 < value < 260_000 for value in volts)


def test_statistics_mean_has_4_decimals(basic_http: httpx.Client, demo: DemoMeters) -> None:
    params = {"meterId": demo.solar, "from": NOW_MS - 3_601_234, "to": NOW_MS}
    stats = basic_http.get("/statistics", params=params).json()
    means = [stat["mean"] for stat in stats.values()]
    assert all(mean == round(mean, 4) for mean in means)
    assert any(mean != round(mean, 3) for mean in means)  # not coarser either


def test_disaggregation_keys_are_localized_and_devices_are_not(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    params = {"meterId": demo.solar, "from": NOW_MS - 3_600_000, "to": NOW_MS}
    split = basic_http.get("/disaggregation", params=params).json()
    assert [list(devices) for devices in split.values()] == [
        ["Grundlast-1", "Kühlschrank-1", "Spülmaschine-1", "Waschmaschine-1"]
    ] * 4
    devices = basic_http.get("/devices", params={"meterId": demo.solar}).json()
    assert devices == ["BASE_LOAD-1", "REFRIGERATOR-1", "DISHWASHER-1", "WASHING_MACHINE-1"]


def test_activity_times_have_second_resolution(basic_http: httpx.Client, demo: DemoMeters) -> None:
    params = {"meterId": demo.solar, "from": NOW_MS - 7 * DAY_MS, "to": NOW_MS}
    activities = basic_http.get("/activities", params=params).json()
    times = [a[key] for a in activities for key in ("beginTime", "endTime")]
    assert all(time % 1_000 == 0 for time in times)
    assert sum(time % 900_000 != 0 for time in times) > len(times) // 2  # not quarter hours
    for activity in activities:
        watts = {"REFRIGERATOR": 90, "DISHWASHER": 1200, "WASHING_MACHINE": 800}
        duration = activity["endTime"] - activity["beginTime"]
        expected = watts[activity["deviceType"]] * duration * 1_000 / 360
        assert abs(activity["energy"] - expected) <= 0.5


def test_raw_load_profile_header_counts_channels_and_values_have_4_decimals(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    params = {"meterId": demo.rlm, "year": 2024, "month": 6, "day": 14}
    text = basic_http.get("/raw_load_profile", params=params).text
    header, *rows = text.removesuffix("\x03").splitlines()
    found = re.fullmatch(r"\x02P\.01\(1240614001500\)\(00000000\)\(15\)\((\d+)\)(.*)", header)
    assert found is not None
    pairs = re.findall(r"\(([\d.]+)\)\((\w+)\)", found.group(2))
    assert pairs == [("1.29", "kWh"), ("2.29", "kWh"), ("3.29", "kvarh")]
    assert int(found.group(1)) == len(pairs)
    assert len(rows) == 96
    assert all(re.fullmatch(r"(\(\d+\.\d{4}\)){3}", row) for row in rows)


def test_one_day_load_profile_rows_at_german_midnight(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    def days(first: tuple[int, int, int], last: tuple[int, int, int]) -> list[datetime]:
        params = {
            "meterId": demo.rlm, "resolution": "one_day",
            "fromYear": first[0], "fromMonth": first[1], "fromDay": first[2],
            "toYear": last[0], "toMonth": last[1], "toDay": last[2],
        }  # fmt: skip
        rows = basic_http.get("/load_profile", params=params).json()
        return [datetime.fromtimestamp(row["time"] / 1000, UTC) for row in rows]

    # winter (CET) 23:00Z, summer (CEST) 22:00Z, and both sides of the spring change
    assert days((2024, 2, 1), (2024, 2, 2)) == [
        datetime(2024, 1, 31, 23, tzinfo=UTC),
        datetime(2024, 2, 1, 23, tzinfo=UTC),
    ]
    assert days((2024, 3, 30), (2024, 4, 1)) == [
        datetime(2024, 3, 29, 23, tzinfo=UTC),
        datetime(2024, 3, 30, 23, tzinfo=UTC),
        datetime(2024, 3, 31, 22, tzinfo=UTC),
    ]
    assert days((2024, 6, 13), (2024, 6, 14)) == [
        datetime(2024, 6, 12, 22, tzinfo=UTC),
        datetime(2024, 6, 13, 22, tzinfo=UTC),
    ]


def test_meter_ids_malformed_unknown_and_not_virtual(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    malformed = basic_http.get("/field_names", params={"meterId": "61229886"})
    assert (malformed.status_code, malformed.text) == (
        400,
        "400 Bad Request: Invalid meterId: 61229886",
    )
    unknown = basic_http.get("/field_names", params={"meterId": "ab" * 16})
    assert unknown.text == f"400 Bad Request: Unable to find meter with meterId: {'ab' * 16}"
    not_virtual = basic_http.get("/virtual_meter", params={"meterId": demo.solar})
    assert not_virtual.text == f"400 Bad Request: The meter {demo.solar} is not a virtual meter"


def test_an_undeployed_path_answers_nginxs_html_404(basic_http: httpx.Client) -> None:
    response = basic_http.get("/calendars")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<center><h1>404 Not Found</h1></center>" in response.text
    assert "<hr><center>nginx</center>" in response.text


def test_gas_meter_serial_and_website_access_code(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    gas = next(m for m in basic_http.get("/meters").json() if m["meterId"] == demo.gas)
    assert gas["fullSerialNumber"] == "7ELS8135823805"  # the demo account's, as recorded
    code = basic_http.get("/website_access_code", params={"email": "demo@inexogy.com"}).text
    assert len(code) == 63
    assert code.startswith("20240615")  # the date first
    again = basic_http.get("/website_access_code", params={"email": "demo@inexogy.com"}).text
    assert again == code
