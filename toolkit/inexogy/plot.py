"""Charts of readings and of usage, as PNG or SVG files (matplotlib, no display needed).

``plot_readings`` draws one or more fields of a :class:`~inexogy.Readings` over time in SI
units: a line per field, a legend, the y axis naming the unit (a second axis when two units
meet), the x axis naming the time zone, and on power charts the sign convention (drawn from
the grid positive, fed in negative). ``plot_usage`` draws the frame of ``Inexogy.usage``: a
pair of bars per period, kWh drawn and fed in (gas: m³), the period not over yet hatched.

Both write exactly the requested size (PNG: pixels; SVG: the same size in CSS pixels, given
in points) and write atomically: a failed plot never leaves a partial file behind. The
``*_figure`` functions give the figure itself, to show or save elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inexogy.extras import require
from inexogy.files import write_atomically
from inexogy.units import conversion_for, si_name
from inexogy.usage import Per, period_label
from inexogy.zones import zone_name

if TYPE_CHECKING:
    import polars as pl
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from inexogy import Readings

__all__ = [
    "CHART_FORMATS",
    "DEFAULT_HEIGHT",
    "DEFAULT_WIDTH",
    "POWER_SIGN_NOTE",
    "REGISTER_NOTE",
    "chart_format",
    "plot_readings",
    "plot_usage",
    "readings_figure",
    "usage_figure",
]

DEFAULT_WIDTH = 1200
DEFAULT_HEIGHT = 600
CHART_FORMATS = {".png": "png", ".svg": "svg"}
"""The file name suffixes a chart may be written to, and the format each one means."""
POWER_SIGN_NOTE = "power > 0: drawn from the grid · power < 0: fed into the grid"
"""The sign convention written on every chart with a power field."""
REGISTER_NOTE = "meter register: the running total (use per period: inexogy usage)"
"""The note on a chart of energy or volume registers, which only ever rise."""

_DPI = 100  # PNG pixels per inch
_SVG_DPI = 96  # CSS pixels per inch: an SVG of width w points shows w * 96 / 72 pixels
_SMALLEST = 100
_QUANTITIES = {"W": "power", "kWh": "energy", "V": "voltage", "m³": "volume"}
_COLOURS = ("tab:orange", "tab:blue", "tab:green", "tab:red", "tab:purple", "tab:brown")
_DRAWN_COLOUR = "tab:red"
_FED_IN_COLOUR = "tab:green"
_GAS_COLOUR = "tab:blue"
_MOST_LABELS = 16  # period labels on the x axis of a usage chart, at most


def chart_format(path: str | os.PathLike[str]) -> str:
    """Return the format a chart file's suffix names: ``png`` or ``svg``."""
    suffix = Path(path).suffix.lower()
    if suffix not in CHART_FORMATS:
        raise ValueError(f"cannot draw a chart into {os.fspath(path)!r}: name it .png or .svg")
    return CHART_FORMATS[suffix]


def _check_size(width: int, height: int) -> None:
    if width < _SMALLEST or height < _SMALLEST:
        raise ValueError(
            f"a chart needs at least {_SMALLEST} x {_SMALLEST} pixels, not {width} x {height}"
        )


def _new_figure(width: int, height: int, format: str) -> Figure:
    # matplotlib takes half a second to import: only drawing a chart pays for it.
    require("matplotlib", "cli", "drawing a chart")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    dpi = _SVG_DPI if format == "svg" else _DPI
    figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _save(figure: Figure, path: str | os.PathLike[str], format: str) -> Path:
    # No creation date in the file: the same chart gives the same bytes.
    metadata = {"Date": None} if format == "svg" else None
    return write_atomically(
        path,
        lambda stream: figure.savefig(stream, format=format, dpi=figure.dpi, metadata=metadata),
    )


