"""Every fault kind of the simulator against ``inexogy readings`` exports (issue 10, tests).

Each export must end either byte-identical to the one from a fault-free simulator, or as a
clean failure: exit status 1, one line on stderr, no file and no temporary file, an existing
target untouched. The faults are those the real service shows (api-reference, "Errors":
5xx and 429 texts, empty 200 bodies during incidents, dropped connections, slow answers).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from inexogy.cli import app
from inexogy.files import temporaries_of
from inexogy_mock import FaultPlan
from resilience_testkit import simulator
from typer.testing import CliRunner, Result

# Two months at fifteen minutes: two requests (at most 31 days each), ~5,800 rows.
EXPORT = ["readings", "10512345", "--resolution", "fifteen_minutes"]
EXPORT += ["--from", "2025-04-01T00:00Z", "--to", "2025-06-01T00:00Z", "--fields", "energy,power"]
OLD = b"an older export that must survive\n"
KINDS = ["500", "503", "503:1", "429", "429:1", "empty", "truncated", "latency:0.3", "drop"]
CLEARED = ("INEXOGY_BASE_URL", "INEXOGY_TOKEN_FILE", "INEXOGY_EMAIL", "INEXOGY_PASSWORD")


def export(url: str, target: Path, *options: str) -> Result:
    env: dict[str, str | None] = dict.fromkeys(CLEARED)
    env.update(
        {
            "INEXOGY_BASE_URL": url,
            "INEXOGY_TOKEN_FILE": str(target.parent / "token.json"),
            "INEXOGY_EMAIL": "demo@inexogy.com",
            "INEXOGY_PASSWORD": "demo",
        }
    )
    args = ["--auth", "basic", *options, *EXPORT, "-o", str(target)]
    return CliRunner().invoke(app, args, env=env)


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    """The exports a fault-free simulator gives, per suffix."""
    folder = tmp_path_factory.mktemp("clean")
    exports = {}
    with simulator(clock=time.time) as url:
        for suffix in (".csv", ".parquet"):
            result = export(url, folder / f"clean{suffix}")
            assert result.exit_code == 0, result.stderr
            exports[suffix] = (folder / f"clean{suffix}").read_bytes()
    return exports


def assert_identical_or_clean_failure(
    result: Result, target: Path, expected: bytes, before: bytes | None
) -> str:
    """Return "identical" or "failed", after checking the run ended as one or the other."""
    assert temporaries_of(target) == []
    if result.exit_code == 0:
        assert target.read_bytes() == expected
        return "identical"
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("inexogy: error: ")
    if before is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == before
    return "failed"


FAST_KINDS = ("500", "empty", "truncated", "drop")


def params() -> list[object]:
    """Every kind against both formats; a few of them in the quick run, the rest marked slow."""
    return [
        pytest.param(
            kind,
            suffix,
            id=f"{kind}-{suffix[1:]}",
            marks=() if kind in FAST_KINDS and suffix == ".csv" else pytest.mark.slow,
        )
        for kind in KINDS
        for suffix in (".csv", ".parquet")
    ]


@pytest.mark.parametrize(("kind", "suffix"), params())
def test_a_scripted_fault_heals_into_the_same_export(
    kind: str, suffix: str, clean: dict[str, bytes], tmp_path: Path
) -> None:
    target = tmp_path / f"export{suffix}"
    # The meter lookup and the field check come first; the fault hits a readings request.
    with simulator(clock=time.time, faults=FaultPlan.scripted(["ok", "ok", kind])) as url:
        result = export(url, target)
    assert assert_identical_or_clean_failure(result, target, clean[suffix], None) == "identical"


@pytest.mark.parametrize(
    "kind",
    [
        "503",
        "truncated",
        pytest.param("500", marks=pytest.mark.slow),
        pytest.param("empty", marks=pytest.mark.slow),
        pytest.param("drop", marks=pytest.mark.slow),
    ],
)
def test_a_fault_that_outlasts_the_retries_is_a_clean_failure(
    kind: str, clean: dict[str, bytes], tmp_path: Path
) -> None:
    target = tmp_path / "export.csv"
    target.write_bytes(OLD)
    with simulator(clock=time.time, faults=FaultPlan.scripted(["ok", "ok", *[kind] * 4])) as url:
        result = export(url, target, "--retries", "1")
    assert assert_identical_or_clean_failure(result, target, clean[".csv"], OLD) == "failed"


@pytest.mark.parametrize(
    ("seed", "suffix"),
    [
        pytest.param(1, ".csv", marks=pytest.mark.slow),
        (2, ".parquet"),
        pytest.param(3, ".csv", marks=pytest.mark.slow),
        pytest.param(4, ".parquet", marks=pytest.mark.slow),
        pytest.param(5, ".csv", marks=pytest.mark.slow),
        pytest.param(6, ".parquet", marks=pytest.mark.slow),
    ],
)
def test_seeded_random_faults_end_identical_or_cleanly(
    seed: int, suffix: str, clean: dict[str, bytes], tmp_path: Path
) -> None:
    target = tmp_path / f"export{suffix}"
    target.write_bytes(OLD)
    with simulator(clock=time.time, faults=FaultPlan.random(0.4, seed)) as url:
        result = export(url, target)
    assert_identical_or_clean_failure(result, target, clean[suffix], OLD)
