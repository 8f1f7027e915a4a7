"""``inexogy watch``: a live view of one meter in the terminal, or JSON lines through a pipe."""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated

import typer

from inexogy.last_reading import LastReading
from inexogy.units import conversion_for, si_name
from inexogy.zones import iso

from .failures import describe_failure
from .options import GlobalOptions
from .params import MeterArgument, find_meter
from .polling import MIN_INTERVAL, check_interval, live_retry, stop_on_signals, wait_for
from .render import describe_age, last_reading_json

if TYPE_CHECKING:  # the poller (and httpx) are imported when the command runs
    from rich.console import Console, Group
    from rich.table import Table

    from inexogy.live import LivePoller, MeterState, Snapshot

__all__ = ["History", "sparkline", "watch"]

SERVICE_MIN_INTERVAL = 2.0
"""The shortest --interval against the real service, in seconds (it updates every ~2 s)."""
SPARK_WINDOW_MS = 5 * 60 * 1000
"""How far back the sparklines reach: the last five minutes of readings."""
SPARK_POINTS = 60
"""The most readings a sparkline shows (the newest)."""
_BARS = "▁▂▃▄▅▆▇█"
_TICK = 0.2  # seconds between redraws and key checks


def sparkline(values: Sequence[float]) -> str:
    """Draw ``values`` as a line of block characters, lowest to highest (flat: mid-height)."""
    if not values:
        return ""
    low, high = min(values), max(values)
    if high == low:
        return _BARS[3] * len(values)
    top = len(_BARS) - 1
    return "".join(_BARS[round((value - low) / (high - low) * top)] for value in values)


class History:
    """The readings of the last ``SPARK_WINDOW_MS`` (by the readings' own times), each once.

    Filled by the polling thread and read by the drawing one, hence the lock.
    """

    def __init__(self) -> None:
        self._readings: deque[tuple[int, dict[str, float]]] = deque()
        self._lock = threading.Lock()

    def add(self, reading: LastReading) -> None:
        """Keep ``reading`` (in SI units) unless it is no newer than the last; forget the old."""
        with self._lock:
            if self._readings and reading.time_ms <= self._readings[-1][0]:
                return
            self._readings.append((reading.time_ms, reading.si_values()))
            while self._readings[0][0] < reading.time_ms - SPARK_WINDOW_MS:
                self._readings.popleft()

    def series(self, field: str) -> list[float]:
        """Return the SI values of ``field`` (a raw name) in the kept readings, newest last."""
        name = si_name(field)
        with self._lock:
            values = [values[name] for _, values in self._readings if name in values]
        return values[-SPARK_POINTS:]


def watch(
    ctx: typer.Context,
    meter: MeterArgument,
    interval: Annotated[
        float,
        typer.Option(
            "--interval",
            min=MIN_INTERVAL,
            metavar="SECONDS",
            help=(
                f"Seconds between polls (at least {SERVICE_MIN_INTERVAL:g} against the real "
                "service)."
            ),
        ),
    ] = 10.0,
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--field",
            metavar="F",
            help="A field to show, e.g. power or voltage1; repeat for several "
            "(default: power and voltage fields).",
            show_default=False,
        ),
    ] = None,
    count: Annotated[
        int | None,
        typer.Option("--count", min=1, help="Stop after this many polls (default: never)."),
    ] = None,
) -> None:
    """Watch a meter live: power, per-phase power and voltage, the reading's age.

    In a terminal: a view refreshed at the interval with sparklines of the last minutes; q or
    Ctrl-C quits. Through a pipe: one JSON line per poll (like `last-reading --format json`).
    """
    from rich.console import Console  # rich: imported when the command runs

    options = ctx.ensure_object(GlobalOptions)
    fields = list(dict.fromkeys(field)) if field else None
    check_interval(interval, options, SERVICE_MIN_INTERVAL, "watch")
    with options.open_client(retry=None) as client:
        found = find_meter(client, meter, fields, param_hint="--field")
        from inexogy.live import LivePoller

        poller = LivePoller(client, retry=live_retry(options, interval), fields=fields)
        poller.use([found])
        console = Console()
        with stop_on_signals() as stop, _poller_log_silenced():
            if console.is_terminal:
                _watch_terminal(console, poller, interval, count, fields, stop, options)
            else:
                _print_json_lines(poller, interval, count, stop, options)


