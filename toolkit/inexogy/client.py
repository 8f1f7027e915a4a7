"""``Inexogy``: the synchronous high-level client."""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx
import inexogy_auth
from inexogy_auth import TokenStore

from . import calls
from .base import ClientBase, Progress
from .calls import Call, readings_chunk
from .chunks import Resolution
from .columns import concat_frames, tables_available
from .export import CsvDialect, ExportFormat
from .last_reading import Clock, LastReading, utc_now
from .limits import ResponseLimits
from .meters import MeterRef, match_meter
from .responses import request_errors_mapped
from .retry import RetryPolicy, Sleep
from .sessions import LoginMethod, check_method
from .timestamps import Moment, to_moment
from .units import Units, check_units
from .usage import Per, UsagePlanner
from .zones import Zone, resolve_zone

if TYPE_CHECKING:
    import polars as pl
    from inexogy_client.models import Activity, Meter, Statistic
    from inexogy_client.models.load_profile_resolution import LoadProfileResolution

    from .readings import Readings
    from .stream import ExportResult, ExportTarget

# The readings table and the streaming export (asyncio and a thread pool behind them) are
# imported by the methods that use them: `inexogy meters` does not pay for them.

if TYPE_CHECKING:
    from pathlib import Path

    from .archive import SyncedPeriod, SyncSummary

__all__ = ["Inexogy"]

T = TypeVar("T")


class _Skipped(Exception):
    """A call of a long range not started because another one had failed."""


