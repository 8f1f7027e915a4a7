# unasync: async only
# The one source of both clients: `scripts/unasync.py` (run by `make generate`) writes
# `client.py` (``Inexogy``) from this file, word for word with async and await taken out.
# What differs for real lives in the paired modules `async_concurrency` and `concurrency`;
# the few lines that differ here stand between `# unasync: async only`, `# unasync: sync only`
# (the sync lines, commented out) and `# unasync: end`. Edit this file, never `client.py`:
# `make check-generated` (in `make test`) fails when `client.py` is not what this gives.
"""``AsyncInexogy``: the asynchronous high-level client (asyncio)."""
# unasync: sync only
# """``Inexogy``: the synchronous high-level client."""
# unasync: end

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import ExitStack
from datetime import date, datetime
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self, TypeVar

import httpx
import inexogy_auth
from inexogy_auth import TokenStore

from . import calls
from .async_concurrency import export_chunks, in_order, run_all, run_blocking
from .base import ClientBase, Progress
from .calls import Call, readings_chunk
from .chunks import Resolution
from .columns import concat_frames, tables_available
from .export import CsvDialect, ExportFormat
from .last_reading import Clock, LastReading, utc_now
from .limits import ResponseLimits
from .meters import MeterRef, match_meter
from .opening import Opening
from .responses import request_errors_mapped
from .retry import AsyncSleep, RetryPolicy
from .sessions import LoginMethod, check_method
from .timestamps import Moment, to_moment
from .units import Units, check_units
from .usage import Per, UsagePlanner
from .zones import Zone, resolve_zone

if TYPE_CHECKING:
    from collections.abc import Generator
    from pathlib import Path

    import polars as pl
    from inexogy_client.models import Activity, Meter, Statistic
    from inexogy_client.models.load_profile_resolution import LoadProfileResolution

    from .archive import SyncedPeriod, SyncSummary
    from .readings import Readings
    from .stream import ExportResult, ExportTarget

# The readings table and the streaming export (asyncio and a thread pool behind them) are
# imported by the methods that use them: `inexogy meters` does not pay for them.

__all__ = ["AsyncInexogy"]

T = TypeVar("T")


