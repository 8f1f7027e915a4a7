"""Readings as columns: merging chunks, polars tables, atomic export."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from inexogy import Readings
from inexogy.readings import build_readings
from inexogy_client.models import Reading


def reading(time: int, **values: float) -> Reading:
    return Reading.from_dict({"time": time, "values": values})


def test_chunks_merge_without_duplicate_at_an_inclusive_border() -> None:
    # A server treating `to` as inclusive answers the border reading in both chunks.
    first = [reading(0, power=1), reading(10, power=2), reading(20, power=3)]
    second = [reading(20, power=3), reading(30, power=4)]
    table = build_readings("m", "raw", [(0, 20, first), (20, 40, second)])
    assert table.times == [0, 10, 20, 30]
    assert table.columns == {"power": [1, 2, 3, 4]}


def test_readings_outside_the_span_asked_for_are_dropped() -> None:
    table = build_readings(
        "m", "raw", [(10, 30, [reading(5, power=0), reading(10, power=1), reading(30, power=9)])]
    )
    assert table.times == [10]


def test_missing_fields_become_none_and_unknown_fields_keep_their_name() -> None:
    answer = [
        reading(0, energy=5, power=1),
        reading(1, energy=6),
        reading(2, energy=7, power=3, **{"DISHWASHER-1": 11}),
    ]
    table = build_readings("m", "raw", [(0, 3, answer)])
    assert table.columns == {
        "energy": [5, 6, 7],
        "power": [1, None, 3],
        "DISHWASHER-1": [None, None, 11],
    }
    assert table.fields == ["energy", "power", "DISHWASHER-1"]
    assert len(table) == 3


def test_both_field_generations_are_columns_under_their_wire_names() -> None:
    table = build_readings(
        "m", "raw", [(0, 2, [reading(0, phase1Power=5, voltage1=230_000), reading(1, power1=7)])]
    )
    assert table.columns == {
        "power1": [None, 7],
        "voltage1": [230_000, None],
        "phase1Power": [5, None],
    }


def test_readings_out_of_order_are_sorted_and_deduplicated() -> None:
    answer = [reading(20, power=3), reading(0, power=1), reading(20, power=3), reading(10, power=2)]
    table = build_readings("m", "raw", [(0, 30, answer)])
    assert table.times == [0, 10, 20]
    assert table.columns == {"power": [1, 2, 3]}


def test_no_readings_give_an_empty_table_with_a_typed_time_column() -> None:
    table = build_readings("m", "raw", [(0, 10, [])])
    frame = table.to_polars()
    assert len(table) == 0
    assert frame.columns == ["time"]
    assert frame.schema["time"] == pl.Datetime("ms", "UTC")


def sample() -> Readings:
    return Readings(
        meter_id="m",
        resolution="fifteen_minutes",
        times=[1_704_067_200_000, 1_704_068_100_000],
        columns={
            "energy": [123_400_000_000, 123_500_000_000],
            "power": [1_500_000, None],
            "phase1Voltage": [230_100, 229_900],
            "actualityDuration": [7, 8],
        },
    )


def test_to_polars_raw_keeps_values_and_gives_aware_utc_times() -> None:
    frame = sample().to_polars()
    assert frame.columns == ["time", "energy", "power", "phase1Voltage", "actualityDuration"]
    assert frame.schema["time"] == pl.Datetime("ms", "UTC")
    assert frame["time"].to_list() == [
        datetime(2024, 1, 1, tzinfo=UTC),
        datetime(2024, 1, 1, 0, 15, tzinfo=UTC),
    ]
    assert frame["energy"].to_list() == [123_400_000_000, 123_500_000_000]
    assert frame["power"].to_list() == [1_500_000, None]


def test_to_polars_si_converts_and_renames() -> None:
    frame = sample().to_polars("si")
    assert frame.columns == [
        "time",
        "energy_kWh",
        "power_W",
        "phase1Voltage_V",
        "actualityDuration",
    ]
    assert frame["energy_kWh"].to_list() == pytest.approx([12.34, 12.35])
    assert frame["power_W"].to_list() == [1500.0, None]
    assert frame["phase1Voltage_V"].to_list() == pytest.approx([230.1, 229.9])
    assert frame["actualityDuration"].to_list() == [7, 8]


def test_si_values_are_the_decimal_quotients_without_float_noise(tmp_path: Path) -> None:
    # Multiplying by the reciprocal gives 87.98100000000001, 229.44400000000002, 19590.662827250002.
    table = Readings(
        meter_id="m",
        resolution="fifteen_minutes",
        times=[1_704_067_200_000],
        columns={"power": [87_981], "voltage1": [229_444], "energyOut": [195_906_628_272_500]},
    )
    frame = table.to_polars("si")
    # Energy to the 0.1 Wh a meter resolves, not the 10^-10 kWh of the raw unit.
    assert frame.row(0)[1:] == (87.981, 229.444, 19_590.6628)
    csv_line = table.write(tmp_path / "r.csv", units="si").read_text().splitlines()[1]
    assert csv_line.endswith(",87.981,229.444,19590.6628")


def test_unknown_units_are_refused() -> None:
    with pytest.raises(ValueError, match="'raw' or 'si'"):
        sample().to_polars("kwh")  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "parquet"])
def test_write_round_trips_through_each_format(tmp_path: Path, suffix: str) -> None:
    path = sample().write(tmp_path / f"out.{suffix}", units="si")
    assert path == tmp_path / f"out.{suffix}"
    if suffix == "csv":
        back = pl.read_csv(path)
        assert back["time"].to_list()[0] == "2024-01-01T00:00:00+00:00"  # ISO 8601, one form
    elif suffix == "jsonl":
        rows = [json.loads(line) for line in path.read_text().splitlines()]
        assert len(rows) == 2
        assert rows[1]["power_W"] is None
        back = pl.DataFrame(rows)
    else:
        back = pl.read_parquet(path)
        assert back.schema["time"] == pl.Datetime("ms", "UTC")
    assert back["energy_kWh"].to_list() == pytest.approx([12.34, 12.35])
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"out.{suffix}"]


def test_write_infers_the_format_from_the_suffix_and_refuses_unknown_ones(tmp_path: Path) -> None:
    sample().write(tmp_path / "x.parquet")
    assert pl.read_parquet(tmp_path / "x.parquet").height == 2
    with pytest.raises(ValueError, match=r"\.csv"):
        sample().write(tmp_path / "x.xlsx")


def test_a_failed_export_leaves_the_old_file_and_no_partial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "readings.csv"
    target.write_text("old complete data\n")

    def fail_midway(self: pl.DataFrame, file: Any, *args: Any, **kwargs: Any) -> None:
        file.write(b"time,ener")
        raise OSError("disk full")

    monkeypatch.setattr(pl.DataFrame, "write_csv", fail_midway)
    with pytest.raises(OSError, match="disk full"):
        sample().write(target, "csv")
    assert target.read_text() == "old complete data\n"
    assert [p.name for p in tmp_path.iterdir()] == ["readings.csv"]


@given(
    st.lists(st.integers(min_value=0, max_value=60), min_size=1, max_size=40),
    st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=4),
    st.booleans(),
)
def test_any_chunks_merge_to_the_sorted_unique_readings_of_their_spans(
    times: list[int], widths: list[int], inclusive_to: bool
) -> None:
    borders = [0]
    for width in widths:
        borders.append(borders[-1] + width)
    chunks = []
    for lower, upper in pairwise(borders):
        # What a server could answer: its readings in any order, the `to` border included or
        # not, and one reading from outside the span.
        inside = [t for t in times if lower <= t < upper or (inclusive_to and t == upper)]
        answer = [reading(t, power=t * 10, **({"extra": t} if t % 3 == 0 else {})) for t in inside]
        answer.append(reading(upper + 100, power=0))
        chunks.append((lower, upper, answer))
    table = build_readings("m", "raw", chunks)
    expected = sorted({t for t in times if t < borders[-1]})
    assert table.times == expected
    if expected:
        assert table.columns["power"] == [t * 10 for t in expected]
    if any(t % 3 == 0 for t in expected):
        assert table.columns["extra"] == [t if t % 3 == 0 else None for t in expected]
