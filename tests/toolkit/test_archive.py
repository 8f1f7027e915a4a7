"""The readings archive: ``Inexogy.sync`` / ``AsyncInexogy.sync`` and ``read_archive``.

Against the simulator over loopback, its data clock fixed at NOW (2024-06-15 12:00 UTC, so
June is the still-open month); every request is counted where it arrives, at the server.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import duckdb
import polars as pl
import pytest
from inexogy import (
    ArchiveBusyError,
    ArchiveError,
    Inexogy,
    SyncedPeriod,
    read_archive,
    to_ms,
)
from inexogy.archive.layout import period_containing, period_named, periods_between
from inexogy.archive.lock import locked
from inexogy.files import TEMPORARY_SUFFIX
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, RequestLog, create_app, running
from toolkit_testkit import (
    NOW,
    SOLAR_SERIAL,
    FakeTime,
    MockServer,
    async_demo_client,
    demo_client,
)

MODERN_SERIAL = "1EBZ1100412873"
APRIL = datetime(2024, 4, 1, tzinfo=UTC)
JUNE = datetime(2024, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def counted() -> Iterator[tuple[str, RequestLog]]:
    """A simulator whose every request is recorded; its base URL and the record."""
    log = RequestLog(create_app(clock=NOW.timestamp))
    with running(log) as url:
        yield url, log


@pytest.fixture
def server(counted: tuple[str, RequestLog]) -> str:
    return counted[0]


@pytest.fixture
def log(counted: tuple[str, RequestLog]) -> RequestLog:
    counted[1].clear()
    return counted[1]


def files_of(root: Path) -> dict[str, bytes]:
    """Every archive file under ``root`` by relative path, with its bytes."""
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*.parquet"))
    }


def readings_spans(log: RequestLog) -> list[tuple[str, int, int]]:
    return sorted(
        (request.query["meterId"], int(request.query["from"]), int(request.query["to"]))
        for request in log.to("/readings")
    )


def test_periods_are_utc_calendar_days_months_and_years() -> None:
    months = periods_between(to_ms(datetime(2023, 11, 20, tzinfo=UTC)), to_ms(JUNE), "month")
    assert [period.name for period in months] == [
        "2023-11", "2023-12", "2024-01", "2024-02", "2024-03", "2024-04", "2024-05", "2024-06"
    ]  # fmt: skip
    assert months[1].end == datetime(2024, 1, 1, tzinfo=UTC)
    assert all(a.end_ms == b.start_ms for a, b in pairwise(months))
    leap_day = period_containing(to_ms(datetime(2024, 2, 29, 23, 59, tzinfo=UTC)), "day")
    assert (leap_day.name, leap_day.end) == ("2024-02-29", datetime(2024, 3, 1, tzinfo=UTC))
    assert period_containing(to_ms(NOW), "year").name == "2024"
    assert period_named("2024-06", "month") == months[-1]
    assert period_named("2024-13", "month") is None
    assert period_named("notes", "day") is None


def test_a_fresh_archive_equals_a_one_shot_export(server: str, tmp_path: Path) -> None:
    with demo_client(server, FakeTime()) as api:
        solar = api.find_meter(SOLAR_SERIAL).meter_id
        summary = api.sync(tmp_path, SOLAR_SERIAL, start=datetime(2024, 4, 10, tzinfo=UTC))
        table = api.readings(solar, APRIL, NOW, resolution="fifteen_minutes")
    export = table.to_polars()
    assert [(p.period, p.final) for p in summary.fetched] == [
        ("2024-04", True), ("2024-05", True), ("2024-06", False)
    ]  # fmt: skip
    assert summary.skipped == []
    assert summary.readings == export.height > 0
    folder = tmp_path / f"meter={solar}" / "resolution=fifteen_minutes"
    assert sorted(path.name for path in folder.iterdir()) == [
        "2024-04.parquet", "2024-05.parquet", "2024-06.parquet"
    ]  # fmt: skip
    archived = read_archive(tmp_path, solar, lazy=False)
    assert archived["meter"].unique().to_list() == [solar]
    assert archived.drop("meter").equals(export)
    in_si = read_archive(tmp_path, solar, units="si", lazy=False)
    assert in_si.drop("meter").equals(table.to_polars("si"))
    assert "energy_kWh" in in_si.columns


def test_a_second_sync_fetches_only_the_open_period_and_keeps_final_files(
    server: str, log: RequestLog, tmp_path: Path
) -> None:
    with demo_client(server, FakeTime()) as api:
        first = api.sync(tmp_path, [SOLAR_SERIAL, MODERN_SERIAL], start=APRIL)
        before = files_of(tmp_path)
        inodes = {name: (tmp_path / name).stat().st_ino for name in before}
        log.clear()
        second = api.sync(tmp_path, [SOLAR_SERIAL, MODERN_SERIAL], start=APRIL)
    meter_ids = [meter.meter_id for meter in first.meters]
    assert len(first.fetched) == 6
    # Only /meters and one request per meter for June, the still-open month.
    assert [request.path.rsplit("/", 1)[1] for request in log.requests] == [
        "meters", "readings", "readings"
    ]  # fmt: skip
    assert readings_spans(log) == sorted((m, to_ms(JUNE), to_ms(NOW)) for m in meter_ids)
    assert [(p.period, p.final) for p in second.fetched] == [("2024-06", False)] * 2
    assert [p.period for p in second.skipped] == ["2024-04", "2024-05"] * 2
    assert second.requests == 2
    after = files_of(tmp_path)
    assert after == before  # the same bytes, the open month included (same data clock)
    for name in before:
        if "2024-06" not in name:  # final files were not even rewritten
            assert (tmp_path / name).stat().st_ino == inodes[name]


class Stop(Exception):
    """Injected into a sync after some files were written."""


def test_an_interrupted_sync_finishes_on_rerun_without_refetching(
    server: str, log: RequestLog, tmp_path: Path
) -> None:
    interrupted, whole = tmp_path / "interrupted", tmp_path / "whole"
    written: list[SyncedPeriod] = []

    def crash_after_two(period: SyncedPeriod) -> None:
        written.append(period)
        if len(written) == 2:
            raise Stop

    start = datetime(2024, 1, 1, tzinfo=UTC)
    with demo_client(server, FakeTime(), max_concurrency=2) as api:
        with pytest.raises(Stop):
            api.sync(interrupted, SOLAR_SERIAL, start=start, on_period=crash_after_two)
        assert sorted(files_of(interrupted)) == sorted(
            str(p.path.relative_to(interrupted)) for p in written
        )
        log.clear()
        rerun = api.sync(interrupted, SOLAR_SERIAL, start=start)
        refetched = readings_spans(log)
        api.sync(whole, SOLAR_SERIAL, start=start)
    done = {p.period for p in written}
    assert {p.period for p in rerun.skipped} == {p for p in done if p != "2024-06"}
    assert not any(
        to_ms(p.start) <= low < to_ms(p.end) for p in written if p.final for _, low, _ in refetched
    )
    assert len(refetched) == 6 - len([p for p in written if p.final])
    assert files_of(interrupted) == files_of(whole)
    assert not list(interrupted.rglob(f"*{TEMPORARY_SUFFIX}"))


def test_a_damaged_file_and_leftovers_of_a_killed_sync_are_repaired(
    server: str, log: RequestLog, tmp_path: Path, killed_while_writing: Callable[[Path], Path]
) -> None:
    with demo_client(server, FakeTime()) as api:
        api.sync(tmp_path, SOLAR_SERIAL, start=APRIL)
        good = files_of(tmp_path)
        table = read_archive(tmp_path, lazy=False)
        april = next(tmp_path.rglob("2024-04.parquet"))
        # May is final: the next sync skips it, so only the sync's own clean-up can remove
        # what a writer of May killed outright left; meanwhile the reader ignores it.
        leftover = killed_while_writing(april.with_name("2024-05.parquet"))
        assert read_archive(tmp_path, lazy=False).equals(table)
        april.write_bytes(b"not parquet")
        log.clear()
        summary = api.sync(tmp_path, SOLAR_SERIAL, start=APRIL)
    assert [p.period for p in summary.fetched] == ["2024-04", "2024-06"]
    assert files_of(tmp_path) == good
    assert not leftover.exists()
    assert not list(tmp_path.rglob(f"*{TEMPORARY_SUFFIX}"))


@pytest.mark.anyio
async def test_async_sync_writes_the_same_archive(server: str, tmp_path: Path) -> None:
    with demo_client(server, FakeTime()) as api:
        api.sync(tmp_path / "sync", SOLAR_SERIAL, start=APRIL, resolution="one_hour")
    async with async_demo_client(server, FakeTime()) as api:
        summary = await api.sync(
            tmp_path / "async", SOLAR_SERIAL, start=APRIL, resolution="one_hour"
        )
        again = await api.sync(tmp_path / "async", SOLAR_SERIAL, start=APRIL, resolution="one_hour")
    assert len(summary.fetched) == 3
    assert [p.period for p in again.fetched] == ["2024-06"]
    assert files_of(tmp_path / "async") == files_of(tmp_path / "sync")


def test_a_sync_into_a_locked_archive_stops_before_writing(server: str, tmp_path: Path) -> None:
    tmp_path.mkdir(exist_ok=True)
    with demo_client(server, FakeTime()) as api, locked(tmp_path):
        with pytest.raises(ArchiveBusyError, match="another inexogy sync") as caught:
            api.sync(tmp_path, SOLAR_SERIAL, start=JUNE)
        assert str(caught.value).endswith("then run this one again")
    assert files_of(tmp_path) == {}
    with demo_client(server, FakeTime()) as api:  # released: the next sync runs
        assert len(api.sync(tmp_path, SOLAR_SERIAL, start=JUNE).fetched) == 1


def test_bad_arguments_are_refused_before_any_file_is_written(server: str, tmp_path: Path) -> None:
    with demo_client(server, FakeTime()) as api:
        with pytest.raises(ValueError, match="an archive keeps the resolutions"):
            api.sync(tmp_path / "a", resolution="one_week")
        clash = tmp_path / "file"
        clash.write_text("")
        with pytest.raises(ArchiveError, match="is a file, not a folder"):
            api.sync(clash, SOLAR_SERIAL)
    assert not (tmp_path / "a").exists()


def test_the_archive_reads_back_as_one_table_with_polars_and_duckdb(
    server: str, tmp_path: Path
) -> None:
    with demo_client(server, FakeTime()) as api:
        summary = api.sync(
            tmp_path, [SOLAR_SERIAL, MODERN_SERIAL], start=datetime(2024, 5, 20, tzinfo=UTC)
        )
    ours = read_archive(tmp_path, lazy=False)
    assert ours.height == summary.readings
    assert set(ours["meter"]) == {meter.meter_id for meter in summary.meters}
    assert ours.columns[:2] == ["meter", "time"]
    # polars and DuckDB on their own, through the hive layout. Plain polars takes the first
    # file's columns, so it reads one meter (meters of different kinds have other fields).
    solar = summary.meters[0].meter_id
    scanned = pl.scan_parquet(
        tmp_path / f"meter={solar}" / "**" / "*.parquet", hive_partitioning=True
    )
    mine = ours.filter(pl.col("meter") == solar)
    mine = mine.select(name for name in mine.columns if mine[name].null_count() < mine.height)
    assert scanned.select(mine.columns).collect().equals(mine)
    glob = str(tmp_path / "**" / "*.parquet")
    relation = duckdb.sql(
        "SELECT meter, epoch_ms(time) AS time, * EXCLUDE (meter, time, resolution) "
        f"FROM read_parquet('{glob}', hive_partitioning = true, union_by_name = true) "
        "ORDER BY meter, time"
    )
    assert relation.columns == ours.columns
    duck = pl.DataFrame(
        relation.fetchall(), schema=relation.columns, orient="row", infer_schema_length=None
    )
    assert duck.cast(ours.schema).equals(ours.sort("meter", "time"))


def test_read_archive_bounds_meters_and_times(server: str, tmp_path: Path) -> None:
    root = tmp_path / "site=home" / "archive"  # a name=value folder above is no column
    with demo_client(server, FakeTime()) as api:
        summary = api.sync(
            root, [SOLAR_SERIAL, MODERN_SERIAL], start=datetime(2024, 5, 20, tzinfo=UTC)
        )
    solar, modern = (meter.meter_id for meter in summary.meters)
    start, end = datetime(2024, 5, 31, 23, tzinfo=UTC), datetime(2024, 6, 1, 1, tzinfo=UTC)
    window = read_archive(root, [modern, solar], start=start, end=end).collect()
    quarter = timedelta(minutes=15)
    assert window["time"].to_list() == [start + i * quarter for i in range(8)] * 2
    assert window["meter"].to_list() == [modern] * 8 + [solar] * 8
    assert "site" not in window.columns
    assert read_archive(root, solar, end=APRIL, lazy=False).height == 0
    with pytest.raises(ArchiveError, match="holds no meter '1ESY1161229886'"):
        read_archive(root, SOLAR_SERIAL)
    with pytest.raises(ArchiveError, match="no archive at"):
        read_archive(tmp_path / "missing")


def test_a_file_that_cannot_be_written_is_an_archive_error(server: str, tmp_path: Path) -> None:
    with demo_client(server, FakeTime()) as api:
        solar = api.find_meter(SOLAR_SERIAL).meter_id
        blocked = tmp_path / f"meter={solar}" / "resolution=fifteen_minutes" / "2024-06.parquet"
        blocked.mkdir(parents=True)  # a folder where the file should go
        with pytest.raises(
            ArchiveError, match=r"cannot write .*2024-06\.parquet: .*run the sync again"
        ):
            api.sync(tmp_path, SOLAR_SERIAL, start=JUNE)
    assert not list(tmp_path.rglob(f"*{TEMPORARY_SUFFIX}"))


def test_the_open_month_becomes_final_once_the_meter_sent_data_after_it(
    mock_server: MockServer, tmp_path: Path
) -> None:
    july = datetime(2024, 7, 2, 6, tzinfo=UTC)
    with mock_server(clock=NOW.timestamp) as url, demo_client(url, FakeTime()) as api:
        api.sync(tmp_path, SOLAR_SERIAL, start=JUNE)
    with (
        mock_server(clock=july.timestamp) as url,
        Inexogy(auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url, clock=lambda: july) as api,
    ):
        later = api.sync(tmp_path, SOLAR_SERIAL, start=JUNE)
        again = api.sync(tmp_path, SOLAR_SERIAL, start=JUNE)
    assert [(p.period, p.final) for p in later.fetched] == [("2024-06", True), ("2024-07", False)]
    assert [p.period for p in again.fetched] == ["2024-07"]
    assert [p.period for p in again.skipped] == ["2024-06"]
    solar = later.meters[0].meter_id
    june = read_archive(tmp_path, solar, end=datetime(2024, 7, 1, tzinfo=UTC), lazy=False)
    assert june.height == 30 * 96  # the whole month now, not the half fetched on the 15th
