"""Testing your own code against the built-in simulator: a real server on loopback.

    pip install 'inexogy[mock]' pytest
    pytest examples/test_with_the_simulator.py      # or: python examples/test_with_the_simulator.py

`inexogy_mock.running(create_app())` serves the simulator on a free port of 127.0.0.1 and
gives its base URL; its demo account (demo@inexogy.com / demo) has deterministic data, and
`clock=` fixes its "now" so that your assertions never depend on the day the test runs.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from inexogy import Inexogy, NotFoundError
from inexogy_mock import DEMO_EMAIL, DEMO_PASSWORD, create_app, running

NOW = datetime(2024, 6, 15, 12, tzinfo=UTC)


# The code under test: yours would live in your own package.
def peak_power_watts(api: Inexogy, meter: str, day: datetime) -> float:
    """Return the highest power (W) the meter saw on ``day`` (a UTC midnight)."""
    statistics = api.statistics(meter, day, day + timedelta(days=1), fields=["power"])
    return statistics["power"].maximum / 1000


@pytest.fixture(scope="module")
def api() -> Iterator[Inexogy]:
    """Yield a client of the simulator's demo account; the simulator stops with the module."""
    with (
        running(create_app(clock=NOW.timestamp)) as base_url,
        Inexogy.login(DEMO_EMAIL, DEMO_PASSWORD, base_url=base_url) as client,
    ):
        yield client


def test_the_peak_is_positive_and_plausible_for_a_house(api: Inexogy) -> None:
    """The solar house's peak on a June day is that of a house, not of a factory."""
    peak = peak_power_watts(api, "1ESY1161229886", datetime(2024, 6, 14, tzinfo=UTC))
    assert 0 < peak < 30_000


def test_a_meter_that_does_not_exist_is_reported(api: Inexogy) -> None:
    """A serial number the account does not have raises the library's NotFoundError."""
    with pytest.raises(NotFoundError):
        peak_power_watts(api, "00000000", datetime(2024, 6, 14, tzinfo=UTC))


if __name__ == "__main__":  # pytest in a fresh interpreter, which imports this file itself
    raise SystemExit(subprocess.call([sys.executable, "-m", "pytest", "-q", __file__]))  # noqa: S603
