"""The recorded answers of the real service against the spec, the clients and the simulator.

(a) every recording validates against openapi.yaml; (b) the generated client and the toolkit
parse every one; (c) the simulator answers the same requests with the same keys, types,
magnitudes, texts and content types.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from typing import Any

import httpx
import orjson
import pytest
from corpus import Recording, recordings, shape_differences
from foundation_helpers import OPERATIONS, load_spec, pointer, resolve, validator_at
from inexogy import BadRequestError, Inexogy
from inexogy_auth import BasicAuth
from inexogy_client import Client
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running
from mock_testkit import NOW_MS, NOW_S, DemoMeters, meters_of

RECORDINGS = recordings()
BASE = "http://api.test/public/v1"
SPEC_ANSWERS = [r for r in RECORDINGS if r.operation is not None]


def _ids(recording: Recording) -> str:
    return recording.name


def _schema_pointer(recording: Recording) -> str:
    operation = next(op for op in OPERATIONS if op.operation_id == recording.operation)
    response = load_spec()["paths"][operation.path][operation.method]["responses"]
    answer = response[str(recording.status)]
    if "$ref" in answer:
        where = answer["$ref"].removeprefix("#")
    else:
        where = pointer(
            "paths", operation.path, operation.method, "responses", str(recording.status)
        )
    assert recording.content_type in resolve(answer)["content"], recording.content_type
    return f"{where}{pointer('content', recording.content_type, 'schema')}"


def test_the_corpus_covers_the_recorded_sources() -> None:
    assert len(RECORDINGS) >= 14
    assert {r.operation for r in SPEC_ANSWERS} >= {
        "getMeters", "getFieldNames", "getDevices", "getReadings", "getLastReading",
        "getStatistics", "getRawLoadProfile", "getDisaggregation", "getActivities",
        "getVirtualMeter",
    }  # fmt: skip
    assert all(r.source for r in RECORDINGS)


@pytest.mark.parametrize("recording", SPEC_ANSWERS, ids=_ids)
def test_a_recording_validates_against_the_spec(recording: Recording) -> None:
    body = recording.body
    errors = [error.message for error in validator_at(_schema_pointer(recording)).iter_errors(body)]
    assert errors == []


def test_an_undeployed_path_is_not_in_the_spec() -> None:
    outside = [r for r in RECORDINGS if r.operation is None]
    assert outside
    assert all(r.path not in load_spec()["paths"] for r in outside)


# (b) the generated client and the toolkit ----------------------------------------------------


def _response(recording: Recording) -> httpx.Response:
    return httpx.Response(
        recording.status,
        content=recording.raw_body,
        headers={"Content-Type": recording.content_type},
        request=httpx.Request("GET", BASE + recording.path),
    )


@pytest.mark.parametrize("recording", SPEC_ANSWERS, ids=_ids)
def test_the_generated_client_parses_a_recording(recording: Recording) -> None:
    operation = next(op for op in OPERATIONS if op.operation_id == recording.operation)
    module = importlib.import_module(f"inexogy_client.api.{operation.tag}.{operation.module}")
    answer = module._build_response(client=Client(base_url=BASE), response=_response(recording))
    assert answer.status_code == recording.status
    assert answer.parsed is not None
    if recording.content_type == "text/plain":
        assert answer.parsed == recording.body
    else:
        dumped = answer.parsed.to_dict() if hasattr(answer.parsed, "to_dict") else answer.parsed
        if isinstance(dumped, list):
            dumped = [item.to_dict() if hasattr(item, "to_dict") else item for item in dumped]
        assert dumped == recording.body  # nothing lost, unknown keys kept


def _span(recording: Recording) -> tuple[datetime, datetime]:
    """The span of the recorded answer's times (the toolkit checks answers against it)."""
    body = recording.body
    if isinstance(body, dict) and "time" not in body:
        times = [int(t) for t in body] if all(k.isdigit() for k in body) else [0]
    else:
        rows = body if isinstance(body, list) else [body]
        times = [row.get("time", row.get("beginTime", 0)) for row in rows]
    low, high = min(times), max(times)
    return datetime.fromtimestamp(low / 1000, UTC), datetime.fromtimestamp(high / 1000 + 1, UTC)


