"""Malformed answers: each one raises ``InvalidResponseError`` naming the endpoint (issue 10, 2).

Served through ``httpx.MockTransport``, as these tests are about what exactly comes over the
wire. The well-formed bodies follow the real service's shapes (readings: a list of
``{"time": ms, "values": {...}}``; statistics: ``{field: {count, minimum, ...}}``;
disaggregation: ``{ms: {device: energy}}``), so each case breaks one thing.
"""

from __future__ import annotations

import gzip
import tracemalloc
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import inexogy
import pytest
from inexogy import AsyncInexogy, Inexogy, InexogyError, InvalidResponseError, ServerError
from inexogy_auth import BasicAuth

START = datetime(2024, 6, 1, tzinfo=UTC)
START_MS = int(START.timestamp() * 1000)
METER = "0" * 31 + "1"
GOOD_METER = (
    b'{"meterId": "' + METER.encode() + b'", "manufacturerId": "ESY", "serialNumber": "1",'
    b' "fullSerialNumber": "1ESY1", "type": "EASYMETER", "measurementType": "ELECTRICITY"}'
)

Call = Callable[[Inexogy], object]


def readings(api: Inexogy) -> object:
    return api.readings(METER, START, START + timedelta(hours=1))


def reading_body(time: bytes = str(START_MS).encode(), value: bytes = b"1") -> bytes:
    return b'[{"time": ' + time + b', "values": {"power": ' + value + b"}}]"


def statistics_body(count: bytes) -> bytes:
    return (
        b'{"power": {"count": ' + count + b', "minimum": 0, "maximum": 1, "mean": 0.5,'
        b' "variance": 0.1}}'
    )


