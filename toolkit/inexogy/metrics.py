"""The Prometheus metrics of a live feed: a collector over the poller's snapshot, and serving it.

Only ``inexogy exporter`` imports this module (``prometheus_client`` is in the ``cli`` extra).
A scrape never reaches the service: :class:`SnapshotCollector` renders the last snapshot of a
:class:`~inexogy.live.LivePoller` from memory, the last good values with their age.

Per meter (labels ``meter_id``, ``serial``, ``type``; ``phase`` or ``tariff`` where they
apply), in SI units: ``inexogy_power_watts`` (the total without ``phase``, each phase with
it), ``inexogy_voltage_volts``, ``inexogy_energy_drawn_kwh_total`` and
``inexogy_energy_fed_in_kwh_total`` (the meter's register without ``tariff``, tariff registers
with it), ``inexogy_gas_volume_m3_total``, ``inexogy_reading_timestamp_seconds``,
``inexogy_reading_age_seconds`` and ``inexogy_meter_up``. The exporter's own:
``inexogy_requests_total{outcome}``, ``inexogy_poll_duration_seconds`` (the last poll),
``inexogy_polls_total`` and ``inexogy_up``.

Samples carry no timestamp of their own: Prometheus drops samples stamped more than about an
hour in the past, which a gas meter's reading often is. The reading's time is
``inexogy_reading_timestamp_seconds`` (unchanged while the reading is) and its age
``inexogy_reading_age_seconds``.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from attrs import frozen
from prometheus_client import (
    PLATFORM_COLLECTOR,
    PROCESS_COLLECTOR,
    CollectorRegistry,
    make_wsgi_app,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import ThreadingWSGIServer
from prometheus_client.samples import Sample

from .last_reading import Clock, LastReading, utc_now
from .live import OUTCOMES, MeterState, Snapshot

__all__ = ["MetricsServer", "SnapshotCollector", "serve_metrics"]

_METER_LABELS = ("meter_id", "serial", "type")
_SHUTDOWN_POLL = 0.05  # seconds: how soon the serving thread notices a shutdown


@frozen
class _Family:
    """One per-meter metric family: its name (without ``_total``), type and help."""

    name: str
    kind: str
    documentation: str


_POWER = _Family("inexogy_power_watts", "gauge", "Active power in W (+ drawn, - fed in).")
_VOLTAGE = _Family("inexogy_voltage_volts", "gauge", "Voltage per phase in V.")
_DRAWN = _Family(
    "inexogy_energy_drawn_kwh", "counter", "Energy drawn from the grid in kWh (meter register)."
)
_FED_IN = _Family(
    "inexogy_energy_fed_in_kwh", "counter", "Energy fed into the grid in kWh (meter register)."
)
_GAS = _Family("inexogy_gas_volume_m3", "counter", "Gas volume in m³ (meter register).")
_FAMILIES = (_POWER, _VOLTAGE, _DRAWN, _FED_IN, _GAS)

# SI field name (LastReading.si_values) -> family and extra label; the group is its value.
_FIELDS: tuple[tuple[re.Pattern[str], _Family, str | None], ...] = (
    (re.compile(r"power_W"), _POWER, None),
    (re.compile(r"(?:power|phase)(\d+)(?:Power)?_W"), _POWER, "phase"),
    (re.compile(r"(?:voltage|phase)(\d+)(?:Voltage)?_V"), _VOLTAGE, "phase"),
    (re.compile(r"energy_kWh"), _DRAWN, None),
    (re.compile(r"energy(\d+)_kWh"), _DRAWN, "tariff"),
    (re.compile(r"energyOut_kWh"), _FED_IN, None),
    (re.compile(r"energyOut(\d+)_kWh"), _FED_IN, "tariff"),
    (re.compile(r"volume_m³"), _GAS, None),
)


def _fields_of(si_name: str) -> tuple[_Family, str | None, str | None] | None:
    """Return the family, extra label name and value of an SI field; ``None``: not exported."""
    for pattern, family, label in _FIELDS:
        match = pattern.fullmatch(si_name)
        if match is not None:
            return family, label, match.group(1) if label else None
    return None


def _meter_labels(state: MeterState) -> dict[str, str]:
    meter = state.meter
    return {"meter_id": meter.meter_id, "serial": meter.full_serial_number, "type": meter.type_}


def _reading_samples(
    reading: LastReading, labels: dict[str, str]
) -> list[tuple[_Family, dict[str, str], float]]:
    """Return the samples of one reading, in SI units (computed once per new reading)."""
    samples = []
    for name, value in reading.si_values().items():
        found = _fields_of(name)
        if found is None:
            continue
        family, label, label_value = found
        sample_labels = labels if label is None else {**labels, label: str(label_value)}
        samples.append((family, sample_labels, float(value)))
    return samples


class SnapshotCollector:
    """A Prometheus collector rendering the current snapshot of a live poller, from memory.

    ``snapshot`` returns the poller's latest :class:`~inexogy.live.Snapshot`; ``clock`` is
    "now" for the readings' age. Samples of a reading are computed once, when it is new.
    A meter register (a counter) that reads 0 after a positive value is a known glitch of the
    service: the last value is kept, since Prometheus would take the drop for a reset.
    """

    def __init__(self, snapshot: Callable[[], Snapshot], clock: Clock = utc_now) -> None:
        self._snapshot = snapshot
        self._clock = clock
        self._lock = threading.Lock()
        # meter_id -> (reading time in ms, its samples)
        self._cache: dict[str, tuple[int, list[tuple[_Family, dict[str, str], float]]]] = {}

    def describe(self) -> list[Metric]:
        """Return the families yielded (no samples), for the registry's name checks."""
        return [*self._empty_families().values(), *self._own_families(None)]

    def collect(self) -> Iterator[Metric]:
        """Yield every family, from the last snapshot only."""
        snapshot = self._snapshot()
        now = self._clock().timestamp()
        families = self._empty_families()
        timestamp = GaugeMetricFamily(
            "inexogy_reading_timestamp_seconds",
            "Time the meter took its last good reading, Unix seconds.",
            labels=_METER_LABELS,
        )
        age = GaugeMetricFamily(
            "inexogy_reading_age_seconds",
            "Seconds since the meter took its last good reading.",
            labels=_METER_LABELS,
        )
        meter_up = GaugeMetricFamily(
            "inexogy_meter_up", "1 if the last poll of this meter succeeded.", labels=_METER_LABELS
        )
        for state in snapshot.meters:
            labels = _meter_labels(state)
            label_values = [labels[name] for name in _METER_LABELS]
            meter_up.add_metric(label_values, 1.0 if state.up else 0.0)
            reading = state.reading
            if reading is None:
                continue
            taken = reading.time_ms / 1000
            timestamp.add_metric(label_values, taken)
            age.add_metric(label_values, round(now - taken, 3))
            for family, sample_labels, value in self._samples(state.meter_id, reading, labels):
                metric = families[family.name]
                suffix = "_total" if family.kind == "counter" else ""
                metric.samples.append(Sample(family.name + suffix, sample_labels, value))
        yield from families.values()
        yield timestamp
        yield age
        yield meter_up
        yield from self._own_families(snapshot)

    def _samples(
        self, meter_id: str, reading: LastReading, labels: dict[str, str]
    ) -> list[tuple[_Family, dict[str, str], float]]:
        with self._lock:
            cached = self._cache.get(meter_id)
            if cached is not None and cached[0] == reading.time_ms:
                return cached[1]
            samples = _reading_samples(reading, labels)
            if cached is not None:
                samples = _without_glitches(samples, cached[1])
            self._cache[meter_id] = (reading.time_ms, samples)
            return samples

    @staticmethod
    def _empty_families() -> dict[str, Metric]:
        families: dict[str, Metric] = {}
        for family in _FAMILIES:
            kind: Any = CounterMetricFamily if family.kind == "counter" else GaugeMetricFamily
            families[family.name] = kind(family.name, family.documentation, labels=_METER_LABELS)
        return families

    @staticmethod
    def _own_families(snapshot: Snapshot | None) -> list[Metric]:
        requests = CounterMetricFamily(
            "inexogy_requests",
            "Requests to the API by outcome (retries included).",
            labels=["outcome"],
        )
        polls = CounterMetricFamily("inexogy_polls", "Polls of all meters done.")
        duration = GaugeMetricFamily(
            "inexogy_poll_duration_seconds", "Seconds the last poll of all meters took."
        )
        up = GaugeMetricFamily(
            "inexogy_up", "1 if the last poll succeeded for every meter, else 0."
        )
        if snapshot is not None:
            for outcome in OUTCOMES:
                requests.add_metric([outcome], snapshot.requests.get(outcome, 0))
            polls.add_metric([], snapshot.polls)
            if snapshot.duration is not None:
                duration.add_metric([], round(snapshot.duration, 6))
            up.add_metric([], 1.0 if snapshot.ok else 0.0)
        return [requests, polls, duration, up]


