"""templates/model.py.jinja keeps the API and behaviour of the generator's stock models.

The stock client is generated from the same spec into a scratch directory and imported as
``inexogy_client_stock``; every model of both is compared on the same sample data.
"""

from __future__ import annotations

import importlib
import inspect
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs
import inexogy_client.models as lean
import pytest
from foundation_helpers import REPO, SPEC_PATH, load_spec, sample_for
from inexogy_client.models import AccessToken, ConsumerToken, Reading, RequestToken

STOCK_PACKAGE = "inexogy_client_stock"


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    """The models of the client generated with the generator's own templates."""
    scratch = tmp_path_factory.mktemp("stock")
    shutil.copy2(REPO / "generated" / "ruff.toml", scratch / "ruff.toml")
    venv_bin = Path(sys.executable).parent
    command = [str(venv_bin / "openapi-python-client"), "generate", "--path", str(SPEC_PATH)]
    command += ["--config", str(REPO / "generator-config.yaml"), "--meta", "none"]
    command += ["--fail-on-warning", "--output-path", str(scratch / STOCK_PACKAGE)]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
        env={**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ['PATH']}"},
        timeout=120,
    )
    sys.path.insert(0, str(scratch))
    try:
        yield importlib.import_module(f"{STOCK_PACKAGE}.models")
    finally:
        sys.path.remove(str(scratch))
        for name in [name for name in sys.modules if name.split(".")[0] == STOCK_PACKAGE]:
            del sys.modules[name]


def model_schemas() -> dict[str, Any]:
    """Component schemas that become model classes, by class name."""
    return {
        name: schema
        for name, schema in load_spec()["components"]["schemas"].items()
        if schema.get("type") == "object" and hasattr(lean, name)
    }


MODELS = sorted(model_schemas())


def plain(value: Any) -> Any:
    """``value`` with UNSET (one object per generated package) replaced by a common marker."""
    return "<UNSET>" if type(value).__name__ == "Unset" else value


def comparable(value: Any) -> Any:
    """``value`` with models turned into dicts, for comparing the two generated packages."""
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if isinstance(value, list):
        return [comparable(item) for item in value]
    if isinstance(value, dict):
        return {key: comparable(item) for key, item in value.items()}
    return plain(value)


def public_fields(cls: type) -> list[str]:
    return [field.name.lstrip("_") for field in attrs.fields(cls)]


def test_every_object_schema_has_a_model() -> None:
    object_schemas = [
        name
        for name, s in load_spec()["components"]["schemas"].items()
        if s.get("type") == "object"
    ]

    assert sorted(object_schemas) == MODELS


@pytest.mark.parametrize("name", MODELS)
def test_model_has_the_stock_constructor_and_attributes(name: str, stock: ModuleType) -> None:
    ours, theirs = getattr(lean, name), getattr(stock, name)

    def shape(cls: type) -> list[tuple[str, Any, Any]]:
        parameters = inspect.signature(cls).parameters.values()
        return [(p.name, p.kind, plain(p.default)) for p in parameters]

    assert shape(ours) == shape(theirs)
    assert public_fields(ours) == public_fields(theirs)
    assert [n for n in dir(theirs) if not n.startswith("_")] == [
        n for n in dir(ours) if not n.startswith("_")
    ]


@pytest.mark.parametrize("name", MODELS)
def test_model_reads_and_writes_like_stock(name: str, stock: ModuleType) -> None:
    sample = sample_for(model_schemas()[name])  # every field set, distinct values, one unknown key
    ours = getattr(lean, name).from_dict(sample)
    theirs = getattr(stock, name).from_dict(sample)

    assert ours.to_dict() == sample
    assert theirs.to_dict() == sample
    assert ours.additional_keys == theirs.additional_keys
    for field in public_fields(type(ours)):
        assert comparable(getattr(ours, field)) == comparable(getattr(theirs, field)), field


@pytest.mark.parametrize("name", MODELS)
def test_model_without_unknown_keys_reads_like_stock(name: str, stock: ModuleType) -> None:
    schema = model_schemas()[name]
    sample = sample_for(schema)
    known = {key: value for key, value in sample.items() if key in schema.get("properties", {})}

    ours = getattr(lean, name).from_dict(known)

    assert ours.to_dict() == getattr(stock, name).from_dict(known).to_dict() == known
    assert ours.additional_properties == {}
    assert ours.additional_keys == []


def test_source_dict_is_left_alone() -> None:
    source = {"time": 1, "values": {"power": 2, "newField": 3}, "extra": 4}
    snapshot = {"time": 1, "values": {"power": 2, "newField": 3}, "extra": 4}

    reading = Reading.from_dict(source)
    reading["more"] = 5
    reading.values["newer"] = 6

    assert source == snapshot
    assert reading.additional_properties == {"extra": 4, "more": 5}
    assert reading.values.additional_properties == {"newField": 3, "newer": 6}


def test_additional_properties_are_per_object_and_settable() -> None:
    first = Reading.from_dict({"time": 1, "values": {}})
    second = Reading.from_dict({"time": 1, "values": {}})

    first["note"] = "a"
    assert second.additional_properties == {}
    assert first != second
    del first["note"]
    assert first == second  # no unknown keys yet and an emptied dict compare equal

    second.additional_properties = {"note": "b"}
    assert "note" in second
    assert second.to_dict() == {"note": "b", "time": 1, "values": {}}


@pytest.mark.parametrize(
    ("model", "data", "secret"),
    [
        (
            ConsumerToken,
            {"key": "consumer-key", "secret": "consumer-secret-1"},
            "consumer-secret-1",
        ),
        (
            RequestToken,
            {"oauth_token": "t", "oauth_token_secret": "request-secret-2"},
            "request-secret-2",
        ),
        (
            AccessToken,
            {"oauth_token": "t", "oauth_token_secret": "access-secret-3"},
            "access-secret-3",
        ),
    ],
)
def test_secrets_stay_out_of_reprs(model: Any, data: dict[str, str], secret: str) -> None:
    token = model.from_dict(data)

    assert secret not in repr(token)
    assert secret not in str(token)
    assert secret in token.to_dict().values()  # still there to be used


def test_non_secret_fields_still_show_in_reprs() -> None:
    assert "consumer-key" in repr(ConsumerToken.from_dict({"key": "consumer-key", "secret": "s"}))
