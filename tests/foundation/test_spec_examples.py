"""Every example in openapi.yaml is valid against its schema (OpenAPI 3.0 rules, refs resolved)."""

from __future__ import annotations

import pytest
from foundation_helpers import (
    OPERATIONS,
    Example,
    all_examples,
    load_spec,
    operation_object,
    resolve,
    validator_at,
)

EXAMPLES = all_examples()


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda example: example.where)
def test_example_is_valid_against_its_schema(example: Example) -> None:
    errors = [
        error.message for error in validator_at(example.schema_pointer).iter_errors(example.value)
    ]

    assert errors == []


def test_examples_of_every_kind_are_checked() -> None:
    wheres = [example.where for example in EXAMPLES]

    assert any("/responses/" in where and "/content/" in where for where in wheres)
    assert any("/requestBody/" in where for where in wheres)
    assert any(where.startswith("/components/parameters/") for where in wheres)
    assert any(where.startswith("/components/responses/") for where in wheres)


def test_every_documented_answer_with_a_body_has_an_example() -> None:
    missing = [
        (operation.operation_id, status, media_type)
        for operation in OPERATIONS
        for status, response in operation_object(operation)["responses"].items()
        for media_type, media in resolve(response).get("content", {}).items()
        if "example" not in media and "examples" not in media
    ]

    assert missing == []


def test_validator_rejects_what_the_schema_forbids() -> None:
    meter = "/components/schemas/Meter"
    valid = load_spec()["paths"]["/meters"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["example"][0]

    assert validator_at(meter).is_valid(valid)
    assert not validator_at(meter).is_valid(
        {**valid, "location": {**valid["location"], "zip": 1234}}
    )
    assert not validator_at(meter).is_valid(
        {key: value for key, value in valid.items() if key != "meterId"}
    )
    assert validator_at("/components/schemas/ConsumerToken").is_valid(
        {"key": "k", "secret": "s", "principal": None}
    )
    assert not validator_at("/components/schemas/TimestampMs").is_valid(-1)
