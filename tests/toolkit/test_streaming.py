"""Streamed exports: in order, in bounded memory, and the same file as the in-memory path."""

from __future__ import annotations

import asyncio
import io
import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import orjson
import polars as pl
import pyarrow.parquet as pq
import pytest
from inexogy import AsyncInexogy, Inexogy, InvalidResponseError
from inexogy.export import CsvDialect, SchemaChangedError, open_writer
from inexogy.stream import export_frames, ordered, ordered_async
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD
from toolkit_testkit import FakeTime, demo_client, fixed_now

BERLIN = ZoneInfo("Europe/Berlin")
# 70 days of 15-minute readings: three requests (31 days each at most), 6,720 rows.
LONG = (datetime(2024, 1, 10, tzinfo=UTC), datetime(2024, 3, 20, tzinfo=UTC))
# One request: a day of 15-minute readings.
SHORT = (datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 3, 2, tzinfo=UTC))
# Across the spring change in Berlin (2024-03-31), local days, two requests.
ACROSS_DST = (datetime(2024, 3, 20, tzinfo=BERLIN), datetime(2024, 4, 10, tzinfo=BERLIN))


# ordered / ordered_async: the order of the tasks, whatever the order of arrival


def reversed_arrival(count: int) -> tuple[list[Callable[[], int]], list[int]]:
    """Tasks that finish last to first: each waits until the one after it has finished."""
    finished = [threading.Event() for _ in range(count)]
    arrivals: list[int] = []
    lock = threading.Lock()

    def task(index: int) -> int:
        if index + 1 < count:
            assert finished[index + 1].wait(10)
        with lock:
            arrivals.append(index)
        finished[index].set()
        return index

    return [lambda index=index: task(index) for index in range(count)], arrivals


def test_chunks_arriving_out_of_order_are_handed_on_in_order() -> None:
    tasks, arrivals = reversed_arrival(4)
    assert list(ordered(tasks, max_in_flight=4)) == [0, 1, 2, 3]
    assert arrivals == [3, 2, 1, 0]


def test_chunks_arriving_out_of_order_are_written_in_order(tmp_path: Path) -> None:
    tasks, arrivals = reversed_arrival(5)

    def frames() -> Iterator[pl.DataFrame]:
        for index in ordered(tasks, max_in_flight=5):
            yield pl.DataFrame({"time": [index * 10, index * 10 + 5], "power": [index, -index]})

    result = export_frames(frames, tmp_path / "out.csv", "csv")

    assert arrivals == [4, 3, 2, 1, 0]
    assert pl.read_csv(tmp_path / "out.csv")["time"].to_list() == [
        t for index in range(5) for t in (index * 10, index * 10 + 5)
    ]
    assert result.rows == 10


def test_async_chunks_arriving_out_of_order_are_handed_on_in_order() -> None:
    async def run() -> tuple[list[int], list[int]]:
        finished = [asyncio.Event() for _ in range(4)]
        arrivals: list[int] = []

        async def task(index: int) -> int:
            if index + 1 < 4:
                await finished[index + 1].wait()
            arrivals.append(index)
            finished[index].set()
            return index

        tasks = [lambda index=index: task(index) for index in range(4)]
        return [item async for item in ordered_async(tasks, 4)], arrivals

    handed_on, arrivals = asyncio.run(run())
    assert handed_on == [0, 1, 2, 3]
    assert arrivals == [3, 2, 1, 0]


def test_a_failed_chunk_raises_in_its_turn_and_later_ones_never_start() -> None:
    started: list[int] = []

    def task(index: int) -> int:
        started.append(index)
        if index == 2:
            raise InvalidResponseError("broken", status=200)
        return index

    tasks = [lambda index=index: task(index) for index in range(20)]
    handed_on: list[int] = []
    with pytest.raises(InvalidResponseError):
        handed_on.extend(ordered(tasks, max_in_flight=2))
    assert handed_on == [0, 1]
    assert max(started) <= 4  # the window moved on by at most its width after the failure


# Bounded memory: no more chunks alive than in flight, however many are streamed


@pytest.mark.parametrize("format", ["csv", "jsonl", "parquet"])
@pytest.mark.parametrize("max_in_flight", [1, 3])
def test_streaming_holds_no_more_chunks_than_are_in_flight(
    tmp_path: Path, format: Any, max_in_flight: int
) -> None:
    alive = 0
    most_alive = 0
    lock = threading.Lock()

    def released() -> None:
        nonlocal alive
        with lock:
            alive -= 1

    def chunk(index: int) -> pl.DataFrame:
        nonlocal alive, most_alive
        frame = pl.DataFrame({"time": range(index * 1000, index * 1000 + 1000), "power": 1.5})
        with lock:
            alive += 1
            most_alive = max(most_alive, alive)
        weakref.finalize(frame, released)
        return frame

    tasks = [lambda index=index: chunk(index) for index in range(60)]
    result = export_frames(
        lambda: ordered(tasks, max_in_flight), tmp_path / f"out.{format}", format
    )

    assert result.rows == 60_000
    # the chunks being fetched or waiting their turn, the one being written included
    assert most_alive <= max_in_flight
    assert alive == 0


