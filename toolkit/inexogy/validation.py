"""The validation boundary: every answer is checked where it enters the toolkit.

What the generated client parsed is checked against the types the spec declares (learnt from
the generated models' annotations, so a regenerated client needs no change here): text is
text, integers are integers that fit in int64, numbers are finite and within the int64 range
(no NaN, no infinity, no 1e400), times are Unix milliseconds a datetime can hold. Anything else
raises ``InvalidResponseError`` naming the endpoint and what was wrong, never a ``TypeError``
further down. Readings are checked a column at a time with C-level ``map``s, not per reading.
"""

from __future__ import annotations

import functools
import math
import re
import types
import typing
from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import attrs
from inexogy_client.types import Unset

from .chunks import RESOLUTION_SPANS
from .errors import InvalidResponseError

if TYPE_CHECKING:
    from inexogy_client.models.reading import Reading

__all__ = [
    "INT64_MAX",
    "INT64_MIN",
    "MAX_TIME_MS",
    "NOT_FINITE_TOKEN",
    "check_model",
    "check_models",
    "check_readings",
    "check_time",
    "invalid_answer",
]

NOT_FINITE_TOKEN = re.compile(rb"[:\[,]\s*-?(?:NaN|Infinity)\b")
"""A NaN or Infinity token where a JSON value belongs (not JSON, but some encoders write it)."""

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
MAX_TIME_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z, the last moment a Python datetime holds."""
_TIME_FIELDS = frozenset(
    {"time", "begin_time", "end_time", "first_measurement_time", "last_measurement_time"}
)
# The real service answers -1 for these when the meter never sent data (api-reference, Meter).
_NEVER_FIELDS = frozenset({"first_measurement_time", "last_measurement_time"})
_UNSET_TYPE = Unset
_ONLY_UNSET = frozenset({Unset})


def invalid_answer(endpoint: str, problem: str) -> InvalidResponseError:
    """Return the error for a 200 answer of ``endpoint`` that is not what the API promises."""
    return InvalidResponseError(
        f"{endpoint} answered 200 OK, but {problem}; the answer was refused "
        "(try again later, and report it if it persists)",
        status=200,
    )


def _describe(value: Any) -> str:
    text = repr(value)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{text} ({type(value).__name__})"


def check_time(value: Any, where: str) -> str | None:
    """Return what is wrong with a time in Unix ms, or None when it is one."""
    if type(value) is not int:
        return f"{where} is {_describe(value)}, not a time in Unix milliseconds"
    if not 0 <= value <= MAX_TIME_MS:
        return f"{where} is {value}, not a time between 1970 and 9999"
    return None


def _check_number(value: Any, where: str, *, integer: bool) -> str | None:
    kind = type(value)
    if kind is int:
        if not INT64_MIN <= value <= INT64_MAX:
            return f"{where} is {_describe(value)}, beyond the 64-bit integer range"
        return None
    if kind is float and not integer:
        if not math.isfinite(value):
            return f"{where} is {value!r}, not a finite number"
        return None
    return f"{where} is {_describe(value)}, not {'an integer' if integer else 'a number'}"


_FIELDS: dict[type, tuple[tuple[str, str, Any], ...]] = {}


def _fields_of(cls: type) -> tuple[tuple[str, str, Any], ...]:
    """(attribute, name in messages, type) of each field of a generated model."""
    fields = _FIELDS.get(cls)
    if fields is None:
        hints = typing.get_type_hints(cls)
        fields = _FIELDS[cls] = tuple(
            (field.name, field.name.lstrip("_"), hints[field.name]) for field in attrs.fields(cls)
        )
    return fields


def _check_value(value: Any, hint: Any, where: str, name: str) -> str | None:
    """Return what is wrong with ``value`` as the type ``hint``, or None."""
    if hint is Any:
        return None
    origin = typing.get_origin(hint)
    if origin is types.UnionType or origin is typing.Union:
        options = typing.get_args(hint)
        if type(value) is _UNSET_TYPE and _UNSET_TYPE in options:
            return None
        if value is None and type(None) in options:
            return None
        (hint,) = [option for option in options if option not in (_UNSET_TYPE, type(None))]
        origin = typing.get_origin(hint)
    if hint is int:
        if name in _NEVER_FIELDS and value == -1 and type(value) is int:
            return None
        if name in _TIME_FIELDS:
            return check_time(value, where)
        return _check_number(value, where, integer=True)
    if hint is float:
        return _check_number(value, where, integer=False)
    if hint is str:
        return None if type(value) is str else f"{where} is {_describe(value)}, not text"
    if hint is bool:
        return None if type(value) is bool else f"{where} is {_describe(value)}, not true/false"
    if origin is dict:
        if not isinstance(value, dict):
            return f"{where} is {_describe(value)}, not an object"
        _, item_hint = typing.get_args(hint)
        for key, item in value.items():
            problem = _check_value(item, item_hint, f"{where}[{key!r}]", "")
            if problem:
                return problem
        return None
    if origin is list:
        if not isinstance(value, list):
            return f"{where} is {_describe(value)}, not a list"
        (item_hint,) = typing.get_args(hint)
        for index, item in enumerate(value):
            problem = _check_value(item, item_hint, f"{where}[{index}]", "")
            if problem:
                return problem
        return None
    if isinstance(hint, type) and attrs.has(hint):
        if not isinstance(value, hint):
            return f"{where} is {_describe(value)}, not an object"
        return _model_problem(value, where)
    return None  # a type the spec does not constrain further (e.g. a literal checked upstream)


def _model_problem(model: Any, where: str) -> str | None:
    for attribute, name, hint in _fields_of(type(model)):
        problem = _check_value(getattr(model, attribute), hint, f"{where}.{name}", name)
        if problem:
            return problem.replace(".additional_properties[", "[")
    return None


def check_model(model: Any, kind: type, endpoint: str, what: str) -> None:
    """Check a parsed model of type ``kind``; raise ``InvalidResponseError`` when it is not."""
    if not isinstance(model, kind):
        raise invalid_answer(endpoint, f"the body is {_describe(model)}, not {what}")
    problem = _model_problem(model, what)
    if problem:
        raise invalid_answer(endpoint, problem)


def check_models(models: Any, kind: type, endpoint: str, what: str) -> None:
    """Check a parsed list of models of type ``kind`` (see ``check_model``)."""
    if not isinstance(models, list):
        raise invalid_answer(endpoint, f"the body is {_describe(models)}, not a list of {what}")
    for index, model in enumerate(models):
        if not isinstance(model, kind):
            raise invalid_answer(endpoint, f"item {index} is {_describe(model)}, not {what}")
        problem = _model_problem(model, f"{what}[{index}]")
        if problem:
            raise invalid_answer(endpoint, problem)


@functools.cache
def _value_getters() -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Return the getters of the typed reading values (made once, when first needed)."""
    from inexogy_client.models.reading_values import ReadingValues

    hints = typing.get_type_hints(ReadingValues)
    return tuple(
        (field.name, attrgetter(field.name))
        for field in attrs.fields(ReadingValues)
        if field.init and hints[field.name] != Any
    )


