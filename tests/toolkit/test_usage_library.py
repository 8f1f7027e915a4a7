"""``Inexogy.usage``: energy per local period from register differences, against the simulator."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from inexogy import AsyncInexogy, Inexogy, to_ms
from inexogy.usage import (
    UsageError,
    UsagePlanner,
    glitch_free,
    period_borders,
    period_label,
)
from inexogy_auth import BasicAuth
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, GlitchPlan, create_app, running

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 11, 5, 10, 20, 30, tzinfo=UTC)
"""The simulator's and the clients' "now": after both changes of daylight saving in 2025."""
SOLAR = "1ESY1161229886"
GAS = "7ELS8135823805"
KWH = 10**10  # raw energy units per kWh


def now() -> datetime:
    return NOW


def client(url: str) -> Inexogy:
    return Inexogy(auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url, clock=now)


@pytest.fixture(scope="module")
def url() -> Iterator[str]:
    with running(create_app(clock=NOW.timestamp)) as base_url:
        yield base_url


@pytest.fixture(scope="module")
def api(url: str) -> Iterator[Inexogy]:
    with client(url) as api:
        yield api


@pytest.fixture(scope="module")
def solar(api: Inexogy) -> str:
    return api.find_meter(SOLAR).meter_id


def registers_at(api: Inexogy, meter_id: str, moments: list[datetime]) -> dict[str, list[int]]:
    """The raw registers at each moment, read independently: hourly readings over the span."""
    table = api.readings(
        meter_id,
        moments[0],
        moments[-1] + timedelta(hours=1),
        resolution="one_hour",
        fields=["energy", "energyOut"],
    )
    index = {time: row for row, time in enumerate(table.times)}
    return {
        name: [int(table.columns[name][index[to_ms(moment)]] or 0) for moment in moments]
        for name in ("energy", "energyOut")
    }


def raw(column: pl.Series) -> list[int]:
    return [round(value * KWH) for value in column.to_list()]


# Periods and their borders, without the service


def test_a_berlin_day_across_a_change_of_daylight_saving_lasts_23_or_25_hours() -> None:
    spring = period_borders(
        datetime(2025, 3, 30, tzinfo=BERLIN), datetime(2025, 3, 31, tzinfo=BERLIN), "day", BERLIN
    )
    autumn = period_borders(
        datetime(2025, 10, 26, tzinfo=BERLIN), datetime(2025, 10, 27, tzinfo=BERLIN), "day", BERLIN
    )
    hours_in_spring = period_borders(spring[0], spring[1], "hour", BERLIN)
    hours_in_autumn = period_borders(autumn[0], autumn[1], "hour", BERLIN)

    assert spring[1].astimezone(UTC) - spring[0].astimezone(UTC) == timedelta(hours=23)
    assert autumn[1].astimezone(UTC) - autumn[0].astimezone(UTC) == timedelta(hours=25)
    assert len(hours_in_spring) - 1 == 23
    assert len(hours_in_autumn) - 1 == 25
    # The repeated hour of the autumn night appears twice, told apart by its offset.
    assert [border.isoformat() for border in hours_in_autumn[2:5]] == [
        "2025-10-26T02:00:00+02:00",
        "2025-10-26T02:00:00+01:00",
        "2025-10-26T03:00:00+01:00",
    ]
    assert [period_label(border, "hour") for border in hours_in_autumn[2:4]] == [
        "2025-10-26 02:00",
        "2025-10-26 02:00 (again)",
    ]


def test_periods_are_whole_local_weeks_months_and_years() -> None:
    wednesday = datetime(2025, 1, 1, 15, tzinfo=BERLIN)
    weeks = period_borders(wednesday, datetime(2025, 1, 10, tzinfo=BERLIN), "week", BERLIN)
    months = period_borders(wednesday, datetime(2025, 4, 2, tzinfo=BERLIN), "month", BERLIN)
    years = period_borders(wednesday, datetime(2026, 1, 1, tzinfo=BERLIN), "year", UTC)

    assert [b.isoformat() for b in weeks] == [
        "2024-12-30T00:00:00+01:00",  # the Monday of the week holding the start
        "2025-01-06T00:00:00+01:00",
        "2025-01-13T00:00:00+01:00",
    ]
    assert [b.isoformat() for b in months] == [
        "2025-01-01T00:00:00+01:00",
        "2025-02-01T00:00:00+01:00",
        "2025-03-01T00:00:00+01:00",
        "2025-04-01T00:00:00+02:00",
        "2025-05-01T00:00:00+02:00",
    ]
    assert [b.isoformat() for b in years] == [
        "2025-01-01T00:00:00+00:00",
        "2026-01-01T00:00:00+00:00",
    ]
    assert period_label(weeks[0], "week") == "2025-W01"
    assert period_label(months[3], "month") == "April 2025"


@pytest.mark.parametrize(
    ("values", "sound"),
    [
        ([10, 20, 30], [True, True, True]),
        ([10, 0, 30], [True, False, True]),  # a zero
        ([10, 20, 15, 30], [True, True, False, True]),  # a register that jumps back
        ([10, 100, 20, 30], [True, False, True, True]),  # a spike ahead
        ([10, 10, 10], [True, True, True]),  # a register standing still is sound
        ([0, 0], [False, False]),
        ([], []),
    ],
)
def test_glitches_are_zeros_and_whatever_breaks_the_rising_register(
    values: list[int], sound: list[bool]
) -> None:
    assert glitch_free(values) == sound


def test_each_border_is_read_at_the_coarsest_grid_that_holds_it() -> None:
    def resolutions(tz: object, per: str) -> list[tuple[str, int]]:
        planner = UsagePlanner(
            ["energy"], datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, tzinfo=UTC),
            per, tz, NOW + timedelta(days=400),  # type: ignore[arg-type]
        )  # fmt: skip
        return [(r.resolution, r.high - r.low) for r in planner.requests()]

    # UTC months sit on the service's monthly grid: one request for the whole year.
    assert [res for res, _ in resolutions("UTC", "month")] == ["one_month"]
    # Berlin months begin at 23:00 or 22:00 UTC: hourly readings, a few around each border,
    # never 15-minute data and never the whole year.
    berlin = resolutions(BERLIN, "month")
    assert {res for res, _ in berlin} == {"one_hour"}
    assert len(berlin) == 13
    assert all(span <= 2 * 3_600_000 + 1 for _, span in berlin)
    # Berlin days: hourly data, few requests (each within the 93 days a request may span).
    days = resolutions(BERLIN, "day")
    assert {res for res, _ in days} == {"one_hour"}
    assert len(days) <= 4
    assert [res for res, _ in resolutions("UTC", "day")] == ["one_day"]


def test_a_meter_without_register_or_a_naive_time_is_refused() -> None:
    with pytest.raises(UsageError, match="no energy or volume register"):
        UsagePlanner.for_fields(["power"], NOW - timedelta(days=1), None, "day", UTC, NOW)
    with pytest.raises(ValueError, match="no time zone"):
        UsagePlanner.for_fields(["energy"], datetime(2025, 1, 1), None, "day", UTC, NOW)
    with pytest.raises(ValueError, match="unknown period"):
        UsagePlanner.for_fields(["energy"], NOW - timedelta(days=1), None, "fortnight", UTC, NOW)  # type: ignore[arg-type]


# Against the simulator


@pytest.mark.parametrize("tz", [BERLIN, UTC], ids=["Europe/Berlin", "UTC"])
@pytest.mark.parametrize(
    ("per", "start", "end"),
    [
        ("hour", datetime(2025, 3, 29), datetime(2025, 4, 1)),
        ("hour", datetime(2025, 10, 25), datetime(2025, 10, 28)),
        ("day", datetime(2025, 3, 1), datetime(2025, 11, 1)),
        ("week", datetime(2025, 3, 3), datetime(2025, 11, 3)),
        ("month", datetime(2025, 1, 1), datetime(2025, 11, 1)),
    ],
)
def test_each_period_is_the_register_difference_between_its_local_borders(
    api: Inexogy, solar: str, tz: ZoneInfo, per: str, start: datetime, end: datetime
) -> None:
    frame = api.usage(solar, start.replace(tzinfo=tz), end.replace(tzinfo=tz), per=per, tz=tz)  # type: ignore[arg-type]

    starts, ends = frame["start"].to_list(), frame["end"].to_list()
    assert starts[0] == start.replace(tzinfo=tz)
    assert ends[-1] == end.replace(tzinfo=tz)
    assert starts[1:] == ends[:-1]  # no gap, no overlap
    assert frame.schema["start"] == pl.Datetime("ms", "UTC" if tz is UTC else "Europe/Berlin")
    assert not frame["partial"].any()
    assert frame["glitches"].null_count() == frame.height
    registers = registers_at(api, solar, [*starts, ends[-1]])
    for column, name in (("drawn_kWh", "energy"), ("fed_in_kWh", "energyOut")):
        expected = [b - a for a, b in zip(registers[name], registers[name][1:], strict=False)]
        assert raw(frame[column]) == expected
        assert sum(raw(frame[column])) == registers[name][-1] - registers[name][0]
        assert min(expected) >= 0
    if per == "hour" and tz is BERLIN:
        assert frame.height == 3 * 24 - 1 if start.month == 3 else frame.height == 3 * 24 + 1


def test_a_period_not_over_yet_is_partial_and_later_ones_are_left_out(
    api: Inexogy, solar: str
) -> None:
    frame = api.usage(
        solar, datetime(2025, 9, 1, tzinfo=BERLIN), datetime(2026, 1, 1, tzinfo=BERLIN),
        per="month", tz=BERLIN,
    )  # fmt: skip

    assert frame["start"].dt.month().to_list() == [9, 10, 11]  # no December: it has not begun
    assert frame["partial"].to_list() == [False, False, True]
    last_end = frame["end"][-1]
    assert NOW - timedelta(minutes=3) <= last_end <= NOW  # the latest 3-minute reading
    registers = registers_at(api, solar, [frame["start"][-1]])
    latest = api.readings(
        solar, last_end, last_end + timedelta(minutes=3), resolution="three_minutes"
    )
    assert (
        raw(frame["drawn_kWh"])[-1]
        == int(latest.columns["energy"][0] or 0) - registers["energy"][0]
    )


def test_prices_give_cost_and_feed_in_credit(api: Inexogy, solar: str) -> None:
    frame = api.usage(
        solar, datetime(2025, 1, 1, tzinfo=BERLIN), datetime(2025, 4, 1, tzinfo=BERLIN),
        per="month", tz="Europe/Berlin", price=0.32, feed_in_price=0.08,
    )  # fmt: skip

    assert frame.columns == [
        "start", "end", "partial", "drawn_kWh", "fed_in_kWh", "cost", "credit", "glitches",
    ]  # fmt: skip
    assert frame["cost"].to_list() == pytest.approx([v * 0.32 for v in frame["drawn_kWh"]])
    assert frame["credit"].to_list() == pytest.approx([v * 0.08 for v in frame["fed_in_kWh"]])
    assert frame["cost"].min() > 0


def test_a_gas_meter_gives_its_volume_and_no_feed_in(api: Inexogy) -> None:
    gas = api.find_meter(GAS).meter_id
    frame = api.usage(
        gas, datetime(2025, 1, 1, tzinfo=BERLIN), datetime(2025, 3, 1, tzinfo=BERLIN),
        per="month", tz=BERLIN, price=1.1, feed_in_price=0.5,
    )  # fmt: skip
    volumes = api.readings(
        gas, datetime(2025, 1, 1, tzinfo=BERLIN), datetime(2025, 3, 1, 1, tzinfo=BERLIN),
        resolution="one_hour", fields=["volume"],
    )  # fmt: skip

    assert frame.columns == ["start", "end", "partial", "volume_m³", "cost", "glitches"]
    litres = volumes.columns["volume"]
    assert frame["volume_m³"].sum() == pytest.approx((litres[-1] - litres[0]) / 1000)  # type: ignore[operator]
    assert frame["cost"].to_list() == pytest.approx([v * 1.1 for v in frame["volume_m³"]])


@pytest.mark.anyio
async def test_the_async_client_gives_the_same_usage(url: str, api: Inexogy, solar: str) -> None:
    start, end = datetime(2025, 3, 29, tzinfo=BERLIN), datetime(2025, 4, 1, tzinfo=BERLIN)
    async with AsyncInexogy(
        auth=BasicAuth(DEMO_EMAIL, DEMO_PASSWORD), base_url=url, clock=now
    ) as async_api:
        frame = await async_api.usage(solar, start, end, per="day", tz=BERLIN)

    assert frame.equals(api.usage(solar, start, end, per="day", tz=BERLIN))


def test_glitched_registers_are_left_out_and_reported(api: Inexogy, solar: str) -> None:
    march = datetime(2025, 3, 1, tzinfo=BERLIN)
    may = datetime(2025, 5, 1, tzinfo=BERLIN)
    plan = GlitchPlan({to_ms(march): "zero", to_ms(may): "backwards"})
    start, end = datetime(2025, 1, 1, tzinfo=BERLIN), datetime(2025, 7, 1, tzinfo=BERLIN)
    expected = api.usage(solar, start, end, per="month", tz=BERLIN)
    with running(create_app(clock=NOW.timestamp, glitches=plan)) as url, client(url) as glitchy:
        seen = glitchy.readings(solar, march, march + timedelta(hours=1), resolution="one_hour")
        frame = glitchy.usage(solar, start, end, per="month", tz=BERLIN)

    assert seen.columns["energy"][0] == 0  # the simulator did glitch the register
    notes = frame["glitches"].to_list()
    assert notes[0] is None
    assert notes[-1] is None
    assert (
        notes[1]
        == notes[2]
        == (
            "energy and energyOut: read 0 at 2025-03-01T00:00:00+01:00, "
            "used the reading of 2025-03-01T00:03:00+01:00"
        )
    )
    assert notes[3] == notes[4]
    assert "went backwards at 2025-05-01T00:00:00+02:00" in notes[3]
    for column in ("drawn_kWh", "fed_in_kWh"):
        got, clean_values = raw(frame[column]), raw(expected[column])
        assert min(got) >= 0
        assert sum(got) == sum(clean_values)  # the whole range's difference is untouched
        # Three minutes of energy moved between the months beside each glitched border.
        assert got[0] == clean_values[0]
        assert got[5] == clean_values[5]
        assert abs(got[1] - clean_values[1]) < KWH
        assert got[1] + got[2] == clean_values[1] + clean_values[2]


def test_frequent_glitches_never_give_a_negative_or_absurd_period(api: Inexogy, solar: str) -> None:
    start, end = datetime(2025, 6, 1, tzinfo=BERLIN), datetime(2025, 7, 1, tzinfo=BERLIN)
    expected = api.usage(solar, start, end, per="day", tz=BERLIN)
    plan = GlitchPlan(rate=0.2, seed=7)
    with running(create_app(clock=NOW.timestamp, glitches=plan)) as url, client(url) as glitchy:
        frame = glitchy.usage(solar, start, end, per="day", tz=BERLIN)

    assert frame["glitches"].null_count() < frame.height  # some borders did glitch
    for column in ("drawn_kWh", "fed_in_kWh"):
        assert frame[column].null_count() == 0
        assert frame[column].min() >= 0  # type: ignore[operator]
        # At most a few minutes of energy moves to a neighbouring day.
        assert (frame[column] - expected[column]).abs().max() < 0.5  # type: ignore[operator]


def test_a_period_in_which_the_data_begins_starts_at_the_first_reading(
    api: Inexogy, solar: str
) -> None:
    # The simulator's data begins at 2024-01-01T00:00Z, one hour into the Berlin year.
    frame = api.usage(
        solar, datetime(2023, 12, 1, tzinfo=BERLIN), datetime(2024, 3, 1, tzinfo=BERLIN),
        per="month", tz=BERLIN,
    )  # fmt: skip

    assert frame["partial"].to_list() == [False, True, False]
    assert frame["drawn_kWh"][0] is None  # December: no reading at all
    assert frame["start"][1].isoformat() == "2024-01-01T01:00:00+01:00"
    assert "used the first reading after it, at 2024-01-01T01:00:00+01:00" in frame["glitches"][1]
    registers = registers_at(api, solar, [frame["start"][1], frame["end"][1]])
    assert round(frame["drawn_kWh"][1] * KWH) == registers["energy"][1] - registers["energy"][0]
