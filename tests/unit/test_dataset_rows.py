"""An edit step's `data` in the `steps` table, written by rows.edit_data from its Edit, is byte for byte
what the model's own serializer gives: every text (control characters, quotes, backslashes, non-BMP, line
separators), ranges present or not, versions present or not, one change or many."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from collector.dataset.rows import _COMMON, edit_data, run_data
from collector.episode.edits import Edit, EditRun
from schemas import step_from_dict
from schemas.steps import EditStep
from tests.examples import examples

TEXTS = st.text(st.characters(exclude_categories=["Cs"]), max_size=20) | st.sampled_from(
    ["", '"', "\\", "\x00\x1f\x7f", "</script>", "😀\r\n\t\b\f", "\u2028\u2029"])
POSITIONS = st.fixed_dictionaries({"line": st.integers(0, 2**31), "character": st.integers(0, 2**31)})
RANGES = st.fixed_dictionaries({"start": POSITIONS, "end": POSITIONS})
CHANGES = st.builds(lambda span, text: {"text": text} if span is None else {"range": span, "text": text},
                    st.none() | RANGES, TEXTS)


def _edit(version: int | None, changes: list[dict[str, Any]]) -> EditStep:
    data = {"kind": "edit", "t_ms": 5, "source": "bridge", "path": "a.py", "changes": changes}
    step = step_from_dict(data if version is None else {**data, "version": version})
    assert isinstance(step, EditStep)
    return step


@settings(derandomize=True, database=None, deadline=None, max_examples=examples(400))
@given(st.none() | st.integers(-(2**63), 2**63 - 1), st.lists(CHANGES, min_size=1, max_size=4))
def test_edit_data_is_the_model_serializer_output(version: int | None, changes: list[dict[str, Any]]) -> None:
    step = _edit(version, changes)
    assert edit_data(Edit.from_step(step)) == step.model_dump_json(exclude=_COMMON, exclude_defaults=True)



@settings(derandomize=True, database=None, deadline=None, max_examples=examples(300))
@given(st.sampled_from(["all", "none", "some"]), st.integers(-5, 2**40), st.integers(0, 2**31 - 64),
       st.lists(TEXTS.filter(lambda text: text != "" and "\n" not in text and "\r" not in text), min_size=1,
                max_size=6), st.data())
def test_run_data_is_each_edits_model_serializer_output(versions: str, first: int, start: int,
                                                       texts: list[str], data: st.DataObject) -> None:
    """A run of typed characters' data (rows.run_data, a run at a time) is each of its edits' own."""
    numbered = [versions == "all" or (versions == "some" and data.draw(st.booleans())) for _ in texts]
    chars = [start + sum(map(len, texts[:number])) for number in range(len(texts))]  # (utf-32 units)
    run = EditRun(list(range(len(texts))), ["bridge"] * len(texts), "a.py",
                  [first + number if on else None for number, on in enumerate(numbered)], 3, chars, texts)
    expected = [_edit(edit.version, [{"range": {"start": {"line": 3, "character": char},
                                                "end": {"line": 3, "character": char}}, "text": text}])
                .model_dump_json(exclude=_COMMON, exclude_defaults=True)
                for edit, char, text in zip(run.edits(), chars, texts, strict=True)]
    assert run_data(run) == expected