def plot_readings(
    readings: Readings,
    path: str | os.PathLike[str],
    *,
    field: str | Sequence[str] = "power",
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    tz: tzinfo = UTC,
) -> Path:
    """Draw ``field`` (one name or several) of ``readings`` into a PNG or SVG file, atomically.

    The format is the one the suffix names (``.png``, ``.svg``). Raises what
    :func:`readings_figure` raises, ``ValueError`` for another suffix, and ``OSError`` when
    the file cannot be written (nothing is left under ``path`` then). Returns the path.
    """
    format = chart_format(path)
    figure = readings_figure(
        readings, field=field, title=title, width=width, height=height, tz=tz, format=format
    )
    return _save(figure, path, format)


def _unit_of(field: str) -> str:
    conversion = conversion_for(field)
    return "raw" if conversion is None else conversion.unit


def _is_power(field: str) -> bool:
    return _unit_of(field) == "W"


def _is_register(field: str) -> bool:
    return _unit_of(field) in ("kWh", "m³")


def readings_figure(
    readings: Readings,
    *,
    field: str | Sequence[str] = "power",
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    tz: tzinfo = UTC,
    format: str = "png",
) -> Figure:
    """Draw raw fields of ``readings``, converted to SI units, as lines on a new figure.

    One field: the y axis names it and its unit (``power (W)``); several: a legend names
    each, the axis the quantity (``power (W)``), and fields of a second unit get an axis on
    the right (more than two units are refused). The x axis shows times in ``tz`` and names
    it. A chart with a power field carries the sign convention. ``width`` and ``height`` are
    in pixels. Raises ``KeyError`` naming the available fields for an unknown field,
    ``ValueError`` for no readings, more than two units or a size below 100 pixels.
    """
    fields = [field] if isinstance(field, str) else list(dict.fromkeys(field))
    _check_size(width, height)
    if not fields:
        raise ValueError("name at least one field to draw")
    if len(readings) == 0:
        raise ValueError("there are no readings to plot in this range")
    missing = [name for name in fields if name not in readings.columns]
    if missing:
        available = ", ".join(sorted(readings.columns)) or "none"
        raise KeyError(f"these readings have no field {missing[0]!r} (fields: {available})")
    units = list(dict.fromkeys(_unit_of(name) for name in fields))
    if len(units) > 2:
        raise ValueError(
            f"one chart shows at most two units, these fields have {', '.join(units)}: "
            "draw them on separate charts"
        )
    from matplotlib import dates as mdates

    frame = readings.to_polars(units="si")
    times = frame["time"].dt.replace_time_zone(None).to_numpy()  # UTC instants, as matplotlib wants
    figure = _new_figure(width, height, format)
    axes = figure.add_subplot()
    axes_of = {units[0]: axes}
    if len(units) == 2:
        axes_of[units[1]] = axes.twinx()
    lines = []
    for index, name in enumerate(fields):
        unit = _unit_of(name)
        (line,) = axes_of[unit].plot(
            times,
            frame[si_name(name)].to_numpy(),
            linewidth=0.9,
            color=_COLOURS[index % len(_COLOURS)],
            label=f"{name} ({unit})",
        )
        lines.append(line)
    for unit, unit_axes in axes_of.items():
        named = [name for name in fields if _unit_of(name) == unit]
        label = named[0] if len(named) == 1 else _QUANTITIES.get(unit, "value")
        unit_axes.set_ylabel(f"{label} ({unit})")
        values = frame.select([si_name(name) for name in named])
        low, high = values.min().min_horizontal()[0], values.max().max_horizontal()[0]
        if low is not None and high is not None and low < 0 < high:
            unit_axes.axhline(0, color="grey", linewidth=0.6)
    locator = mdates.AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator, tz=tz)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(formatter)
    axes.set_xlabel(f"time ({zone_name(tz)})")
    axes.grid(visible=True, alpha=0.3)
    if len(fields) > 1:
        figure.legend(handles=lines, loc="outside lower center", ncols=len(lines), frameon=False)
    if title:
        axes.set_title(title, loc="left")
    if any(_is_power(name) for name in fields):
        _note(axes, POWER_SIGN_NOTE)
    elif any(_is_register(name) for name in fields):
        _note(axes, REGISTER_NOTE)
    return figure


