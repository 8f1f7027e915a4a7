"""WHEN arguments: ISO dates and datetimes (naive = local time) and relative times."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from inexogy.cli.render import describe_age
from inexogy.cli.when import local_zone, parse_when

NOW = datetime(2024, 7, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def berlin(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run in the Europe/Berlin time zone (CET in winter, CEST in summer)."""
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("-7d", NOW - timedelta(days=7)),
        ("-12h", NOW - timedelta(hours=12)),
        ("-30m", NOW - timedelta(minutes=30)),
        ("-90s", NOW - timedelta(seconds=90)),
        ("-2w", NOW - timedelta(weeks=2)),
        ("+1.5h", NOW + timedelta(hours=1.5)),
        ("2024-03-01T12:00:00+01:00", datetime(2024, 3, 1, 11, tzinfo=UTC)),
        ("2024-03-01T11:00Z", datetime(2024, 3, 1, 11, tzinfo=UTC)),
    ],
)
def test_relative_and_offset_times(text: str, expected: datetime) -> None:
    assert parse_when(text, now=lambda: NOW) == expected


@pytest.mark.usefixtures("berlin")
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-15", datetime(2024, 1, 14, 23, tzinfo=UTC)),  # CET, +01:00
        ("2024-07-01T12:00", datetime(2024, 7, 1, 10, tzinfo=UTC)),  # CEST, +02:00
        ("2024-03-31 03:30", datetime(2024, 3, 31, 1, 30, tzinfo=UTC)),  # just after the change
    ],
)
def test_naive_times_are_local_with_that_days_offset(text: str, expected: datetime) -> None:
    parsed = parse_when(text)

    assert parsed.tzinfo is not None
    assert parsed == expected


@pytest.mark.usefixtures("berlin")
def test_today_is_local_midnight_and_the_local_zone_is_named() -> None:
    assert parse_when("today", now=lambda: NOW) == datetime(2024, 7, 9, 22, tzinfo=UTC)
    assert str(local_zone()) == "Europe/Berlin"


@pytest.mark.parametrize("text", ["", "-7", "7d", "-7y", "2024-13-01", "last week"])
def test_anything_else_is_refused_with_the_accepted_forms(text: str) -> None:
    with pytest.raises(ValueError, match="ISO date"):
        parse_when(text, now=lambda: NOW)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (42, "42 s"),
        (303, "5 min 3 s"),
        (7800, "2 h 10 min"),
        (273600, "3 d 4 h"),
        (-5, "5 s in the future"),
    ],
)
def test_ages_read_naturally(seconds: int, text: str) -> None:
    assert describe_age(timedelta(seconds=seconds)) == text


def test_times_without_offset_are_read_in_the_zone_asked_for() -> None:
    new_york = ZoneInfo("America/New_York")

    assert parse_when("2025-03-01", tz=new_york).isoformat() == "2025-03-01T00:00:00-05:00"
    assert parse_when("today", now=lambda: NOW, tz=new_york).isoformat() == (
        "2024-07-10T00:00:00-04:00"
    )
    # 02:30 does not exist on the night clocks go forward: the moment is the one after the gap.
    berlin = ZoneInfo("Europe/Berlin")
    assert parse_when("2025-03-30T02:30", tz=berlin).isoformat() == "2025-03-30T03:30:00+02:00"
    # An explicit offset wins over the zone.
    assert parse_when("2025-03-01T00:00+09:00", tz=berlin).isoformat() == (
        "2025-03-01T00:00:00+09:00"
    )