TOOLKIT: dict[str, Callable[[Inexogy, Recording], Any]] = {
    "getMeters": lambda api, r: api.meters(),
    "getVirtualMeter": lambda api, r: api.virtual_meter("a" * 32),
    "getFieldNames": lambda api, r: api.field_names("a" * 32),
    "getDevices": lambda api, r: api.devices("a" * 32),
    "getReadings": lambda api, r: api.readings(
        "a" * 32, *_span(r), resolution=r.params.get("resolution", "raw")
    ),
    "getLastReading": lambda api, r: api.last_reading("a" * 32, fields=["energy", "power"]),
    "getStatistics": lambda api, r: api.statistics("a" * 32, *_span(r)),
    "getDisaggregation": lambda api, r: api.disaggregation("a" * 32, *_span(r)),
    "getActivities": lambda api, r: api.activities("a" * 32, *_span(r)),
    "getRawLoadProfile": lambda api, r: api.raw_load_profile("a" * 32, date(2020, 6, 1)),
}


@pytest.mark.parametrize("recording", SPEC_ANSWERS, ids=_ids)
def test_the_toolkit_parses_a_recording(recording: Recording) -> None:
    transport = httpx.MockTransport(lambda request: _response(recording))
    with (
        httpx.Client(transport=transport) as http,
        Inexogy(auth=BasicAuth("a@example.com", "pw"), base_url=BASE, http_client=http) as api,
    ):
        call = TOOLKIT[recording.operation or ""]
        if recording.status == 400:
            with pytest.raises(BadRequestError) as raised:
                call(api, recording)
            assert recording.body in str(raised.value)
            return
        parsed = call(api, recording)
    assert parsed is not None
    if recording.operation == "getReadings":
        assert parsed.times == [reading["time"] for reading in recording.body]
    if recording.operation == "getRawLoadProfile":
        assert parsed == recording.body


# (c) the simulator ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def simulator() -> Iterator[tuple[httpx.Client, DemoMeters]]:
    """The simulator on loopback, its data clock at the mock tests' NOW."""
    with (
        running(create_app(clock=lambda: NOW_S)) as url,
        httpx.Client(base_url=url, auth=httpx.BasicAuth(DEMO_EMAIL, DEMO_PASSWORD)) as client,
    ):
        yield client, meters_of(url, DEMO_EMAIL, DEMO_PASSWORD)


def _params(recording: Recording, meters: DemoMeters) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, value in recording.params.items():
        if name == "meterId":
            value = getattr(meters, value)
        elif isinstance(value, str) and value.startswith("now"):
            value = NOW_MS - int(value.removeprefix("now-") or 0) if "-" in value else NOW_MS
        params[name] = value
    return params


RAW_LOAD_PROFILE_ROW = re.compile(r"(\(\d+\.\d{4}\))+")


def _text_differences(recording: Recording, text: str, params: dict[str, Any]) -> list[str]:
    if recording.text is not None:
        expected = recording.text.replace("{meterId}", str(params.get("meterId", "")))
        return [] if text == expected else [f"{text!r} against {expected!r}"]
    # the raw load-profile file: 0x02, the header with its channel count, rows of 4 decimals
    header, *rows = [line.rstrip("\r") for line in text.strip("\x03").splitlines()]
    found = re.fullmatch(
        r"\x02P\.01\(\d{13}\)\(\d{8}\)\(15\)\((\d+)\)((?:\([\d.]+\)\(\w+\))+)", header
    )
    if found is None:
        return [f"header {header!r}"]
    channels = int(found.group(1))
    problems = [] if found.group(2).count(")(") // 1 == 2 * channels - 1 else ["channel count"]
    for row in rows:
        if not RAW_LOAD_PROFILE_ROW.fullmatch(row) or row.count("(") != channels:
            problems.append(f"row {row!r}")
    return problems


@pytest.mark.parametrize("recording", RECORDINGS, ids=_ids)
def test_the_simulator_answers_like_the_recording(
    simulator: tuple[httpx.Client, DemoMeters], recording: Recording
) -> None:
    client, meters = simulator
    params = _params(recording, meters)
    response = client.get(recording.path, params=params)
    assert response.status_code == recording.status, response.text
    assert response.headers["content-type"].split(";")[0] == recording.content_type
    if recording.content_type == "application/json":
        differences = shape_differences(recording.body, orjson.loads(response.content), recording)
        unfiltered = Recording(**{**recording.__dict__, "known_differences": frozenset()})
        found = shape_differences(recording.body, response.json(), unfiltered)
        for known in recording.known_differences:  # still different, or drop it from the file
            assert any(difference.startswith(f"{known}:") for difference in found), known
    else:
        differences = _text_differences(recording, response.text, params)
    assert differences == []
