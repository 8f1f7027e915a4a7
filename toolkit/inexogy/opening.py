"""An async client being opened: ``await`` it for the client, or ``async with`` it."""

from __future__ import annotations

from collections.abc import Coroutine, Generator
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

__all__ = ["Opening"]


class _Closable(Protocol):
    async def aclose(self) -> None: ...


C = TypeVar("C", bound=_Closable)


class Opening(Generic[C]):
    """What ``AsyncInexogy.login`` returns: awaitable, and an async context manager.

    ``api = await AsyncInexogy.login(...)`` gives the client (close it with ``aclose``);
    ``async with AsyncInexogy.login(...) as api:`` gives it and closes it at the end. Awaited
    once only, like the coroutine it wraps.
    """

    def __init__(self, opening: Coroutine[Any, Any, C]) -> None:
        self._opening = opening
        self._client: C | None = None

    def __await__(self) -> Generator[Any, None, C]:
        return self._opening.__await__()

    async def __aenter__(self) -> C:
        self._client = await self._opening
        return self._client

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._client is not None:
            await self._client.aclose()