CASES: list[tuple[str, Call, bytes, str]] = [
    # (what is wrong, the call, the body of its 200 answer, a fragment of the error text)
    ("200,000-deep JSON", readings, b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
    ("a string time", readings, reading_body(time=b'"noon"'), "time is a string"),
    ("a null time", readings, reading_body(time=b"null"), "time is null"),
    ("a float time", readings, reading_body(time=b"1717200000000.5"), "with a fraction"),
    ("a string value", readings, reading_body(value=b'"12"'), "a string where a number"),
    ("a boolean value", readings, reading_body(value=b"true"), "a boolean where a number"),
    ("NaN", readings, reading_body(value=b"NaN"), "not a finite number"),
    ("Infinity", readings, reading_body(value=b"Infinity"), "not a finite number"),
    ("-Infinity", readings, reading_body(value=b"-Infinity"), "not a finite number"),
    ("1e400", readings, reading_body(value=b"1e400"), "not a finite number"),
    ("a 30-digit integer", readings, reading_body(value=b"1" * 30), "does not fit in int64"),
    (
        "an unknown NaN field",
        readings,
        b'[{"time": 1717200000000, "values": {"x": NaN}}]',
        "finite",
    ),
    ("an absurd time", readings, reading_body(time=b"99999999999999999"), "not a Unix time"),
    ("a negative time", readings, reading_body(time=b"-5"), "not a Unix time"),
    ("a time years away", readings, reading_body(time=b"1"), "far outside the span"),
    ("readings not a list", readings, b'{"time": 1}', "not a JSON list of readings"),
    ("a reading not an object", readings, b"[1, 2]", "not a valid list of readings"),
    (
        "values not an object",
        readings,
        b'[{"time": 1717200000000, "values": 3}]',
        "a number, not an object",
    ),
    ("a reading without time", readings, b'[{"values": {}}]', "has no time"),
    ("meters not a list", Inexogy.meters, b'{"meterId": "x"}', "unexpected shape"),
    ("a meter not an object", Inexogy.meters, b"[1]", "unexpected shape"),
    ("a meter without id", Inexogy.meters, b'[{"serialNumber": "1"}]', "unexpected shape"),
    (
        "a numeric meter id",
        lambda api: api.find_meter("1"),
        b"[" + GOOD_METER.replace(b'"meterId": "' + METER.encode() + b'"', b'"meterId": 7') + b"]",
        "meters[0].meter_id is 7",
    ),
    (
        "a string scaling factor",
        Inexogy.meters,
        b"[" + GOOD_METER[:-1] + b', "scalingFactor": "1"}]',
        "scaling_factor is '1'",
    ),
    (
        "a numeric city",
        Inexogy.meters,
        b"[" + GOOD_METER[:-1] + b', "location": {"city": 1}}]',
        "location.city is 1",
    ),
    (
        "a first measurement time before 1970 (other than -1, never)",
        Inexogy.meters,
        b"[" + GOOD_METER[:-1] + b', "firstMeasurementTime": -2}]',
        "first_measurement_time is -2",
    ),
    ("a last reading list", lambda api: api.last_reading(METER), b"[]", "unexpected shape"),
    (
        "a last reading with a string time",
        lambda api: api.last_reading(METER),
        b'{"time": "x", "values": {}}',
        "time is 'x'",
    ),
    (
        "a last reading with NaN",
        lambda api: api.last_reading(METER),
        b'{"time": 1717200000000, "values": {"power": NaN}}',
        "not a finite number",
    ),
    (
        'statistics with count "x"',
        lambda api: api.statistics(METER, START),
        statistics_body(b'"x"'),
        "count is 'x'",
    ),
    (
        "statistics with a float count",
        lambda api: api.statistics(METER, START),
        statistics_body(b"1.5"),
        "not an integer",
    ),
    (
        "statistics with Infinity",
        lambda api: api.statistics(METER, START),
        statistics_body(b"1").replace(b'"mean": 0.5', b'"mean": Infinity'),
        "not a finite number",
    ),
    (
        "a disaggregation key that is no time",
        lambda api: api.disaggregation(METER, START),
        b'{"soon": {"FRIDGE-1": 5}}',
        "interval key 'soon'",
    ),
    (
        "a disaggregation energy NaN",
        lambda api: api.disaggregation(METER, START),
        b'{"1717200000000": {"FRIDGE-1": NaN}}',
        "not a finite number",
    ),
    (
        "an activity with a string energy",
        lambda api: api.activities(METER, START, START + timedelta(days=1)),
        b'[{"activityId": 1, "beginTime": 1717200000000, "endTime": 1717200060000,'
        b' "deviceId": 1, "deviceName": "A", "deviceType": "B", "energy": "5"}]',
        "energy is '5'",
    ),
    (
        "a load profile value that is text",
        lambda api: api.load_profile(METER, date(2024, 6, 1), date(2024, 6, 1)),
        b'[{"time": 1717200000000, "1.29": "x"}]',
        "not a number",
    ),
    ("field names of numbers", lambda api: api.field_names(METER), b"[1]", "not a list"),
    ("devices as an object", lambda api: api.devices(METER), b"{}", "not a list"),
    ("an empty body", Inexogy.meters, b"", "empty body"),
    ("broken JSON", Inexogy.meters, b'[{"meterId": ', "not valid JSON"),
    ("an HTML page", Inexogy.meters, b"<html>maintenance</html>", "not valid JSON"),
]


def serve(body: bytes, status: int = 200, headers: dict[str, str] | None = None) -> Inexogy:
    """A client whose every request is answered with ``body`` (JSON unless said otherwise)."""

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            status, content=body, headers=headers or {"Content-Type": "application/json"}
        )

    return serve_with(answer)


def serve_with(answer: Callable[[httpx.Request], httpx.Response], **kwargs: Any) -> Inexogy:
    http_client = httpx.Client(transport=httpx.MockTransport(answer))
    return Inexogy(
        auth=BasicAuth("user@example.com", "pw-of-the-test"),
        base_url="https://api.example.com/public/v1",
        http_client=http_client,
        retry=None,
        **kwargs,
    )


def endpoint_of(call: Call) -> str:
    """The endpoint a call requests, recorded from a throwaway client."""
    seen: list[str] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path.removeprefix("/public/v1"))
        return httpx.Response(500)

    with pytest.raises(InexogyError):
        call(serve_with(record))
    return seen[0]


@pytest.mark.parametrize(
    ("call", "body", "fragment"),
    [pytest.param(call, body, fragment, id=name) for name, call, body, fragment in CASES],
)
def test_a_malformed_answer_raises_invalid_response_naming_the_endpoint(
    call: Call, body: bytes, fragment: str
) -> None:
    with pytest.raises(InvalidResponseError) as caught:
        call(serve(body))
    message = str(caught.value)
    assert fragment in message
    assert f"GET {endpoint_of(call)}" in message
    assert caught.value.status == 200


def test_a_malformed_created_virtual_meter_is_refused() -> None:
    with pytest.raises(InvalidResponseError, match=r"POST /virtual_meter .*meter_id is 1"):
        serve(GOOD_METER.replace(b'"' + METER.encode() + b'"', b"1")).create_virtual_meter([METER])