def _without_glitches(
    samples: list[tuple[_Family, dict[str, str], float]],
    previous: list[tuple[_Family, dict[str, str], float]],
) -> list[tuple[_Family, dict[str, str], float]]:
    """Keep a counter's previous value where the new reading says 0 after a positive value."""
    before = {
        (family.name, tuple(sorted(labels.items()))): value
        for family, labels, value in previous
        if family.kind == "counter"
    }
    kept = []
    for family, labels, value in samples:
        last = before.get((family.name, tuple(sorted(labels.items()))))
        if family.kind == "counter" and value == 0 and last:
            value = last
        kept.append((family, labels, value))
    return kept


class MetricsServer:
    """The HTTP server answering ``/metrics`` in a daemon thread; :meth:`close` stops it."""

    def __init__(self, server: Any, thread: threading.Thread) -> None:
        self._server = server
        self._thread = thread

    @property
    def url(self) -> str:
        """Where the metrics are served, e.g. ``http://127.0.0.1:9464/metrics``."""
        host, port = self._server.server_address[:2]
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/metrics"

    def close(self) -> None:
        """Stop serving and release the port."""
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(1.0)


class _QuietHandler(WSGIRequestHandler):
    """Serves requests without logging each one to stderr."""

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing (a scrape every few seconds is no news)."""


def serve_metrics(
    snapshot: Callable[[], Snapshot], host: str, port: int, *, clock: Clock = utc_now
) -> MetricsServer:
    """Serve the metrics of ``snapshot()`` (and the process's own) on ``host:port``.

    Port 0 picks a free port (see ``MetricsServer.url``). Raises ``OSError`` when the address
    cannot be bound.
    """
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(snapshot, clock))
    registry.register(PROCESS_COLLECTOR)
    registry.register(PLATFORM_COLLECTOR)
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0][0]

    class Server(ThreadingWSGIServer):
        address_family = family

    server = make_server(host, port, make_wsgi_app(registry), Server, _QuietHandler)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": _SHUTDOWN_POLL},
        name="inexogy-metrics",
        daemon=True,
    )
    thread.start()
    return MetricsServer(server, thread)
