"""``inexogy plot`` writes real PNG and SVG charts of the requested size that explain themselves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from cli_testkit import SOLAR_SERIAL, Cli, said
from inexogy import Readings
from inexogy.plot import POWER_SIGN_NOTE, REGISTER_NOTE, plot_readings, readings_figure
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
    assert axes.get_title(loc="left") == "t"
    assert list(axes.get_lines()[0].get_ydata()) == pytest.approx(drawn)


def test_a_chart_of_a_missing_field_or_of_nothing_is_refused(tmp_path: Path) -> None:
    readings = quarter_hours({"power": [1, 2], "energy": [3, 4]})
    empty = Readings(meter_id="m", resolution="raw", times=[], columns={})

    with pytest.raises(KeyError, match="energy, power"):
        readings_figure(readings, field="voltage1")
    with pytest.raises(ValueError, match="no readings"):
        plot_readings(empty, tmp_path / "empty.png")
    assert list(tmp_path.iterdir()) == []


# Charts that explain themselves: several fields, words in titles, sign note, SVG, usage bars

SVG = "{http://www.w3.org/2000/svg}"


def svg_size_in_pixels(path: Path) -> tuple[float, float]:
    """The size an SVG file shows at, in CSS pixels (matplotlib writes points: 72 per inch)."""
    root = ElementTree.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    width, height = root.get("width", ""), root.get("height", "")
    assert width.endswith("pt")
    assert height.endswith("pt")
    return float(width[:-2]) * 96 / 72, float(height[:-2]) * 96 / 72


def test_a_power_chart_says_what_it_shows_in_words(logged_in: Cli, tmp_path: Path) -> None:
    target = tmp_path / "power.svg"

    result = logged_in(
        "--tz", "Europe/Berlin", "plot", SOLAR_SERIAL, "--from", "2025-06-01", "--to", "2025-06-02",
        "--field", "power1", "--field", "power2,power3", "--resolution", "fifteen_minutes",
        "-o", str(target), "--width", "800", "--height", "400",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert svg_size_in_pixels(target) == pytest.approx((800, 400))
    text = target.read_text()
    assert "15-minute readings of 1ESY1161229886, Europe/Berlin" in text
    assert "power &gt; 0: drawn from the grid · power &lt; 0: fed into the grid" in text
    for name in ("power1 (W)", "power2 (W)", "power3 (W)"):  # the legend
        assert name in text
    assert "time (Europe/Berlin)" in text


def test_several_fields_share_an_axis_per_unit_and_a_legend() -> None:
    readings = quarter_hours(
        {"power": [1_000, -2_000, 500], "power1": [300, -600, 100], "voltage1": [230_000] * 3}
    )

    figure = readings_figure(readings, field=["power", "power1", "voltage1"], title="t")

    left, right = figure.axes
    assert left.get_ylabel() == "power (W)"
    assert right.get_ylabel() == "voltage1 (V)"
    assert [line.get_label() for line in left.get_lines() if line.get_label()[0] != "_"] == [
        "power (W)",
        "power1 (W)",
    ]
    (legend,) = figure.legends
    assert [text.get_text() for text in legend.get_texts()] == [
        "power (W)",
        "power1 (W)",
        "voltage1 (V)",
    ]
    assert POWER_SIGN_NOTE in [text.get_text() for text in left.texts]


def test_a_chart_without_power_has_no_sign_note_and_three_units_are_refused() -> None:
    readings = quarter_hours(
        {"voltage1": [230_000] * 2, "energy": [10**10, 2 * 10**10], "power": [1, 2]}
    )

    figure = readings_figure(readings, field="voltage1")

    assert len(figure.axes[0].texts) == 0
    register = readings_figure(readings, field="energy")
    assert [text.get_text() for text in register.axes[0].texts] == [REGISTER_NOTE]
    with pytest.raises(ValueError, match="at most two units"):
        readings_figure(readings, field=["voltage1", "energy", "power"])


def test_a_usage_chart_has_one_bar_per_period_and_quantity(logged_in: Cli, tmp_path: Path) -> None:
    target = tmp_path / "usage.svg"

    result = logged_in(
        "--tz", "Europe/Berlin", "plot", SOLAR_SERIAL, "--kind", "usage", "--per", "day",
        "--from", "2025-03-25", "--to", "2025-04-04", "-o", str(target),
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert "Wrote a chart of 10 periods" in result.stderr
    ids = [element.get("id", "") for element in ElementTree.parse(target).iter()]
    assert sorted(i for i in ids if i.startswith("drawn-")) == sorted(
        f"drawn-{n}" for n in range(10)
    )
    assert sorted(i for i in ids if i.startswith("fed_in-")) == sorted(
        f"fed_in-{n}" for n in range(10)
    )
    text = target.read_text()
    assert "Energy drawn and fed in (kWh) per day, 1ESY1161229886, Europe/Berlin" in text
    assert "Sun 2025-03-30" in text
    assert svg_size_in_pixels(target) == pytest.approx((1200, 600))


def test_a_usage_chart_of_a_gas_meter_as_png(logged_in: Cli, tmp_path: Path) -> None:
    target = tmp_path / "gas.png"

    result = logged_in(
        "plot", "35823805", "--kind", "usage", "--from", "2025-01-01", "--to", "2025-07-01",
        "-o", str(target), "--width", "700", "--height", "350",
    )  # fmt: skip

    assert result.exit_code == 0, result.stderr
    assert "Wrote a chart of 27 periods" in result.stderr  # half a year: weeks by default
    with Image.open(target) as image:
        assert image.format == "PNG"
        assert image.size == (700, 350)


def test_usage_bars_come_from_the_same_numbers_as_inexogy_usage(logged_in: Cli) -> None:
    from inexogy.plot import usage_figure

    csv = logged_in(
        "--tz", "Europe/Berlin", "usage", SOLAR_SERIAL, "--per", "week", "--format", "csv",
        "--from", "2025-03-03", "--to", "2025-04-07",
    )  # fmt: skip
    frame = pl.read_csv(csv.stdout.encode(), try_parse_dates=False).with_columns(
        pl.col("start", "end").str.to_datetime(time_zone="Europe/Berlin")
    )

    figure = usage_figure(frame, per="week")

    (axes,) = figure.axes
    drawn = [bar.get_height() for bar in axes.patches if bar.get_gid().startswith("drawn-")]
    assert drawn == frame["drawn_kWh"].to_list()
    assert [label.get_text() for label in axes.get_xticklabels()] == [
        "2025-W10", "2025-W11", "2025-W12", "2025-W13", "2025-W14",
    ]  # fmt: skip


def test_usage_options_belong_to_usage_charts(logged_in: Cli, tmp_path: Path) -> None:
    target = tmp_path / "x.png"

    with_field = logged_in(
        "plot",
        SOLAR_SERIAL,
        "--kind",
        "usage",
        "--from",
        "-2d",
        "--field",
        "power",
        "-o",
        str(target),
    )
    with_per = logged_in("plot", SOLAR_SERIAL, "--from", "-2d", "--per", "day", "-o", str(target))

    assert with_field.exit_code == with_per.exit_code == 2
    assert "--kind usage" in said(with_field.stderr)
    assert "--kind usage" in said(with_per.stderr)
    assert not target.exists()