class Inexogy(ClientBase):
    """The inexogy API for people: typed results, retries, long ranges, errors that explain.

    Use it as a context manager (or call ``close``)::

        with Inexogy.login("me@example.com", password) as api:
            meter = api.find_meter("1ESY1161229886")
            table = api.readings(meter.meter_id, start, end, resolution="fifteen_minutes")

    ``auth`` is any ``httpx.Auth`` (``inexogy_auth.OAuth1Auth``, ``inexogy_auth.BasicAuth``);
    ``base_url`` defaults to ``$INEXOGY_BASE_URL``, else the real service. ``http_client`` is
    an ``httpx.Client`` of yours to send through (with its own timeout and pool); it is never
    closed here, and gets its ``auth`` and ``base_url`` back on close. ``retry`` says how
    failed calls are retried (``None``: not at all); ``timeout`` is per request, in seconds;
    ``max_concurrency`` bounds the parallel requests of a long range. ``sleep``, ``clock``
    (now, for ``LastReading.age`` and open ranges) and ``monotonic`` replace the real ones in
    tests. ``response_limits`` caps the size of answers per endpoint (a ``ResponseLimits``, or
    ``{"/readings": bytes}`` to change some of the defaults). All times taken and given are
    aware datetimes; a naive one raises ``ValueError``. Failed calls raise subclasses of
    ``inexogy.InexogyError``.
    """

    def __init__(
        self,
        *,
        auth: httpx.Auth,
        base_url: str | None = None,
        http_client: httpx.Client | None = None,
        retry: RetryPolicy | None = RetryPolicy(),  # noqa: B008 (immutable)
        timeout: float = 30.0,
        max_concurrency: int = 4,
        sleep: Sleep = time.sleep,
        clock: Clock = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
        response_limits: ResponseLimits | Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(
            auth=auth,
            base_url=base_url,
            http_client=http_client,
            retry=retry,
            timeout=timeout,
            max_concurrency=max_concurrency,
            clock=clock,
            monotonic=monotonic,
            response_limits=response_limits,
            asynchronous=False,
        )
        self._sleep = sleep

    # Creation

    @classmethod
    def login(
        cls,
        email: str,
        password: str,
        *,
        method: LoginMethod = "oauth",
        base_url: str | None = None,
        store: TokenStore | None = None,
        app_name: str = inexogy_auth.DEFAULT_APP_NAME,
        **kwargs: Any,
    ) -> Self:
        """Return a client for the account ``email``.

        ``method="oauth"`` runs the OAuth dance now (its token is saved to ``store`` when one
        is given, and renewed with the same email and password when it expires);
        ``method="basic"`` sends the password with every request instead. ``kwargs`` go to
        the constructor. Raises ``InvalidCredentialsError`` for a wrong email or password.
        """
        check_method(method)
        if method == "basic":
            return cls._basic(email, password, base_url, kwargs)
        connection = cls._dance_connection(base_url, kwargs, asynchronous=False)
        try:
            with request_errors_mapped():
                credentials = inexogy_auth.authorize(
                    connection.client, email, password, app_name=app_name
                )
        finally:
            connection.close()
        return cls._logged_in(
            credentials, connection, email, password, store=store, app_name=app_name, kwargs=kwargs
        )

    # Lifetime

    def close(self) -> None:
        """Close the httpx client made here; a caller's client is left open."""
        self._connection.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # Running calls

    def _run(self, call: Call[T]) -> T:
        client = self._connection.client
        return self._retrier.call(
            lambda: call.send(client), self._sleep, idempotent=call.idempotent
        )

    def _run_all(self, batch: Sequence[Call[T]], progress: Progress | None) -> list[T]:
        """Run the calls with at most ``max_concurrency`` at a time; results in call order.

        When one call fails for good, no further call starts and its error is raised once
        the calls already running have ended.
        """
        total = len(batch)
        if total == 1 or self._max_concurrency == 1:
            results: list[T] = []
            for call in batch:
                results.append(self._run(call))
                if progress is not None:
                    progress(len(results), total)
            return results
        from concurrent.futures import ThreadPoolExecutor, as_completed

        failed = threading.Event()

        def run_one(call: Call[T]) -> T:
            if failed.is_set():
                raise _Skipped
            try:
                return self._run(call)
            except BaseException:
                failed.set()
                raise

        with ThreadPoolExecutor(min(self._max_concurrency, total), "inexogy") as pool:
            futures = [pool.submit(run_one, call) for call in batch]
            try:
                for done, future in enumerate(as_completed(futures), start=1):
                    if future.exception() is not None:
                        break
                    if progress is not None:
                        progress(done, total)
            finally:
                pool.shutdown(wait=True, cancel_futures=True)
        for future in futures:
            error = None if future.cancelled() else future.exception()
            if error is not None and not isinstance(error, _Skipped):
                raise error
        return [future.result() for future in futures]

    # Meters and times as the methods take them

    def _meter_id(self, meter: MeterRef) -> str:
        """Return the meterId of a meterId, a serial number or a ``Meter`` (see ``find_meter``)."""
        meters = self.meters() if self._needs_meters([meter]) else self._meters
        return self._resolved(meter, meters)

    # Metadata

    def meters(self) -> list[Meter]:
        """Return the meters of the account."""
        return self._remember_meters(self._run(calls.meters()))

    def find_meter(self, meter: MeterRef) -> Meter:
        """Return the meter with this meterId or serial number (short, full or printed).

        The account's meters are fetched once per client and kept. Raises ``NotFoundError``
        when none (or several) match.
        """
        if not isinstance(meter, str):
            return meter
        meters = self._meters if self._meters is not None else self.meters()
        return match_meter(meters, meter)

    def field_names(self, meter_id: MeterRef) -> list[str]:
        """Return the fields the meter's readings carry (e.g. ``energy``, ``power``)."""
        return self._run(calls.field_names(self._meter_id(meter_id)))

    def devices(self, meter_id: MeterRef) -> list[str]:
        """Return the devices recognised in the meter's consumption (e.g. ``DISHWASHER-1``)."""
        return self._run(calls.devices(self._meter_id(meter_id)))

    # Measurements

    def readings(
        self,
        meter_id: MeterRef,
        start: Moment,
        end: Moment | None = None,
        *,
        resolution: Resolution = "raw",
        fields: Sequence[str] | None = None,
        progress: Progress | None = None,
    ) -> Readings:
        """Return the readings in ``[start, end)`` (``end`` defaults to now), raw units, as a table.

        A range longer than the resolution allows per request (raw: 1 day) is fetched in
        several requests, up to ``max_concurrency`` at a time, and merged in time order
        without gaps or duplicates; ``progress(done, total)`` is called after each one. The
        whole range is held in memory: for ranges of any length use :meth:`iter_readings` or
        :meth:`export`. Needs the ``tables`` extra (polars).
        """
        from .readings import Readings, build_readings

        meter_id = self._meter_id(meter_id)
        if not tables_available():
            # A bare install: the typed models, merged into lists (to_polars names the extra).
            planned = self._readings_calls(meter_id, *self._span(start, end), resolution, fields)
            answers = self._run_all([call for _, _, call in planned], progress)
            return build_readings(
                meter_id,
                resolution,
                ((low, high, got) for (low, high, _), got in zip(planned, answers, strict=True)),
            )
        frames = list(self._chunk_frames(meter_id, start, end, resolution, fields, progress))
        return Readings(meter_id, resolution, frame=concat_frames(frames))

    def iter_readings(
        self,
        meter_id: MeterRef,
        start: Moment,
        end: Moment | None = None,
        *,
        resolution: Resolution = "raw",
        fields: Sequence[str] | None = None,
        units: Units = "raw",
        tz: Zone | None = None,
        progress: Progress | None = None,
    ) -> Iterator[pl.DataFrame]:
        """Yield the readings in ``[start, end)`` one request's span at a time, in time order.

        Each table has ``time`` (Datetime ms in ``tz``, default UTC) and one column per field
        (``units`` as in ``Readings.to_polars``). Requests run up to ``max_concurrency`` at a
        time, and no more than that many chunks are held however long the range: memory stays
        bounded.
        """
        from .stream import in_units

        check_units(units)
        chunks = self._chunk_frames(
            self._meter_id(meter_id), start, end, resolution, fields, progress
        )
        return in_units(chunks, units, tz)

    def export(
        self,
        meter_id: MeterRef,
        target: ExportTarget,
        start: Moment,
        end: Moment | None = None,
        *,
        format: ExportFormat | None = None,
        resolution: Resolution = "raw",
        fields: Sequence[str] | None = None,
        units: Units = "raw",
        tz: Zone | None = None,
        csv_separator: str = ",",
        decimal_comma: bool = False,
        progress: Progress | None = None,
    ) -> ExportResult:
        """Write the readings in ``[start, end)`` to ``target`` as CSV, JSON lines or Parquet.

        ``target`` is a path (the format defaults to its suffix; the file appears complete or
        not at all: it is written under a temporary name and renamed when done) or an open
        binary stream such as ``sys.stdout.buffer``. Chunks are written in time order as soon
        as they arrive, so memory stays bounded however long the range. ``csv_separator`` and
        ``decimal_comma`` shape CSV for spreadsheets (``";"`` and ``True`` for German ones).
        """
        from .stream import export_format, export_frames

        chosen = export_format(target, format)
        dialect = CsvDialect(separator=csv_separator, decimal_comma=decimal_comma)
        meter_id = self._meter_id(meter_id)
        start, end = self._span(start, end)
        self._frame_calls(meter_id, start, end, resolution, fields)  # bad arguments fail now
        return export_frames(
            lambda: self.iter_readings(
                meter_id,
                start,
                end,
                resolution=resolution,
                fields=fields,
                units=units,
                tz=tz,
                progress=progress,
            ),
            target,
            chosen,
            dialect,
        )

    def _chunk_frames(
        self,
        meter_id: str,
        start: Moment,
        end: Moment | None,
        resolution: Resolution,
        fields: Sequence[str] | None,
        progress: Progress | None,
    ) -> Iterator[pl.DataFrame]:
        """Return the raw chunk tables of a range in time order; the arguments are checked now."""
        batch = self._frame_calls(meter_id, *self._span(start, end), resolution, fields)
        return self._in_order(batch, progress)

    def _in_order(self, batch: Sequence[Call[T]], progress: Progress | None) -> Iterator[T]:
        from .stream import ordered

        total = len(batch)
        tasks = [functools.partial(self._run, call) for call in batch]
        for done, result in enumerate(ordered(tasks, self._max_concurrency), start=1):
            if progress is not None:
                progress(done, total)
            yield result
            del result  # not held while the next chunk is awaited

    def usage(
        self,
        meter_id: MeterRef,
        start: Moment,
        end: Moment | None = None,
        *,
        per: Per = "day",
        tz: Zone | None = None,
        price: float | None = None,
        feed_in_price: float | None = None,
        progress: Progress | None = None,
    ) -> pl.DataFrame:
        """Return the energy used per local period: one row per hour, day, week, month or year.

        The periods are whole local periods of ``tz`` (a name like ``"Europe/Berlin"`` or a
        ``tzinfo``; default UTC) covering ``[start, end)`` (``end`` defaults to now): weeks
        start on Monday, a day across a change of daylight saving time lasts 23 or 25 hours.
        Columns: ``start`` and ``end`` (Datetime in ``tz``), ``partial`` (the values cover
        part of the period: it is not over, or the meter's data begins or ends inside it;
        ``start``/``end`` then give the readings used), ``drawn_kWh`` and, for meters with
        ``energyOut``, ``fed_in_kWh`` (gas meters: ``volume_m³``), ``cost`` (drawn, or gas
        volume, times ``price``) and ``credit`` (fed in times ``feed_in_price``) when prices
        are given, and ``glitches``: what was done about glitched registers at the period's
        borders (``None`` when nothing was). Each value is the register difference between
        the period's borders, read at the coarsest resolution that holds them exactly, so
        the periods add up to the difference over the whole range. A period without
        readings at a border has nulls. Raises ``UsageError`` for a meter without register.
        """
        meter_id = self._meter_id(meter_id)
        zone = resolve_zone(tz)  # a date or an offset-less string is read in the report's zone
        start_at = to_moment(start, "start", zone)
        end_at = None if end is None else to_moment(end, "end", zone)
        planner = UsagePlanner.for_fields(
            self.field_names(meter_id), start_at, end_at, per, tz, self._clock()
        )
        batch = planner.requests()
        while batch:
            calls_ = [
                readings_chunk(meter_id, r.low, r.high, r.resolution, planner.fields) for r in batch
            ]
            for answer in self._run_all(calls_, progress):
                planner.add(answer)
            batch = planner.next_requests()
        return planner.frame(price=price, feed_in_price=feed_in_price)

    def last_reading(
        self,
        meter_id: MeterRef,
        *,
        fields: Sequence[str] | None = None,
        tz: Zone | None = None,
    ) -> LastReading:
        """Return the meter's latest reading; check its ``age`` before taking it as current.

        Its ``time`` is an aware datetime in ``tz`` (a zone name like ``"Europe/Berlin"`` or a
        ``tzinfo``; default UTC).
        """
        zone = resolve_zone(tz)
        meter = self._meter_id(meter_id)
        return self._run(calls.last_reading(meter, fields, self._clock, zone))

    def statistics(
        self,
        meter_id: MeterRef,
        start: Moment,
        end: Moment | None = None,
        *,
        fields: Sequence[str] | None = None,
    ) -> dict[str, Statistic]:
        """Count, minimum, maximum, mean and variance per field over ``[start, end)``, raw units."""
        return self._run(
            calls.statistics(self._meter_id(meter_id), *self._span(start, end), fields)
        )

    def load_profile(
        self,
        meter_id: MeterRef,
        first_day: date,
        last_day: date,
        *,
        resolution: LoadProfileResolution = "raw",
    ) -> list[dict[str, float]]:
        """Load-profile rows from ``first_day`` to ``last_day`` (both included).

        Each row has ``time`` (Unix ms), one value per OBIS code (e.g. ``1.29``, in kWh) and
        ``status``.
        """
        return self._run(
            calls.load_profile(self._meter_id(meter_id), first_day, last_day, resolution)
        )

    def raw_load_profile(self, meter_id: MeterRef, day: date) -> str:
        """Return the load-profile file the meter sent on ``day``, as text."""
        return self._run(calls.raw_load_profile(self._meter_id(meter_id), day))

    # Disaggregation

    def disaggregation(
        self,
        meter_id: MeterRef,
        start: Moment,
        end: Moment | None = None,
        *,
        tz: Zone | None = None,
    ) -> dict[datetime, dict[str, int]]:
        """Energy per recognised device (10^-10 kWh) per 15 minutes, at most one week.

        The intervals are keyed by their start, in time order, told in ``tz`` (a zone name
        like ``"Europe/Berlin"`` or a ``tzinfo``; default UTC): the local time with the offset
        it has there as a fixed ``datetime.timezone`` (``02:00+01:00``), so that the repeated
        hour of a fall back keeps its own keys (``ZoneInfo`` times there would equal their
        twins); ``key.astimezone(tz)`` gives the zone itself. A ``start`` or ``end`` given as a
        date or an offset-less string is read in ``tz``.
        """
        zone = resolve_zone(tz)
        start_at = to_moment(start, "start", zone)
        end_at = None if end is None else to_moment(end, "end", zone)
        meter = self._meter_id(meter_id)
        return self._run(calls.disaggregation(meter, start_at, end_at, zone))

    def activities(self, meter_id: MeterRef, start: Moment, end: Moment) -> list[Activity]:
        """Activities of recognised devices in ``[start, end)``, at most one month."""
        return self._run(
            calls.activities(
                self._meter_id(meter_id), self._moment(start, "start"), self._moment(end, "end")
            )
        )

    # Account

    def website_access_code(self, email: str) -> str:
        """Return an access code for the inexogy website."""
        return self._run(calls.website_access_code(email))

    # Virtual meters

    def virtual_meter(self, meter_id: MeterRef) -> list[Meter]:
        """Return the meters a virtual meter is made of."""
        return self._run(calls.virtual_meter(self._meter_id(meter_id)))

    def create_virtual_meter(
        self, plus: Sequence[MeterRef], minus: Sequence[MeterRef] = ()
    ) -> Meter:
        """Return a new virtual meter: the sum of the ``plus`` meters minus the ``minus`` meters."""
        return self._run(
            calls.create_virtual_meter_call(
                [self._meter_id(meter) for meter in plus],
                [self._meter_id(meter) for meter in minus],
            )
        )

    def delete_virtual_meter(self, meter_id: MeterRef) -> None:
        """Delete a virtual meter (the real service answers 501: ``ServerError``)."""
        self._run(calls.delete_virtual_meter_call(self._meter_id(meter_id)))

    # Archive

    def sync(
        self,
        directory: str | Path,
        meters: str | Sequence[str] | None = None,
        *,
        resolution: Resolution = "fifteen_minutes",
        start: datetime | None = None,
        on_period: Callable[[SyncedPeriod], None] | None = None,
    ) -> SyncSummary:
        """Bring the readings archive in ``directory`` up to date; return what was done.

        ``meters`` are meterIds or serial numbers (``None``: every meter of the account).
        Each meter is archived from the UTC period containing ``start`` (default: its first
        measurement) until now, one Parquet file per UTC day (raw) or month (3-minute,
        15-minute, hourly; yearly for one_day), in ``DIR/meter=<meterId>/resolution=<r>/``.
        Only periods whose file is missing or still open are fetched, up to
        ``max_concurrency`` requests at a time; each file is written atomically as soon as
        its period arrives (then ``on_period`` is called), so an interrupted sync keeps
        everything finished. Raises ``ArchiveBusyError`` while another sync writes there.
        Read the archive with :func:`inexogy.read_archive`.
        """
        from .archive import sync as archive

        chosen = archive.select_meters(self.meters(), meters)
        with archive.prepared(directory, chosen, resolution, start, self._clock()) as (root, plan):
            fetched = archive.run_threaded(
                plan.tasks,
                lambda meter_id, low, high, chosen: self.readings(
                    meter_id, low, high, resolution=chosen
                ),
                self._max_concurrency,
                on_period,
            )
        return archive.summary(root, resolution, chosen, plan, fetched)
