"""inexogy.allocator: what reference cycles keep is freed, the arena cap checks its argument."""

from __future__ import annotations

import gc
import weakref

import pytest
from inexogy.allocator import limit_arenas, release_free_memory


class _Answer:
    """Stands for an httpx.Response and its stream, which refer to each other."""

    def __init__(self) -> None:
        self.body = bytes(1_000_000)
        self.stream: object = None


def test_release_frees_a_body_only_a_reference_cycle_keeps() -> None:
    gc.disable()  # the collector must not run on its own in between
    try:
        answer = _Answer()
        answer.stream = {"response": answer}
        gone = weakref.ref(answer)
        del answer
        assert gone() is not None  # without a collection the cycle keeps it
        release_free_memory()
        assert gone() is None
    finally:
        gc.enable()


def test_limit_arenas_refuses_fewer_than_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        limit_arenas(0)


def test_limit_arenas_accepts_a_count() -> None:
    limit_arenas(8)  # glibc's default cap on a machine of one core: harmless to set again
