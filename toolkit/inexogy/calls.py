"""One ``Call`` per API operation, shared by the sync and the async client.

A call names the generated function to use, its arguments, and how to turn its answer into
the toolkit's result.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, tzinfo
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

import attrs
import httpx
import inexogy_client
from attrs import frozen
from inexogy_client.types import UNSET, Response, Unset

from .chunks import RESOLUTION_SPANS, Resolution
from .last_reading import Clock, LastReading
from .responses import (
    decode_errors_mapped,
    error_for_status,
    parsed_or_raise,
    request_errors_mapped,
)
from .timestamps import from_ms, to_ms
from .validation import check_model, check_models, check_readings, check_time, invalid_answer
from .zones import at_offset

__all__ = [
    "Call",
    "activities",
    "create_virtual_meter_call",
    "delete_virtual_meter_call",
    "devices",
    "disaggregation",
    "field_names",
    "last_reading",
    "load_profile",
    "meters",
    "raw_load_profile",
    "readings_chunk",
    "readings_frame_chunk",
    "statistics",
    "virtual_meter",
    "website_access_code",
]

if TYPE_CHECKING:
    import polars as pl
    from inexogy_client.models import Activity, Meter, Reading, Statistic
    from inexogy_client.models.load_profile_resolution import LoadProfileResolution

# Each call imports its own generated endpoint module (and the models it checks) when it is
# built: a command that lists meters does not pay for loading the other fifteen endpoints.

T = TypeVar("T")


@frozen
class Call(Generic[T]):
    """One request, ready to be sent (again, on a retry) by the sync or the async client."""

    sync: Callable[..., Response[Any] | httpx.Response]
    asyncio: Callable[..., Awaitable[Response[Any] | httpx.Response]]
    kwargs: dict[str, Any]
    convert: Callable[[Any], T]
    idempotent: bool = True
    endpoint: str = "the service"
    """The operation, as ``GET /readings``, named in the errors of its answers."""
    raw: bool = False
    """``sync``/``asyncio`` return the ``httpx.Response`` unparsed; ``convert`` takes its bytes."""

    def send(self, client: inexogy_client.Client) -> T:
        """Send once with the sync client; any failure raises an ``InexogyError``."""
        with request_errors_mapped(self.endpoint), decode_errors_mapped(self.endpoint):
            response = self.sync(client=client, **self.kwargs)
        return self._result(response)

    async def send_async(self, client: inexogy_client.Client) -> T:
        """Send once with the async client; any failure raises an ``InexogyError``."""
        with request_errors_mapped(self.endpoint), decode_errors_mapped(self.endpoint):
            response = await self.asyncio(client=client, **self.kwargs)
        return self._result(response)

    def _result(self, response: Response[Any] | httpx.Response) -> T:
        if self.raw:
            status = int(response.status_code)
            if not 200 <= status < 300:
                raise error_for_status(status, response.content, response.headers)
            return self.convert(response.content)
        assert isinstance(response, Response)
        parsed = parsed_or_raise(response)
        with decode_errors_mapped(self.endpoint):
            return self.convert(parsed)


Convert = Callable[[Any, str], T]
"""Checks the parsed answer of an endpoint (named by the ``str``) and makes the result."""


def _call(module: Any, convert: Convert[T], **kwargs: Any) -> Call[T]:
    """Return a call of a generated operation module (``sync_detailed``/``asyncio_detailed``)."""
    # The generated module's own description of the request: no HTTP is spoken here.
    request = module._get_kwargs(**kwargs)
    endpoint = f"{request['method'].upper()} {request['url']}"
    return Call(
        module.sync_detailed,
        module.asyncio_detailed,
        kwargs,
        lambda parsed: convert(parsed, endpoint),
        endpoint=endpoint,
    )


def _model(kind: type[T], what: str) -> Convert[T]:
    def convert(parsed: Any, endpoint: str) -> T:
        check_model(parsed, kind, endpoint, what)
        return cast(T, parsed)

    return convert


def _list_of(kind: type[T], what: str) -> Convert[list[T]]:
    def convert(parsed: Any, endpoint: str) -> list[T]:
        check_models(parsed, kind, endpoint, what)
        return cast(list[T], parsed)

    return convert


def _text(what: str) -> Convert[str]:
    def convert(parsed: Any, endpoint: str) -> str:
        if not isinstance(parsed, str):
            raise invalid_answer(endpoint, f"the body is not {what}")
        if not parsed:
            raise invalid_answer(endpoint, f"the body is empty instead of {what}")
        return parsed

    return convert


def _fields(fields: Sequence[str] | None) -> str | Unset:
    """Return the ``fields`` parameter: one comma-separated string, or left out for all fields."""
    if fields is None:
        return UNSET
    if isinstance(fields, str):
        raise TypeError("fields must be a sequence of names, e.g. ['energy', 'power'], not a str")
    if not fields:
        raise ValueError("fields is empty: pass None for all fields, or name some")
    return ",".join(fields)


def _range(start: datetime, end: datetime | None) -> tuple[int, int | Unset]:
    """``from`` and ``to`` of a span given as aware datetimes (``to`` left out when open)."""
    from_ = to_ms(start, "start")
    if end is None:
        return from_, UNSET
    to = to_ms(end, "end")
    if to <= from_:
        raise ValueError(f"end {end.isoformat()} must be after start {start.isoformat()}")
    return from_, to


def meters() -> Call[list[Meter]]:
    """``GET /meters``."""
    from inexogy_client.api.metadata import get_meters
    from inexogy_client.models import Meter

    return _call(get_meters, _list_of(Meter, "meters"))


def _names(what: str) -> Convert[list[str]]:
    def convert(parsed: Any, endpoint: str) -> list[str]:
        if not isinstance(parsed, list) or set(map(type, parsed)) - {str}:
            raise invalid_answer(endpoint, f"the body is not a list of {what}")
        return parsed

    return convert


def field_names(meter_id: str) -> Call[list[str]]:
    """``GET /field_names``."""
    from inexogy_client.api.metadata import get_field_names

    return _call(get_field_names, _names("field names"), meter_id=meter_id)


def devices(meter_id: str) -> Call[list[str]]:
    """``GET /devices``."""
    from inexogy_client.api.metadata import get_devices

    return _call(get_devices, _names("device names"), meter_id=meter_id)


def readings_chunk(
    meter_id: str, lower: int, upper: int, resolution: Resolution, fields: Sequence[str] | None
) -> Call[list[Reading]]:
    """``GET /readings`` over one span ``[lower, upper)`` in ms."""
    from inexogy_client.api.measurements import get_readings

    def convert(parsed: Any, endpoint: str) -> list[Reading]:
        return cast("list[Reading]", check_readings(parsed, endpoint, lower, upper, resolution))

    return _call(
        get_readings,
        convert,
        meter_id=meter_id,
        from_=lower,
        to=upper,
        resolution=resolution,
        fields=_fields(fields),
    )


def readings_frame_chunk(
    meter_id: str,
    lower: int,
    upper: int,
    resolution: Resolution,
    fields: Sequence[str] | None,
    max_bytes: int,
) -> Call[pl.DataFrame]:
    """``GET /readings`` over one span ``[lower, upper)`` in ms, its bytes straight into columns.

    The columnar path (``inexogy.columns``): the answer's bytes become a checked DataFrame of
    ``time`` and one column per field, without a Python object per reading.
    """
    from inexogy_client.api.measurements import get_readings

    from .columns import readings_frame  # needs polars: imported when readings are fetched

    # The same tolerance the typed path has (validation.check_readings): a bucket of a coarse
    # resolution may start up to one of its spans before the range asked for.
    slack = RESOLUTION_SPANS[resolution].max_span if resolution in RESOLUTION_SPANS else None
    return Call(
        get_readings.sync_raw,
        get_readings.asyncio_raw,
        {
            "meter_id": meter_id,
            "from_": lower,
            "to": upper,
            "resolution": resolution,
            "fields": _fields(fields),
        },
        lambda content: readings_frame(
            content, lower=lower, upper=upper, max_bytes=max_bytes, slack=slack
        ),
        endpoint="GET /readings",
        raw=True,
    )


def last_reading(
    meter_id: str, fields: Sequence[str] | None, clock: Clock, zone: tzinfo = UTC
) -> Call[LastReading]:
    """``GET /last_reading``; the reading's ``time`` is told in ``zone``."""
    from inexogy_client.api.measurements import get_last_reading
    from inexogy_client.models import Reading

    def convert(parsed: Any, endpoint: str) -> LastReading:
        check_model(parsed, Reading, endpoint, "a reading")
        values = parsed.values.to_dict()
        return LastReading(meter_id, parsed.time, values, clock=clock, zone=zone)

    return _call(get_last_reading, convert, meter_id=meter_id, fields=_fields(fields))


