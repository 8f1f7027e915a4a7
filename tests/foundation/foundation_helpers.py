"""Read openapi.yaml the way the tests need it: operations, examples, schemas, canned answers."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

REPO = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO / "openapi.yaml"
GENERATED = REPO / "generated" / "inexogy_client"
BASE_URL = "https://api.inexogy.com/public/v1"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SPEC_URI = "urn:inexogy:openapi"


@dataclass(frozen=True)
class Operation:
    """One row of the issue's operation table."""

    tag: str
    method: str
    path: str
    operation_id: str
    module: str


OPERATIONS = (
    Operation(
        "oauth1", "post", "/oauth1/consumer_token", "createConsumerToken", "create_consumer_token"
    ),
    Operation(
        "oauth1", "post", "/oauth1/request_token", "createRequestToken", "create_request_token"
    ),
    Operation("oauth1", "get", "/oauth1/authorize", "authorize", "authorize"),
    Operation("oauth1", "post", "/oauth1/access_token", "createAccessToken", "create_access_token"),
    Operation("metadata", "get", "/meters", "getMeters", "get_meters"),
    Operation("metadata", "get", "/field_names", "getFieldNames", "get_field_names"),
    Operation("metadata", "get", "/devices", "getDevices", "get_devices"),
    Operation("measurements", "get", "/readings", "getReadings", "get_readings"),
    Operation("measurements", "get", "/last_reading", "getLastReading", "get_last_reading"),
    Operation("measurements", "get", "/statistics", "getStatistics", "get_statistics"),
    Operation("measurements", "get", "/load_profile", "getLoadProfile", "get_load_profile"),
    Operation(
        "measurements", "get", "/raw_load_profile", "getRawLoadProfile", "get_raw_load_profile"
    ),
    Operation(
        "disaggregation", "get", "/disaggregation", "getDisaggregation", "get_disaggregation"
    ),
    Operation("disaggregation", "get", "/activities", "getActivities", "get_activities"),
    Operation(
        "website_access_code",
        "get",
        "/website_access_code",
        "getWebsiteAccessCode",
        "get_website_access_code",
    ),
    Operation("virtual_meters", "get", "/virtual_meter", "getVirtualMeter", "get_virtual_meter"),
    Operation(
        "virtual_meters", "post", "/virtual_meter", "createVirtualMeter", "create_virtual_meter"
    ),
    Operation(
        "virtual_meters", "delete", "/virtual_meter", "deleteVirtualMeter", "delete_virtual_meter"
    ),
)


@functools.cache
def load_spec() -> dict[str, Any]:
    """The spec as connexion and the validators read it (PyYAML, YAML 1.1)."""
    with SPEC_PATH.open(encoding="utf-8") as stream:
        spec: dict[str, Any] = yaml.safe_load(stream)
    return spec


def pointer(*parts: str) -> str:
    """A JSON pointer (RFC 6901) to the given path of keys."""
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def resolve(node: Any) -> Any:
    """Follow local ``$ref`` chains (``#/components/...``) to the object they name."""
    spec = load_spec()
    while isinstance(node, dict) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def operation_object(operation: Operation) -> dict[str, Any]:
    """The spec's operation object for one row of the table."""
    found: dict[str, Any] = load_spec()["paths"][operation.path][operation.method]
    return found


@functools.cache
def _registry() -> Registry[Any]:
    return Registry().with_resource(SPEC_URI, Resource(contents=load_spec(), specification=DRAFT4))


def validator_at(schema_pointer: str) -> Validator:
    """An OpenAPI 3.0 validator for the schema at ``schema_pointer`` of the spec, refs resolved."""
    validator: Validator = OAS30Validator(
        {"$ref": f"{SPEC_URI}#{schema_pointer}"},
        registry=_registry(),
        format_checker=OAS30Validator.FORMAT_CHECKER,
    )
    return validator


@dataclass(frozen=True)
class Example:
    """An example in the spec and the schema it must satisfy."""

    where: str
    value: Any
    schema_pointer: str


def _examples_of(holder: dict[str, Any], where: str, schema_pointer: str) -> Iterator[Example]:
    """The ``example`` / ``examples`` of a parameter, header or media type object."""
    if "example" in holder:
        yield Example(where, holder["example"], schema_pointer)
    for name, entry in holder.get("examples", {}).items():
        yield Example(f"{where}/examples/{name}", resolve(entry)["value"], schema_pointer)


