"""Contract: the generated client runs every operation against the mock over real loopback HTTP.

The mock and the client meet only at openapi.yaml. Data operations run with Basic auth and with
OAuth (the full dance through ``inexogy_auth``), synchronously and asynchronously.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import inexogy_client
import pytest
from inexogy_auth import OAuth1Auth, authorize, authorize_async
from inexogy_client.api.disaggregation import get_activities, get_disaggregation
from inexogy_client.api.measurements import (
    get_last_reading,
    get_load_profile,
    get_raw_load_profile,
    get_readings,
    get_statistics,
)
from inexogy_client.api.metadata import get_devices, get_field_names, get_meters
from inexogy_client.api.virtual_meters import (
    create_virtual_meter,
    delete_virtual_meter,
    get_virtual_meter,
)
from inexogy_client.api.website_access_code import get_website_access_code
from inexogy_client.models import (
    Activity,
    LoadProfileRow,
    Meter,
    Reading,
    ReadingsBySubMeter,
    Statistics,
)
from inexogy_client.types import UNSET
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD
from mock_testkit import NOW_MS, WRITER, DemoMeters, meters_of

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# An EASYMETER reports 13 fields, the tariff registers included (the Elixir library's tests).
CLASSIC_FIELDS = [
    "energy",
    "energy1",
    "energy2",
    "energyOut",
    "energyOut1",
    "energyOut2",
    "power",
    "power1",
    "power2",
    "power3",
    "voltage1",
    "voltage2",
    "voltage3",
]


@dataclass(frozen=True)
class Call:
    """One operation call and the check of its answer."""

    name: str
    module: Any
    arguments: Callable[[DemoMeters], dict[str, Any]]
    check: Callable[[Any, DemoMeters], None]
    status: int = 200


def _check_meters(parsed: Any, meters: DemoMeters) -> None:
    assert isinstance(parsed, list)
    assert [meter.meter_id for meter in parsed] == [
        meters.solar,
        meters.modern,
        meters.gas,
        meters.rlm,
        meters.virtual,
    ]
    for meter in parsed:
        assert isinstance(meter, Meter)
        for name in (
            "printed_full_serial_number",
            "administration_number",
            "load_profile_type",
            "scaling_factor",
            "current_scaling_factor",
            "voltage_scaling_factor",
            "internal_meters",
            "first_measurement_time",
            "last_measurement_time",
            "location",
        ):
            assert getattr(meter, name) is not UNSET, (meter.type_, name)
        assert meter.location.zip_ == "01069"
    solar = parsed[0]
    assert (solar.full_serial_number, solar.serial_number, solar.manufacturer_id, solar.type_) == (
        "1ESY1161229886",
        "61229886",
        "ESY",
        "EASYMETER",
    )
    # the meter's own time of its last reading: at most 1 s before now, off the whole second
    assert NOW_MS - 1_000 < solar.last_measurement_time < NOW_MS


def _check_readings(parsed: Any, _: DemoMeters) -> None:
    assert isinstance(parsed, list)
    assert [reading.time for reading in parsed] == [
        NOW_MS - HOUR_MS + i * 900_000 for i in range(4)
    ]
    energies = [reading.values.energy for reading in parsed]
    assert all(isinstance(reading, Reading) for reading in parsed)
    assert energies == sorted(energies)
    assert parsed[0].values.power1 is UNSET  # fields filtering


def _check_each(parsed: Any, meters: DemoMeters) -> None:
    assert isinstance(parsed, ReadingsBySubMeter)
    assert sorted(parsed.additional_properties) == sorted([meters.solar, meters.modern])


def _check_last(parsed: Any, _: DemoMeters) -> None:
    assert isinstance(parsed, Reading)
    assert NOW_MS - 1_000 < parsed.time < NOW_MS
    assert sorted(parsed.values.to_dict()) == sorted(CLASSIC_FIELDS)


def _check_statistics(parsed: Any, _: DemoMeters) -> None:
    assert isinstance(parsed, Statistics)
    power = parsed.additional_properties["power"]
    assert power.count == 3600  # one reading per second for an hour
    assert power.mean == round(power.mean, 4)
    assert power.minimum <= power.mean <= power.maximum
    assert list(parsed.additional_properties) == ["power"]


def _check_load_profile(parsed: Any, _: DemoMeters) -> None:
    assert isinstance(parsed, list)
    assert len(parsed) == 96
    assert all(isinstance(row, LoadProfileRow) for row in parsed)
    assert parsed[0].time == NOW_MS - 12 * HOUR_MS - DAY_MS
    assert parsed[0].additional_properties["1.29"] >= 0


def _check_days(parsed: Any, _: DemoMeters) -> None:
    # German local midnight (CEST in June: 22:00Z the day before)
    midnight = NOW_MS - 12 * HOUR_MS - 2 * HOUR_MS
    assert [row.time for row in parsed] == [midnight - DAY_MS * i for i in (3, 2, 1)]


def _check_raw_load_profile(parsed: Any, _: DemoMeters) -> None:
    assert isinstance(parsed, str)
    assert parsed.startswith("\x02P.01(")
    assert parsed.count("\r\n") == 97


def _check_disaggregation(parsed: Any, _: DemoMeters) -> None:
    keys = sorted(parsed.additional_properties, key=int)
    assert keys == [str(NOW_MS - HOUR_MS + i * 900_000) for i in range(4)]
    assert "Grundlast-1" in parsed.additional_properties[keys[0]].additional_properties


def _check_activities(parsed: Any, _: DemoMeters) -> None:
    assert parsed
    assert all(isinstance(activity, Activity) for activity in parsed)
    assert all(NOW_MS - 7 * DAY_MS <= a.begin_time < a.end_time for a in parsed)
    assert {activity.device_name for activity in parsed} >= {"REFRIGERATOR-1", "DISHWASHER-1"}


def _check_virtual(parsed: Any, meters: DemoMeters) -> None:
    assert [meter.meter_id for meter in parsed] == [meters.solar, meters.modern]


DATA_CALLS = [
    Call("meters", get_meters, lambda m: {}, _check_meters),
    Call(
        "field_names",
        get_field_names,
        lambda m: {"meter_id": m.solar},
        lambda p, _: p == CLASSIC_FIELDS or pytest.fail(str(p)),
    ),
    Call(
        "devices",
        get_devices,
        lambda m: {"meter_id": m.solar},
        lambda p, _: (
            p == ["BASE_LOAD-1", "REFRIGERATOR-1", "DISHWASHER-1", "WASHING_MACHINE-1"]
            or pytest.fail(str(p))
        ),
    ),
    Call(
        "readings",
        get_readings,
        lambda m: {
            "meter_id": m.solar,
            "from_": NOW_MS - HOUR_MS,
            "to": NOW_MS,
            "resolution": "fifteen_minutes",
            "fields": "energy,power",
            "disaggregation": False,
            "each": False,
        },
        _check_readings,
    ),
    Call(
        "readings_each",
        get_readings,
        lambda m: {
            "meter_id": m.virtual,
            "from_": NOW_MS - HOUR_MS,
            "resolution": "one_hour",
            "each": True,
        },
        _check_each,
    ),
    Call("last_reading", get_last_reading, lambda m: {"meter_id": m.solar}, _check_last),
    Call(
        "statistics",
        get_statistics,
        lambda m: {
            "meter_id": m.solar,
            "from_": NOW_MS - HOUR_MS,
            "to": NOW_MS,
            "fields": "power,nonsense",
        },
        _check_statistics,
    ),
    Call(
        "load_profile",
        get_load_profile,
        lambda m: {
            "meter_id": m.rlm,
            "from_year": 2024,
            "from_month": 6,
            "from_day": 14,
            "to_year": 2024,
            "to_month": 6,
            "to_day": 14,
        },
        _check_load_profile,
    ),
    Call(
        "load_profile_days",
        get_load_profile,
        lambda m: {
            "meter_id": m.rlm,
            "from_year": 2024,
            "from_month": 6,
            "from_day": 12,
            "to_year": 2024,
            "to_month": 6,
            "to_day": 14,
            "resolution": "one_day",
        },
        _check_days,
    ),
    Call(
        "raw_load_profile",
        get_raw_load_profile,
        lambda m: {"meter_id": m.rlm, "year": 2024, "month": 6, "day": 14},
        _check_raw_load_profile,
    ),
    Call(
        "disaggregation",
        get_disaggregation,
        lambda m: {"meter_id": m.solar, "from_": NOW_MS - HOUR_MS, "to": NOW_MS},
        _check_disaggregation,
    ),
    Call(
        "activities",
        get_activities,
        lambda m: {"meter_id": m.solar, "from_": NOW_MS - 7 * DAY_MS, "to": NOW_MS},
        _check_activities,
    ),
    Call(
        "website_access_code",
        get_website_access_code,
        lambda m: {"email": "friend@example.com"},
        # 63 characters, the date first (recorded: ``20200605...``)
        lambda p, _: (
            (isinstance(p, str) and len(p) == 63 and p.startswith("20240615"))
            or pytest.fail(repr(p))
        ),
    ),
    Call("virtual_meter", get_virtual_meter, lambda m: {"meter_id": m.virtual}, _check_virtual),
    Call(
        "create_virtual_meter_denied",
        create_virtual_meter,
        lambda m: {"meter_ids_plus": m.solar},
        lambda p, _: (
            p == "403 Forbidden: You do not have permission to create virtual meters"
            or pytest.fail(p)
        ),
        status=403,
    ),
    Call(
        "delete_virtual_meter",
        delete_virtual_meter,
        lambda m: {"meter_id": m.virtual},
        lambda p, _: None,
        status=501,
    ),
]


def _verify(call: Call, response: Any, meters: DemoMeters) -> None:
    assert response.status_code == call.status, (
        call.name,
        response.status_code,
        response.content[:200],
    )
    if call.status == 501:
        assert response.content == b""
    call.check(response.parsed, meters)


def _client(base_url: str, auth: httpx.Auth) -> inexogy_client.Client:
    return inexogy_client.Client(
        base_url=base_url, httpx_args={"auth": auth}, raise_on_unexpected_status=False
    )


@pytest.fixture(scope="module")
def oauth_demo(base_url: str) -> OAuth1Auth:
    """OAuth credentials of the demo account from the full dance (consumer to access token)."""
    with inexogy_client.Client(base_url=base_url) as client:
        credentials = authorize(client, DEMO_EMAIL, DEMO_PASSWORD, app_name="mock-contract")
    return OAuth1Auth.from_credentials(credentials)


@pytest.fixture(params=["basic", "oauth"])
def auth(request: pytest.FixtureRequest, oauth_demo: OAuth1Auth) -> Iterator[httpx.Auth]:
    """Each data call runs once with Basic and once with OAuth."""
    return httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD) if request.param == "basic" else oauth_demo


def test_every_data_operation_sync(base_url: str, demo: DemoMeters, auth: httpx.Auth) -> None:
    with _client(base_url, auth) as client:
        for call in DATA_CALLS:
            _verify(call, call.module.sync_detailed(client=client, **call.arguments(demo)), demo)


@pytest.mark.anyio
async def test_every_data_operation_async(
    base_url: str, demo: DemoMeters, auth: httpx.Auth
) -> None:
    async with _client(base_url, auth) as client:
        for call in DATA_CALLS:
            _verify(
                call,
                await call.module.asyncio_detailed(client=client, **call.arguments(demo)),
                demo,
            )


def test_the_oauth_dance_runs_through_the_generated_client_operations(base_url: str) -> None:
    with inexogy_client.Client(base_url=base_url) as client:
        credentials = authorize(client, DEMO_EMAIL, DEMO_PASSWORD)
    with _client(base_url, OAuth1Auth.from_credentials(credentials)) as client:
        response = get_meters.sync_detailed(client=client)
    assert response.status_code == 200
    assert len(response.parsed) == 5


@pytest.mark.anyio
async def test_the_oauth_dance_runs_async(base_url: str, demo: DemoMeters) -> None:
    async with inexogy_client.Client(base_url=base_url) as client:
        credentials = await authorize_async(client, DEMO_EMAIL, DEMO_PASSWORD)
    async with _client(base_url, OAuth1Auth.from_credentials(credentials)) as client:
        response = await get_field_names.asyncio_detailed(client=client, meter_id=demo.gas)
    assert response.parsed == ["volume", "actualityDuration", "storageNumber"]


def test_an_account_with_permission_creates_a_virtual_meter(base_url: str) -> None:
    writer = meters_of(base_url, WRITER.email, WRITER.password)
    with _client(base_url, httpx.BasicAuth(WRITER.email, WRITER.password)) as client:
        created = create_virtual_meter.sync_detailed(
            client=client,
            meter_ids_plus=f"{writer.solar},{writer.modern}",
            meter_ids_minus=writer.rlm,
        )
        assert created.status_code == 200
        meter = created.parsed
        assert isinstance(meter, Meter)
        assert meter.type_ == "VIRTUAL_ELECTRICITY"
        assert len(meter.meter_id) == 32
        subs = get_virtual_meter.sync_detailed(client=client, meter_id=meter.meter_id).parsed
        assert [sub.meter_id for sub in subs] == [writer.solar, writer.modern, writer.rlm]
        listed = [m.meter_id for m in get_meters.sync_detailed(client=client).parsed]
        assert meter.meter_id in listed


def test_accounts_never_see_each_others_meters(base_url: str, demo: DemoMeters) -> None:
    writer = meters_of(base_url, WRITER.email, WRITER.password)
    assert set(vars(writer).values()).isdisjoint(vars(demo).values())
    with _client(base_url, httpx.BasicAuth(WRITER.email, WRITER.password)) as client:
        response = get_field_names.sync_detailed(client=client, meter_id=demo.solar)
    assert response.status_code == 400
    assert response.parsed == f"400 Bad Request: Unable to find meter with meterId: {demo.solar}"
