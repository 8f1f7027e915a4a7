"""Healing a refused access token under parallel load, so that re-authorization converges.

``OAuth1Auth`` hands each request to a ``TokenHealing`` (one per auth, that is per
credentials). A request is signed with the current token and sent. When the service refuses
it (401 to a request signed with an access token):

- if the token it was signed with is older than the current one (another request already ran
  the dance), it is replayed with the current token, without a new dance;
- if it was signed with the current token, it runs the next dance (or, when another request
  is running one, waits for it and uses its token).

Refused requests are healed one at a time, behind one lock per thread world (threads) or per
event loop (asyncio), and while any request waits there, new requests queue behind it too. So a
token fresh from a dance is first used by the request that asked for it: when the service
refuses even that, the token is not worn out by others but refused, and after
``Reauthorizer.max_dances`` such dances the request fails with ``TokenExpiredError``, and so
does every request queued behind it, with the same error and without sending anything more: a
token refused for good is not tried again (nor is a password the service refused). Dances
start at least ``Reauthorizer.min_interval`` seconds apart, as the real service rate-limits
the authorize step ("two quick calls can trip it").
"""

from __future__ import annotations

import copy
import logging
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Generator
from typing import TYPE_CHECKING

import httpx

from .errors import AuthError, InvalidCredentialsError, TokenExpiredError
from .redaction import redact_text

if TYPE_CHECKING:
    import asyncio

    from .oauth1 import OAuth1Auth, _Keys
    from .reauthorizer import Reauthorizer

__all__ = ["TokenHealing"]

logger = logging.getLogger(__name__)

GIVE_UP_MEMORY_S = 60.0
"""For this long after the service refused fresh tokens, refused requests fail without a dance."""


class _Queue:
    """How many refused requests are waiting for (or holding) a healing lock."""

    def __init__(self) -> None:
        self.waiting = 0


