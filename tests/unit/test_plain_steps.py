"""A diagnostics step taken without its models (collector/episode/plain_steps.py) is one the model takes,
with the same values: over random diagnostics steps, valid and with near misses of every check (types
pydantic's lax mode converts, bounds and one past them, keys the schema does not know, defaults given
explicitly), whenever `plain_diagnostics` takes a step the model validates it, its `data` is byte for byte
the model's `model_dump_json(exclude=..., exclude_defaults=True)` and its plain form the model's
`step_to_dict`; every step as the encoder stores it (the model's own dump) is taken."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.dataset.rows import _COMMON
from collector.episode.edits import MAX_POSITION, MAX_T_MS, ColumnEdits
from collector.episode.plain_steps import MAX_ITEM_SOURCE, MAX_MESSAGE, MAX_ORIGIN, plain_diagnostics
from collector.errors import ReconstructionError
from collector.reconstruct.workspace import Workspace
from schemas import step_from_dict, step_to_dict
from schemas.steps import DiagnosticsStep
from tests.examples import examples

PROFILE = settings(derandomize=True, database=None, deadline=None, max_examples=examples(800))
TEXTS = st.text(st.characters(exclude_categories=["Cs"]), max_size=12) | st.sampled_from(
    ["", '"', "\\", "\x00\x1f\x7f", "😀\r\n\t", "\u2028", "undefined name 'x'"])
# the near misses: what pydantic's lax mode converts (bools, integral floats, numeric strings) or refuses
ODD: st.SearchStrategy[Any] = st.sampled_from([True, False, 1.0, 2.5, "3", None, [], {}, -1, 2**63,
                                               -(2**63) - 1, b"x"])


def _maybe(draw: st.DrawFn, value: st.SearchStrategy[Any]) -> Any:
    return draw(ODD) if draw(st.integers(0, 12)) == 0 else draw(value)


@st.composite
def positions(draw: st.DrawFn) -> Any:
    line = _maybe(draw, st.sampled_from([0, 3, MAX_POSITION, MAX_POSITION + 1]))
    character = _maybe(draw, st.sampled_from([0, 7, MAX_POSITION, MAX_POSITION + 1]))
    position = {"line": line, "character": character}
    if draw(st.integers(0, 20)) == 0:
        position = draw(st.sampled_from([{"line": line}, {**position, "x": 1}, {"character": character,
                                                                                "line": line}]))
    return position


@st.composite
def items(draw: st.DrawFn) -> Any:
    long = st.just("m" * (MAX_MESSAGE + draw(st.integers(0, 1))))
    item: dict[str, Any] = {"range": {"start": draw(positions()), "end": draw(positions())}}
    if draw(st.booleans()):  # (in the model's order: range, severity, message, code, source)
        item["severity"] = _maybe(draw, st.sampled_from([None, 0, 1, 2, 4, 5]))
    item["message"] = _maybe(draw, TEXTS | long)
    if draw(st.booleans()):
        item["code"] = _maybe(draw, st.sampled_from([None, "E501", "7", 7, -3, 2**62]))
    if draw(st.booleans()):
        item["source"] = _maybe(draw, TEXTS | st.sampled_from([None, "s" * MAX_ITEM_SOURCE,
                                                               "s" * (MAX_ITEM_SOURCE + 1)]))
    if draw(st.integers(0, 15)) == 0:  # the keys in another order, a key the schema does not know
        item = draw(st.sampled_from([dict(reversed(item.items())), {**item, "tags": [1]}]))
    if draw(st.integers(0, 20)) == 0:
        item["range"] = draw(st.sampled_from([{"start": item["range"]["start"]}, None, [], "r"]))
    return item


@st.composite
def steps(draw: st.DrawFn) -> dict[str, Any]:
    step: dict[str, Any] = {"kind": "diagnostics",
                            "t_ms": _maybe(draw, st.sampled_from([0, 5, MAX_T_MS, MAX_T_MS + 1])),
                            "source": _maybe(draw, st.sampled_from(["bridge", "pylsp", "Bad", "x" * 33])),
                            "path": _maybe(draw, st.sampled_from(["a.py", "ünï/😀 c.txt", "", "p" * 4097])),
                            "items": draw(st.lists(items(), max_size=4))}
    if draw(st.booleans()):
        origins = st.sampled_from(["pylsp", "o" * MAX_ORIGIN, "o" * (MAX_ORIGIN + 1)])
        step["origin"] = _maybe(draw, TEXTS | origins)
    if draw(st.booleans()):
        step["version"] = _maybe(draw, st.sampled_from([None, 0, 17, -2, 2**63 - 1]))
    if draw(st.integers(0, 20)) == 0:
        step = draw(st.sampled_from([{**step, "extra": 1}, {k: v for k, v in step.items() if k != "items"},
                                     {**step, "items": tuple(step["items"])}]))
    return step


def _check(step: dict[str, Any]) -> bool:
    """Whether plain_diagnostics took `step`; when it did, the model takes it with the same values."""
    plain = plain_diagnostics(step, ColumnEdits())
    if plain is None:
        return False
    model = step_from_dict(step)  # raises if the model refuses what was taken
    assert isinstance(model, DiagnosticsStep)
    assert plain.data == model.model_dump_json(exclude=_COMMON, exclude_defaults=True)
    assert json.dumps(plain.to_dict()) == json.dumps(step_to_dict(model))  # the same keys in the same order
    assert (plain.t_ms, plain.source, plain.path, plain.kind) == (model.t_ms, model.source, model.path,
                                                                  model.kind)
    return True


@PROFILE
@given(steps())
def test_a_step_taken_is_the_models_step(step: dict[str, Any]) -> None:
    _check(step)


@PROFILE
@given(steps())
def test_every_valid_step_as_stored_is_taken(step: dict[str, Any]) -> None:
    try:
        model = step_from_dict(step)
    except pydantic.ValidationError:
        return
    assert _check(step_to_dict(model))


@pytest.mark.parametrize(("change", "taken"), [
    ({}, True),
    ({"origin": ""}, True), ({"version": None}, True),  # defaults given: the data leaves them out
    ({"t_ms": True}, False), ({"t_ms": 1.0}, False), ({"version": "3"}, False), ({"version": 2**63}, False),
    ({"t_ms": MAX_T_MS + 1}, False), ({"source": "Bad"}, False), ({"path": ""}, False),
    ({"origin": "o" * (MAX_ORIGIN + 1)}, False), ({"extra": 1}, False),
    ({"items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                 "severity": 5, "message": "m"}]}, False),
    ({"items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                 "severity": 0, "message": "m"}]}, False),
    ({"items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                 "severity": 4, "message": "m", "code": 7, "source": "pylsp"}]}, True),
    ({"items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                 "message": "m", "code": True}]}, False),
    ({"items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                 "message": "m", "code": "E1"}]}, True),
    # a default given, keys in another order: not as the encoder stores a diagnostic, left to the model
    ({"items": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
                 "severity": None, "message": "m"}]}, False),
    ({"items": [{"message": "m", "range": {"start": {"line": 0, "character": 0},
                                           "end": {"line": 0, "character": 1}}}]}, False),
    ({"items": [{"range": {"end": {"line": 0, "character": 1}, "start": {"line": 0, "character": 0}},
                 "message": "m"}]}, False),
])
def test_named_steps(change: dict[str, Any], taken: bool) -> None:
    step = {"kind": "diagnostics", "t_ms": 3, "source": "bridge", "path": "a.py", "origin": "pylsp",
            "version": 4, "items": []} | change
    assert _check(step) is taken


@pytest.mark.parametrize("over", ["none", "work", "memory"])
def test_a_replay_past_its_caps_refuses_plain_diagnostics_as_the_model(over: str) -> None:
    """A diagnostics step changes no file, but a replay that is past its caps refuses it (as any step),
    the same way whether it comes as PlainDiagnostics or as its model."""
    step = {"kind": "diagnostics", "t_ms": 9, "source": "bridge", "path": "a.py", "items": []}
    plain = plain_diagnostics(step, ColumnEdits())
    assert plain is not None
    verdicts = []
    for record in (plain, step_from_dict(step)):
        workspace = Workspace("utf-16")
        workspace.apply(step_from_dict({"kind": "open", "t_ms": 0, "source": "bridge", "path": "a.py",
                                        "text": "abc\n"}))
        if over == "work":
            workspace.work_limit = workspace.work - 1
        if over == "memory":
            workspace.limit = workspace.weight - 1
        try:
            workspace.apply(record)
        except ReconstructionError as exc:
            verdicts.append(str(exc))
        else:
            verdicts.append("held")
    assert verdicts[0] == verdicts[1]
    assert (verdicts[0] == "held") == (over == "none"), verdicts
