"""The committed client is what `make generate` produces: marked as generated, typed, exported."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
from importlib.resources import files
from pathlib import Path

import inexogy_client
import pytest
from foundation_helpers import GENERATED, REPO

# What `make check-generated` reads, besides the virtual environment.
BUILD_INPUTS = (
    "Makefile",
    "openapi.yaml",
    "generator-config.yaml",
    "pyproject.toml",
    "templates",
    "scripts",
    "toolkit/inexogy/async_client.py",  # the source of the sync client (scripts/unasync.py)
    "toolkit/inexogy/client.py",
)


def generated_header() -> str:
    """The header scripts/finish_generated.py puts on every generated module."""
    spec = importlib.util.spec_from_file_location(
        "finish_generated", REPO / "scripts" / "finish_generated.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    header: str = module.HEADER
    return header


@pytest.fixture
def repo_copy(tmp_path: Path) -> Path:
    """The build inputs and the committed client in ``tmp_path``, with the project's venv linked."""
    for name in BUILD_INPUTS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    shutil.copytree(
        REPO / "generated", tmp_path / "generated", ignore=shutil.ignore_patterns("__pycache__")
    )
    (tmp_path / ".venv").symlink_to(REPO / ".venv", target_is_directory=True)
    return tmp_path


def check_generated(directory: Path) -> subprocess.CompletedProcess[str]:
    # -o: never (re)install into the shared venv from the copy, whatever the timestamps say.
    return subprocess.run(
        [
            "make",
            "--no-print-directory",
            "-C",
            str(directory),
            "-o",
            ".venv/.installed",
            "check-generated",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_check_generated_passes_on_an_untouched_copy(repo_copy: Path) -> None:
    result = check_generated(repo_copy)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "generated/ matches openapi.yaml" in result.stdout
    assert "sync clients match their async sources" in result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_check_generated_fails_when_a_generated_file_is_edited(repo_copy: Path) -> None:
    edited = repo_copy / "generated" / "inexogy_client" / "models" / "meter.py"
    edited.write_text(edited.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")

    result = check_generated(repo_copy)

    assert result.returncode != 0
    assert "edited by hand" in result.stdout  # the diff names the change
    assert "run 'make generate' and commit" in result.stderr


def test_every_generated_module_carries_the_generated_header() -> None:
    header = generated_header()
    modules = sorted(GENERATED.rglob("*.py"))

    assert len(modules) > 18  # at least one module per operation
    assert [
        module for module in modules if not module.read_text(encoding="utf-8").startswith(header)
    ] == []


def test_the_package_ships_py_typed() -> None:
    assert (GENERATED / "py.typed").is_file()
    assert (
        files("inexogy_client").joinpath("py.typed").is_file()
    )  # the installed package has it too


def test_package_exports_the_clients() -> None:
    assert set(inexogy_client.__all__) == {"AuthenticatedClient", "Client"}
    assert inexogy_client.Client.__name__ == "Client"
    assert inexogy_client.AuthenticatedClient.__name__ == "AuthenticatedClient"
