"""templates/endpoint_module.py.jinja, errors.py.jinja: raw variants, no bare JSONDecodeError.

Every operation has ``sync_raw``/``asyncio_raw`` returning the ``httpx.Response`` unparsed; a JSON
answer whose body is empty or broken raises ``inexogy_client.errors.UndecodableBody`` (the real
service sometimes answers 200 with an empty body, and broken JSON during outages), never the
decoder's own ``JSONDecodeError``.
"""

from __future__ import annotations

import copy
import importlib
import json
from typing import Any

import httpx
import pytest
from foundation_helpers import BASE_URL, OPERATIONS, SpecTransport, response_example
from inexogy_client import Client
from inexogy_client.api.measurements import get_readings
from inexogy_client.errors import UndecodableBody
from inexogy_client.models import Reading, ReadingValues
from inexogy_client.types import UNSET
from test_generated_client import CALL_ARGUMENTS, METER_ID, READINGS


def module_of(operation: Any) -> Any:
    return importlib.import_module(f"inexogy_client.api.{operation.tag}.{operation.module}")


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_every_operation_has_a_raw_variant_sending_the_same_request(operation: Any) -> None:
    transport = SpecTransport()
    arguments = CALL_ARGUMENTS[operation.operation_id]
    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        detailed = module_of(operation).sync_detailed(client=client, **arguments)
        raw = module_of(operation).sync_raw(client=client, **arguments)

    assert isinstance(raw, httpx.Response)
    first, second = transport.requests
    assert (second.method, second.url, second.content) == (first.method, first.url, first.content)
    assert raw.status_code == detailed.status_code
    assert raw.content == detailed.content


@pytest.mark.anyio
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
async def test_every_operation_has_an_async_raw_variant(operation: Any) -> None:
    transport = SpecTransport()
    arguments = CALL_ARGUMENTS[operation.operation_id]
    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        detailed = await module_of(operation).asyncio_detailed(client=client, **arguments)
        raw = await module_of(operation).asyncio_raw(client=client, **arguments)

    assert isinstance(raw, httpx.Response)
    assert raw.content == detailed.content
    first, second = transport.requests
    assert second.url == first.url


def test_raw_variant_returns_error_answers_unparsed() -> None:
    transport = SpecTransport(
        {"getReadings": lambda _: httpx.Response(400, text="400 Bad Request")}
    )
    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        raw = get_readings.sync_raw(client=client, meter_id=METER_ID, from_=0, to=1)
    assert (raw.status_code, raw.text) == (400, "400 Bad Request")


@pytest.mark.parametrize(
    ("body", "empty", "reason"),
    [
        (b"", True, "empty"),
        (b"  \n", True, ""),
        (b'[{"time": 1', False, ""),
        (b"<html>502 Bad Gateway</html>", False, ""),
        (b"[" * 5000 + b"]" * 5000, False, "depth limit"),  # deeper than orjson's limit of 1024
        (b'{"a": NaN}', False, ""),
    ],
)
def test_a_body_that_is_not_json_raises_the_clients_own_error(
    body: bytes, empty: bool, reason: str
) -> None:
    transport = SpecTransport({"getReadings": lambda _: httpx.Response(200, content=body)})
    with (
        Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client,
        pytest.raises(UndecodableBody) as raised,
    ):
        get_readings.sync_detailed(client=client, meter_id=METER_ID, from_=0, to=1)

    error = raised.value
    assert type(error) is UndecodableBody  # not orjson's or json's JSONDecodeError
    assert not isinstance(error, json.JSONDecodeError)
    assert error.__cause__ is None
    assert error.__suppress_context__
    assert (error.status_code, error.content, error.empty) == (200, body, empty)
    assert reason.lower() in error.reason.lower()
    assert ("empty body" in str(error)) == empty


def test_json_is_decoded_with_orjson_semantics() -> None:
    # Integers up to 2**64 - 1 stay exact integers; beyond that orjson gives a float, which
    # the toolkit refuses as out of range (see tests/toolkit/test_columns.py).
    example = copy.deepcopy(response_example(READINGS, "200")[1])
    example[0]["values"]["power"] = 2**64 - 1
    example[1]["values"]["power"] = -(2**63)
    transport = SpecTransport(
        {"getReadings": lambda _: httpx.Response(200, content=json.dumps(example).encode())}
    )
    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        parsed = get_readings.sync(client=client, meter_id=METER_ID, from_=0, to=1)
    assert isinstance(parsed, list)
    assert [reading.values.power for reading in parsed] == [2**64 - 1, -(2**63)]


def test_values_walk_only_the_keys_present() -> None:
    values = ReadingValues.from_dict({"energyOut": 5, "power": -3, "newField": 1.5})

    assert values.energy_out == 5
    assert values.power == -3
    assert values.energy is UNSET  # never stored, read as UNSET
    assert values.additional_properties == {"newField": 1.5}
    assert values.to_dict() == {"energyOut": 5, "power": -3, "newField": 1.5}
    with pytest.raises(AttributeError, match="no_such_thing"):
        values.no_such_thing  # noqa: B018


def test_walked_values_equal_constructed_ones() -> None:
    walked = ReadingValues.from_dict({"energy": 1, "voltage1": 230_000})
    built = ReadingValues(energy=1, voltage1=230_000)
    assert walked == built
    assert repr(walked) == repr(built)
    reading = Reading.from_dict({"time": 7, "values": {"energy": 1, "voltage1": 230_000}})
    assert reading == Reading(time=7, values=built)
