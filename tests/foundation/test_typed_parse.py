"""The generated typed readings path: answers become models in place, nothing is lost or changed.

templates/property_templates/list_property.py.jinja converts a decoded list answer in place
(``types.convert_in_place``); templates/model.py.jinja builds models without the attrs
``__init__``. Speed and memory are measured in benchmarks/bench_parse.py, not here.
"""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from typing import Any

import attrs
import httpx
import orjson
import pytest
from foundation_helpers import BASE_URL, SpecTransport
from hypothesis import given, settings
from hypothesis import strategies as st
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


# templates/model.py.jinja "packed" and types.PackedValues: ReadingValues keeps its values packed
# (int32 or int64 each) when they are integers, as they are otherwise; nothing reads differently.
DECLARED_KEYS = ["energy", "energyOut", "power", "power1", "voltage1", "phase1Power", "volume"]
VALUES = st.one_of(
    st.integers(min_value=-(2**31), max_value=2**31 - 1),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.integers(min_value=2**63, max_value=2**64 - 1),  # beyond int64, as orjson gives them
    st.sampled_from([0, 1, -1, 2**31, -(2**31) - 1, 2**63 - 1, -(2**63)]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),  # off-spec, but what was sent is what is read
)


@st.composite
def value_dicts(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Value dicts as an answer brings them: mostly the same keys, sometimes not."""
    keys = draw(st.lists(st.sampled_from([*DECLARED_KEYS, "newField"]), unique=True, max_size=5))
    dicts = []
    for _ in range(draw(st.integers(min_value=1, max_value=12))):
        row_keys = keys if draw(st.booleans()) else draw(st.permutations(keys))[: len(keys) - 1]
        dicts.append({key: draw(VALUES) for key in row_keys})
    return dicts


def same(left: Any, right: Any) -> bool:
    """Equal and of the same type (1 and True and 1.0 are all equal in Python)."""
    return bool(left == right and type(left) is type(right))


@settings(max_examples=200, deadline=None)
@given(value_dicts())
def test_packed_values_read_back_exactly_what_was_parsed(dicts: list[dict[str, Any]]) -> None:
    parsed = [ReadingValues.from_dict(source) for source in dicts]  # one after the other, as a list

    for source, values in zip(dicts, parsed, strict=True):
        assert values.to_dict() == source
        assert all(same(values.to_dict()[key], value) for key, value in source.items())
        for key, attribute in ATTRIBUTES.items():
            if key in source:
                assert same(getattr(values, attribute), source[key]), key
            else:
                assert getattr(values, attribute) is UNSET
        assert values.additional_properties == {k: v for k, v in source.items() if k == "newField"}


ATTRIBUTES = {"energy": "energy", "energyOut": "energy_out", "power": "power", "power1": "power1"}
ATTRIBUTES |= {"voltage1": "voltage1", "phase1Power": "phase_1_power", "volume": "volume"}


def test_integer_values_are_packed_without_an_int_object_each() -> None:
    values = ReadingValues.from_dict({"energy": 120_000_000_000_000, "power": 400_000})

    assert not int_objects_held(values)
    assert int_objects_held(ReadingValues.from_dict({"energy": 2**64 - 1})) == [2**64 - 1]
    assert values.energy == 120_000_000_000_000


def int_objects_held(values: ReadingValues) -> list[int]:
    """The int objects a value set holds, directly or in a tuple (its unpacked form)."""
    held = []
    for item in gc.get_referents(values):
        held += [item] if type(item) is int else []
        held += [x for x in item if type(x) is int] if type(item) is tuple else []
    return held


@pytest.mark.parametrize("before", [1.5, True, 2**64 - 1])
def test_an_answer_that_could_not_be_packed_leaves_the_next_one_packed(before: Any) -> None:
    keys = ("energy", "voltage2", "power3")  # keys of their own: no other test's layouts
    unpacked = [ReadingValues.from_dict(dict.fromkeys(keys, before)) for _ in range(3)]
    packed = [ReadingValues.from_dict(dict.fromkeys(keys, 230_000 + n)) for n in range(3)]

    assert all(same(values.energy, before) for values in unpacked)
    assert [values.voltage2 for values in packed] == [230_000, 230_001, 230_002]
    assert not [int_objects_held(values) for values in packed if int_objects_held(values)]


def test_assigning_attributes_stores_any_value_exactly() -> None:
    values = ReadingValues.from_dict({"energy": 5, "power": -3, "newField": 1.5})

    values.power = 2**40
    values.voltage1 = 230.5
    values.energy = UNSET
    values["other"] = 2

    assert values.to_dict() == {"newField": 1.5, "other": 2, "power": 2**40, "voltage1": 230.5}
    assert values.energy is UNSET
    built = ReadingValues(power=2**40, voltage1=230.5)
    built.additional_properties = {"newField": 1.5, "other": 2}
    assert values == built
    values.power = 7
    assert same(values.power, 7)
    with pytest.raises(AttributeError):
        values.not_declared = 1  # type: ignore[attr-defined]


def test_constructed_values_read_like_parsed_ones() -> None:
    built = ReadingValues(energy=1, power=2.5, volume=2**70)

    assert built.to_dict() == {"energy": 1, "power": 2.5, "volume": 2**70}
    assert built == ReadingValues.from_dict({"volume": 2**70, "power": 2.5, "energy": 1})
    assert built.power1 is UNSET
    assert "power=2.5" in repr(built)
    assert "power1=UNSET" in repr(built)


def test_packed_values_copy_independently_and_follow_attrs() -> None:
    values = ReadingValues.from_dict({"energy": 1, "power": 2, "newField": 3})

    for twin in (copy.copy(values), copy.deepcopy(values), pickle.loads(pickle.dumps(values))):
        assert twin == values
        twin.power = 5
        twin["newField"] = 4
        assert values.power == 2
        assert values["newField"] == 3
    assert attrs.evolve(values, power=9).to_dict() == {"energy": 1, "power": 9}
    assert attrs.asdict(values)["power"] == 2
    assert [field.name for field in attrs.fields(ReadingValues)][:2] == ["energy", "energy1"]
    assert weakref.ref(values)() is values
    with pytest.raises(TypeError):
        hash(values)  # attrs' eq makes models unhashable, as the stock ones are
