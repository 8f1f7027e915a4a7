"""The simulator knows only the spec: built from the project's openapi.yaml, never the client."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import inexogy_mock

ROOT = Path(__file__).resolve().parents[2]
ROOT_SPEC = ROOT / "openapi.yaml"
CLIENT_SIDE = {"inexogy_client", "inexogy_auth", "inexogy"}


def test_the_default_spec_is_the_projects_openapi_yaml_itself() -> None:
    # In a checkout the package's openapi.yaml is a link to the root file: an edit of the spec
    # reaches the simulator without a copy step (a wheel carries the file's content instead).
    assert inexogy_mock.DEFAULT_SPEC.resolve() == ROOT_SPEC
    assert inexogy_mock.DEFAULT_SPEC.read_bytes() == ROOT_SPEC.read_bytes()


def test_no_module_of_the_simulator_imports_the_client_side() -> None:
    sources = sorted((ROOT / "mock_server" / "inexogy_mock").glob("*.py"))
    assert len(sources) > 5
    imported: set[tuple[str, str]] = set()
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
            if isinstance(node, ast.Import):
                imported |= {(source.name, alias.name.split(".")[0]) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add((source.name, node.module.split(".")[0]))
    assert {(name, module) for name, module in imported if module in CLIENT_SIDE} == set()


def test_a_running_simulator_app_loads_no_client_package() -> None:
    probe = (
        "import sys, inexogy_mock\n"
        "inexogy_mock.create_app()\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(CLIENT_SIDE)!r})))\n"
    )
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "[]"