def _note(axes: Axes, text: str) -> None:
    """Write a small grey note at the top right, above the plot area."""
    axes.annotate(
        text,
        xy=(1.0, 1.0),
        xycoords="axes fraction",
        xytext=(0, 4),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize="small",
        color="dimgrey",
    )


def plot_usage(
    usage: pl.DataFrame,
    path: str | os.PathLike[str],
    *,
    per: Per,
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
) -> Path:
    """Draw a usage frame (see :func:`usage_figure`) into a PNG or SVG file, atomically."""
    format = chart_format(path)
    figure = usage_figure(usage, per=per, title=title, width=width, height=height, format=format)
    return _save(figure, path, format)


def usage_figure(
    usage: pl.DataFrame,
    *,
    per: Per,
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    format: str = "png",
) -> Figure:
    """Draw the frame of ``Inexogy.usage``: one bar per period for each of its quantities.

    Electricity: kWh drawn and kWh fed in side by side; gas: m³. Bars have the SVG ids
    ``drawn-N``, ``fed_in-N`` and ``volume-N`` (N counts the periods from 0); the period
    not over yet is hatched. The x axis names the periods in the frame's zone. Raises
    ``ValueError`` for an empty frame or a size below 100 pixels.
    """
    _check_size(width, height)
    if usage.height == 0:
        raise ValueError("there are no periods to plot in this range")
    if "volume_m³" in usage.columns:
        series = [("volume", "volume_m³", "gas used", _GAS_COLOUR)]
        ylabel = "gas (m³)"
    else:
        series = [("drawn", "drawn_kWh", "drawn from the grid", _DRAWN_COLOUR)]
        if "fed_in_kWh" in usage.columns:
            series.append(("fed_in", "fed_in_kWh", "fed into the grid", _FED_IN_COLOUR))
        ylabel = "energy (kWh)"
    figure = _new_figure(width, height, format)
    axes = figure.add_subplot()
    count = usage.height
    slot = 0.8 / len(series)
    partial = usage["partial"].to_list()
    for position, (key, column, label, colour) in enumerate(series):
        offset = (position - (len(series) - 1) / 2) * slot
        values = [float("nan") if v is None else v for v in usage[column].to_list()]
        bars = axes.bar(
            [index + offset for index in range(count)], values, slot, color=colour, label=label
        )
        for index, bar in enumerate(bars):
            bar.set_gid(f"{key}-{index}")
            if partial[index]:
                bar.set_hatch("//")
                bar.set_alpha(0.6)
    _label_periods(axes, usage, per)
    axes.set_ylabel(ylabel)
    zone = usage.schema["start"].time_zone or "UTC"  # type: ignore[attr-defined]
    axes.set_xlabel(f"{per} ({zone})")
    axes.grid(visible=True, axis="y", alpha=0.3)
    axes.set_xlim(-0.6, count - 0.4)
    handles, labels = axes.get_legend_handles_labels()
    if any(partial):
        from matplotlib.patches import Patch

        handles.append(Patch(facecolor="white", edgecolor="grey", hatch="//"))
        labels.append("not over yet")
    figure.legend(handles, labels, loc="outside lower center", ncols=len(labels), frameon=False)
    if title:
        axes.set_title(title, loc="left")
    return figure


def _label_periods(axes: Any, usage: pl.DataFrame, per: Per) -> None:
    """Label the bars with their periods, at most 16 labels, rotated when they are long."""
    starts = usage["start"].to_list()
    step = max(1, -(-len(starts) // _MOST_LABELS))
    ticks = list(range(0, len(starts), step))
    if per == "hour" and step > 1:
        # Label whole local hours (00:00, 06:00, ...), also across a change of daylight saving.
        every = next((hours for hours in (2, 3, 4, 6, 12, 24) if hours >= step), 24)
        ticks = [index for index, start in enumerate(starts) if start.hour % every == 0] or ticks
    labels = [period_label(starts[index], per) for index in ticks]
    long = max(len(label) for label in labels) * len(ticks) > 110
    axes.set_xticks(ticks, labels, rotation=30 if long else 0, ha="right" if long else "center")
