"""``inexogy plot`` writes a real PNG of the requested size."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from cli_testkit import SOLAR_SERIAL, Cli, said
from inexogy import Readings
from inexogy.plot import plot_readings, readings_figure
from inexogy.resolutions import resolution_for
from PIL import Image


def test_plot_writes_a_png_of_the_requested_size(logged_in: Cli, tmp_path: Path) -> None:
    target = tmp_path / "power.png"

    result = logged_in(
        "plot", SOLAR_SERIAL, "--from", "2024-03-01", "--to", "2024-03-03",
        "--output", str(target), "--width", "640", "--height", "360",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    with Image.open(target) as image:
        assert image.format == "PNG"
        assert image.size == (640, 360)
        image.verify()  # a complete, uncorrupted PNG (verify leaves the image unusable)
    with Image.open(target) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None
    assert len(colours) > 10  # something was drawn, not a blank canvas


def test_plot_of_another_field_at_a_chosen_resolution(logged_in: Cli, tmp_path: Path) -> None:
    target = tmp_path / "energy.png"

    result = logged_in(
        "plot", SOLAR_SERIAL, "--from", "-1d", "--resolution", "one_hour", "--field", "energy",
        "--output", str(target),
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    with Image.open(target) as image:
        assert image.size == (1200, 600)


def test_plot_of_an_unknown_field_is_a_usage_error_that_lists_the_fields(
    logged_in: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "x.png"

    result = logged_in("plot", SOLAR_SERIAL, "--from", "-1d", "--field", "nope", "-o", str(target))

    assert result.exit_code == 2
    assert "power" in said(result.stderr)  # the fields it does have
    assert not target.exists()


def test_plot_needs_a_png_name(logged_in: Cli, tmp_path: Path) -> None:
    result = logged_in("plot", SOLAR_SERIAL, "--from", "-1d", "-o", str(tmp_path / "chart.jpg"))

    assert result.exit_code == 2
    assert ".png" in said(result.stderr)


@pytest.mark.parametrize(
    ("span", "expected"),
    [
        (timedelta(hours=1), "raw"),
        (timedelta(days=1), "three_minutes"),
        (timedelta(days=7), "fifteen_minutes"),
        (timedelta(days=90), "one_hour"),
        (timedelta(days=3 * 365), "one_day"),
        (timedelta(days=50 * 365), "one_week"),
    ],
)
def test_the_default_resolution_draws_at_most_3000_points(span: timedelta, expected: str) -> None:
    assert resolution_for(span) == expected


MARCH_1 = int(datetime(2024, 3, 1, tzinfo=UTC).timestamp() * 1000)


def quarter_hours(columns: dict[str, list[float | None]]) -> Readings:
    """Readings every 15 minutes from 2024-03-01, one per value of the columns."""
    count = len(next(iter(columns.values())))
    times = [MARCH_1 + index * 900_000 for index in range(count)]
    return Readings(meter_id="m", resolution="fifteen_minutes", times=times, columns=columns)


@pytest.mark.parametrize(
    ("field", "raw", "label", "drawn"),
    [
        ("power", [1_500_000, -500_000, 2_000_000], "power (W)", [1500.0, -500.0, 2000.0]),
        ("phase2Power", [1_000, 2_000, 3_000], "phase2Power (W)", [1.0, 2.0, 3.0]),
        ("energy", [10**14, 2 * 10**14, 3 * 10**14], "energy (kWh)", [1e4, 2e4, 3e4]),
        ("voltage1", [230_000, 231_000, 229_500], "voltage1 (V)", [230.0, 231.0, 229.5]),
        ("volume", [1_000, 1_500, 2_500], "volume (m³)", [1.0, 1.5, 2.5]),
        ("actualityDuration", [3, 4, 5], "actualityDuration (raw)", [3, 4, 5]),
    ],
)
def test_the_chart_draws_si_values_and_names_the_unit_and_the_time_zone(
    field: str, raw: list[float | None], label: str, drawn: list[float]
) -> None:
    readings = quarter_hours({field: raw})

    figure = readings_figure(readings, field=field, tz=ZoneInfo("Europe/Berlin"), title="t")

    (axes,) = figure.axes
    assert axes.get_ylabel() == label
    assert axes.get_xlabel() == "time (Europe/Berlin)"
    assert axes.get_title() == "t"
    assert list(axes.get_lines()[0].get_ydata()) == pytest.approx(drawn)


def test_a_chart_of_a_missing_field_or_of_nothing_is_refused(tmp_path: Path) -> None:
    readings = quarter_hours({"power": [1, 2], "energy": [3, 4]})
    empty = Readings(meter_id="m", resolution="raw", times=[], columns={})

    with pytest.raises(KeyError, match="energy, power"):
        readings_figure(readings, field="voltage1")
    with pytest.raises(ValueError, match="no readings"):
        plot_readings(empty, tmp_path / "empty.png")
    assert list(tmp_path.iterdir()) == []
