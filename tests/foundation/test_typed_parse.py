"""The generated typed readings path: answers become models in place, nothing is lost or changed.

templates/property_templates/list_property.py.jinja converts a decoded list answer in place
(``types.convert_in_place``); templates/model.py.jinja builds models without the attrs
``__init__``. Speed and memory are measured in benchmarks/bench_parse.py, not here.
"""

from __future__ import annotations

import copy
import pickle
from typing import Any

import httpx
import orjson
import pytest
from foundation_helpers import BASE_URL, SpecTransport
from inexogy_client import Client
from inexogy_client.api.measurements import get_readings
from inexogy_client.models import Reading, ReadingsBySubMeter, ReadingValues
from inexogy_client.types import UNSET, convert_in_place
from test_generated_client import METER_ID

ANSWER: list[dict[str, Any]] = [
    {"time": 1, "values": {"energy": 2**63 - 1, "power": -5, "voltage1": 230_000}},
    {"time": 2, "values": {"power": 1.5, "DISHWASHER-1": 7}, "note": "kept"},
    {"time": 3, "values": {}},
    {"time": 4, "values": {"energy": 2**64 - 1, "energyOut": 0, "power": True}},
]


def fetch(body: bytes, **arguments: Any) -> Any:
    transport = SpecTransport({"getReadings": lambda _: httpx.Response(200, content=body)})
    with Client(base_url=BASE_URL, httpx_args={"transport": transport}) as client:
        return get_readings.sync(client=client, meter_id=METER_ID, from_=0, to=5, **arguments)


def test_get_readings_gives_what_from_dict_gives_for_each_reading() -> None:
    readings = fetch(orjson.dumps(ANSWER))

    assert readings == [Reading.from_dict(item) for item in ANSWER]
    assert [reading.to_dict() for reading in readings] == ANSWER
    assert readings[1].additional_properties == {"note": "kept"}
    assert readings[1].values.additional_properties == {"DISHWASHER-1": 7}
    assert readings[2].values.power is UNSET
    assert type(readings[3].values.power) is bool  # kept as sent, even when off-spec


def test_a_broken_reading_fails_the_answer() -> None:
    with pytest.raises(TypeError):  # no list of readings, and no object of sub-meters either
        fetch(orjson.dumps([{"time": 1, "values": {}}, {"values": {}}]))


def test_an_answer_by_sub_meter_still_parses_after_the_list_attempt() -> None:
    answer = {"sub-1": ANSWER[:1], "sub-2": []}

    parsed = fetch(orjson.dumps(answer), each=True)

    assert isinstance(parsed, ReadingsBySubMeter)
    assert parsed.to_dict() == answer


def test_convert_in_place_replaces_each_item_of_the_same_list() -> None:
    items: list[Any] = [{"time": 1, "values": {}}, {"time": 2, "values": {"power": 3}}]

    converted = convert_in_place(items, Reading.from_dict)

    assert converted is items
    assert [reading.time for reading in converted] == [1, 2]
    assert converted[1].values.power == 3


def test_convert_in_place_refuses_what_is_no_list() -> None:
    with pytest.raises(TypeError, match="expected a list, not dict"):
        convert_in_place({"time": 1}, Reading.from_dict)


def test_convert_in_place_stops_at_the_first_failure() -> None:
    items: list[Any] = [{"time": 1, "values": {}}, {"values": {}}, {"time": 3, "values": {}}]

    with pytest.raises(KeyError, match="time"):
        convert_in_place(items, Reading.from_dict)
    assert isinstance(items[0], Reading)
    assert items[2] == {"time": 3, "values": {}}


def test_reading_from_dict_keeps_unknown_keys_and_requires_its_properties() -> None:
    reading = Reading.from_dict({"time": 5, "values": {"power": 1}, "extra": [1]})

    assert reading.additional_properties == {"extra": [1]}
    assert reading.to_dict() == {"time": 5, "values": {"power": 1}, "extra": [1]}
    assert Reading.from_dict({"time": 5, "values": {}}).additional_properties == {}
    with pytest.raises(KeyError):
        Reading.from_dict({"values": {}, "extra": 1, "more": 2})


@pytest.mark.parametrize("item", ANSWER)
def test_parsed_readings_copy_pickle_and_compare_like_attrs_objects(item: dict[str, Any]) -> None:
    reading = Reading.from_dict(item)

    for twin in (copy.copy(reading), copy.deepcopy(reading), pickle.loads(pickle.dumps(reading))):
        assert twin == reading
        assert twin.to_dict() == item
        assert repr(twin) == repr(reading)
    assert reading != Reading.from_dict({**item, "time": -1})
    assert ReadingValues.from_dict(item["values"]) == reading.values


def test_unset_stays_the_one_unset_through_copies_and_pickles() -> None:
    assert copy.deepcopy(UNSET) is UNSET
    assert pickle.loads(pickle.dumps(UNSET)) is UNSET
    assert repr(UNSET) == "UNSET"
