"""Fault injection on data endpoints: scripted or seeded-random failures.

Kinds: ``500``, ``503`` (``503:N`` adds ``Retry-After: N``), ``429`` (``429:N`` adds
``Retry-After: N``), ``empty`` (200 with an empty body), ``truncated`` (200 with the real JSON
cut in half), ``latency:S`` (answer normally after S seconds), ``drop`` (close the connection
without an answer) and ``ok``. A script, once used up, answers normally. Faults hit only
authenticated data requests, never the ``/oauth1`` steps.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .auth_middleware import operation_id
from .texts import text_response

DEFAULT_RANDOM_KINDS = ("500", "503", "429", "429:1", "empty", "truncated", "latency:0.2", "drop")
OAUTH_OPERATIONS = frozenset(
    {"createConsumerToken", "createRequestToken", "authorize", "createAccessToken"}
)
RAW_SEND_KEY = "inexogy_mock.raw_send"
_MESSAGES = {500: "Internal Server Error", 503: "Service Unavailable", 429: "Rate limit exceeded"}


def _check_kind(kind: str) -> str:
    name, _, argument = kind.partition(":")
    if name in ("500", "empty", "truncated", "drop", "ok") and not argument:
        return kind
    if name in ("429", "503") and (not argument or argument.isdigit()):
        return kind
    if name == "latency":
        try:
            if float(argument) >= 0:
                return kind
        except ValueError:
            pass
    raise ValueError(
        f"unknown fault {kind!r}: use 500, 503[:N], 429[:N], empty, truncated, latency:S, drop, ok"
    )


class FaultPlan:
    """Which fault (if any) the next data request gets."""

    def __init__(
        self,
        script: Sequence[str] = (),
        *,
        rate: float = 0.0,
        seed: int = 0,
        kinds: Sequence[str] = DEFAULT_RANDOM_KINDS,
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("the fault rate must be between 0 and 1")
        self._script = [_check_kind(kind) for kind in script]
        self._kinds = [_check_kind(kind) for kind in kinds]
        if rate and not self._kinds:
            raise ValueError("random faults need at least one kind")
        self._rate = rate
        self._random = random.Random(seed)  # noqa: S311 - reproducible faults, not secrets
        self._lock = threading.Lock()

    @classmethod
    def scripted(cls, script: Sequence[str]) -> FaultPlan:
        """Answer the data requests with these faults in order, then normally."""
        return cls(script)

    @classmethod
    def random(
        cls, rate: float, seed: int, kinds: Sequence[str] = DEFAULT_RANDOM_KINDS
    ) -> FaultPlan:
        """Give each data request a fault with probability ``rate`` (reproducible by seed)."""
        return cls(rate=rate, seed=seed, kinds=kinds)

    def next_fault(self) -> str:
        """Return the fault of the next data request (``ok`` for none)."""
        with self._lock:
            if self._script:
                return self._script.pop(0)
            if self._rate and self._random.random() < self._rate:
                return self._random.choice(self._kinds)
            return "ok"


@dataclass(frozen=True)
class _Answer:
    """The captured answer of the application (for truncation)."""

    start: Message
    body: bytes


class RawSendMiddleware:
    """First of the stack: keeps the server's own ``send`` in the scope so a fault can drop."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Remember the server's ``send``, then pass the request on."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[RAW_SEND_KEY] = send
        try:
            await self.app(scope, receive, send)
        finally:
            # the server's send holds the scope: a cycle left for the garbage collector
            scope.pop(RAW_SEND_KEY, None)


