"""Aware datetimes <-> Unix milliseconds; naive datetimes refused."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from inexogy import from_ms, to_ms


def test_aware_datetimes_in_any_zone_give_unix_milliseconds() -> None:
    assert to_ms(datetime(2024, 1, 1, tzinfo=UTC)) == 1_704_067_200_000
    assert to_ms(datetime(2024, 1, 1, 1, tzinfo=ZoneInfo("Europe/Berlin"))) == 1_704_067_200_000
    assert to_ms(datetime(2024, 1, 1, 0, 0, 0, 1500, tzinfo=UTC)) == 1_704_067_200_001


def test_from_ms_gives_aware_utc() -> None:
    moment = from_ms(1_704_067_200_250)
    assert moment == datetime(2024, 1, 1, 0, 0, 0, 250_000, tzinfo=UTC)
    assert moment.tzinfo is UTC


def test_naive_datetimes_are_refused_with_what_to_do() -> None:
    with pytest.raises(ValueError, match=r"start 2024-01-01T00:00:00 has no time zone.*tzinfo="):
        to_ms(datetime(2024, 1, 1), "start")