def test_a_good_answer_still_passes() -> None:
    table = serve(reading_body()).readings(METER, START, START + timedelta(hours=1))
    assert table.times == [START_MS]
    assert table.columns == {"power": [1]}
    assert serve(b"[" + GOOD_METER + b"]").find_meter("1ESY1").meter_id == METER
    # -1: the meter never sent data, as the real service says (api-reference, Meter).
    never = b"[" + GOOD_METER[:-1] + b', "firstMeasurementTime": -1, "lastMeasurementTime": -1}]'
    assert serve(never).meters()[0].first_measurement_time == -1


def test_an_answer_past_the_declared_size_limit_is_refused_before_it_is_read() -> None:
    body = b"[" + b" " * 5000 + b"]"
    with pytest.raises(InvalidResponseError, match="GET /public/v1/meters answered more than 4096"):
        serve_with(
            lambda request: httpx.Response(200, content=body),
            response_limits={"/meters": 4096},
        ).meters()


def test_a_stream_without_length_is_cut_at_the_limit() -> None:
    produced: list[int] = []

    def endless() -> Iterator[bytes]:
        yield b"["
        for index in range(10_000):
            produced.append(index)
            yield b"1," * 512

    with pytest.raises(InvalidResponseError, match="answered more than 65536 bytes"):
        serve_with(
            lambda request: httpx.Response(200, content=endless()),
            response_limits={"/readings": 65536},
        ).readings(METER, START, START + timedelta(hours=1))
    assert len(produced) < 100  # stopped while arriving, not after 10 MB were read