# The streamed export against the live simulator: the file the in-memory path writes


def assert_same_file(streamed: Path, in_memory: Path) -> None:
    if streamed.suffix == ".parquet":
        assert pl.read_parquet(streamed).equals(pl.read_parquet(in_memory))
        assert pl.read_parquet(streamed).schema == pl.read_parquet(in_memory).schema
    else:
        assert streamed.read_bytes() == in_memory.read_bytes()


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
@pytest.mark.parametrize(
    ("span", "fields", "units"),
    [
        (SHORT, None, "si"),
        (LONG, ["energy", "power"], "raw"),
        (ACROSS_DST, None, "si"),
    ],
    ids=["one-chunk", "many-chunks-fields", "across-dst"],
)
def test_a_streamed_export_is_the_file_the_in_memory_path_writes(
    api: Inexogy,
    solar_id: str,
    tmp_path: Path,
    suffix: str,
    span: tuple[datetime, datetime],
    fields: list[str] | None,
    units: Any,
) -> None:
    start, end = span
    streamed, in_memory = tmp_path / f"streamed{suffix}", tmp_path / f"in_memory{suffix}"
    common: dict[str, Any] = {"resolution": "fifteen_minutes", "fields": fields}

    result = api.export(solar_id, streamed, start, end, units=units, **common)
    table = api.readings(solar_id, start, end, **common)
    table.write(in_memory, units=units)

    assert result.path == streamed
    # elapsed time, not wall-clock difference: the spring change day has 23 hours
    assert result.rows == len(table) == (end.timestamp() - start.timestamp()) // 900
    assert_same_file(streamed, in_memory)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([streamed.name, in_memory.name])
    if suffix == ".parquet":
        chunks = len(api._frame_calls(solar_id, start, end, "fifteen_minutes", fields))
        assert pq.ParquetFile(streamed).num_row_groups == chunks


@pytest.mark.parametrize("format", ["csv", "jsonl"])
def test_a_streamed_export_to_a_stream_is_the_file_too(
    api: Inexogy, solar_id: str, tmp_path: Path, format: Any
) -> None:
    buffer = io.BytesIO()
    result = api.export(solar_id, buffer, *LONG, format=format, resolution="fifteen_minutes")
    api.readings(solar_id, *LONG, resolution="fifteen_minutes").write(
        tmp_path / f"x.{format}", units="raw"
    )
    assert result.path is None
    assert buffer.getvalue() == (tmp_path / f"x.{format}").read_bytes()


def test_iter_readings_yields_each_request_in_time_order(api: Inexogy, solar_id: str) -> None:
    chunks = list(api.iter_readings(solar_id, *LONG, resolution="fifteen_minutes", units="si"))
    whole = api.readings(solar_id, *LONG, resolution="fifteen_minutes").to_polars("si")

    assert len(chunks) == 3
    assert pl.concat(chunks).equals(whole)
    assert chunks[0]["time"].max() < chunks[1]["time"].min()


def test_async_iter_readings_and_export_match_the_sync_ones(
    base_url: str, solar_id: str, api: Inexogy, tmp_path: Path
) -> None:
    async def run() -> tuple[list[pl.DataFrame], Any]:
        async with AsyncInexogy(
            auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=base_url, clock=fixed_now
        ) as client:
            chunks = [
                chunk
                async for chunk in client.iter_readings(
                    solar_id, *LONG, resolution="fifteen_minutes"
                )
            ]
            result = await client.export(
                solar_id, tmp_path / "async.parquet", *LONG, resolution="fifteen_minutes"
            )
            return chunks, result

    chunks, result = asyncio.run(run())
    sync_chunks = list(api.iter_readings(solar_id, *LONG, resolution="fifteen_minutes"))
    assert [c.height for c in chunks] == [c.height for c in sync_chunks]
    assert pl.concat(chunks).equals(pl.concat(sync_chunks))
    assert result.rows == sum(c.height for c in chunks)
    assert pl.read_parquet(tmp_path / "async.parquet").equals(pl.concat(chunks))


# Unknown fields, and fields that change within the range (the file is started over)


class Rewriting(httpx.HTTPTransport):
    """The simulator's answers, with each reading's values changed by ``change(values, t)``."""

    def __init__(self, change: Callable[[dict[str, Any], int], None]) -> None:
        super().__init__()
        self.change = change
        self.requests = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if not request.url.path.endswith("/readings"):
            return response
        self.requests += 1
        readings = orjson.loads(response.read())
        response.close()
        for reading in readings:
            self.change(reading["values"], reading["time"])
        return httpx.Response(200, content=orjson.dumps(readings), request=request)


@contextmanager
def rewritten_client(
    base_url: str, change: Callable[[dict[str, Any], int], None]
) -> Iterator[Inexogy]:
    """A demo client whose readings answers pass through ``Rewriting(change)``."""
    with (
        httpx.Client(base_url=base_url, transport=Rewriting(change)) as http,
        demo_client(base_url, FakeTime(), http_client=http) as api,
    ):
        yield api