class TokenHealing:
    """The coordination of one auth's refused requests (see the module docstring)."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._threads = _Queue()
        self._thread_lock = threading.Lock()
        self._loops: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[_Queue, asyncio.Lock]
        ]
        self._loops = weakref.WeakKeyDictionary()
        self._last_dance: float | None = None
        self._given_up: tuple[int, float, AuthError] | None = None

    # --- threads ------------------------------------------------------------------------------

    def sync_flow(
        self, auth: OAuth1Auth, request: httpx.Request
    ) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign and send ``request``; heal a refused token (thread-safe)."""
        request.read()
        queue, lock = self._threads, self._thread_lock
        held = waiting = False
        try:
            if queue.waiting:
                # Healing is going on: a request sent now would wear out the fresh token.
                lock.acquire()
                held = True
            keys = auth._keys
            if held:
                self._refuse_if_given_up(keys)
            auth._sign(request, keys)
            response = yield request
            if not auth._token_refused(response, keys):
                return
            response.read()
            reauthorizer = auth._require_reauthorizer(request, response)
            if not held:
                waiting = self._enter(queue)
                lock.acquire()
                held = True
            dances = 0
            while True:
                current = auth._keys
                # Healing may have failed for good while this request waited: fail as it did.
                self._refuse_if_given_up(current)
                if current.generation == keys.generation:
                    dances += 1
                    time.sleep(self._pause(reauthorizer))
                    self._last_dance = time.monotonic()
                    try:
                        credentials = reauthorizer.reauthorize(auth._credentials_of(current))
                    except InvalidCredentialsError as error:
                        self._give_up(current, error)
                        raise
                    auth._install(credentials)
                keys = auth._keys
                auth._sign(request, keys)
                response = yield request
                if not auth._token_refused(response, keys):
                    return
                response.read()
                self._note_refusal(dances, keys, reauthorizer, response)
        finally:
            if held:
                lock.release()
            if waiting:
                self._leave(queue)

    # --- asyncio ------------------------------------------------------------------------------

    async def async_flow(
        self, auth: OAuth1Auth, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        """Sign and send ``request``; heal a refused token (one queue per event loop)."""
        import asyncio  # here, not at the top: a sync command need not load the event loop

        await request.aread()
        queue, lock = self._loop_queue()
        held = waiting = False
        try:
            if queue.waiting:
                await lock.acquire()
                held = True
            keys = auth._keys
            if held:
                self._refuse_if_given_up(keys)
            auth._sign(request, keys)
            response = yield request
            if not auth._token_refused(response, keys):
                return
            await response.aread()
            reauthorizer = auth._require_reauthorizer(request, response)
            if not held:
                waiting = self._enter(queue)
                await lock.acquire()
                held = True
            dances = 0
            while True:
                current = auth._keys
                # Healing may have failed for good while this request waited: fail as it did.
                self._refuse_if_given_up(current)
                if current.generation == keys.generation:
                    dances += 1
                    await asyncio.sleep(self._pause(reauthorizer))
                    self._last_dance = time.monotonic()
                    try:
                        credentials = await reauthorizer.reauthorize_async(
                            auth._credentials_of(current)
                        )
                    except InvalidCredentialsError as error:
                        self._give_up(current, error)
                        raise
                    auth._install(credentials)
                keys = auth._keys
                auth._sign(request, keys)
                response = yield request
                if not auth._token_refused(response, keys):
                    return
                await response.aread()
                self._note_refusal(dances, keys, reauthorizer, response)
        finally:
            if held:
                lock.release()
            if waiting:
                self._leave(queue)

    def _loop_queue(self) -> tuple[_Queue, asyncio.Lock]:
        import asyncio

        loop = asyncio.get_running_loop()
        with self._guard:
            found = self._loops.get(loop)
            if found is None:
                found = self._loops[loop] = (_Queue(), asyncio.Lock())
            return found

    # --- shared -------------------------------------------------------------------------------

    def _enter(self, queue: _Queue) -> bool:
        with self._guard:
            queue.waiting += 1
        return True

    def _leave(self, queue: _Queue) -> None:
        with self._guard:
            queue.waiting -= 1

    def _refuse_if_given_up(self, current: _Keys) -> None:
        """Raise at once when healing ``current`` failed for good (a request with it is doomed).

        Called by every request that waited on the healing lock, before it sends anything.
        """
        given_up = self._given_up
        if (
            given_up is not None
            and given_up[0] == current.generation
            and time.monotonic() - given_up[1] < GIVE_UP_MEMORY_S
        ):
            # A copy: one object raised in many threads would grow one shared traceback.
            raise copy.copy(given_up[2])

    def _give_up(self, keys: _Keys, error: AuthError) -> None:
        """Remember that healing ``keys`` failed for good: the requests queued behind fail too.

        (A wrong password, for one, must not be tried again by every waiting request.)
        """
        self._given_up = (keys.generation, time.monotonic(), error)

    def _pause(self, reauthorizer: Reauthorizer) -> float:
        """Seconds to wait so that dances start at least ``min_interval`` apart."""
        if self._last_dance is None:
            return 0.0
        return max(0.0, reauthorizer.min_interval - (time.monotonic() - self._last_dance))

    def _note_refusal(
        self, dances: int, keys: _Keys, reauthorizer: Reauthorizer, response: httpx.Response
    ) -> None:
        """After a replay was refused: give up once ``max_dances`` fresh tokens were refused."""
        logger.debug("the replay was refused too (generation %d)", keys.generation)
        if dances >= reauthorizer.max_dances:
            error = _refused_fresh(dances, response)
            self._give_up(keys, error)
            raise error


def _refused_fresh(dances: int, response: httpx.Response | None) -> TokenExpiredError:
    tokens = "a new access token" if dances == 1 else f"{dances} new access tokens"
    them = "it" if dances == 1 else "them"
    return TokenExpiredError(
        f"the service refused {tokens} right after issuing {them}, so logging in again "
        "would not help: check the API base URL and the account",
        status=None if response is None else response.status_code,
        message="" if response is None else redact_text(response.text.strip()),
        login_helps=False,
    )