_get_time = attrgetter("time")
_get_values = attrgetter("values")
_get_extras = attrgetter("_additional_properties")


def check_readings(
    readings: Any, endpoint: str, lower: int, upper: int, resolution: str
) -> Sequence[Reading]:
    """Check one ``/readings`` answer for the span ``[lower, upper)`` in ms; return it.

    Times must be Unix ms near the span asked for (a reading far outside it is not a border
    case but a broken answer, so it is refused rather than dropped); values finite numbers
    within the int64 range.
    """
    if not isinstance(readings, list):
        raise invalid_answer(endpoint, f"the body is {_describe(readings)}, not a list")
    if not readings:
        return readings
    # The reading models are loaded here, not at the top: `inexogy meters` never needs them.
    from inexogy_client.models.reading import Reading
    from inexogy_client.models.reading_values import ReadingValues

    if set(map(type, readings)) != {Reading}:
        index = next(i for i, item in enumerate(readings) if type(item) is not Reading)
        raise invalid_answer(endpoint, f"item {index} is {_describe(readings[index])}")
    times = list(map(_get_time, readings))
    if set(map(type, times)) != {int}:
        index = next(i for i, time in enumerate(times) if type(time) is not int)
        raise invalid_answer(endpoint, str(check_time(times[index], f"readings[{index}].time")))
    slack = RESOLUTION_SPANS[resolution].max_span if resolution in RESOLUTION_SPANS else 0
    earliest, latest = min(times), max(times)
    for time in (earliest, latest):
        problem = check_time(time, "a reading's time")
        if problem is None and not lower - slack <= time <= upper + slack:
            problem = f"a reading's time {time} lies far outside the span [{lower}, {upper})"
        if problem:
            raise invalid_answer(endpoint, problem)
    value_sets = list(map(_get_values, readings))
    if set(map(type, value_sets)) != {ReadingValues}:
        raise invalid_answer(endpoint, "a reading's values are not an object")
    for name, getter in _value_getters():
        column = list(map(getter, value_sets))
        kinds = set(map(type, column))
        if kinds != _ONLY_UNSET:  # a field some reading has
            _check_column(kinds, column, endpoint, name)
    if any(map(_get_extras, value_sets)):
        for index, values in enumerate(value_sets):
            for name, value in (_get_extras(values) or {}).items():
                problem = _check_number(value, f"readings[{index}].values[{name!r}]", integer=False)
                if problem:
                    raise invalid_answer(endpoint, problem)
    return readings


def _check_column(kinds: set[type], column: list[Any], endpoint: str, name: str) -> None:
    """Check one field's values (of types ``kinds``), with C-level passes in the usual case."""
    if _UNSET_TYPE in kinds:
        kinds = kinds - _ONLY_UNSET
        column = [value for value in column if type(value) is not _UNSET_TYPE]
    if kinds == {int}:
        fine = min(column) >= INT64_MIN and max(column) <= INT64_MAX
    else:
        fine = kinds == {float} and all(map(math.isfinite, column))
    if fine:
        return
    for value in column:
        problem = _check_number(value, f"a reading's {name}", integer=False)
        if problem:
            raise invalid_answer(endpoint, problem)
