"""The simulator is built from the project's own openapi.yaml, not from a copy of it."""

from __future__ import annotations

from pathlib import Path

import inexogy_mock

ROOT_SPEC = Path(__file__).resolve().parents[2] / "openapi.yaml"


def test_the_default_spec_is_the_projects_openapi_yaml_itself() -> None:
    # In a checkout the package's openapi.yaml is a link to the root file: an edit of the spec
    # reaches the simulator without a copy step (a wheel carries the file's content instead).
    assert inexogy_mock.DEFAULT_SPEC.resolve() == ROOT_SPEC
    assert inexogy_mock.DEFAULT_SPEC.read_bytes() == ROOT_SPEC.read_bytes()
