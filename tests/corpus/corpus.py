"""The fixture corpus: recorded answer shapes of the real service, written down as data.

Each ``*.json`` file beside this module is one answer: where it was recorded (``source``), the
operation and request, status, content type and body. The values are the project's own; the
keys, types, magnitudes and texts are those of the recording. ``optional_keys`` are keys that
only some meters carry; ``compare`` says how a list of names is compared (``set``: the same
names, ``subset``: the simulator's names are among the recorded ones); ``maps`` names the
objects keyed by data (``timestamp``: 13-digit ms strings, ``subset``: names among the recorded
ones); ``text`` is the exact text of an answer, ``{meterId}`` standing for the request's;
``known_differences`` are the places where the simulator knowingly differs (with a ``note``).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent


@dataclass(frozen=True)
class Recording:
    """One recorded answer."""

    name: str
    source: str
    operation: str | None
    status: int
    content_type: str
    path: str
    params: dict[str, Any]
    body: Any
    optional_keys: frozenset[str] = frozenset()
    compare: str = "shape"
    maps: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    known_differences: frozenset[str] = frozenset()

    @property
    def raw_body(self) -> bytes:
        """The body as the service sends it."""
        if isinstance(self.body, str):
            return self.body.encode()
        return json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()


def recordings() -> list[Recording]:
    """Return every recording of the corpus, by file name."""
    found = []
    for path in sorted(HERE.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(
            Recording(
                name=path.stem,
                source=data["source"],
                operation=data["operation"],
                status=data["status"],
                content_type=data["content_type"],
                path=data["request"]["path"],
                params=data["request"]["params"],
                body=data["body"],
                optional_keys=frozenset(data.get("optional_keys", ())),
                compare=data.get("compare", "shape"),
                maps=data.get("maps", {}),
                text=data.get("text"),
                known_differences=frozenset(data.get("known_differences", ())),
            )
        )
    return found


def decade(number: float) -> int | None:
    """Return the order of magnitude of a number (None for 0)."""
    return None if number == 0 else math.floor(math.log10(abs(number)))


def shape_differences(
    recorded: Any, simulated: Any, recording: Recording, at: str = "$"
) -> list[str]:
    """Return where ``simulated`` differs from ``recorded`` in keys, types or magnitudes.

    Numbers must have the same JSON type (integer or not) and lie within one decade of each
    other (zero only where the recording has zero); lists are compared element by element
    against the recording's elements (the last one repeated).
    """
    rule = recording.maps.get(at.replace("[*]", ""), None)
    if at in recording.known_differences:
        return []
    if type(recorded) is not type(simulated):
        return [f"{at}: {type(simulated).__name__}, recorded {type(recorded).__name__}"]
    if isinstance(recorded, dict):
        return _dict_differences(recorded, simulated, recording, at, rule)
    if isinstance(recorded, list):
        if recording.compare in ("set", "subset") and at == "$":
            names, known = set(simulated), set(recorded)
            ok = names == known if recording.compare == "set" else bool(names) and names <= known
            return [] if ok else [f"$: {sorted(names)} against recorded {sorted(known)}"]
        if recorded and not simulated:
            return [f"{at}: empty, recorded {len(recorded)} items"]
        return [
            difference
            for index, item in enumerate(simulated)
            for difference in shape_differences(
                recorded[min(index, len(recorded) - 1)], item, recording, f"{at}[*]"
            )
        ]
    if isinstance(recorded, bool) or recorded is None or isinstance(recorded, str):
        return []
    low, high = decade(recorded), decade(simulated)
    if low is None or high is None:
        return [] if low == high else [f"{at}: {simulated} against recorded {recorded}"]
    return [] if abs(low - high) <= 1 else [f"{at}: {simulated} against recorded {recorded}"]


def _dict_differences(
    recorded: dict[str, Any],
    simulated: dict[str, Any],
    recording: Recording,
    at: str,
    rule: str | None,
) -> list[str]:
    if rule == "timestamp":  # each entry is compared with the recorded entry it is most like
        bad = [key for key in simulated if not (key.isdigit() and len(key) == 13)]
        inner = [
            difference
            for value in simulated.values()
            for difference in min(
                (
                    shape_differences(sample, value, recording, f"{at}.*")
                    for sample in recorded.values()
                ),
                key=len,
            )
        ]
        return [f"{at}: keys {bad} are not ms timestamps" for _ in bad[:1]] + inner
    if rule == "subset":
        extra = set(simulated) - set(recorded)
        inner = [
            d
            for key in simulated
            if key in recorded
            for d in shape_differences(recorded[key], simulated[key], recording, f"{at}.{key}")
        ]
        return ([f"{at}: keys {sorted(extra)} never recorded"] if extra else []) + inner
    missing = set(recorded) - set(simulated) - recording.optional_keys
    extra = set(simulated) - set(recorded) - recording.optional_keys
    found = [f"{at}: missing {sorted(missing)}"] if missing else []
    found += [f"{at}: unrecorded {sorted(extra)}"] if extra else []
    return found + [
        d
        for key in simulated
        if key in recorded
        for d in shape_differences(recorded[key], simulated[key], recording, f"{at}.{key}")
    ]
