"""Configured accounts and meters, response validation, and what the package refuses."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from inexogy_mock import DEMO_EMAIL, Account, FaultPlan, Location, MeterSpec, create_app, running
from mock_testkit import NOW_MS, NOW_S

JUNE_MS = 1_717_200_000_000  # 2024-06-01T00:00:00Z
QUARTER_MS = 900_000


def test_configured_account_with_a_late_meter_and_a_silent_one() -> None:
    account = Account(
        "owner@example.com",
        "owner-password",
        [
            MeterSpec("gas", "1234", first_measurement_ms=JUNE_MS, location=Location(zip="09111")),
            MeterSpec("modern", "5678", first_measurement_ms=None),
        ],
    )
    with (
        running(create_app(accounts=[account], clock=lambda: NOW_S)) as url,
        httpx.Client(base_url=url, auth=httpx.BasicAuth(account.email, account.password)) as client,
    ):
        gas, silent = client.get("/meters").json()
        # a gas meter reports once per quarter hour, at a moment of its own in each
        first, last = gas["firstMeasurementTime"], gas["lastMeasurementTime"]
        assert JUNE_MS <= first < JUNE_MS + QUARTER_MS
        assert NOW_MS - QUARTER_MS < last <= NOW_MS
        assert (last - first) % QUARTER_MS == 0
        assert gas["location"]["zip"] == "09111"
        assert (silent["firstMeasurementTime"], silent["lastMeasurementTime"]) == (-1, -1)
        early = client.get(
            "/readings",
            params={
                "meterId": gas["meterId"],
                "from": JUNE_MS - 3_600_000,
                "to": JUNE_MS + 2 * QUARTER_MS,
            },
        ).json()
        assert [reading["time"] for reading in early] == [first, first + QUARTER_MS]
        nothing = client.get(
            "/readings", params={"meterId": silent["meterId"], "from": NOW_MS - 60_000}
        )
        assert nothing.json() == []
        last = client.get("/last_reading", params={"meterId": silent["meterId"]})
        assert last.status_code == 400
        assert (
            last.text
            == f"400 Bad Request: No readings available for meter with meterId: {silent['meterId']}"
        )
        demo_login = client.get("/meters", auth=httpx.BasicAuth(DEMO_EMAIL, "demo"))
        assert demo_login.status_code == 401  # only the configured accounts exist


def test_answers_pass_connexions_response_validation() -> None:
    with (
        running(create_app(clock=lambda: NOW_S, validate_responses=True)) as url,
        httpx.Client(base_url=url, auth=httpx.BasicAuth(DEMO_EMAIL, "demo")) as client,
    ):
        meters = client.get("/meters").json()
        for meter in meters:
            for path, params in [
                ("/readings", {"from": NOW_MS - 900_000, "resolution": "three_minutes"}),
                ("/last_reading", {}),
                ("/statistics", {"from": NOW_MS - 900_000}),
                ("/field_names", {}),
            ]:
                response = client.get(path, params={"meterId": meter["meterId"], **params})
                assert response.status_code == 200, (path, meter["type"], response.text)


def test_meter_specs_are_checked() -> None:
    with pytest.raises(ValueError, match="multiple of 900000"):
        MeterSpec("solar", "1", first_measurement_ms=JUNE_MS + 1)
    with pytest.raises(ValueError, match="unknown meter kind"):
        MeterSpec("water", "1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown sub-meters"):
        create_app(
            accounts=[Account("a@example.com", "pw", [MeterSpec("virtual", "9", plus=("404",))])]
        )
    with pytest.raises(ValueError, match="serial 1 appears twice"):
        create_app(
            accounts=[
                Account("a@example.com", "pw", [MeterSpec("gas", "1"), MeterSpec("rlm", "1")])
            ]
        )


def test_missing_spec_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="pass spec_path"):
        create_app(spec_path=tmp_path / "openapi.yaml")


def test_passwords_stay_out_of_reprs() -> None:
    account = Account("a@example.com", "hunter2-secret", [])
    assert "hunter2-secret" not in repr(account)
    assert "hunter2-secret" not in str(account)
    with pytest.raises(ValueError, match="unknown fault 'x'"):
        FaultPlan.scripted(["x"])
