"""Diagnostics steps validated without their pydantic models: `PlainDiagnostics`, a step's common values
and its row's `data`, when the schema would take every value of it as it is.

After edits, diagnostics are the most frequent steps of a recorded session (a language server republishes
a file's diagnostics after most edits). Validating one into its models (the step, and per item a
diagnostic, a range and two positions) and dumping it back to JSON for the dataset's `data` column costs
more than everything else the build does with it: it changes no file. `plain_diagnostics` takes a step's
plain dict only when its every value is of the exact type the schema holds, within the schema's bounds
(read from the models, not copied), each diagnostic as the encoder stores it (the model's keys in the
model's order, no default given); anything else (a value pydantic would convert or refuse, a key it does
not know) is left to the model, as `Episode.steps()` does. The `data` is pydantic's own JSON encoder's
output for the values in the model's field order, the defaults left out, as
`model_dump_json(exclude=..., exclude_defaults=True)` gives it (tests/unit/test_plain_steps.py compares).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar, get_args

import pydantic_core

from collector.episode.edits import MAX_POSITION, MAX_T_MS, ColumnEdits, field_bound
from schemas.common import Position, Range
from schemas.steps import Diagnostic, DiagnosticsStep


def _optional_bounds(model: type[Diagnostic], name: str) -> tuple[int, int]:
    """(ge, le) of a field typed `Annotated[int, Field(ge=..., le=...)] | None`."""
    annotated = next(arg for arg in get_args(model.model_fields[name].annotation) if arg is not type(None))
    bounds = {which: getattr(constraint, which) for info in get_args(annotated)[1:]
              for constraint in info.metadata for which in ("ge", "le") if hasattr(constraint, which)}
    return bounds["ge"], bounds["le"]


MAX_ITEMS: int = field_bound(DiagnosticsStep, "items", "max_length")
MAX_ORIGIN: int = field_bound(DiagnosticsStep, "origin", "max_length")
MAX_MESSAGE: int = field_bound(Diagnostic, "message", "max_length")
MAX_ITEM_SOURCE: int = field_bound(Diagnostic, "source", "max_length")
SEVERITY = _optional_bounds(Diagnostic, "severity")
MAX_INT = 1 << 63  # versions and codes beyond a 64-bit int are left to the model
# what plain_diagnostics assumes of the models: these fields and defaults, in this order
assert list(DiagnosticsStep.model_fields) == ["t_ms", "source", "kind", "path", "origin", "version", "items"]
assert [DiagnosticsStep.model_fields[name].default for name in ("origin", "version")] == ["", None]
assert list(Diagnostic.model_fields) == ["range", "severity", "message", "code", "source"]
assert [Diagnostic.model_fields[name].default for name in ("severity", "code", "source")] == [None] * 3
assert Diagnostic.model_fields["code"].annotation == str | int | None
_STEP_KEYS = frozenset(("kind", "t_ms", "source", "path", "origin", "version", "items"))
# the keys of a diagnostic as model_dump writes it, in its order, the defaults (None) left out
_ITEM_SHAPES = frozenset(("range", *severity, "message", *code, *source)
                         for severity in ((), ("severity",)) for code in ((), ("code",))
                         for source in ((), ("source",)))
_RANGE_KEYS = ("start", "end")  # (and as Range, Position hold them)
_POSITION_KEYS = ("line", "character")
assert list(Range.model_fields) == list(_RANGE_KEYS) and list(Position.model_fields) == list(_POSITION_KEYS)


class PlainDiagnostics:
    """A diagnostics step the schema takes as it is: its time, source and path, and `data`, its other fields
    as the dataset's `steps` table holds them (JSON, defaults left out). It changes no file."""

    __slots__ = ("data", "path", "source", "t_ms")
    kind: ClassVar[str] = "diagnostics"

    def __init__(self, t_ms: int, source: str, path: str, data: str) -> None:
        self.t_ms, self.source, self.path, self.data = t_ms, source, path, data

    def to_dict(self) -> dict[str, Any]:
        """The plain form, as `schemas.step_to_dict` gives it for the same DiagnosticsStep."""
        head = {"kind": self.kind, "t_ms": self.t_ms, "source": self.source, "path": self.path}
        fields: dict[str, Any] = json.loads(self.data)
        return head | fields


def plain_diagnostics(step: dict[str, Any], names: ColumnEdits) -> PlainDiagnostics | None:
    """A diagnostics step's plain dict as PlainDiagnostics when the schema would take every value of it as
    it is, else None (the caller validates it with the model). `names` checks the source and the path."""
    t_ms, source, path, items = step.get("t_ms"), step.get("source"), step.get("path"), step.get("items")
    if not (step.keys() <= _STEP_KEYS and type(t_ms) is int and 0 <= t_ms <= MAX_T_MS and type(items) is list
            and len(items) <= MAX_ITEMS and type(source) is str and type(path) is str
            and names.fit(source, path)):
        return None
    fields: dict[str, Any] = {}
    origin = step.get("origin", "")
    if type(origin) is not str or len(origin) > MAX_ORIGIN:
        return None
    if origin:
        fields["origin"] = origin
    version = step.get("version")
    if version is not None:
        if type(version) is not int or not -MAX_INT <= version < MAX_INT:
            return None
        fields["version"] = version
    for item in items:  # each as the encoder stores it (model_dump's order, no default given): as it is
        if not _item(item):
            return None
    fields["items"] = items
    return PlainDiagnostics(t_ms, source, path, pydantic_core.to_json(fields).decode())


def _item(item: Any) -> bool:
    """Whether the schema takes one diagnostic as it is, its keys in the model's order and no default
    given (so that it dumps to the JSON the model dumps it to)."""
    if type(item) is not dict or tuple(item) not in _ITEM_SHAPES:
        return False
    span, message = item["range"], item["message"]
    if type(span) is not dict or tuple(span) != _RANGE_KEYS or type(message) is not str \
            or len(message) > MAX_MESSAGE or not (_position(span["start"]) and _position(span["end"])):
        return False
    severity, code, source = item.get("severity", SEVERITY[0]), item.get("code", ""), item.get("source", "")
    return (type(severity) is int and SEVERITY[0] <= severity <= SEVERITY[1]
            and (type(code) is str or (type(code) is int and -MAX_INT <= code < MAX_INT))
            and type(source) is str and len(source) <= MAX_ITEM_SOURCE)


def _position(position: Any) -> bool:
    if type(position) is not dict or tuple(position) != _POSITION_KEYS:
        return False
    line, character = position["line"], position["character"]
    return type(line) is int and type(character) is int and 0 <= line <= MAX_POSITION \
        and 0 <= character <= MAX_POSITION
