"""The service's rules and error texts, as the mock answers them over HTTP."""

from __future__ import annotations

import re

import httpx
import pytest
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running
from mock_testkit import NOW_MS, DemoMeters

DAY_MS = 86_400_000
YEAR_MS = 366 * DAY_MS
LIMITS = [
    ("raw", DAY_MS, "1 day"),
    ("three_minutes", 10 * DAY_MS, "10 days"),
    ("fifteen_minutes", 31 * DAY_MS, "31 days"),
    ("one_hour", 93 * DAY_MS, "93 days"),
    ("one_day", 10 * YEAR_MS, "10 years"),
    ("one_week", 20 * YEAR_MS, "20 years"),
    ("one_month", 50 * YEAR_MS, "50 years"),
    ("one_year", 100 * YEAR_MS, "100 years"),
]


def _text(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


@pytest.mark.parametrize(("resolution", "limit", "words"), LIMITS)
def test_span_limit_per_resolution(
    basic_http: httpx.Client, demo: DemoMeters, resolution: str, limit: int, words: str
) -> None:
    to = max(NOW_MS, limit + 1)  # "from" may not be negative
    params = {"meterId": demo.solar, "resolution": resolution, "to": to, "fields": "energy"}
    allowed = basic_http.get("/readings", params={**params, "from": to - limit})
    assert allowed.status_code == 200
    refused = basic_http.get("/readings", params={**params, "from": to - limit - 1})
    assert refused.status_code == 400
    assert _text(refused) == (
        f"400 Bad Request: The interval length must not exceed {words} at this resolution"
    )


def test_to_defaults_to_now_and_nothing_comes_from_the_future(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    without_to = basic_http.get(
        "/readings", params={"meterId": demo.solar, "from": NOW_MS - 60_000}
    )
    times = [reading["time"] for reading in without_to.json()]
    # one reading per second at the meter's own millisecond phase, the last one at most now
    phase = times[0] % 1_000
    assert 0 < phase < 1_000
    assert times == list(range(NOW_MS - 60_000 + phase, NOW_MS + 1, 1_000))
    future = basic_http.get(
        "/readings", params={"meterId": demo.solar, "from": NOW_MS - 10_000, "to": NOW_MS + 50_000}
    )
    assert max(reading["time"] for reading in future.json()) == NOW_MS - 1_000 + phase


def test_fields_filter_drops_unknown_names(basic_http: httpx.Client, demo: DemoMeters) -> None:
    params = {"meterId": demo.solar, "from": NOW_MS - 2_000, "to": NOW_MS}  # two readings
    some = basic_http.get("/readings", params={**params, "fields": "power,bogus,voltage2"}).json()
    assert [sorted(reading["values"]) for reading in some] == [["power", "voltage2"]] * 2
    none = basic_http.get("/readings", params={**params, "fields": "bogus"}).json()
    assert [reading["values"] for reading in none] == [{}, {}]


def test_what_existing_clients_send_is_accepted(basic_http: httpx.Client, demo: DemoMeters) -> None:
    params = {"meterId": demo.solar, "from": NOW_MS - 10_000, "to": NOW_MS}
    plain = basic_http.get("/readings", params=params)
    flagged = basic_http.get(
        "/readings", params={**params, "disaggregation": "false", "each": "false"}
    )
    assert plain.status_code == flagged.status_code == 200
    assert plain.content == flagged.content


def test_disaggregation_true_adds_device_fields_on_raw_readings(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    params = {"meterId": demo.solar, "from": NOW_MS - 4_000, "to": NOW_MS, "fields": "power"}
    readings = basic_http.get("/readings", params={**params, "disaggregation": "true"}).json()
    assert sorted(readings[0]["values"]) == sorted(
        ["power", "BASE_LOAD-1", "REFRIGERATOR-1", "DISHWASHER-1", "WASHING_MACHINE-1"]
    )


def test_unknown_meter_id(basic_http: httpx.Client) -> None:
    for path in ("/field_names", "/devices", "/last_reading", "/virtual_meter"):
        response = basic_http.get(path, params={"meterId": "0" * 32})
        assert response.status_code == 400
        assert _text(response) == f"400 Bad Request: Unable to find meter with meterId: {'0' * 32}"


def test_statistics_all_unknown_fields_is_a_500_and_one_known_is_enough(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    params = {"meterId": demo.solar, "from": NOW_MS - 3_600_000, "to": NOW_MS}
    failed = basic_http.get("/statistics", params={**params, "fields": "nope,neither"})
    assert failed.status_code == 500
    assert _text(failed) == "500 Internal Server Error: Internal Server Error"
    one = basic_http.get("/statistics", params={**params, "fields": "nope,energy"}).json()
    assert list(one) == ["energy"]
    assert set(one["energy"]) == {"count", "minimum", "maximum", "mean", "variance"}


def test_disaggregation_at_most_a_week_activities_at_most_a_month(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    week = basic_http.get(
        "/disaggregation",
        params={"meterId": demo.solar, "from": NOW_MS - 7 * DAY_MS - 1, "to": NOW_MS},
    )
    assert week.status_code == 400
    assert _text(week) == (
        "400 Bad Request: Duration of the data cannot be larger than 1 week. "
        "Please try for a smaller duration."
    )
    month = basic_http.get(
        "/activities",
        params={"meterId": demo.solar, "from": NOW_MS - 31 * DAY_MS - 1, "to": NOW_MS},
    )
    assert month.status_code == 400
    assert "cannot be larger than 1 month" in _text(month)


def test_delete_virtual_meter_is_not_implemented(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    response = basic_http.delete("/virtual_meter", params={"meterId": demo.virtual})
    assert response.status_code == 501
    assert response.content == b""


def test_demo_account_is_read_only(basic_http: httpx.Client, demo: DemoMeters) -> None:
    response = basic_http.post("/virtual_meter", params={"meterIdsPlus": demo.solar})
    assert response.status_code == 403
    assert _text(response) == "403 Forbidden: You do not have permission to create virtual meters"


def test_validation_errors_are_text_not_problem_json(
    basic_http: httpx.Client, demo: DemoMeters
) -> None:
    response = basic_http.get(
        "/readings",
        params={"meterId": demo.solar, "from": "yesterday"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 400
    text = _text(response)
    assert text.startswith("400 Bad Request: ")
    assert "\n" not in text
    missing = basic_http.get("/readings", params={"meterId": demo.solar})
    assert missing.status_code == 400
    assert _text(missing).startswith("400 Bad Request: ")


def test_missing_credentials_on_every_data_endpoint(base_url: str, demo: DemoMeters) -> None:
    with httpx.Client(base_url=base_url, headers={"Accept": "application/json"}) as anonymous:
        for method, path in [
            ("GET", "/meters"),
            ("GET", "/readings"),
            ("POST", "/virtual_meter"),
            ("DELETE", "/virtual_meter"),
            ("GET", "/website_access_code"),
        ]:
            response = anonymous.request(method, path, params={"meterId": demo.solar})
            assert response.status_code == 401
            assert (
                _text(response) == "401 Unauthorized: Authorization header missing in HTTP request"
            )


def test_wrong_basic_credentials(base_url: str) -> None:
    with httpx.Client(base_url=base_url, auth=httpx.BasicAuth(DEMO_EMAIL, "wrong")) as client:
        response = client.get("/meters")
    assert response.status_code == 401
    assert _text(response) == "401 Unauthorized: Invalid email or password"


def test_meters_carry_every_documented_field(basic_http: httpx.Client) -> None:
    documented = {
        "meterId",
        "manufacturerId",
        "serialNumber",
        "fullSerialNumber",
        "printedFullSerialNumber",
        "location",
        "administrationNumber",
        "type",
        "measurementType",
        "loadProfileType",
        "scalingFactor",
        "currentScalingFactor",
        "voltageScalingFactor",
        "internalMeters",
        "firstMeasurementTime",
        "lastMeasurementTime",
    }
    meters = basic_http.get("/meters").json()
    assert [meter["type"] for meter in meters] == [
        "EASYMETER",
        "EBZ",
        "ELSTER",
        "RLM",
        "VIRTUAL_ELECTRICITY",
    ]
    for meter in meters:
        assert set(meter) == documented
        assert re.fullmatch(r"[0-9a-f]{32}", meter["meterId"])
        assert set(meter["location"]) == {"street", "streetNumber", "zip", "city", "country"}
        assert meter["location"]["zip"] == "01069"
        # the meters' own times: the first and the last reading (1 s apart, gas 15 min apart)
        spacing = 900_000 if meter["measurementType"] == "GAS" else 1_000
        first, last = meter["firstMeasurementTime"], meter["lastMeasurementTime"]
        assert 1_704_067_200_000 < first < 1_704_067_200_000 + spacing
        assert NOW_MS - spacing < last <= NOW_MS
        assert (last - first) % spacing == 0


def test_meter_ids_are_deterministic_across_servers(demo: DemoMeters) -> None:
    with (
        running(create_app()) as other,
        httpx.Client(base_url=other, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as client,
    ):
        ids = [meter["meterId"] for meter in client.get("/meters").json()]
    assert ids == [demo.solar, demo.modern, demo.gas, demo.rlm, demo.virtual]


def test_meter_field_names_per_generation(basic_http: httpx.Client, demo: DemoMeters) -> None:
    modern = basic_http.get("/field_names", params={"meterId": demo.modern}).json()
    assert modern == [
        "energy",
        "energyOut",
        "power",
        "phase1Power",
        "phase2Power",
        "phase3Power",
        "phase1Voltage",
        "phase2Voltage",
        "phase3Voltage",
    ]
    assert basic_http.get("/field_names", params={"meterId": demo.virtual}).json() == [
        "energy",
        "energyOut",
        "power",
    ]
    assert basic_http.get("/devices", params={"meterId": demo.gas}).json() == []


def test_load_profile_only_for_rlm_meters(basic_http: httpx.Client, demo: DemoMeters) -> None:
    response = basic_http.get(
        "/raw_load_profile", params={"meterId": demo.solar, "year": 2024, "month": 6, "day": 1}
    )
    assert response.status_code == 400
    assert (
        _text(response) == f"400 Bad Request: Meter with meterId: {demo.solar} has no load profile"
    )
    impossible = basic_http.get(
        "/raw_load_profile", params={"meterId": demo.rlm, "year": 2024, "month": 2, "day": 31}
    )
    assert impossible.status_code == 400
    assert _text(impossible) == "400 Bad Request: Invalid date: 2024-02-31"


def test_not_a_virtual_meter(basic_http: httpx.Client, demo: DemoMeters) -> None:
    response = basic_http.get("/virtual_meter", params={"meterId": demo.gas})
    assert response.status_code == 400
    assert (
        _text(response) == f"400 Bad Request: The meter {demo.gas} is not a virtual meter"
    )  # the recorded text (the Elixir discovergy library's error test)


def test_last_reading_each_on_a_virtual_meter(basic_http: httpx.Client, demo: DemoMeters) -> None:
    each = basic_http.get("/last_reading", params={"meterId": demo.virtual, "each": "true"}).json()
    assert sorted(each) == sorted([demo.solar, demo.modern])
    total = basic_http.get(
        "/last_reading", params={"meterId": demo.virtual, "fields": "power"}
    ).json()
    assert total["values"]["power"] == sum(each[m]["values"]["power"] for m in each)


def test_swagger_ui_is_served(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        response = client.get("/ui/")
    assert response.status_code == 200
    assert "swagger" in response.text.lower()
