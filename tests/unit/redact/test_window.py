"""The window: tracing characters back to the change that inserted them, and bounded re-runs."""

from __future__ import annotations

from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import Registry
from collector.redact.scanning.ruleset import RuleSet
from collector.redact.stream.pipeline import Record, StepRedactor
from collector.redact.stream.text import TextRedactor
from collector.redact.stream.window import MAX_RERUNS, Window, _back
from schemas import Step
from schemas.steps import EditStep, NoteStep, OpenStep
from tests.structs import make

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"


def test_back_maps_spans_through_an_insertion_and_a_deletion() -> None:
    # "abcdef", then "XY" inserted at 2 -> "abXYcdef"; span [1, 6) covers b X Y c d
    before, inserted = _back([(1, 6)], Record(0, "p", "edit", 2, 2, 2))
    assert before == [(1, 2), (2, 4)] and inserted == [(0, 2)]
    # "abcdef", then [1, 3) deleted -> "adef"; span [0, 3) covers a d e
    before, inserted = _back([(0, 3)], Record(0, "p", "edit", 1, 3, 0))
    assert before == [(0, 1), (3, 5)] and inserted == []
    # a replacement: [2, 4) of "abcdef" replaced by "Z" -> "abZef"; span [2, 4) covers Z e
    before, inserted = _back([(2, 4)], Record(0, "p", "edit", 2, 4, 1))
    assert before == [(4, 5)] and inserted == [(0, 1)]
    # a whole text set holds everything; a closed buffer ends the trace
    assert _back([(3, 9)], Record(0, "p", "set")) == ([], [(3, 9)])
    assert _back([(3, 9)], Record(0, "p", "drop")) == ([], [])


def _window(size: int = 4096, max_reruns: int = MAX_RERUNS) -> tuple[Window, Registry]:
    registry = Registry()
    pipeline = StepRedactor("utf-16", TextRedactor(RuleSet.default(), registry))
    return Window(pipeline, registry, size=size, max_reruns=max_reruns), registry


def _key(t: int, col: int, ch: str) -> EditStep:
    at = {"line": 0, "character": col}
    return make(EditStep, {"t_ms": t, "source": "b", "path": "a.py",
                                    "changes": [{"range": {"start": at, "end": at}, "text": ch}]})


def test_steps_leave_the_window_in_order_and_only_when_it_is_full() -> None:
    window, _ = _window(size=8)
    steps: list[Step] = [NoteStep(t_ms=n, source="cli", text=f"note {n}") for n in range(20)]
    out: list[Step] = []
    for n, step in enumerate(steps):
        out.extend(window.push(step))
        assert len(out) == max(0, (n + 1 - 4) // 4 * 4)  # the older half leaves when 8 are held
    out.extend(window.close())
    assert out == steps


def test_a_secret_typed_across_many_steps_marks_every_keystroke() -> None:
    window, registry = _window()
    out: list[Step] = list(window.push(OpenStep(t_ms=0, source="b", path="a.py", text="\n")))
    for n, ch in enumerate(f"t = {GH}"):
        out.extend(window.push(_key(n + 1, n, ch)))
    out.extend(window.close())
    assert GH[:5] not in repr(out)
    marked = sorted(index for index, _ in window.marks)
    assert marked == list(range(5, 5 + len(GH) - 1))  # every keystroke before the one completing it
    assert [s.value for s in registry.secrets] == [GH]


def test_re_runs_are_bounded() -> None:
    window, _ = _window(max_reruns=3)
    assert list(window.push(OpenStep(t_ms=0, source="b", path="a.py", text="\n"))) == []
    text = " ".join(f"k{n} = ghp_{n:02d}Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2g" for n in range(5))
    for n, ch in enumerate(text):
        assert list(window.push(_key(n + 1, n, ch))) == []
    assert window.reruns == 3  # the last two tokens are hidden from their completion on only
    workspace = Workspace("utf-16")
    shown = ""
    for step in window.close():
        workspace.apply(step)
        shown += workspace.text("a.py") or ""
    assert "ghp_00" not in shown and "ghp_02" not in shown and "ghp_04Zq8v" in shown
    assert window.reruns == 0
