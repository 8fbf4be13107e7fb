"""Runs of typed characters: consecutive edit steps to one file, each inserting text without a line break
exactly where the one before ended, replayed as one change (a reader that goes through every step once: the
dataset build, through `verify_replay(..., observe_run=...)`).

Typing is most of an episode's edits, and one keystroke at a time the replay splits, rebuilds and accounts
for the same line again and again. `typed_runs` gathers such a run and asks the workspace for a plan
(`Workspace.plan_typing`): the plan exists only when every edit of the run would surely be taken, and it
spends the work the edits one by one would spend. When there is any doubt (a long line, a clamped position,
a cap within reach) the run's edits are yielded one by one, so a damaged or hostile episode is refused at
the same step with the same message. tests/unit/test_typed_runs.py compares both replays.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from collector.episode.edits import Edit, EditRun, Record
from collector.reconstruct.workspace import Typing, Workspace
from collector.text.positions import units

if TYPE_CHECKING:
    from schemas.common import PositionEncoding

MAX_RUN = 1024  # edits held at once (a run may be longer: it is then applied in pieces)


class TypedRun:
    """Edit steps replayed as one insert (`typing`, the workspace's plan for them)."""

    __slots__ = ("edits", "typing")

    def __init__(self, edits: EditRun, typing: Typing) -> None:
        self.edits, self.typing = edits, typing  # (two edits or more)


def typed_runs(steps: Iterable[Record | EditRun], workspace: Workspace,
               room: Callable[[], int]) -> Iterator[Record | TypedRun]:
    """`steps` as they come, but runs of typed characters as TypedRuns: EditRuns (a run the reader found
    in a chunk's columns) and runs gathered from Edits. `room()` is how many steps the next run gathered
    may hold (a keyframe after one of them cuts it there); it and the plan are asked when every step before
    the run has been replayed. An error reading the step after a run is raised after the run."""
    items = iter(steps)
    encoding: PositionEncoding = workspace.encoding
    ahead: list[Record | EditRun] = []  # a step read past the run before, or the rest of an EditRun
    while True:
        step = ahead.pop() if ahead else next(items, None)
        if step is None:
            return
        if type(step) is EditRun:  # within one steps frame, so no keyframe falls inside it (read_keyframes
            if len(step) > MAX_RUN:  # refuses one placed otherwise): room() would not cut it
                step, rest = step.cut(MAX_RUN)
                ahead.append(rest)
            if len(step) > 1:
                typing = workspace.plan_typing(step.path, step.line, step.chars[0], step.texts)
                if typing is not None:
                    yield TypedRun(step, typing)
                    continue
            yield from step.edits()
            continue
        assert not isinstance(step, EditRun)
        start = _typed(step)
        most = min(room(), MAX_RUN) if start is not None else 0
        if start is None or most < 2:
            yield step
            continue
        assert isinstance(step, Edit)
        line, character, text = start
        path, edits, texts = step.path, [step], [text]
        character += units(text, encoding)
        try:
            for following in items:
                if type(following) is Edit and following.path == path and len(following.changes) == 1:
                    span, text = following.changes[0]
                    if span == (line, character, line, character) and _plain(text):
                        edits.append(following)
                        texts.append(text)
                        character += len(text) if text.isascii() else units(text, encoding)
                        if len(edits) == most:
                            break
                        continue
                ahead.append(following)
                break
        except Exception:
            yield from _run(edits, texts, workspace, start[:2])
            raise
        yield from _run(edits, texts, workspace, start[:2])


def _run(edits: list[Edit], texts: list[str], workspace: Workspace,
         start: tuple[int, int]) -> Iterator[Record | TypedRun]:
    typing = workspace.plan_typing(edits[0].path, *start, texts) if len(edits) > 1 else None
    if typing is None:
        yield from edits
    else:
        yield TypedRun(EditRun.of(edits), typing)


def _typed(step: Record) -> tuple[int, int, str] | None:
    """(line, character, text) when `step` is an edit of one change inserting text without a line break."""
    if type(step) is not Edit or len(step.changes) != 1:
        return None
    span, text = step.changes[0]
    if span is None or span[0] != span[2] or span[1] != span[3] or not _plain(text):
        return None
    return span[0], span[1], text


def _plain(text: str) -> bool:
    return bool(text) and "\n" not in text and "\r" not in text
