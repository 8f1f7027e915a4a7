"""The generated client, driven through an httpx.MockTransport that answers the spec's examples."""

from __future__ import annotations

import copy
import importlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from foundation_helpers import (
    BASE_URL,
    OPERATIONS,
    Operation,
    SpecTransport,
    load_spec,
    resolve,
    response_example,
    success_status,
)
from inexogy_client import Client
from inexogy_client.api.measurements import get_last_reading, get_readings
from inexogy_client.api.metadata import get_meters
from inexogy_client.models import (
    AccessTokenRequest,
    Activity,
    ConsumerToken,
    ConsumerTokenRequest,
    Disaggregation,
    LoadProfileRow,
    Meter,
    Reading,
    ReadingsBySubMeter,
    Statistics,
)
from inexogy_client.types import Response

METER_ID = "c1a4b5f0e7d24e1f9b0c3a2d4e5f6a7b"
READINGS = next(op for op in OPERATIONS if op.operation_id == "getReadings")
METERS = next(op for op in OPERATIONS if op.operation_id == "getMeters")

# The arguments of each operation's call (its required parameters, and a body where it takes one).
CALL_ARGUMENTS: dict[str, dict[str, Any]] = {
    "createConsumerToken": {"body": ConsumerTokenRequest(client="inexogy-python")},
    "createRequestToken": {},
    "authorize": {
        "oauth_token": "7741e9e12cf14f16b8b66064be482a4c",
        "email": "a@b.example",
        "password": "pw",
    },
    "createAccessToken": {
        "body": AccessTokenRequest(oauth_verifier="97e1c702e83a4f44a9bfdf7f719f8732")
    },
    "getMeters": {},
    "getFieldNames": {"meter_id": METER_ID},
    "getDevices": {"meter_id": METER_ID},
    "getReadings": {"meter_id": METER_ID, "from_": 1718000000000},
    "getLastReading": {"meter_id": METER_ID},
    "getStatistics": {"meter_id": METER_ID, "from_": 1718000000000},
    "getLoadProfile": {
        "meter_id": METER_ID,
        **{
            "from_year": 2024,
            "from_month": 6,
            "from_day": 10,
            "to_year": 2024,
            "to_month": 6,
            "to_day": 11,
        },
    },
    "getRawLoadProfile": {"meter_id": METER_ID, "year": 2024, "month": 6, "day": 10},
    "getDisaggregation": {"meter_id": METER_ID, "from_": 1718000000000},
    "getActivities": {"meter_id": METER_ID, "from_": 1718000000000, "to": 1718086400000},
    "getWebsiteAccessCode": {"email": "a@b.example"},
    "getVirtualMeter": {"meter_id": METER_ID},
    "createVirtualMeter": {"meter_ids_plus": f"{METER_ID},0f9e8d7c6b5a49382716a5b4c3d2e1f0"},
    "deleteVirtualMeter": {"meter_id": METER_ID},
}

# What each operation's success example parses into: a class, or (list, class of the items).
PARSED_AS: dict[str, Any] = {
    "createConsumerToken": ConsumerToken,
    "createRequestToken": str,
    "authorize": str,
    "createAccessToken": str,
    "getMeters": (list, Meter),
    "getFieldNames": (list, str),
    "getDevices": (list, str),
    "getReadings": (list, Reading),
    "getLastReading": Reading,
    "getStatistics": Statistics,
    "getLoadProfile": (list, LoadProfileRow),
    "getRawLoadProfile": str,
    "getDisaggregation": Disaggregation,
    "getActivities": (list, Activity),
    "getWebsiteAccessCode": str,
    "getVirtualMeter": (list, Meter),
    "createVirtualMeter": Meter,
    "deleteVirtualMeter": type(None),  # the service answers 501 with an empty body
}


@pytest.fixture
def transport() -> SpecTransport:
    return SpecTransport()


@pytest.fixture
def client(transport: SpecTransport) -> Iterator[Client]:
    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        yield client


def module_of(operation: Operation) -> Any:
    return importlib.import_module(f"inexogy_client.api.{operation.tag}.{operation.module}")


def as_json(parsed: Any) -> Any:
    """A parsed answer turned back into JSON data."""
    if isinstance(parsed, list):
        return [as_json(item) for item in parsed]
    return parsed.to_dict() if hasattr(parsed, "to_dict") else parsed


def assert_parsed_success(
    operation: Operation, request: httpx.Request, answer: Response[Any]
) -> None:
    status = success_status(operation)
    _, example = response_example(operation, status)
    expected = PARSED_AS[operation.operation_id]

    assert request.method == operation.method.upper()
    assert request.url.path == httpx.URL(BASE_URL).path + operation.path
    required = {
        resolve(parameter)["name"]
        for parameter in load_spec()["paths"][operation.path][operation.method].get(
            "parameters", []
        )
        if resolve(parameter)["required"]
    }
    assert required <= set(request.url.params)
    assert answer.status_code == int(status)
    if isinstance(expected, tuple):
        container, item_type = expected
        assert isinstance(answer.parsed, container)
        assert answer.parsed
        assert all(isinstance(item, item_type) for item in answer.parsed)
    else:
        assert isinstance(answer.parsed, expected)
    if example is not None:
        assert as_json(answer.parsed) == example  # nothing lost, nothing added


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_every_operation_parses_its_success_example_sync(
    operation: Operation, client: Client, transport: SpecTransport
) -> None:
    answer = module_of(operation).sync_detailed(
        client=client, **CALL_ARGUMENTS[operation.operation_id]
    )

    (request,) = transport.requests
    assert_parsed_success(operation, request, answer)


