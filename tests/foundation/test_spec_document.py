"""openapi.yaml is a valid OpenAPI 3.0 document with all 18 operations of the issue."""

from __future__ import annotations

import json

import pytest
from foundation_helpers import HTTP_METHODS, OPERATIONS, SPEC_PATH, Operation, load_spec
from openapi_spec_validator import validate
from ruamel.yaml import YAML


def test_spec_validates_as_openapi_3_0() -> None:
    spec = load_spec()

    validate(spec)  # raises on the first error

    assert spec["openapi"].startswith("3.0.")


def test_spec_reads_the_same_in_yaml_1_1_and_1_2() -> None:
    # The generator reads YAML 1.2 (ruamel); connexion and the validators read YAML 1.1 (PyYAML).
    # Scalars such as `1.2e12`, `on` or `0123` differ between the two.
    as_yaml_1_2 = YAML(typ="safe", pure=True).load(SPEC_PATH.read_text(encoding="utf-8"))

    assert as_yaml_1_2 == load_spec()


def test_spec_is_plain_json_data() -> None:
    spec = load_spec()

    assert json.loads(json.dumps(spec)) == spec  # no dates or other non-JSON scalars


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.operation_id)
def test_operation_has_its_tag_method_path_and_operation_id(operation: Operation) -> None:
    path_item = load_spec()["paths"].get(operation.path, {})

    assert operation.method in path_item, f"{operation.method.upper()} {operation.path} is missing"
    assert path_item[operation.method]["operationId"] == operation.operation_id
    assert path_item[operation.method]["tags"] == [operation.tag]


def test_spec_has_exactly_the_18_operations() -> None:
    spec = load_spec()
    found = {
        (method, path, item[method]["operationId"])
        for path, item in spec["paths"].items()
        for method in HTTP_METHODS
        if method in item
    }

    assert found == {(op.method, op.path, op.operation_id) for op in OPERATIONS}
    assert len(found) == 18


def test_every_operation_documents_its_errors_as_text_or_empty() -> None:
    for operation in OPERATIONS:
        responses = load_spec()["paths"][operation.path][operation.method]["responses"]
        for status, response in responses.items():
            if status.startswith("2"):
                continue
            content = response.get("content")
            if "$ref" in response:
                name = response["$ref"].rsplit("/", 1)[-1]
                content = load_spec()["components"]["responses"][name].get("content")
            assert content is None or set(content) == {"text/plain"}, (
                operation.operation_id,
                status,
            )