def _print_json_lines(
    poller: LivePoller,
    interval: float,
    count: int | None,
    stop: threading.Event,
    options: GlobalOptions,
) -> None:
    """Print one JSON line per poll (a failed poll: one line on stderr) until stopped."""
    closed = False

    def on_poll(snapshot: Snapshot) -> None:
        nonlocal closed
        state = snapshot.meters[0]
        try:
            if state.error is not None:
                typer.echo(f"inexogy watch: {describe_failure(state.error, options)}", err=True)
            elif state.reading is not None:
                sys.stdout.write(last_reading_json(state.reading, "si", options.tz) + "\n")
                sys.stdout.flush()
        except BrokenPipeError:
            closed = True
            stop.set()
        if count is not None and snapshot.polls >= count:
            stop.set()

    poller.start(interval, on_poll)
    try:
        wait_for(stop)
    finally:
        poller.stop()
    if closed:  # the reader went away (`inexogy watch ... | head -3`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _watch_terminal(
    console: Console,
    poller: LivePoller,
    interval: float,
    count: int | None,
    fields: Sequence[str] | None,
    stop: threading.Event,
    options: GlobalOptions,
) -> None:
    """Show the live view until q, Ctrl-C, SIGTERM or ``count`` polls."""
    from rich.live import Live

    history = History()

    def on_poll(snapshot: Snapshot) -> None:
        reading = snapshot.meters[0].reading
        if reading is not None:
            history.add(reading)
        if count is not None and snapshot.polls >= count:
            stop.set()

    view = _View(interval, fields, history, options)
    with (
        _keypresses(stop) as read_keys,
        Live(console=console, auto_refresh=False, redirect_stderr=False) as live,
    ):
        poller.start(interval, on_poll)
        try:
            while not stop.is_set():
                live.update(view.render(poller.snapshot.meters[0]), refresh=True)
                if "q" in read_keys(_TICK).lower():
                    break
            live.update(view.render(poller.snapshot.meters[0]), refresh=True)
        finally:
            poller.stop()


class _View:
    """The rich renderable of the live view."""

    def __init__(
        self,
        interval: float,
        fields: Sequence[str] | None,
        history: History,
        options: GlobalOptions,
    ) -> None:
        self._interval = interval
        self._fields = fields
        self._history = history
        self._options = options

    def render(self, state: MeterState) -> Group:
        """Render the meter's state: title, the fields with sparklines, age, last failure."""
        from rich.console import Group
        from rich.text import Text

        meter = state.meter
        title = Text(f"{meter.full_serial_number} ({meter.type_}, {meter.meter_id})", style="bold")
        reading = state.reading
        parts: list[Text | Table] = [title]
        if reading is None:
            parts.append(Text("waiting for the first reading..."))
        else:
            parts.append(self._table(reading))
            taken = iso(reading.time, self._options.tz)
            parts.append(Text(f"taken {taken}, {describe_age(reading.age)} ago"))
        if state.error is not None:
            failure = describe_failure(state.error, self._options)
            parts.append(Text(f"last poll failed: {failure}", style="red"))
        parts.append(Text(f"polled every {self._interval:g} s; q or Ctrl-C quits", style="dim"))
        return Group(*parts)

    def _table(self, reading: LastReading) -> Table:
        from rich.table import Table

        si = reading.si_values()
        table = Table(box=None, pad_edge=False)
        table.add_column("field", no_wrap=True)
        table.add_column("value", justify="right", no_wrap=True)
        table.add_column("unit", no_wrap=True)
        table.add_column("last 5 min", no_wrap=True)
        for field in self._shown(reading):
            conversion = conversion_for(field)
            value = si.get(si_name(field))
            if value is None:
                continue
            shown = f"{value:.{conversion.decimals}f}" if conversion else f"{value:g}"
            table.add_row(
                field,
                shown,
                conversion.unit if conversion else "",
                sparkline(self._history.series(field)),
            )
        return table

    def _shown(self, reading: LastReading) -> list[str]:
        """Return the fields asked for, else the power and voltage fields (else all of them)."""
        if self._fields:
            return list(self._fields)
        electric = [
            name
            for name in reading.values
            if (conversion := conversion_for(name)) is not None and conversion.unit in ("W", "V")
        ]
        return electric or list(reading.values)


@contextmanager
def _poller_log_silenced() -> Iterator[None]:
    """Keep the poller's warnings off stderr: the view (or a stderr line) shows each failure.

    Without a handler of its own, Python would print them over the live view.
    """
    logger = logging.getLogger("inexogy.live")
    handler = logging.NullHandler()
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@contextmanager
def _keypresses(stop: threading.Event) -> Iterator[Callable[[float], str]]:
    """Yield ``read(timeout)``: the keys typed within ``timeout`` (``""`` if none).

    Standard input is put in cbreak mode (keys arrive unbuffered, Ctrl-C still interrupts)
    and restored on exit; without a terminal on standard input, ``read`` only waits.
    """
    try:
        import termios
        import tty
    except ImportError:  # not a POSIX system: no key handling, Ctrl-C still quits
        termios = None  # type: ignore[assignment]
    if termios is None or not sys.stdin.isatty():

        def wait(timeout: float) -> str:
            stop.wait(timeout)
            return ""

        yield wait
        return
    descriptor = sys.stdin.fileno()
    saved = termios.tcgetattr(descriptor)
    tty.setcbreak(descriptor)

    def read(timeout: float) -> str:
        ready, _, _ = select.select([descriptor], [], [], timeout)
        return os.read(descriptor, 64).decode(errors="replace") if ready else ""

    try:
        yield read
    finally:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)
