"""The columnar path: answer bytes to checked columns, value for value what the typed path gives."""

from __future__ import annotations

from typing import Any

import orjson
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from inexogy import InvalidResponseError
from inexogy.columns import MAX_TIME_MS, concat_frames, readings_frame
from inexogy.readings import build_readings
from inexogy_client.models import Reading

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
DECLARED = ["energy", "energyOut", "power", "power1", "voltage1", "phase1Power", "volume"]
UNKNOWN = ["DISHWASHER-1", "fieldOfANewMeter", "x"]


@st.composite
def answers(draw: st.DrawFn) -> list[dict[str, Any]]:
    """What the service could answer: ascending times, any subset of declared and unknown
    fields per reading, each field integer or fractional throughout (a mix is Float64)."""
    fields = draw(st.lists(st.sampled_from(DECLARED + UNKNOWN), unique=True, max_size=6))
    kinds = {field: draw(st.sampled_from([INT64, FINITE])) for field in fields}
    times = draw(
        st.lists(st.integers(min_value=0, max_value=MAX_TIME_MS), unique=True, max_size=30)
    )
    readings = []
    for time in sorted(times):
        present = draw(st.lists(st.sampled_from(fields), unique=True)) if fields else []
        readings.append({"time": time, "values": {field: draw(kinds[field]) for field in present}})
    return readings


@settings(max_examples=150, deadline=None)
@given(answers())
def test_columnar_and_typed_paths_agree_value_for_value(answer: list[dict[str, Any]]) -> None:
    content = orjson.dumps(answer)
    columnar = readings_frame(content, lower=0, upper=MAX_TIME_MS + 1)
    typed = build_readings(
        "m", "raw", [(0, MAX_TIME_MS + 1, [Reading.from_dict(r) for r in orjson.loads(content)])]
    )

    assert columnar["time"].to_list() == typed.times
    present = [name for name in columnar.columns[1:] if columnar[name].null_count() < len(answer)]
    assert sorted(present) == sorted(typed.columns)
    for name, values in typed.columns.items():
        assert columnar[name].to_list() == values, name
        dtype = columnar.schema[name]
        assert dtype in (pl.Int64, pl.Float64)
        if dtype == pl.Int64:  # integers stay exact, however large
            assert all(isinstance(v, int) for v in values if v is not None)


def test_huge_integers_that_fit_in_int64_stay_exact() -> None:
    content = orjson.dumps([{"time": 1, "values": {"energy": 2**63 - 1, "power": -(2**63)}}])
    frame = readings_frame(content, lower=0, upper=2)
    assert frame.row(0) == (1, 2**63 - 1, -(2**63))