class FaultMiddleware:
    """Apply a :class:`FaultPlan` to authenticated data requests.

    ``plan_of`` returns the plan in force (read at every request, so it can be switched while
    the server runs: see :class:`~inexogy_mock.switches.Switches`).
    """

    def __init__(self, app: ASGIApp, *, plan_of: Callable[[], FaultPlan | None]) -> None:
        self.app = app
        self._plan_of = plan_of

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer with the next fault of the plan, or pass the request on."""
        plan = self._plan_of()
        operation = operation_id(scope) if plan is not None and scope["type"] == "http" else None
        if plan is None or operation is None or operation in OAUTH_OPERATIONS:
            await self.app(scope, receive, send)
            return
        kind, _, argument = plan.next_fault().partition(":")
        if kind in ("500", "503", "429"):
            status = int(kind)
            headers = {"Retry-After": argument} if argument else None
            await text_response(status, _MESSAGES[status], headers)(scope, receive, send)
        elif kind == "empty":
            await _send_plain(send, 200, b"")
        elif kind == "truncated":
            answer = await self._capture(scope, receive)
            await _send_plain(send, answer.start["status"], answer.body[: len(answer.body) // 2])
        elif kind == "drop":
            await _drop(scope, receive)
        else:
            if kind == "latency":
                await asyncio.sleep(float(argument))
            await self.app(scope, receive, send)

    async def _capture(self, scope: Scope, receive: Receive) -> _Answer:
        return await _capture(self.app, scope, receive)


async def _capture(app: ASGIApp, scope: Scope, receive: Receive) -> _Answer:
    """Run the application and return its whole answer instead of sending it."""
    messages: list[Message] = []

    async def keep(message: Message) -> None:
        messages.append(message)

    await app(scope, receive, keep)
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return _Answer(messages[0], body)


async def _send_plain(send: Send, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop(scope: Scope, receive: Receive) -> None:
    """Close the connection without an answer (uvicorn); elsewhere fail the request."""
    raw_send = scope.get(RAW_SEND_KEY)
    transport = getattr(getattr(raw_send, "__self__", None), "transport", None)
    if transport is None:
        raise ConnectionAbortedError("fault injection: connection dropped")
    transport.close()
    while (await receive())["type"] != "http.disconnect":
        pass


GLITCH_KINDS = ("zero", "backwards")
"""How a glitched register reads: ``zero`` (0), ``backwards`` (half its value)."""
_REGISTER_PREFIXES = ("energy", "volume")


class GlitchPlan:
    """Which readings carry a glitched register (0, or a value that jumps back).

    The real service sometimes answers ``energy = 0`` or a register lower than an earlier one.
    ``times`` maps reading times (Unix ms) to a kind; ``rate`` glitches that share of the other
    readings, chosen by ``seed`` and the reading's time, so the same reading glitches the same
    way at every resolution and in every request. Every register field (``energy*``,
    ``volume``) of a glitched reading is affected.
    """

    def __init__(
        self, times: Mapping[int, str] | None = None, *, rate: float = 0.0, seed: int = 0
    ) -> None:
        if not 0.0 <= rate <= 1.0:
            raise ValueError("the glitch rate must be between 0 and 1")
        chosen = dict(times or {})
        for kind in chosen.values():
            if kind not in GLITCH_KINDS:
                raise ValueError(f"unknown glitch {kind!r}: use zero or backwards")
        self._times = chosen
        self._rate = rate
        self._seed = seed

    def kind_at(self, ms: int) -> str | None:
        """Return how the registers of the reading at ``ms`` glitch, or ``None``."""
        if ms in self._times:
            return self._times[ms]
        if self._rate:
            draw = random.Random(f"{self._seed}:{ms}")  # noqa: S311 - reproducible, not secret
            if draw.random() < self._rate:
                return draw.choice(GLITCH_KINDS)
        return None

    def apply(self, reading: dict[str, Any]) -> None:
        """Glitch the registers of one reading object in place, if its time says so."""
        kind = self.kind_at(int(reading.get("time", -1)))
        values = reading.get("values")
        if kind is None or not isinstance(values, dict):
            return
        for name, value in values.items():
            if name.startswith(_REGISTER_PREFIXES) and isinstance(value, int):
                values[name] = 0 if kind == "zero" else value // 2


class GlitchMiddleware:
    """Apply a :class:`GlitchPlan` to the answers of ``/readings`` and ``/last_reading``."""

    def __init__(self, app: ASGIApp, *, plan: GlitchPlan | None) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; glitch the readings of a successful answer."""
        operation = operation_id(scope) if scope["type"] == "http" else None
        if self.plan is None or operation not in ("getReadings", "getLastReading"):
            await self.app(scope, receive, send)
            return
        answer = await _capture(self.app, scope, receive)
        body = answer.body
        if answer.start["status"] == 200 and body:
            document = json.loads(body)
            readings = document if isinstance(document, list) else [document]
            if isinstance(document, dict) and "time" not in document:  # each=true: by sub-meter
                readings = [r for rs in document.values() if isinstance(rs, list) for r in rs]
            for reading in readings:
                if isinstance(reading, dict):
                    self.plan.apply(reading)
            body = json.dumps(document, separators=(",", ":")).encode()
        headers = [
            (key, value)
            for key, value in answer.start.get("headers", [])
            if key.lower() != b"content-length"
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        await send({**answer.start, "headers": headers})
        await send({"type": "http.response.body", "body": body})