class AsyncInexogy(ClientBase):
    # unasync: async only
    """The inexogy API for people, for asyncio: the same methods as ``Inexogy``, awaitable.

    Use it as an async context manager (or await ``aclose``)::

        async with AsyncInexogy.login("me@example.com", password) as api:
            meter = await api.find_meter("1ESY1161229886")
            table = await api.readings(meter.meter_id, start, end, resolution="one_hour")

    ``auth`` is any ``httpx.Auth`` (``inexogy_auth.OAuth1Auth``, ``inexogy_auth.BasicAuth``);
    ``base_url`` defaults to ``$INEXOGY_BASE_URL``, else the real service. ``http_client`` is
    an ``httpx.AsyncClient`` of yours to send through (with its own timeout and pool); it is never
    closed here, and gets its ``auth`` and ``base_url`` back on close. ``retry`` says how
    failed calls are retried (``None``: not at all); ``timeout`` is per request, in seconds;
    ``max_concurrency`` bounds the parallel requests of a long range. ``sleep``, ``clock``
    (now, for ``LastReading.age`` and open ranges) and ``monotonic`` replace the real ones in
    tests. ``response_limits`` caps the size of answers per endpoint (a ``ResponseLimits``, or
    ``{"/readings": bytes}`` to change some of the defaults). All times taken and given are
    aware datetimes; a naive one raises ``ValueError``. Failed calls raise subclasses of
    ``inexogy.InexogyError``.
    """

    # unasync: sync only
    # """The inexogy API for people: typed results, retries, long ranges, errors that explain.
    #
    # Use it as a context manager (or call ``close``)::
    #
    #     with Inexogy.login("me@example.com", password) as api:
    #         meter = api.find_meter("1ESY1161229886")
    #         table = api.readings(meter.meter_id, start, end, resolution="fifteen_minutes")
    #
    # ``auth`` is any ``httpx.Auth`` (``inexogy_auth.OAuth1Auth``, ``inexogy_auth.BasicAuth``);
    # ``base_url`` defaults to ``$INEXOGY_BASE_URL``, else the real service. ``http_client`` is
    # an ``httpx.Client`` of yours to send through (with its own timeout and pool); it is never
    # closed here, and gets its ``auth`` and ``base_url`` back on close. ``retry`` says how
    # failed calls are retried (``None``: not at all); ``timeout`` is per request, in seconds;
    # ``max_concurrency`` bounds the parallel requests of a long range. ``sleep``, ``clock``
    # (now, for ``LastReading.age`` and open ranges) and ``monotonic`` replace the real ones in
    # tests. ``response_limits`` caps the size of answers per endpoint (a ``ResponseLimits``, or
    # ``{"/readings": bytes}`` to change some of the defaults). All times taken and given are
    # aware datetimes; a naive one raises ``ValueError``. Failed calls raise subclasses of
    # ``inexogy.InexogyError``.
    # """
    #
    # unasync: end

    def __init__(
        self,
        *,
        auth: httpx.Auth,
        base_url: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        retry: RetryPolicy | None = RetryPolicy(),  # noqa: B008 (immutable)
        timeout: float = 30.0,
        max_concurrency: int = 4,
        sleep: AsyncSleep = asyncio.sleep,
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
            asynchronous=True,
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
    ) -> Opening[Self]:
        # unasync: async only
        """Return a client for the account ``email``: ``await`` it, or ``async with`` it.

        ``async with AsyncInexogy.login(...) as api:`` closes the client at the end;
        ``api = await AsyncInexogy.login(...)`` leaves that to you (``await api.aclose()``).

        ``method="oauth"`` runs the OAuth dance when awaited (its token is saved to ``store``
        when one is given, and renewed with the same email and password when it expires);
        ``method="basic"`` sends the password with every request instead. ``kwargs`` go to
        the constructor. Raises ``InvalidCredentialsError`` for a wrong email or password.
        """
        # unasync: sync only
        # """Return a client for the account ``email``.
        #
        # ``method="oauth"`` runs the OAuth dance now (its token is saved to ``store`` when one
        # is given, and renewed with the same email and password when it expires);
        # ``method="basic"`` sends the password with every request instead. ``kwargs`` go to
        # the constructor. Raises ``InvalidCredentialsError`` for a wrong email or password.
        # """
        # unasync: end
        return Opening(cls._login(email, password, method, base_url, store, app_name, kwargs))

    @classmethod
    async def _login(
        cls,
        email: str,
        password: str,
        method: LoginMethod,
        base_url: str | None,
        store: TokenStore | None,
        app_name: str,
        kwargs: dict[str, Any],
    ) -> Self:
        check_method(method)
        if method == "basic":
            return cls._basic(email, password, base_url, kwargs)
        connection = cls._dance_connection(base_url, kwargs, asynchronous=True)
        try:
            with request_errors_mapped():
                credentials = await inexogy_auth.authorize_async(
                    connection.client, email, password, app_name=app_name
                )
        finally:
            await connection.aclose()
        return cls._logged_in(
            credentials, connection, email, password, store=store, app_name=app_name, kwargs=kwargs
        )

    # Lifetime

    async def aclose(self) -> None:
        """Close the httpx client made here; a caller's client is left open."""
        await self._connection.aclose()

    async def __aenter__(self) -> Self:
        return self

    # unasync: async only
    def __await__(self) -> Generator[Any, None, Self]:
        """Give the client itself: ``await AsyncInexogy.from_token_store()`` works too."""
        yield from ()
        return self

    # unasync: end

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    # Running calls

    async def _run(self, call: Call[T]) -> T:
        client = self._connection.client
        return await self._retrier.call_async(
            lambda: call.send_async(client), self._sleep, idempotent=call.idempotent
        )

    async def _run_all(self, batch: Sequence[Call[T]], progress: Progress | None) -> list[T]:
        """Run the calls with at most ``max_concurrency`` at a time; results in call order."""
        return await run_all(self._run, batch, self._max_concurrency, progress)

    # Meters and times as the methods take them

    async def _meter_id(self, meter: MeterRef) -> str:
        """Return the meterId of a meterId, a serial number or a ``Meter`` (see ``find_meter``)."""
        meters = await self.meters() if self._needs_meters([meter]) else self._meters
        return self._resolved(meter, meters)

    # Metadata

    async def meters(self) -> list[Meter]:
        """Return the meters of the account."""
        return self._remember_meters(await self._run(calls.meters()))

    async def find_meter(self, meter: MeterRef) -> Meter:
        """Return the meter with this meterId or serial number (short, full or printed).

        The account's meters are fetched once per client and kept. Raises ``NotFoundError``
        when none (or several) match.
        """
        if not isinstance(meter, str):
            return meter
        meters = self._meters if self._meters is not None else await self.meters()
        return match_meter(meters, meter)

    async def field_names(self, meter_id: MeterRef) -> list[str]:
        """Return the fields the meter's readings carry (e.g. ``energy``, ``power``)."""
        return await self._run(calls.field_names(await self._meter_id(meter_id)))

    async def devices(self, meter_id: MeterRef) -> list[str]:
        """Return the devices recognised in the meter's consumption (e.g. ``DISHWASHER-1``)."""
        return await self._run(calls.devices(await self._meter_id(meter_id)))

    # Measurements

    async def readings(
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

        meter_id = await self._meter_id(meter_id)
        if not tables_available():
            # A bare install: the typed models, merged into lists (to_polars names the extra).
            planned = self._readings_calls(meter_id, *self._span(start, end), resolution, fields)
            answers = await self._run_all([call for _, _, call in planned], progress)
            return build_readings(
                meter_id,
                resolution,
                ((low, high, got) for (low, high, _), got in zip(planned, answers, strict=True)),
            )
        batch = self._frame_calls(meter_id, *self._span(start, end), resolution, fields)
        frames = [frame async for frame in self._in_order(batch, progress)]
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
    ) -> AsyncIterator[pl.DataFrame]:
        # unasync: async only
        """Yield the readings in ``[start, end)`` one request's span at a time, in time order.

        ``async for chunk in api.iter_readings(...)``. Each table has ``time`` (Datetime ms in
        ``tz``, default UTC) and one column per field (``units`` as in ``Readings.to_polars``).
        Requests run up to ``max_concurrency`` at a time, and no more than that many chunks are
        held however long the range: memory stays bounded.
        """
        from .stream import in_units_async

        check_units(units)
        span = self._span(start, end)
        return in_units_async(self._chunks(meter_id, span, resolution, fields, progress), units, tz)
        # unasync: sync only
        # """Yield the readings in ``[start, end)`` one request's span at a time, in time order.
        #
        # Each table has ``time`` (Datetime ms in ``tz``, default UTC) and one column per field
        # (``units`` as in ``Readings.to_polars``). Requests run up to ``max_concurrency`` at a
        # time, and no more than that many chunks are held however long the range: memory stays
        # bounded.
        # """
        # from .stream import in_units
        #
        # check_units(units)
        # batch = self._frame_calls(
        #     self._meter_id(meter_id), *self._span(start, end), resolution, fields
        # )
        # return in_units(self._in_order(batch, progress), units, tz)
        # unasync: end

    async def export(
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
        # unasync: async only
        """Write the readings in ``[start, end)`` to ``target`` as CSV, JSON lines or Parquet.

        As ``Inexogy.export``: a path (written under a temporary name, renamed when complete)
        or an open binary stream; chunks written in time order as they arrive, in bounded
        memory. The writing runs in a worker thread while the requests run on the event loop.
        """
        # unasync: sync only
        # """Write the readings in ``[start, end)`` to ``target`` as CSV, JSON lines or Parquet.
        #
        # ``target`` is a path (the format defaults to its suffix; the file appears complete or
        # not at all: it is written under a temporary name and renamed when done) or an open
        # binary stream such as ``sys.stdout.buffer``. Chunks are written in time order as soon
        # as they arrive, so memory stays bounded however long the range. ``csv_separator`` and
        # ``decimal_comma`` shape CSV for spreadsheets (``";"`` and ``True`` for German ones).
        # """
        # unasync: end
        from .stream import export_format

        chosen = export_format(target, format)
        dialect = CsvDialect(separator=csv_separator, decimal_comma=decimal_comma)
        meter_id = await self._meter_id(meter_id)
        start, end = self._span(start, end)
        self._frame_calls(meter_id, start, end, resolution, fields)  # bad arguments fail now
        return await export_chunks(
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

    # unasync: async only
    async def _chunks(
        self,
        meter: MeterRef,
        span: tuple[datetime, datetime | None],
        resolution: Resolution,
        fields: Sequence[str] | None,
        progress: Progress | None,
    ) -> AsyncIterator[pl.DataFrame]:
        """Yield the raw chunk tables of a range in time order (the meter is looked up first)."""
        batch = self._frame_calls(await self._meter_id(meter), *span, resolution, fields)
        async for frame in self._in_order(batch, progress):
            yield frame
            del frame  # not held while the next chunk is awaited

    # unasync: end
    def _in_order(self, batch: Sequence[Call[T]], progress: Progress | None) -> AsyncIterator[T]:
        """Return the answers of the calls in call order, ``max_concurrency`` calls at a time."""
        return in_order(self._run, batch, self._max_concurrency, progress)

    async def usage(
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
        meter_id = await self._meter_id(meter_id)
        zone = resolve_zone(tz)  # a date or an offset-less string is read in the report's zone
        start_at = to_moment(start, "start", zone)
        end_at = None if end is None else to_moment(end, "end", zone)
        planner = UsagePlanner.for_fields(
            await self.field_names(meter_id), start_at, end_at, per, tz, self._clock()
        )
        batch = planner.requests()
        while batch:
            calls_ = [
                readings_chunk(meter_id, r.low, r.high, r.resolution, planner.fields) for r in batch
            ]
            for answer in await self._run_all(calls_, progress):
                planner.add(answer)
            batch = planner.next_requests()
        return planner.frame(price=price, feed_in_price=feed_in_price)

    async def last_reading(
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
        meter = await self._meter_id(meter_id)
        return await self._run(calls.last_reading(meter, fields, self._clock, zone))

    async def statistics(
        self,
        meter_id: MeterRef,
        start: Moment,
        end: Moment | None = None,
        *,
        fields: Sequence[str] | None = None,
    ) -> dict[str, Statistic]:
        """Count, minimum, maximum, mean and variance per field over ``[start, end)``, raw units."""
        return await self._run(
            calls.statistics(await self._meter_id(meter_id), *self._span(start, end), fields)
        )

    async def load_profile(
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
        return await self._run(
            calls.load_profile(await self._meter_id(meter_id), first_day, last_day, resolution)
        )

    async def raw_load_profile(self, meter_id: MeterRef, day: date) -> str:
        """Return the load-profile file the meter sent on ``day``, as text."""
        return await self._run(calls.raw_load_profile(await self._meter_id(meter_id), day))

    # Disaggregation

    async def disaggregation(
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
        meter = await self._meter_id(meter_id)
        return await self._run(calls.disaggregation(meter, start_at, end_at, zone))

    async def activities(self, meter_id: MeterRef, start: Moment, end: Moment) -> list[Activity]:
        """Activities of recognised devices in ``[start, end)``, at most one month."""
        return await self._run(
            calls.activities(
                await self._meter_id(meter_id),
                self._moment(start, "start"),
                self._moment(end, "end"),
            )
        )

    # Account

    async def website_access_code(self, email: str) -> str:
        """Return an access code for the inexogy website."""
        return await self._run(calls.website_access_code(email))

    # Virtual meters

    async def virtual_meter(self, meter_id: MeterRef) -> list[Meter]:
        """Return the meters a virtual meter is made of."""
        return await self._run(calls.virtual_meter(await self._meter_id(meter_id)))

    async def create_virtual_meter(
        self, plus: Sequence[MeterRef], minus: Sequence[MeterRef] = ()
    ) -> Meter:
        """Return a new virtual meter: the sum of the ``plus`` meters minus the ``minus`` meters."""
        return await self._run(
            calls.create_virtual_meter_call(
                [await self._meter_id(meter) for meter in plus],
                [await self._meter_id(meter) for meter in minus],
            )
        )

    async def delete_virtual_meter(self, meter_id: MeterRef) -> None:
        """Delete a virtual meter (the real service answers 501: ``ServerError``)."""
        await self._run(calls.delete_virtual_meter_call(await self._meter_id(meter_id)))

    # Archive

    async def sync(
        self,
        directory: str | Path,
        meters: str | Sequence[str] | None = None,
        *,
        resolution: Resolution = "fifteen_minutes",
        start: datetime | None = None,
        on_period: Callable[[SyncedPeriod], None] | None = None,
    ) -> SyncSummary:
        # unasync: async only
        """Bring the readings archive in ``directory`` up to date; return what was done.

        The same as ``Inexogy.sync``: ``meters`` are meterIds or serial numbers (``None``:
        every meter of the account); each meter is archived from the UTC period containing
        ``start`` (default: its first measurement) until now; only periods whose file is
        missing or still open are fetched, up to ``max_concurrency`` requests at a time;
        each file is written atomically as it arrives (then ``on_period`` is called).
        Raises ``ArchiveBusyError`` while another sync writes there.
        """
        # unasync: sync only
        # """Bring the readings archive in ``directory`` up to date; return what was done.
        #
        # ``meters`` are meterIds or serial numbers (``None``: every meter of the account).
        # Each meter is archived from the UTC period containing ``start`` (default: its first
        # measurement) until now, one Parquet file per UTC day (raw) or month (3-minute,
        # 15-minute, hourly; yearly for one_day), in ``DIR/meter=<meterId>/resolution=<r>/``.
        # Only periods whose file is missing or still open are fetched, up to
        # ``max_concurrency`` requests at a time; each file is written atomically as soon as
        # its period arrives (then ``on_period`` is called), so an interrupted sync keeps
        # everything finished. Raises ``ArchiveBusyError`` while another sync writes there.
        # Read the archive with :func:`inexogy.read_archive`.
        # """
        # unasync: end
        from .archive import sync as archive

        chosen = archive.select_meters(await self.meters(), meters)
        with ExitStack() as stack:
            # Locking and planning read the disk (each file's footer): off any event loop.
            preparing = archive.prepared(directory, chosen, resolution, start, self._clock())
            root, plan = await run_blocking(stack.enter_context, preparing)
            fetched = await archive.run_async(
                plan.tasks,
                lambda meter_id, low, high, chosen: self.readings(
                    meter_id, low, high, resolution=chosen
                ),
                self._max_concurrency,
                on_period,
            )
        return archive.summary(root, resolution, chosen, plan, fetched)