FEBRUARY = int(datetime(2024, 2, 10, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    "change",
    [
        # a field the spec does not know, in every reading
        lambda values, time: values.update(fieldOfANewMeter=time // 1000 % 97),
        # ... that appears only from the second request on: the file is started over
        lambda values, time: values.update(lateField=7) if time >= FEBRUARY else None,
        # a field whose values turn from integers to fractions in the second request
        lambda values, time: values.update(
            power=values["power"] + (0.5 if time >= FEBRUARY else 0)
        ),
    ],
    ids=["unknown-field", "field-appearing-late", "integers-then-fractions"],
)
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_unknown_and_changing_fields_stream_to_the_in_memory_file(
    base_url: str,
    solar_id: str,
    tmp_path: Path,
    suffix: str,
    change: Callable[[dict[str, Any], int], None],
) -> None:
    streamed, in_memory = tmp_path / f"streamed{suffix}", tmp_path / f"in_memory{suffix}"
    with rewritten_client(base_url, change) as api:
        api.export(solar_id, streamed, *LONG, resolution="fifteen_minutes")
        table = api.readings(solar_id, *LONG, resolution="fifteen_minutes")
    table.write(in_memory)

    assert_same_file(streamed, in_memory)
    frame = pl.read_parquet(streamed) if suffix == ".parquet" else table.to_polars()
    assert frame.height == 6720
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_field_appearing_late_on_a_stream_is_a_clear_error(base_url: str, solar_id: str) -> None:
    change = lambda values, time: values.update(lateField=7) if time >= FEBRUARY else None  # noqa: E731
    with rewritten_client(base_url, change) as api, pytest.raises(SchemaChangedError):
        api.export(solar_id, io.BytesIO(), *LONG, format="csv", resolution="fifteen_minutes")


def test_a_value_that_is_a_string_fails_the_export_and_writes_nothing(
    base_url: str, solar_id: str, tmp_path: Path
) -> None:
    def change(values: dict[str, Any], time: int) -> None:
        if time >= FEBRUARY:
            values["power"] = "high"

    target = tmp_path / "x.csv"
    with (
        rewritten_client(base_url, change) as api,
        pytest.raises(InvalidResponseError, match=r"GET /readings.*'power'.*string"),
    ):
        api.export(solar_id, target, *LONG, resolution="fifteen_minutes")
    assert list(tmp_path.iterdir()) == []


# CSV for spreadsheets


def test_csv_dialect_for_german_spreadsheets(api: Inexogy, solar_id: str, tmp_path: Path) -> None:
    import csv

    target = tmp_path / "de.csv"
    api.export(
        solar_id, target, *SHORT, resolution="fifteen_minutes", units="si",
        csv_separator=";", decimal_comma=True,
    )  # fmt: skip
    plain = api.readings(solar_id, *SHORT, resolution="fifteen_minutes").to_polars("si")

    back = pl.read_csv(target, separator=";", decimal_comma=True, try_parse_dates=True)
    assert back.drop("time").equals(plain.drop("time"))
    with target.open(newline="") as text:
        rows = list(csv.reader(text, delimiter=";"))
    assert rows[0] == plain.columns
    assert len(rows) == 97
    power = rows[1][plain.columns.index("power_W")]
    assert "," in power or power.lstrip("-").isdigit()
    assert "." not in "".join(rows[1][1:])


@pytest.mark.parametrize(
    ("separator", "decimal_comma", "complaint"),
    [
        (",", True, "decimal comma needs another"),
        ("ab", False, "one ASCII character"),
        ('"', False, "cannot be"),
    ],
)
def test_a_bad_csv_dialect_is_refused(separator: str, decimal_comma: bool, complaint: str) -> None:
    with pytest.raises(ValueError, match=complaint):
        CsvDialect(separator=separator, decimal_comma=decimal_comma)


def test_a_writer_given_no_rows_writes_the_header_only() -> None:
    stream = io.BytesIO()
    writer = open_writer(stream, "csv")
    writer.write(pl.DataFrame(schema={"time": pl.Int64}))
    writer.close()
    assert stream.getvalue() == b"time\n"


@pytest.mark.parametrize("max_in_flight", [1, 3])
def test_async_streaming_holds_no_more_chunks_than_are_in_flight(max_in_flight: int) -> None:
    alive = 0
    most_alive = 0

    def released() -> None:
        nonlocal alive
        alive -= 1

    async def chunk(index: int) -> pl.DataFrame:
        nonlocal alive, most_alive
        await asyncio.sleep(0)
        frame = pl.DataFrame({"time": [index], "power": 1.5})
        alive += 1
        most_alive = max(most_alive, alive)
        weakref.finalize(frame, released)
        return frame

    async def consume() -> int:
        rows = 0
        tasks = [lambda index=index: chunk(index) for index in range(30)]
        async for frame in ordered_async(tasks, max_in_flight):
            await asyncio.sleep(0)  # the fetches in flight run while a chunk is consumed
            rows += len(frame)
            del frame
        return rows

    assert asyncio.run(consume()) == 30
    assert most_alive <= max_in_flight
    assert alive == 0
