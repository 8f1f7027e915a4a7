"""scripts/unasync.py: the sync client is written from the async one, and drift is caught."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from foundation_helpers import REPO


@pytest.fixture(scope="module")
def unasync() -> ModuleType:
    spec = importlib.util.spec_from_file_location("unasync", REPO / "scripts" / "unasync.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sync(unasync: ModuleType, text: str) -> str:
    used: set[int] = set()
    return str(unasync.unasync_text(text, "x.py", unasync.compiled(unasync.SUBSTITUTIONS), used))


def test_the_language_and_the_names_are_translated(unasync: ModuleType) -> None:
    source = (
        "class AsyncInexogy(ClientBase):\n"
        "    async def meters(self, http: httpx.AsyncClient) -> AsyncIterator[Meter]:\n"
        "        async for page in self._pages():\n"
        "            yield await self._retrier.call_async(lambda: call.send_async(client))\n"
        "        await self._connection.aclose()\n"
        "        frames = [frame async for frame in chunks]\n"
        "        awaited = self.awaitable  # names that merely contain a keyword stay\n"
    )
    assert _sync(unasync, source) == (
        "class Inexogy(ClientBase):\n"
        "    def meters(self, http: httpx.Client) -> Iterator[Meter]:\n"
        "        for page in self._pages():\n"
        "            yield self._retrier.call(lambda: call.send(client))\n"
        "        self._connection.close()\n"
        "        frames = [frame for frame in chunks]\n"
        "        awaited = self.awaitable  # names that merely contain a keyword stay\n"
    )


def test_async_only_lines_are_dropped_and_sync_only_lines_uncommented(unasync: ModuleType) -> None:
    source = (
        "import asyncio\n"
        "\n"
        "def f():\n"
        "    # unasync: async only\n"
        '    """Await it."""\n'
        "    # unasync: sync only\n"
        '    # """Call it.\n'
        "    #\n"
        "    #     Indented inside.\n"
        '    # """\n'
        "    # unasync: end\n"
        "    # unasync: async only\n"
        "    loop = asyncio.get_running_loop()\n"
        "    # unasync: end\n"
        "    return 1\n"
    )
    assert _sync(unasync, source) == (
        '\ndef f():\n    """Call it.\n\n        Indented inside.\n    """\n    return 1\n'
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("# unasync: end\n", "x.py:1: `# unasync: end` after `both`"),
        ("# unasync: async only\nx = 1\n", "x.py:1: `# unasync: async only` block never ends"),
        ("# unasync: sync only\n# unasync: async only\n", "x.py:2: `# unasync: async only`"),
        ("    # unasync: sync only\n# unasync: end\n", "x.py:2: marker indented unlike line 1"),
        ("# unasync: sync only\nx = 1\n# unasync: end\n", "x.py:2: a sync-only line must start"),
    ],
)
def test_a_malformed_source_is_refused_with_its_line(
    unasync: ModuleType, source: str, message: str
) -> None:
    with pytest.raises(unasync.UnasyncError, match=f"^{message}"):
        _sync(unasync, source)


def test_the_committed_sync_client_is_what_the_async_source_gives(unasync: ModuleType) -> None:
    assert unasync.main(["--check"]) == 0
    client = (REPO / "toolkit" / "inexogy" / "client.py").read_text(encoding="utf-8")
    assert client.startswith(unasync.header("toolkit/inexogy/async_client.py"))


@pytest.fixture
def scratch(unasync: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch tree with one pair: the async ``a.py`` (still to write) gives ``s.py``."""
    monkeypatch.setattr(unasync, "ROOT", tmp_path)
    monkeypatch.setattr(unasync, "PAIRS", (("a.py", "s.py"),))
    monkeypatch.setattr(unasync, "SUBSTITUTIONS", ((r"\basync def\b", "def"), (r"\bawait ", "")))
    return tmp_path


def test_drift_fails_the_check_and_generating_repairs_it(
    unasync: ModuleType, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scratch / "a.py").write_text('"""A."""\n\n\nasync def f() -> None:\n    await g()\n')
    assert unasync.main(["--check"]) == 1  # no sync file yet
    assert "s.py differ from their async source: run `make generate`" in capsys.readouterr().err
    assert unasync.main([]) == 0
    written = (scratch / "s.py").read_text()
    assert written == unasync.header("a.py") + '"""A."""\n\n\ndef f() -> None:\n    g()\n'
    assert unasync.main(["--check"]) == 0

    (scratch / "s.py").write_text(written.replace("g()", "h()"))
    assert unasync.main(["--check"]) == 1
    assert "+    h()" in capsys.readouterr().err
    assert (scratch / "s.py").read_text().endswith("h()\n")  # --check writes nothing


def test_a_substitution_that_matches_nothing_is_an_error(
    unasync: ModuleType, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (scratch / "a.py").write_text("async def f() -> None:\n    pass\n")  # no await
    assert unasync.main([]) == 1
    assert "match nothing (remove them): [('\\\\bawait ', '')]" in capsys.readouterr().err


def test_async_code_left_in_the_sync_file_is_refused(
    unasync: ModuleType, scratch: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # `async with` has no substitution in the scratch list: the sync file would keep it.
    (scratch / "a.py").write_text(
        "async def f() -> None:\n    async with g():\n        await h()\n"
    )
    assert unasync.main([]) == 1
    assert "keeps async code at its line 4" in capsys.readouterr().err
    assert not (scratch / "s.py").exists()
