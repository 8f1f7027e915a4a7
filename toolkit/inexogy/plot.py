"""Charts of readings as PNG files (matplotlib, Agg backend, no display needed).

``plot_readings`` draws one field of a :class:`~inexogy.Readings` over time, in SI units, with
both axes labelled (the y axis names the unit) and writes a PNG of exactly the requested size
in pixels. The file is written atomically: a failed plot never leaves a partial PNG behind.
``readings_figure`` gives the figure itself, to show or save elsewhere.
"""

from __future__ import annotations

import os
from datetime import UTC, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from inexogy.extras import require
from inexogy.files import write_atomically
from inexogy.units import conversion_for, si_name

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from inexogy import Readings

__all__ = ["DEFAULT_HEIGHT", "DEFAULT_WIDTH", "plot_readings", "readings_figure"]

DEFAULT_WIDTH = 1200
DEFAULT_HEIGHT = 600
_DPI = 100
_SMALLEST = 100
_UNIT_LABELS = {"m3": "m³"}  # how a unit suffix reads on an axis


def plot_readings(
    readings: Readings,
    path: str | os.PathLike[str],
    *,
    field: str = "power",
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    tz: tzinfo = UTC,
) -> Path:
    """Draw ``field`` of ``readings`` (see :func:`readings_figure`) into a PNG file, atomically.

    Raises what :func:`readings_figure` raises, and ``OSError`` when the file cannot be
    written (nothing is left under ``path`` then). Returns the path written.
    """
    figure = readings_figure(readings, field=field, title=title, width=width, height=height, tz=tz)
    return write_atomically(path, lambda stream: figure.savefig(stream, format="png", dpi=_DPI))


def readings_figure(
    readings: Readings,
    *,
    field: str = "power",
    title: str | None = None,
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    tz: tzinfo = UTC,
) -> Figure:
    """Draw the raw field ``field`` of ``readings``, converted to SI units, on a new figure.

    The y axis names the field and its unit (``power (W)``), the x axis the time zone the
    times are shown in (``tz``). ``width`` and ``height`` are in pixels. Raises ``KeyError``
    naming the available fields for an unknown field, ``ValueError`` for no readings or a
    size below 100 pixels.
    """
    if width < _SMALLEST or height < _SMALLEST:
        raise ValueError(
            f"a chart needs at least {_SMALLEST} x {_SMALLEST} pixels, not {width} x {height}"
        )
    if len(readings) == 0:
        raise ValueError("there are no readings to plot in this range")
    if field not in readings.columns:
        available = ", ".join(sorted(readings.columns)) or "none"
        raise KeyError(f"these readings have no field {field!r} (fields: {available})")
    # matplotlib takes half a second to import: only drawing a chart pays for it.
    require("matplotlib", "cli", "drawing a chart")
    import numpy as np
    from matplotlib import dates as mdates
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    conversion = conversion_for(field)
    unit = "raw" if conversion is None else _UNIT_LABELS.get(conversion.unit, conversion.unit)
    frame = readings.to_polars(units="si")
    times = frame["time"].dt.replace_time_zone(None).to_numpy()  # UTC instants, as matplotlib wants
    values = frame[si_name(field)].to_numpy()
    figure = Figure(figsize=(width / _DPI, height / _DPI), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(times, values, linewidth=0.9, color="tab:orange")
    locator = mdates.AutoDateLocator(tz=tz)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator, tz=tz)  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_formatter(formatter)
    axes.set_xlabel(f"time ({_zone_name(tz)})")
    axes.set_ylabel(f"{field} ({unit})")
    axes.grid(visible=True, alpha=0.3)
    if np.nanmin(values) < 0 < np.nanmax(values):  # signed power: import above, feed-in below
        axes.axhline(0, color="grey", linewidth=0.6)
    if title:
        axes.set_title(title)
    return figure


def _zone_name(tz: tzinfo) -> str:
    key = getattr(tz, "key", None)
    return key if isinstance(key, str) else (tz.tzname(None) or "UTC")