@pytest.mark.anyio
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
async def test_every_operation_parses_its_success_example_async(
    operation: Operation, client: Client, transport: SpecTransport
) -> None:
    answer = await module_of(operation).asyncio_detailed(
        client=client, **CALL_ARGUMENTS[operation.operation_id]
    )

    (request,) = transport.requests
    assert_parsed_success(operation, request, answer)


def test_meters_parse_into_models_keeping_zip_strings_and_unknown_fields(client: Client) -> None:
    _, example = response_example(METERS, "200")
    declared = set(load_spec()["components"]["schemas"]["Meter"]["properties"])
    unknown = {key: value for key, value in example[0].items() if key not in declared}

    meters = get_meters.sync(client=client)

    assert isinstance(meters, list)
    (meter,) = meters
    assert isinstance(meter, Meter)
    assert meter.meter_id == example[0]["meterId"]
    assert meter.location
    assert meter.location.zip_ == "01234"  # `zip` shadows a builtin: the generator says `zip_`
    assert unknown  # the example carries keys the schema does not declare
    assert meter.additional_properties == unknown
    assert all(key in meter for key in unknown)


def test_readings_keep_unknown_value_fields(transport: SpecTransport) -> None:
    _, example = response_example(READINGS, "200")
    with_new_field = copy.deepcopy(example)
    for number, reading in enumerate(with_new_field):
        reading["values"]["fieldOfANewMeter"] = number + 0.5
    transport = SpecTransport({"getReadings": lambda _: httpx.Response(200, json=with_new_field)})

    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        readings = get_readings.sync(client=client, meter_id=METER_ID, from_=1718000000000)

    assert isinstance(readings, list)
    assert [reading.values["fieldOfANewMeter"] for reading in readings] == [0.5, 1.5]
    assert [reading.values.power for reading in readings] == [r["values"]["power"] for r in example]
    assert [reading.to_dict() for reading in readings] == with_new_field


def test_a_400_reaches_the_caller_with_status_and_message() -> None:
    _, message = response_example(READINGS, "400")
    transport = SpecTransport({"getReadings": lambda _: httpx.Response(400, text=message)})

    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        answer = get_readings.sync_detailed(client=client, meter_id=METER_ID, from_=0, to=10**12)

    assert answer.status_code == 400
    assert answer.parsed == message
    assert message.startswith("400 Bad Request: ")


def test_an_empty_401_is_recognisable() -> None:
    transport = SpecTransport({"getLastReading": lambda _: httpx.Response(401)})

    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        answer = get_last_reading.sync_detailed(client=client, meter_id=METER_ID)

    assert answer.status_code == 401
    assert answer.parsed == ""
    assert answer.content == b""


@pytest.mark.anyio
async def test_an_empty_401_is_recognisable_async() -> None:
    transport = SpecTransport({"getLastReading": lambda _: httpx.Response(401)})

    async with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        answer = await get_last_reading.asyncio_detailed(client=client, meter_id=METER_ID)

    assert answer.status_code == 401
    assert answer.parsed == ""


def test_fields_go_out_as_one_comma_separated_parameter(
    client: Client, transport: SpecTransport
) -> None:
    get_readings.sync_detailed(
        client=client, meter_id=METER_ID, from_=1718000000000, fields=",".join(["energy", "power"])
    )

    (request,) = transport.requests
    assert request.url.params.get_list("fields") == ["energy,power"]
    assert b"fields=energy%2Cpower" in request.url.query
    assert request.url.params["from"] == "1718000000000"
    assert "to" not in request.url.params  # optional parameters are left out, not sent empty


@pytest.mark.anyio
async def test_fields_go_out_as_one_comma_separated_parameter_async(
    client: Client, transport: SpecTransport
) -> None:
    readings = await get_readings.asyncio(
        client=client, meter_id=METER_ID, from_=1, fields="energy,power"
    )

    (request,) = transport.requests
    assert request.url.params.get_list("fields") == ["energy,power"]
    assert isinstance(readings, list)
    assert all(isinstance(reading, Reading) for reading in readings)


def test_readings_of_every_sub_meter_parse_by_meter_id() -> None:
    _, example = response_example(READINGS, "200")
    by_sub_meter = {METER_ID: example, "0f9e8d7c6b5a49382716a5b4c3d2e1f0": example[:1]}
    transport = SpecTransport({"getReadings": lambda _: httpx.Response(200, json=by_sub_meter)})

    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        answer = get_readings.sync(client=client, meter_id=METER_ID, from_=1718000000000, each=True)

    (request,) = transport.requests
    assert request.url.params["each"] == "true"
    assert isinstance(answer, ReadingsBySubMeter)
    assert list(answer.additional_properties) == list(by_sub_meter)
    assert [reading.time for reading in answer[METER_ID]] == [
        reading["time"] for reading in example
    ]
    assert answer.to_dict() == by_sub_meter
