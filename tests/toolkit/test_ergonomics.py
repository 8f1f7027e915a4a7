"""The library takes what the command takes, and its results read well in a notebook."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import inexogy
import pytest
from inexogy import AsyncInexogy, Inexogy, NotFoundError, TokenStore
from inexogy.extras import MissingExtraError
from inexogy_client.types import UNSET
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD
from toolkit_testkit import SOLAR_SERIAL, FakeTime, demo_client

DAY = datetime(2024, 3, 1, tzinfo=UTC)


@pytest.fixture
def counted(base_url: str, fake_time: FakeTime) -> Iterator[tuple[Inexogy, list[str]]]:
    """A demo client and the paths of the requests it sent (each checked for its agent)."""
    paths: list[str] = []

    def record(request: httpx.Request) -> None:
        assert request.headers["User-Agent"] == f"inexogy/{inexogy.__version__}"
        paths.append(request.url.path.rsplit("/", 1)[-1])

    hooks = {"request": [record]}
    with (
        httpx.Client(event_hooks=hooks) as http_client,
        demo_client(base_url, fake_time, http_client=http_client) as client,
    ):
        yield client, paths


def test_every_form_of_a_meter_names_the_same_meter_and_meters_are_fetched_once(
    counted: tuple[Inexogy, list[str]], solar_id: str
) -> None:
    api, paths = counted
    meter = api.find_meter(SOLAR_SERIAL)
    forms = [solar_id, SOLAR_SERIAL, SOLAR_SERIAL[-8:], SOLAR_SERIAL.lower(), meter]
    readings = [api.last_reading(form) for form in forms]
    assert {reading.meter_id for reading in readings} == {solar_id}
    assert paths.count("meters") == 1
    assert api.field_names(SOLAR_SERIAL[-8:]) == api.field_names(meter)


def test_an_unknown_serial_number_is_not_found_with_the_known_ones_listed(api: Inexogy) -> None:
    with pytest.raises(NotFoundError, match=r"no meter '99999999'.*1ESY1161229886"):
        api.readings("99999999", DAY)


def test_a_date_an_iso_string_and_an_aware_datetime_name_the_same_range(
    api: Inexogy, solar_id: str
) -> None:
    expected = api.readings(solar_id, DAY, DAY + timedelta(days=1), resolution="one_hour")
    as_dates = api.readings(SOLAR_SERIAL, date(2024, 3, 1), date(2024, 3, 2), resolution="one_hour")
    as_text = api.readings(SOLAR_SERIAL, "2024-03-01", "2024-03-02T00:00Z", resolution="one_hour")
    assert len(expected) == 24
    assert as_dates.times == as_text.times == expected.times
    assert as_dates.columns == expected.columns
    statistics = api.statistics(SOLAR_SERIAL, "2024-03-01", date(2024, 3, 2), fields=["power"])
    assert statistics == api.statistics(solar_id, DAY, DAY + timedelta(days=1), fields=["power"])


def test_a_bad_time_says_what_is_accepted(api: Inexogy) -> None:
    with pytest.raises(ValueError, match="not an ISO date or datetime: write it like 2024-03-01"):
        api.readings(SOLAR_SERIAL, "yesterday-ish")
    with pytest.raises(ValueError, match="has no time zone"):
        api.readings(SOLAR_SERIAL, datetime(2024, 3, 1))
    with pytest.raises(TypeError, match="not int"):
        api.readings(SOLAR_SERIAL, 1709251200000)  # type: ignore[arg-type]


def test_the_repr_of_a_raw_day_is_one_short_informative_line(api: Inexogy, solar_id: str) -> None:
    day = api.readings(solar_id, DAY, DAY + timedelta(days=1))
    text = repr(day)
    assert len(day) > 40_000
    assert len(text) < 300
    assert f"meter_id={solar_id!r}" in text
    assert "resolution='raw'" in text
    assert f"rows={len(day)}" in text
    assert "2024-03-01T00:00:00+00:00 .. 2024-03-01T23:59:5" in text
    reading = api.last_reading(solar_id)
    assert repr(reading).startswith(f"LastReading(meter_id={solar_id!r}, time=2024-06-15T")


def test_the_repr_of_a_meter_is_one_line_naming_it_and_where_it_is(
    api: Inexogy, solar_id: str
) -> None:
    meter = api.find_meter(SOLAR_SERIAL)

    assert repr(meter) == (
        f"Meter(meter_id={solar_id!r}, full_serial_number={SOLAR_SERIAL!r}, type_='EASYMETER', "
        "measurement_type='ELECTRICITY', location='Freiberger Straße 35, 01069 Dresden')"
    )
    meter.location = UNSET
    assert repr(meter).endswith("measurement_type='ELECTRICITY')")
    assert all(len(repr(one)) < 200 for one in api.meters())


def test_to_pandas_gives_the_table_to_polars_gives(api: Inexogy, solar_id: str) -> None:
    table = api.readings(solar_id, DAY, DAY + timedelta(hours=6), resolution="fifteen_minutes")
    frame = table.to_pandas(units="si")
    expected = table.to_polars(units="si")
    assert list(frame.columns) == expected.columns
    assert len(frame) == len(expected) == 24
    assert str(frame["time"].dt.tz) == "UTC"
    assert frame["time"].iloc[0].to_pydatetime() == DAY
    assert frame["energy_kWh"].tolist() == expected["energy_kWh"].to_list()
    assert frame["power_W"].tolist() == expected["power_W"].to_list()
    in_berlin = table.to_pandas(units="si", tz="Europe/Berlin")
    assert str(in_berlin["time"].dt.tz) == "Europe/Berlin"
    assert in_berlin["time"].iloc[0].isoformat() == "2024-03-01T01:00:00+01:00"
    assert (in_berlin["time"] == frame["time"]).all()  # the same instants
    assert in_berlin.drop(columns="time").equals(frame.drop(columns="time"))


def test_to_pandas_without_pandas_names_the_extra(
    api: Inexogy, solar_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = api.readings(solar_id, DAY, DAY + timedelta(hours=1), resolution="one_hour")
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(MissingExtraError, match=r"pip install 'inexogy\[pandas\]'"):
        table.to_pandas()


@pytest.mark.anyio
async def test_async_login_works_with_async_with_and_with_await(base_url: str) -> None:
    async with AsyncInexogy.login(DEMO_EMAIL, DEMO_PASSWORD, base_url=base_url) as api:
        meter = await api.find_meter(SOLAR_SERIAL[-8:])
        reading = await api.last_reading(SOLAR_SERIAL)
        assert reading.meter_id == meter.meter_id
    with pytest.raises(RuntimeError, match="closed"):
        await api.meters()

    client = await AsyncInexogy.login(DEMO_EMAIL, DEMO_PASSWORD, method="basic", base_url=base_url)
    try:
        assert [m.meter_id for m in await client.meters()]
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_async_from_token_store_works_with_async_with_and_with_await(
    base_url: str, tmp_path: Path
) -> None:
    store = TokenStore(tmp_path / "token.json")
    async with AsyncInexogy.login(DEMO_EMAIL, DEMO_PASSWORD, base_url=base_url, store=store):
        pass
    async with AsyncInexogy.from_token_store(store, base_url=base_url) as api:
        assert (await api.find_meter(SOLAR_SERIAL)).full_serial_number == SOLAR_SERIAL
    client = await AsyncInexogy.from_token_store(store, base_url=base_url)
    try:
        assert await client.field_names(SOLAR_SERIAL)
    finally:
        await client.aclose()