BAD_ANSWERS = [
    (b"", "empty body"),
    (b"   ", "empty body"),
    (b'{"time": 1}', "not a JSON list of readings"),
    (b"null", "not a JSON list"),
    (b"[1, 2]", "not a valid list of readings"),
    (b'[{"time": 1,', "not a valid list of readings"),
    (b"[" * 200_000 + b"]" * 200_000, "not a valid list of readings"),
    (b'[{"time": 1, "values": {"power": NaN}}]', "not a valid list of readings"),
    (b'[{"time": 1, "values": {"power": Infinity}}]', "not a valid list of readings"),
    (b'[{"time": 1, "values": {"power": 1e400}}]', "not a valid list of readings"),
    (b'[{"values": {"power": 1}}]', "has no time"),
    (b'[{"time": null, "values": {"power": 1}}]', "time is null"),
    (b'[{"time": "1718000000000", "values": {"power": 1}}]', "time is a string"),
    (b'[{"time": 1718000000000.5, "values": {"power": 1}}]', "a number with a fraction"),
    (b'[{"time": -5, "values": {"power": 1}}]', "time -5 is not a Unix time"),
    (b'[{"time": 99999999999999999, "values": {"power": 1}}]', "is not a Unix time"),
    (b'[{"time": 1}]', "has no values"),
    (b'[{"time": 1, "values": null}]', "values are null, not an object"),
    (b'[{"time": 1, "values": {"p": 1}}, {"time": 2}]', "values are missing or null"),
    (b'[{"time": 1, "values": [1, 2]}]', "values are a list"),
    (b'[{"time": 1, "values": {"power": "x"}}]', "'power' holds a string where a number belongs"),
    (b'[{"time": 1, "values": {"power": true}}]', "'power' holds a boolean where a number belongs"),
    (b'[{"time": 1, "values": {"power": {"a": 1}}}]', "'power' holds an object where a"),
    (b'[{"time": 1, "values": {"energy": 9223372036854775808}}]', "does not fit in int64"),
    (
        b'[{"time": 1, "values": {"energy": 123456789012345678901234567890}}]',
        "does not fit in int64",
    ),
    (b'[{"time": 1, "values": {"time": 5}}]', "a field named time"),
    # Deep nesting inside one reading: refused by the checks, never a crash of the reader.
    (b'[{"time": 1, "values": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_000 + b"}]", "deeply"),
    (b'[{"time": 1, "values": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]", "deeply"),
    (b'[{"time": 1, "values": {"a": 1}},{"time": 2, "values": {"a": 2e400}}]', "not a valid"),
    (
        b'[{"time": 1, "values": {"energy": 5}},{"time": 2, "values": {"energy": 2e19}},'
        b'{"time": 3, "values": {"energy": 18446744073709551615}}]',
        "does not fit in int64",
    ),
]


@pytest.mark.parametrize(("content", "complaint"), BAD_ANSWERS, ids=range(len(BAD_ANSWERS)))
def test_a_bad_answer_raises_invalid_response_naming_the_endpoint(
    content: bytes, complaint: str
) -> None:
    with pytest.raises(InvalidResponseError) as raised:
        readings_frame(content, lower=0, upper=MAX_TIME_MS)
    message = str(raised.value)
    assert message.startswith("GET /readings: 200 OK, but ")
    assert complaint in message
    assert raised.value.status == 200


def test_an_answer_over_the_size_limit_is_refused_before_parsing() -> None:
    content = orjson.dumps([{"time": t, "values": {"power": t}} for t in range(1000)])
    with pytest.raises(InvalidResponseError, match=r"more than the limit of 1,000 \(raise"):
        readings_frame(content, lower=0, upper=2000, max_bytes=1000)
    assert len(readings_frame(content, lower=0, upper=2000, max_bytes=len(content))) == 1000


def test_readings_outside_the_span_are_left_out_and_repeats_kept_once() -> None:
    answer = [{"time": t, "values": {"power": t * 10}} for t in (30, 5, 10, 20, 20, 40)]
    frame = readings_frame(orjson.dumps(answer), lower=10, upper=40)
    assert frame.rows() == [(10, 100), (20, 200), (30, 300)]


def test_no_readings_give_a_typed_time_column_only() -> None:
    frame = readings_frame(b"[]", lower=0, upper=10)
    assert frame.schema == pl.Schema({"time": pl.Int64})


def test_a_field_missing_from_a_chunk_is_null_there_and_mixed_types_widen() -> None:
    first = readings_frame(b'[{"time": 1, "values": {"a": 1, "b": 2}}]', lower=0, upper=2)
    second = readings_frame(b'[{"time": 2, "values": {"a": 1.5, "c": 3}}]', lower=2, upper=3)
    merged = concat_frames([first, second])
    assert merged.columns == ["time", "a", "b", "c"]
    assert merged.schema["a"] == pl.Float64
    assert merged.rows() == [(1, 1.0, 2, None), (2, 1.5, None, 3)]


def test_the_usual_compact_answer_is_read_without_polars_whole_document_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the compact answer went to the slow whole-document reader")

    answer = [{"time": t, "values": {"power": t, "energy": 10**15 + t}} for t in range(500)]
    monkeypatch.setattr(pl, "read_json", refuse)
    frame = readings_frame(orjson.dumps(answer), lower=0, upper=500)
    assert frame.rows() == [(t, t, 10**15 + t) for t in range(500)]


VALID_FORMS = [
    b'[ {"time": 1, "values": {"a": 1}} , {"time": 2, "values": {"a": 2}} ]',  # spaces
    b'[{"time":1,"values":{"a":1}},\n{"time":2,"values":{"a":2}}]',  # a line per reading
    b'[{"time":1,"values":{"a":1}},{"time":2,"values":{"a":2}}]',  # the service's own form
]


@pytest.mark.parametrize("content", VALID_FORMS, ids=range(len(VALID_FORMS)))
def test_every_valid_form_of_the_list_gives_the_same_table(content: bytes) -> None:
    frame = readings_frame(content, lower=0, upper=3)
    assert frame.schema == pl.Schema({"time": pl.Int64, "a": pl.Int64})
    assert frame.rows() == [(1, 1), (2, 2)]


def test_a_split_inside_a_string_is_not_taken_for_a_reading_border() -> None:
    content = b'[{"time":1,"values":{"a":1,"note":"},{"}},{"time":2,"values":{"a":2}}]'
    with pytest.raises(InvalidResponseError, match="'note' holds a string where a number"):
        readings_frame(content, lower=0, upper=3)
