"""``pip install inexogy`` without extras: small, light to import, and the calls work.

Builds the wheel from a copy of the project, installs it with its base dependencies (from
pip's cache or the package index) into a fresh venv, checks the size budget, then runs
``bare_install_check.py`` in that venv against a simulator served from this venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from inexogy_mock import create_app, running

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SIZE_BUDGET = 40 * 1024 * 1024  # bytes: what a bare install may take, venv included
# What a build of the wheel reads; the rest of the clone (.venv, .git, tests) stays out.
_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "generated", "auth_plugin")
_SOURCES += ("mock_server", "toolkit")


def _pip(*args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet", *args],
        check=True,
        timeout=300,
    )


def _size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


@pytest.fixture(scope="module")
def bare_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding the wheel and its base dependencies only; returns its python."""
    work = tmp_path_factory.mktemp("bare")
    source = work / "source"
    source.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "dist")
    for name in _SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, source / name, ignore=ignore)
        else:
            shutil.copy(ROOT / name, source / name)
    _pip("wheel", "--no-deps", "--wheel-dir", str(work / "dist"), str(source))
    (wheel,) = (work / "dist").glob("inexogy-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    _pip("--python", str(python), "install", str(wheel))
    return python


@pytest.fixture(scope="module")
def simulator() -> Iterator[str]:
    with running(create_app()) as url:
        yield url


def test_a_bare_install_stays_within_the_size_budget(bare_venv: Path) -> None:
    size = _size(bare_venv.parents[1])
    assert size < SIZE_BUDGET, f"the bare install takes {size / 2**20:.1f} MB"


def test_the_client_the_auth_plugin_and_the_library_work_without_extras(
    bare_venv: Path, simulator: str
) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("INEXOGY_")}
    result = subprocess.run(
        [str(bare_venv), str(Path(__file__).with_name("bare_install_check.py")), simulator],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=bare_venv.parents[1],  # not the clone: its folders must not shadow the wheel's
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "bare install: all checks passed" in result.stdout


def test_the_command_without_its_extra_says_which_extra_to_install(bare_venv: Path) -> None:
    command = bare_venv.with_name("inexogy")
    result = subprocess.run([str(command), "meters"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "inexogy: error: the inexogy command needs typer, which is not installed: "
        "pip install 'inexogy[cli]'"
    )


def test_the_simulator_without_its_extra_says_which_extra_to_install(bare_venv: Path) -> None:
    command = bare_venv.with_name("inexogy-mock")
    result = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("inexogy-mock: error: the simulator needs ")
    assert result.stderr.strip().endswith("which is not installed: pip install 'inexogy[mock]'")