def statistics(
    meter_id: str, start: datetime, end: datetime | None, fields: Sequence[str] | None
) -> Call[dict[str, Statistic]]:
    """``GET /statistics``."""
    from inexogy_client.api.measurements import get_statistics
    from inexogy_client.models import Statistics

    from_, to = _range(start, end)

    def convert(parsed: Any, endpoint: str) -> dict[str, Statistic]:
        check_model(parsed, Statistics, endpoint, "statistics")
        return dict(parsed.additional_properties)

    return _call(
        get_statistics, convert, meter_id=meter_id, from_=from_, to=to, fields=_fields(fields)
    )


def load_profile(
    meter_id: str, first_day: date, last_day: date, resolution: LoadProfileResolution
) -> Call[list[dict[str, float]]]:
    """``GET /load_profile`` from ``first_day`` to ``last_day``, both included."""
    from inexogy_client.api.measurements import get_load_profile
    from inexogy_client.models import LoadProfileRow

    if last_day < first_day:
        raise ValueError(f"last_day {last_day} must not be before first_day {first_day}")

    def convert(parsed: Any, endpoint: str) -> list[dict[str, float]]:
        check_models(parsed, LoadProfileRow, endpoint, "load profile rows")
        return [row.to_dict() for row in parsed]

    return _call(
        get_load_profile,
        convert,
        meter_id=meter_id,
        from_year=first_day.year,
        from_month=first_day.month,
        from_day=first_day.day,
        to_year=last_day.year,
        to_month=last_day.month,
        to_day=last_day.day,
        resolution=resolution,
    )