class GzipBomb:
    """A small gzip body that decodes to ``decoded`` bytes, sent in small chunks (no length)."""

    def __init__(self, decoded: int, chunk: int = 256) -> None:
        compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
        piece = b" " * (1 << 20)
        body = compressor.compress(b"[")
        for _ in range(decoded // len(piece)):
            body += compressor.compress(piece)
        body += compressor.compress(b"]") + compressor.flush()
        self.body = body
        self.chunk = chunk
        self.sent = 0

    def chunks(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), self.chunk):
            self.sent += self.chunk
            yield self.body[start : start + self.chunk]

    def __aiter__(self) -> AsyncIterator[bytes]:
        async def chunks() -> AsyncIterator[bytes]:
            for piece in self.chunks():
                yield piece

        return chunks()

    def answer(self, request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        return httpx.Response(200, headers=headers, content=self.chunks())

    def async_answer(self, request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        return httpx.Response(200, headers=headers, content=self)


LIMIT = 1 << 20
DECODED = 16 << 20


@pytest.mark.parametrize(
    ("path", "call"), [("/meters", Inexogy.meters), ("/readings", readings)], ids=["typed", "raw"]
)
def test_a_gzip_bomb_is_refused_by_its_decoded_size_while_it_arrives(path: str, call: Call) -> None:
    # 16 KiB on the wire that would become 16 MiB in memory: the limit bounds memory, so it
    # counts decoded bytes, and stops the answer long before it is all decoded.
    bomb = GzipBomb(DECODED)
    assert len(bomb.body) < LIMIT // 8
    with pytest.raises(InvalidResponseError, match=f"answered more than {LIMIT} bytes"):
        call(serve_with(bomb.answer, response_limits={path: LIMIT}))
    assert bomb.sent < len(bomb.body) // 8


@pytest.mark.anyio
async def test_a_gzip_bomb_is_refused_by_its_decoded_size_async() -> None:
    bomb = GzipBomb(DECODED)
    http_client = httpx.AsyncClient(transport=httpx.MockTransport(bomb.async_answer))
    async with AsyncInexogy(
        auth=BasicAuth("user@example.com", "pw-of-the-test"),
        base_url="https://api.example.com/public/v1",
        http_client=http_client,
        retry=None,
        response_limits={"/readings": LIMIT},
    ) as api:
        with pytest.raises(InvalidResponseError, match=f"answered more than {LIMIT} bytes"):
            await api.readings(METER, START, START + timedelta(hours=1))
    assert bomb.sent < len(bomb.body) // 8


def test_a_coding_left_to_httpx_is_counted_decoded_too() -> None:
    # httpx ignores a coding it does not know (and decodes br or zstd when their package is
    # installed): such answers keep httpx's decoder, counted after each step.
    bomb = GzipBomb(DECODED)

    def answer(request: httpx.Request) -> httpx.Response:
        headers = {"Content-Type": "application/json", "Content-Encoding": "x-custom, gzip"}
        return httpx.Response(200, headers=headers, content=bomb.chunks())

    with pytest.raises(InvalidResponseError, match=f"answered more than {LIMIT} bytes"):
        serve_with(answer, response_limits={"/meters": LIMIT}).meters()
    assert bomb.sent < len(bomb.body) // 8


def encoded(body: bytes, codings: tuple[str, ...]) -> bytes:
    """``body`` with each of ``codings`` applied in order (as ``Content-Encoding`` lists them)."""
    for coding in codings:
        if coding == "gzip":
            body = gzip.compress(body, 9)
        elif coding == "deflate":
            body = zlib.compress(body, 9)
        else:  # raw deflate, which servers send as "deflate" too
            compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
            body = compressor.compress(body) + compressor.flush()
    return body


CODINGS = [("gzip",), ("deflate",), ("raw deflate",), ("gzip", "gzip"), ("deflate", "gzip")]


def header_of(codings: tuple[str, ...]) -> str:
    return ", ".join(coding.removeprefix("raw ") for coding in codings)


def id_of(codings: tuple[str, ...]) -> str:
    return "+".join(codings)


@pytest.mark.parametrize("codings", CODINGS, ids=id_of)
def test_decoding_never_holds_much_more_than_the_limit(codings: tuple[str, ...]) -> None:
    # The whole bomb arrives as one chunk: counting after each decode step would let that
    # step inflate it all (16 MiB here; gigabytes for a bomb in two layers of gzip).
    body = encoded(b"[" + b" " * DECODED + b"]", codings)
    headers = {"Content-Type": "application/json", "Content-Encoding": header_of(codings)}
    api = serve_with(
        lambda request: httpx.Response(200, headers=headers, content=iter([body])),
        response_limits={"/meters": LIMIT},
    )
    tracemalloc.start()
    try:
        with pytest.raises(InvalidResponseError, match=f"answered more than {LIMIT} bytes"):
            api.meters()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * LIMIT


@pytest.mark.parametrize("codings", CODINGS, ids=id_of)
def test_every_content_encoding_still_decodes(codings: tuple[str, ...]) -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": header_of(codings)}
    body = encoded(b"[" + GOOD_METER + b"]", codings)
    api = serve_with(
        lambda request: httpx.Response(200, headers=headers, content=iter([body[:7], body[7:]])),
    )
    assert [meter.meter_id for meter in api.meters()] == [METER]


def test_a_compressed_answer_within_the_limit_passes() -> None:
    # Just under the limit once decoded: the decoded count refuses nothing it should not.
    body = b"[" + GOOD_METER + b"]"
    padded = body[:-1] + b" " * (LIMIT - len(body)) + b"]"
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    api = serve_with(
        lambda request: httpx.Response(200, headers=headers, content=gzip.compress(padded)),
        response_limits={"/meters": LIMIT},
    )
    assert [meter.meter_id for meter in api.meters()] == [METER]


def test_the_default_limits_are_per_endpoint_and_configurable() -> None:
    api = serve(b"[]", 200)
    assert api.response_limits.for_path("/public/v1/readings") > api.response_limits.default
    changed = serve_with(lambda r: httpx.Response(200), response_limits={"/meters": 10})
    assert changed.response_limits.for_path("/public/v1/meters") == 10
    with pytest.raises(ValueError, match="positive"):
        serve_with(lambda r: httpx.Response(200), response_limits={"/meters": 0})


@pytest.mark.parametrize(("status", "kind"), [(599, ServerError), (299, InvalidResponseError)])
def test_an_unknown_status_is_an_inexogy_error(status: int, kind: type[InexogyError]) -> None:
    with pytest.raises(kind, match=f"unknown HTTP status {status}"):
        serve(b"[]", status).meters()


def test_a_body_that_is_not_the_gzip_it_claims_is_invalid() -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with pytest.raises(InvalidResponseError, match="Content-Encoding"):
        serve(b"[] not gzip", 200, headers).meters()
    assert serve(gzip.compress(b"[]"), 200, headers).meters() == []


def test_a_null_value_is_a_missing_value_not_a_refused_answer() -> None:
    # The columnar path cannot tell `"power": null` from a reading without power, and both
    # mean the same: no value. It is kept as a null, never as 0 and never dropped.
    table = readings(serve(reading_body(value=b"null")))
    assert isinstance(table, inexogy.Readings)
    assert table.times == [START_MS]
    assert table.columns["power"] == [None]
