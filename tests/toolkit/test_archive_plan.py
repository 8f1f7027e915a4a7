"""Planning and running a sync without a server: periods, finality, meters left out, memory."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from inexogy import read_archive, to_ms
from inexogy.archive.plan import plan_sync
from inexogy.archive.sync import run_threaded
from inexogy_client.models import Meter
from inexogy_client.types import UNSET, Unset

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)
JAN, FEB, MAR = (datetime(2024, month, 1, tzinfo=UTC) for month in (1, 2, 3))


def meter(
    meter_id: str,
    first: datetime | int | Unset | None,
    last: datetime | int | Unset | None,
) -> Meter:
    def ms(value: datetime | int | Unset | None) -> int | Unset:
        return to_ms(value) if isinstance(value, datetime) else UNSET if value is None else value

    return Meter(
        meter_id=meter_id,
        manufacturer_id="ESY",
        serial_number=meter_id[-8:],
        full_serial_number=f"1ESY11{meter_id[-8:]}",
        type_="EASYMETER",
        measurement_type="ELECTRICITY",
        first_measurement_time=ms(first),
        last_measurement_time=ms(last),
    )


def test_a_live_meter_has_final_periods_then_the_open_one(tmp_path: Path) -> None:
    live = meter("a" * 24 + "00000001", datetime(2024, 3, 20, 7, tzinfo=UTC), NOW)
    plan = plan_sync(tmp_path, [live], "fifteen_minutes", None, NOW)
    assert [(t.period.name, t.final) for t in plan.tasks] == [
        ("2024-03", True), ("2024-04", True), ("2024-05", True), ("2024-06", False)
    ]  # fmt: skip
    assert plan.tasks[0].period.start == datetime(2024, 3, 1, tzinfo=UTC)  # whole months
    assert plan.tasks[-1].fetch_end_ms == to_ms(NOW)  # the open month: up to now
    assert plan.tasks[-1].path == (
        tmp_path / f"meter={live.meter_id}" / "resolution=fifteen_minutes" / "2024-06.parquet"
    )


def test_a_meter_that_stopped_sending_ends_with_its_last_period(tmp_path: Path) -> None:
    stopped = meter("b" * 32, datetime(2024, 1, 1, tzinfo=UTC), datetime(2024, 2, 10, tzinfo=UTC))
    plan = plan_sync(tmp_path, [stopped], "raw", datetime(2024, 2, 8, tzinfo=UTC), NOW)
    assert [(t.period.name, t.final) for t in plan.tasks] == [
        ("2024-02-08", True), ("2024-02-09", True), ("2024-02-10", False)
    ]  # fmt: skip
    assert plan.tasks[-1].fetch_end_ms == to_ms(datetime(2024, 2, 11, tzinfo=UTC))


@pytest.mark.parametrize(
    ("first", "last", "start", "reason"),
    [
        (-1, -1, None, "it has never sent data"),
        (None, None, None, "its first measurement time is unknown"),
        (JAN, FEB, MAR, "it has no data after the start"),
    ],
)  # fmt: skip
def test_meters_without_data_to_fetch_are_left_out_with_the_reason(
    tmp_path: Path, first: object, last: object, start: datetime | None, reason: str
) -> None:
    plan = plan_sync(tmp_path, [meter("c" * 32, first, last)], "fifteen_minutes", start, NOW)
    assert plan.tasks == []
    assert plan.left_out["c" * 32].startswith(reason)


def test_an_unknown_first_measurement_is_fine_with_a_start(tmp_path: Path) -> None:
    plan = plan_sync(
        tmp_path, [meter("d" * 32, None, None)], "one_day", datetime(2023, 5, 1, tzinfo=UTC), NOW
    )
    assert [(t.period.name, t.final) for t in plan.tasks] == [("2023", True), ("2024", False)]


class OneReading:
    """Stands in for ``Readings``: the sync needs only ``to_polars``."""

    def __init__(self, start: datetime) -> None:
        self.start = start

    def to_polars(self) -> pl.DataFrame:
        return pl.DataFrame({"time": [self.start], "energy": [1]}).with_columns(
            pl.col("time").dt.cast_time_unit("ms")
        )


@pytest.mark.parametrize("max_concurrency", [1, 3])
def test_no_more_periods_are_held_than_are_in_flight(tmp_path: Path, max_concurrency: int) -> None:
    live = meter("e" * 32, datetime(2024, 1, 1, tzinfo=UTC), NOW)
    tasks = plan_sync(tmp_path, [live], "raw", datetime(2024, 5, 20, tzinfo=UTC), NOW).tasks
    lock = threading.Lock()
    fetched: list[str] = []
    written: list[str] = []
    most_held = 0

    def fetch(meter_id: str, start: datetime, end: datetime, resolution: str) -> OneReading:
        nonlocal most_held
        with lock:
            fetched.append(f"{start:%Y-%m-%d}")
            most_held = max(most_held, len(fetched) - len(written))
        return OneReading(start)

    done = run_threaded(tasks, fetch, max_concurrency, lambda period: written.append(period.period))
    assert sorted(written) == sorted(fetched) == [t.period.name for t in tasks]
    assert len(done) == len(tasks) == 27
    assert most_held <= max_concurrency
    assert read_archive(tmp_path, resolution="raw", lazy=False).height == 27