def raw_load_profile(meter_id: str, day: date) -> Call[str]:
    """``GET /raw_load_profile`` of one day."""
    from inexogy_client.api.measurements import get_raw_load_profile

    return _call(
        get_raw_load_profile,
        _text("a load profile file"),
        meter_id=meter_id,
        year=day.year,
        month=day.month,
        day=day.day,
    )


def disaggregation(
    meter_id: str, start: datetime, end: datetime | None, zone: tzinfo = UTC
) -> Call[dict[datetime, dict[str, int]]]:
    """``GET /disaggregation``: energy per device (10^-10 kWh) per 15-minute interval.

    The intervals are keyed by their start told in ``zone`` (see ``zones.at_offset``).
    """
    from inexogy_client.api.disaggregation import get_disaggregation
    from inexogy_client.models import Disaggregation

    from_, to = _range(start, end)

    def convert(parsed: Any, endpoint: str) -> dict[datetime, dict[str, int]]:
        check_model(parsed, Disaggregation, endpoint, "a disaggregation")
        intervals: dict[int, dict[str, int]] = {}
        for key, devices in parsed.additional_properties.items():
            time = int(key) if key.isdecimal() and key.isascii() else key
            problem = check_time(time, f"the interval key {key!r}")
            if problem:
                raise invalid_answer(endpoint, problem)
            # Finite numbers within int64 (checked above): whole 10^-10 kWh.
            intervals[cast(int, time)] = {
                device: int(energy) for device, energy in devices.additional_properties.items()
            }
        return {at_offset(from_ms(time), zone): intervals[time] for time in sorted(intervals)}

    return _call(get_disaggregation, convert, meter_id=meter_id, from_=from_, to=to)


def activities(meter_id: str, start: datetime, end: datetime) -> Call[list[Activity]]:
    """``GET /activities``."""
    from inexogy_client.api.disaggregation import get_activities
    from inexogy_client.models import Activity

    from_, to = _range(start, end)
    return _call(
        get_activities, _list_of(Activity, "activities"), meter_id=meter_id, from_=from_, to=to
    )


def website_access_code(email: str) -> Call[str]:
    """``GET /website_access_code``."""
    from inexogy_client.api.website_access_code import get_website_access_code

    return _call(get_website_access_code, _text("an access code"), email=email)


def virtual_meter(meter_id: str) -> Call[list[Meter]]:
    """``GET /virtual_meter``: the meters a virtual meter is made of."""
    from inexogy_client.api.virtual_meters import get_virtual_meter
    from inexogy_client.models import Meter

    return _call(get_virtual_meter, _list_of(Meter, "meters"), meter_id=meter_id)


def create_virtual_meter_call(plus: Sequence[str], minus: Sequence[str]) -> Call[Meter]:
    """``POST /virtual_meter``; not idempotent, so retried only where the server did not act."""
    from inexogy_client.api.virtual_meters import create_virtual_meter
    from inexogy_client.models import Meter

    if isinstance(plus, str) or isinstance(minus, str):
        raise TypeError("plus and minus must be sequences of meterIds, not a str")
    if not plus:
        raise ValueError("a virtual meter needs at least one meterId in plus")
    call = _call(
        create_virtual_meter,
        _model(Meter, "a meter"),
        meter_ids_plus=",".join(plus),
        meter_ids_minus=",".join(minus) if minus else UNSET,
    )
    return attrs.evolve(call, idempotent=False)


def delete_virtual_meter_call(meter_id: str) -> Call[None]:
    """``DELETE /virtual_meter``; the real service answers 501 Not Implemented."""
    from inexogy_client.api.virtual_meters import delete_virtual_meter

    return _call(delete_virtual_meter, lambda parsed, endpoint: None, meter_id=meter_id)