def _schema_examples(schema: Any, where: str) -> Iterator[Example]:
    """``example`` keys of a schema object and of the schemas nested in it."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    if "example" in schema:
        yield Example(where + "/example", schema["example"], where)
    for keyword in ("items", "additionalProperties", "not"):
        yield from _schema_examples(schema.get(keyword), pointer_join(where, keyword))
    for name, sub in schema.get("properties", {}).items():
        yield from _schema_examples(sub, pointer_join(where, "properties", name))
    for keyword in ("allOf", "oneOf", "anyOf"):
        for index, sub in enumerate(schema.get(keyword, ())):
            yield from _schema_examples(sub, pointer_join(where, keyword, str(index)))


def pointer_join(base: str, *parts: str) -> str:
    """``base`` followed by ``parts`` as pointer tokens."""
    return base + pointer(*parts)


def _content_examples(content: dict[str, Any], where: str) -> Iterator[Example]:
    for media_type, media in content.items():
        media_where = pointer_join(where, "content", media_type)
        yield from _examples_of(media, media_where, pointer_join(media_where, "schema"))
        yield from _schema_examples(media.get("schema"), pointer_join(media_where, "schema"))


def _response_examples(response: dict[str, Any], where: str) -> Iterator[Example]:
    if "$ref" in response:
        return  # checked once, under components/responses
    yield from _content_examples(response.get("content", {}), where)
    for name, header in response.get("headers", {}).items():
        header_where = pointer_join(where, "headers", name)
        yield from _examples_of(header, header_where, pointer_join(header_where, "schema"))
        yield from _schema_examples(header.get("schema"), pointer_join(header_where, "schema"))


def _parameter_examples(parameters: list[Any], where: str) -> Iterator[Example]:
    for index, parameter in enumerate(parameters):
        if "$ref" in parameter:
            continue  # checked once, under components/parameters
        parameter_where = pointer_join(where, str(index))
        yield from _examples_of(parameter, parameter_where, pointer_join(parameter_where, "schema"))
        yield from _schema_examples(
            parameter.get("schema"), pointer_join(parameter_where, "schema")
        )


def all_examples() -> list[Example]:
    """Every example of the spec: media types, parameters, headers, request bodies, schemas."""
    spec = load_spec()
    components = spec.get("components", {})
    found: list[Example] = []
    for name, schema in components.get("schemas", {}).items():
        found.extend(_schema_examples(schema, pointer("components", "schemas", name)))
    for name, parameter in components.get("parameters", {}).items():
        where = pointer("components", "parameters", name)
        found.extend(_examples_of(parameter, where, pointer_join(where, "schema")))
        found.extend(_schema_examples(parameter.get("schema"), pointer_join(where, "schema")))
    for name, response in components.get("responses", {}).items():
        found.extend(_response_examples(response, pointer("components", "responses", name)))
    for path, path_item in spec["paths"].items():
        path_where = pointer("paths", path)
        found.extend(
            _parameter_examples(path_item.get("parameters", []), path_where + "/parameters")
        )
        for method in HTTP_METHODS:
            if method not in path_item:
                continue
            operation = path_item[method]
            where = pointer_join(path_where, method)
            found.extend(
                _parameter_examples(operation.get("parameters", []), where + "/parameters")
            )
            body = operation.get("requestBody")
            if body is not None and "$ref" not in body:
                found.extend(_content_examples(body.get("content", {}), where + "/requestBody"))
            for status, response in operation.get("responses", {}).items():
                found.extend(_response_examples(response, pointer_join(where, "responses", status)))
    return found


def success_status(operation: Operation) -> str:
    """The documented 2xx status of an operation, or its only documented answer when it has none."""
    statuses = list(operation_object(operation)["responses"])
    return next((status for status in statuses if status.startswith("2")), statuses[-1])


def response_example(operation: Operation, status: str) -> tuple[str | None, Any]:
    """The media type and example the spec documents for ``status`` (JSON first, then text)."""
    response = resolve(operation_object(operation)["responses"][status])
    content = response.get("content", {})
    for media_type in ("application/json", "text/plain"):
        if media_type in content:
            return media_type, content[media_type]["example"]
    return None, None


def example_response(operation: Operation, status: str) -> httpx.Response:
    """An HTTP answer carrying the spec's example for ``status`` of ``operation``."""
    media_type, example = response_example(operation, status)
    if media_type == "application/json":
        return httpx.Response(int(status), json=example)
    if media_type == "text/plain":
        return httpx.Response(int(status), text=example)
    return httpx.Response(int(status))


Answer = Callable[[httpx.Request], httpx.Response]


class SpecTransport(httpx.MockTransport):
    """Answers each request with the spec's example for its operation; records what it saw.

    ``answers`` replaces the answer of single operations (by operationId).
    """

    def __init__(self, answers: dict[str, Answer] | None = None) -> None:
        self.requests: list[httpx.Request] = []
        self._answers = answers or {}
        super().__init__(self._answer)

    def _answer(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix(httpx.URL(BASE_URL).path)
        method = request.method.lower()
        operation = next(op for op in OPERATIONS if op.path == path and op.method == method)
        if operation.operation_id in self._answers:
            return self._answers[operation.operation_id](request)
        return example_response(operation, success_status(operation))


def sample_for(schema: Any, counter: Iterator[int] | None = None) -> Any:
    """A value valid for ``schema``: a distinct value in every leaf, one unknown key per object."""
    counter = counter if counter is not None else itertools.count(1)
    schema = resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "oneOf" in schema:
        return sample_for(schema["oneOf"][0], counter)
    kind = schema.get("type")
    if kind == "array":
        return [sample_for(schema["items"], counter)]
    if kind == "object" or "properties" in schema or "additionalProperties" in schema:
        sample = {
            name: sample_for(sub, counter) for name, sub in schema.get("properties", {}).items()
        }
        extra = schema.get("additionalProperties", True)
        if extra is not False:
            sample[f"unknownKey{next(counter)}"] = (
                f"unknown-{next(counter)}" if extra is True else sample_for(extra, counter)
            )
        return sample
    number = next(counter)
    if kind == "integer":
        return schema.get("minimum", 0) + number
    if kind == "number":
        return number + 0.5
    if kind == "boolean":
        return True
    return f"value-{number}"
