"""The operation handlers, one method per operationId of openapi.yaml.

Answers are starlette responses built here (JSON bytes, text), so connexion neither
re-serialises large answers nor has to guess a content type where the spec offers several.
Handlers raise :class:`~inexogy_mock.texts.ServiceError` for the service's error answers.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import urlencode

import orjson
from connexion.context import context, scope
from starlette.responses import Response

from . import disaggregation as devices_module
from . import loadprofile
from .accounts import Registry
from .meter_list import MeterListCache
from .meters import MeterModel
from .oauth import OAuthProvider
from .ratelimit import RateLimiter, RateLimits
from .readings import compute_readings, render, render_one, span_error
from .statistics import statistic
from .texts import (
    ACTIVITIES_TOO_LONG,
    AUTHORIZE_RATE,
    CONSUMER_REGISTRATION_RATE,
    DISAGGREGATION_TOO_LONG,
    INVALID_LOGIN,
    NOT_VIRTUAL,
    ServiceError,
    bad_request,
)

_WEEK_MS = 7 * 86_400_000
_MONTH_MS = 31 * 86_400_000


def json_response(payload: Any) -> Response:
    """Return a JSON answer (bytes are sent as they are)."""
    body = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    return Response(body, media_type="application/json")


def text_answer(text: str) -> Response:
    """Return a 200 text/plain answer."""
    return Response(text, media_type="text/plain")


def form_answer(text: str) -> Response:
    """Return a 200 answer typed exactly ``application/x-www-form-urlencoded`` (no charset).

    The real service types its token answers and website access codes so (the Elixir
    `discovergy` library's recorded answers); a client may decode the form only on that type.
    """
    return Response(text, headers={"Content-Type": "application/x-www-form-urlencoded"})


def select_fields(meter: MeterModel, fields: str | None) -> list[str]:
    """Return the requested known fields in the meter's order (all when none are given)."""
    if fields is None or not fields.strip():
        return list(meter.fields)
    wanted = {name.strip() for name in fields.split(",")}
    return [name for name in meter.fields if name in wanted]


def _split_ids(ids: str | None) -> list[str]:
    return [part.strip() for part in (ids or "").split(",") if part.strip()]


def _day(year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise bad_request(f"Invalid date: {year:04d}-{month:02d}-{day:02d}") from None


def _until(to: int | None, now_ms: int) -> int:
    """Return the exclusive end of a span: ``to``, or just after now when it is left out."""
    return now_ms + 1 if to is None else to


class Handlers:
    """The state of one mock server and its operation handlers."""

    def __init__(
        self,
        registry: Registry,
        provider: OAuthProvider,
        rate_limits: RateLimits,
        data_clock: Callable[[], float],
        auth_clock: Callable[[], float],
    ) -> None:
        self.registry = registry
        self.provider = provider
        self._meter_lists = MeterListCache(registry)
        self._data_clock = data_clock
        self.rate_limiter = RateLimiter(rate_limits, auth_clock)
        self._consumer_window = self.rate_limiter.consumer_token
        self._authorize_window = self.rate_limiter.authorize

    def resolve(self, operation_id: str) -> Callable[..., Any]:
        """Return the handler of an operationId (connexion's ``function_resolver``)."""
        handler = getattr(self, operation_id, None)
        if handler is None:
            raise LookupError(f"no handler for operationId {operation_id}")
        return handler  # type: ignore[no-any-return]

    def direct_answers(self) -> dict[str, Callable[[str], bytes]]:
        """Return ``{operationId: JSON body of an account}`` of the parameterless GETs.

        What :class:`~inexogy_mock.direct.DirectDispatch` serves past connexion: each answers
        exactly what the operation's handler answers for that account.
        """
        return {"getMeters": self.meters_json}

    # helpers -------------------------------------------------------------------------------

    def _now_ms(self) -> int:
        return int(self._data_clock() * 1000)

    @staticmethod
    def _user() -> str:
        user: str = context["user"]
        return user

    def _meter(self, meter_id: str) -> MeterModel:
        return self.registry.meter(self._user(), meter_id)

    @staticmethod
    def _client_ip() -> str:
        client = scope.get("client")
        return str(client[0]) if client else "unknown"

    # OAuth ---------------------------------------------------------------------------------

    async def createConsumerToken(self, body: dict[str, Any]) -> Response:
        """Register a client application (unsigned, rate limited per IP)."""
        ip = self._client_ip()
        if not self._consumer_window.allow(ip):
            raise ServiceError(429, CONSUMER_REGISTRATION_RATE.format(ip=ip))
        owner = str(body.get("client", ""))
        key, secret = self.provider.register_consumer(owner)
        return json_response(
            {"key": key, "secret": secret, "owner": owner, "attributes": {}, "principal": None}
        )

    async def createRequestToken(self) -> Response:
        """Issue a request token to the consumer that signed the request."""
        token, secret = self.provider.issue_request_token(context["oauth"]["oauth_consumer_key"])
        return form_answer(
            urlencode(
                {
                    "oauth_token": token,
                    "oauth_token_secret": secret,
                    "oauth_callback_confirmed": "true",
                }
            )
        )

    async def authorize(self, oauth_token: str, email: str, password: str) -> Response:
        """Authorize a request token with email and password (unsigned, rate limited per IP)."""
        ip = self._client_ip()
        if not self._authorize_window.allow(ip):
            raise ServiceError(429, AUTHORIZE_RATE.format(ip=ip))
        verifier = self.provider.authorize(oauth_token, email, password)
        if verifier is None:
            raise ServiceError(403, INVALID_LOGIN)
        return form_answer(urlencode({"oauth_verifier": verifier}))

    async def createAccessToken(self) -> Response:
        """Exchange the verified request token for an access token.

        The middleware has checked the signature and the verifier (header or form body).
        """
        token, secret = self.provider.issue_access_token(context["oauth"]["oauth_token"])
        return form_answer(urlencode({"oauth_token": token, "oauth_token_secret": secret}))

    # metadata ------------------------------------------------------------------------------

    async def getMeters(self) -> Response:
        """List the account's meters."""
        return json_response(self.meters_json(self._user()))

    def meters_json(self, email: str) -> bytes:
        """Return the JSON list of an account's meters (``getMeters`` for that account)."""
        return self._meter_lists.body(email, self._now_ms())

    async def getFieldNames(self, meter_id: str) -> Response:
        """List a meter's value fields."""
        return json_response(list(self._meter(meter_id).fields))

    async def getDevices(self, meter_id: str) -> Response:
        """List the devices recognised in a meter's consumption."""
        return json_response(devices_module.devices(self._meter(meter_id)))

    # measurements --------------------------------------------------------------------------

    async def getReadings(
        self,
        meter_id: str,
        from_: int,
        to: int | None = None,
        resolution: str | None = None,
        fields: str | None = None,
        disaggregation: bool = False,
        each: bool = False,
    ) -> Response:
        """Return the readings of a meter (or of each sub-meter of a virtual meter)."""
        meter = self._meter(meter_id)
        now = self._now_ms()
        resolution = resolution or "raw"
        message = span_error(resolution, from_, now if to is None else to)
        if message:
            raise bad_request(message)
        end = _until(to, now)
        if each and meter.is_virtual:
            parts = [
                f'"{sub.meter_id}":'.encode()
                + self._readings(sub, from_, end, now, resolution, fields, False)
                for sub in meter.sub_meters + meter.minus_meters
            ]
            return json_response(b"{" + b",".join(parts) + b"}")
        return json_response(
            self._readings(meter, from_, end, now, resolution, fields, disaggregation)
        )

    @staticmethod
    def _readings(
        meter: MeterModel,
        from_ms: int,
        to_ms: int,
        now_ms: int,
        resolution: str,
        fields: str | None,
        with_devices: bool,
    ) -> bytes:
        table = compute_readings(
            meter, select_fields(meter, fields), from_ms, to_ms, now_ms, resolution
        )
        extra = None
        if with_devices and resolution == "raw":
            extra = devices_module.device_power_columns(meter, table.times)
        return render(table, extra)

    async def getLastReading(
        self, meter_id: str, fields: str | None = None, each: bool = False
    ) -> Response:
        """Return the most recent reading of a meter (or of each sub-meter)."""
        meter = self._meter(meter_id)
        now = self._now_ms()
        if each and meter.is_virtual:
            parts = [
                f'"{sub.meter_id}":'.encode() + self._last(sub, fields, now)
                for sub in meter.sub_meters + meter.minus_meters
            ]
            return json_response(b"{" + b",".join(parts) + b"}")
        return json_response(self._last(meter, fields, now))

    @staticmethod
    def _last(meter: MeterModel, fields: str | None, now_ms: int) -> bytes:
        last = meter.last_ms(now_ms)
        if last is None:
            raise bad_request(f"No readings available for meter with meterId: {meter.meter_id}")
        table = compute_readings(meter, select_fields(meter, fields), last, last + 1, now_ms)
        return render_one(table, 0)

    async def getStatistics(
        self, meter_id: str, from_: int, to: int | None = None, fields: str | None = None
    ) -> Response:
        """Statistics of each requested field over the raw readings of the span."""
        meter = self._meter(meter_id)
        now = self._now_ms()
        names = select_fields(meter, fields)
        if not names:
            raise ServiceError(500, "Internal Server Error")
        end = _until(to, now)
        return json_response({name: statistic(meter, name, from_, end, now) for name in names})

    def _rlm(self, meter_id: str) -> MeterModel:
        meter = self._meter(meter_id)
        if meter.spec.kind != "rlm":
            raise bad_request(f"Meter with meterId: {meter_id} has no load profile")
        return meter

    async def getLoadProfile(
        self,
        meter_id: str,
        from_year: int,
        from_month: int,
        from_day: int,
        to_year: int,
        to_month: int,
        to_day: int,
        resolution: str | None = None,
    ) -> Response:
        """Return the load profile of an RLM meter between two days."""
        meter = self._rlm(meter_id)
        first = _day(from_year, from_month, from_day)
        last = _day(to_year, to_month, to_day)
        return json_response(
            loadprofile.rows(meter, first, last, resolution or "raw", self._now_ms())
        )

    async def getRawLoadProfile(self, meter_id: str, year: int, month: int, day: int) -> Response:
        """Return the load-profile file of one day."""
        meter = self._rlm(meter_id)
        return text_answer(loadprofile.raw_file(meter, _day(year, month, day), self._now_ms()))

    # disaggregation ------------------------------------------------------------------------

    async def getDisaggregation(self, meter_id: str, from_: int, to: int | None = None) -> Response:
        """Energy per device in 15-minute steps (at most one week)."""
        meter = self._meter(meter_id)
        now = self._now_ms()
        end = now if to is None else to
        if end - from_ > _WEEK_MS:
            raise bad_request(DISAGGREGATION_TOO_LONG)
        first = meter.first_ms
        if first is None:
            return json_response({})
        return json_response(devices_module.disaggregation(meter, max(from_, first), min(end, now)))

    async def getActivities(self, meter_id: str, from_: int, to: int) -> Response:
        """Device activities in the span (at most one month)."""
        meter = self._meter(meter_id)
        if to - from_ > _MONTH_MS:
            raise bad_request(ACTIVITIES_TOO_LONG)
        first = meter.first_ms
        if first is None:
            return json_response([])
        now = self._now_ms()
        return json_response(devices_module.activities(meter, max(from_, first), min(to, now)))

    # website access code -------------------------------------------------------------------

    async def getWebsiteAccessCode(self, email: str) -> Response:
        """Return an access code for the website: 63 characters, the day's date first.

        Recorded codes are 63 characters long and start with the date (``20200605...``); the
        rest is opaque (here 55 hex digits, deterministic per account, email and day).
        """
        if "@" not in email:
            raise bad_request(f"Invalid email address: {email}")
        day = datetime.fromtimestamp(self._now_ms() / 1000, UTC).strftime("%Y%m%d")
        seed = f"{self._user()}\n{email}\n{day}".encode()
        return form_answer(day + hashlib.blake2b(seed, digest_size=28).hexdigest()[:55])

    # virtual meters ------------------------------------------------------------------------

    async def getVirtualMeter(self, meter_id: str) -> Response:
        """Return the sub-meters of a virtual meter."""
        meter = self._meter(meter_id)
        if not meter.is_virtual:
            raise bad_request(NOT_VIRTUAL.format(meter_id=meter_id))
        now = self._now_ms()
        return json_response([sub.to_json(now) for sub in meter.sub_meters + meter.minus_meters])

    async def createVirtualMeter(
        self, meter_ids_plus: str, meter_ids_minus: str | None = None
    ) -> Response:
        """Create a virtual meter (403 for read-only accounts such as the demo account)."""
        plus = _split_ids(meter_ids_plus)
        if not plus:
            raise bad_request("meterIdsPlus must name at least one meter")
        minus: Sequence[str] = _split_ids(meter_ids_minus)
        created = self.registry.create_virtual(self._user(), plus, minus)
        return json_response(created.to_json(self._now_ms()))

    async def deleteVirtualMeter(self, meter_id: str) -> Response:
        """Not implemented by the service: 501 with an empty body."""
        return Response(b"", status_code=501)
