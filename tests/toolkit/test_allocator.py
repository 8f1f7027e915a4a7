"""inexogy.allocator: glibc settings check their arguments; a command's set-up keeps the user's."""

from __future__ import annotations

import os

import pytest
from inexogy import allocator
from inexogy.allocator import (
    limit_arenas,
    map_large_blocks,
    prepare_for_long_exports,
    release_free_memory,
)


def test_limit_arenas_refuses_fewer_than_one() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        limit_arenas(0)


def test_limit_arenas_accepts_a_count() -> None:
    limit_arenas(8)  # glibc's default cap on a machine of one core: harmless to set again


def test_map_large_blocks_refuses_a_threshold_below_one_byte() -> None:
    with pytest.raises(ValueError, match="at least 1 byte"):
        map_large_blocks(0)


def test_releasing_free_memory_is_harmless_to_repeat() -> None:
    release_free_memory()
    release_free_memory()


@pytest.fixture(autouse=True)
def glibc_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """The set-up's glibc calls are not made on the test process (checked above on their own)."""
    monkeypatch.setattr(allocator, "limit_arenas", lambda count: None)
    monkeypatch.setattr(allocator, "map_large_blocks", lambda threshold=0: None)


def test_a_long_export_gives_pyarrow_the_system_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARROW_DEFAULT_MEMORY_POOL", raising=False)
    prepare_for_long_exports()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "system"


def test_a_pool_the_user_chose_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
    prepare_for_long_exports()
    assert os.environ["ARROW_DEFAULT_MEMORY_POOL"] == "jemalloc"
