"""Whether an episode replays exactly: every edit lands in an open document, every save's hash matches
the reconstructed text, every keyframe holds the files the replay holds where it stands. `codetape verify`
runs it; signing and the review run it before they sign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from collector.episode import Episode
from collector.episode.edits import Edit, EditRun, Record
from collector.episode.keyframe import Placed, read_keyframes
from collector.episode.plain_steps import PlainDiagnostics
from collector.episode.resolve import show
from collector.errors import ReconstructionError
from collector.reconstruct.runs import TypedRun, typed_runs
from collector.reconstruct.workspace import Workspace
from collector.text.digest import sha256_text
from collector.text.paths import path_problem
from schemas import Step
from schemas.steps import CloseStep, EditStep, FileChangeStep, GapStep, OpenStep, SaveStep

Observer = Callable[[int, Record, Workspace], None]
RunObserver = Callable[[int, EditRun, Workspace], None]
_NO_KEYFRAME = 1 << 62
_ONE_PATH = (Edit, PlainDiagnostics)  # records whose one path is `path`


def verify_replay(episode: Episode, steps: Iterable[Record | EditRun] | None = None, *,
                  observe: Observer | None = None, observe_run: RunObserver | None = None) -> int:
    """Replay every step; raises ReconstructionError at the first step that does not hold.

    `steps` is `episode.steps()` (the default), possibly wrapped in a progress bar by the caller, or
    `records(episode)` (collector.episode.records: edits as Edits, the same checks; with `runs=True`, runs
    of typed characters as EditRuns, replayed one by one unless `observe_run` is given). A save
    without text is checked against what it wrote to disk, so its buffer is read back once, not twice.
    `observe(index, step, workspace)`, when given, sees the workspace after each step that held (the
    dataset build takes file texts from it, so the episode is replayed once, not twice). Keyframes are
    read alongside (EpisodeError when one is malformed) and compared with the workspace where each stands.
    `observe_run(first index, edits, workspace)`, when given, has runs of typed characters among Edits
    replayed as one change (collector/reconstruct/runs.py: the same verdict at the same step) and sees
    each such run's edits at once, with the workspace after the run; `observe` sees the other steps.
    """
    workspace = Workspace(episode.header.position_encoding, limit=episode.limits.files)
    keyframes = read_keyframes(episode.frames(), limits=episode.limits) if episode.keyframe_count else \
        iter(())
    keyframe = next(keyframes, None)
    open_docs: set[str] = set()
    checked: dict[str, str | None] = {}  # path -> its problem: most steps name a path seen before
    index = -1

    def room() -> int:  # steps before the next keyframe is compared
        return _NO_KEYFRAME if keyframe is None or keyframe.keyframe.steps <= index + 1 else \
            keyframe.keyframe.steps - index - 1

    given: Iterable[Record | EditRun] = episode.steps() if steps is None else steps
    items = typed_runs(given, workspace, room) if observe_run is not None else \
        given if steps is None else _each_edit(given)
    step: Record | EditRun | TypedRun
    for step in items:
        index += 1
        if type(step) is TypedRun:  # the same path, open: every edit of it holds (its plan says so)
            assert observe_run is not None
            run = step.edits
            if checked.get(run.path, run) is not None:  # (a path seen before and found right: None)
                _refuse(index, _path_problem(run, checked))
            if run.path not in open_docs:
                raise ReconstructionError(f"step {index}: edit at {run.t_ms} ms to {show(run.path)}, which "
                                          "is not open")
            workspace.apply_typing(step.typing)
            index += len(run) - 1
            while keyframe is not None and keyframe.keyframe.steps == index + 1:
                _refuse(index, _keyframe_problem(keyframe, workspace))
                keyframe = next(keyframes, None)
            observe_run(index + 1 - len(run), run, workspace)
            continue
        assert not isinstance(step, (TypedRun, EditRun))  # (EditRuns come as TypedRuns or Edits)
        if not isinstance(step, _ONE_PATH) or checked.get(step.path, step) is not None:  # (seen, right: None)
            _refuse(index, _path_problem(step, checked))
        if isinstance(step, PlainDiagnostics):  # it changes no file
            try:
                workspace.apply(step)
            except ReconstructionError as exc:
                raise type(exc)(f"step {index}: {exc}") from None
            while keyframe is not None and keyframe.keyframe.steps == index + 1:
                _refuse(index, _keyframe_problem(keyframe, workspace))
                keyframe = next(keyframes, None)
            if observe is not None:
                observe(index, step, workspace)
            continue
        if isinstance(step, (Edit, EditStep)):  # most steps: none of the cases below
            if step.path not in open_docs:
                raise ReconstructionError(f"step {index}: edit at {step.t_ms} ms to {show(step.path)}, "
                                          "which is not open")
        else:
            _track(index, step, open_docs, workspace)
        try:
            workspace.apply(step)
        except ReconstructionError as exc:
            raise type(exc)(f"step {index}: {exc}") from None
        if isinstance(step, SaveStep) and step.text is None and step.sha256 is not None:
            _refuse(index, _save_problem(step, workspace.disk.get(step.path)))  # what the save wrote
        while keyframe is not None and keyframe.keyframe.steps == index + 1:
            _refuse(index, _keyframe_problem(keyframe, workspace))
            keyframe = next(keyframes, None)
        if observe is not None:
            observe(index, step, workspace)
    if keyframe is not None:
        raise ReconstructionError(f"the keyframe at byte {keyframe.offset} follows {keyframe.keyframe.steps} "
                                  f"steps, but only {index + 1} were replayed")
    return index + 1


def _each_edit(steps: Iterable[Record | EditRun]) -> Iterator[Record]:
    """`steps` with each EditRun as the Edits it stands for."""
    for step in steps:
        if type(step) is EditRun:
            yield from step.edits()
        else:
            assert not isinstance(step, EditRun)
            yield step


def _track(index: int, step: Step, open_docs: set[str], workspace: Workspace) -> None:
    """What a step other than an edit changes in the open documents, and a save's check against the buffer
    it replaces."""
    match step:
        case SaveStep(text=str()) if step.sha256 is not None:  # against the buffer it replaces
            _refuse(index, _save_problem(step, workspace.text(step.path)))
        case OpenStep():
            open_docs.add(step.path)
        case CloseStep():
            open_docs.discard(step.path)
        case FileChangeStep(change="renamed", new_path=str() as new_path) if step.path in open_docs:
            open_docs.discard(step.path)
            open_docs.add(new_path)
        case GapStep(state=list() as state):
            # a gap's state stands in for the opens and closes it lost
            open_docs.update(file.path for file in state if file.text is not None)
            open_docs.difference_update(file.path for file in state if file.text is None)
        case _:
            pass


def _keyframe_problem(placed: Placed, workspace: Workspace) -> str | None:
    problem = workspace.keyframe_problem(placed.keyframe)
    if problem is None:
        return None
    return f"the keyframe at byte {placed.offset} does not hold the files the steps before it make: {problem}"


def _refuse(index: int, problem: str | None) -> None:
    if problem is not None:
        raise ReconstructionError(f"step {index}: {problem}")


def _save_problem(step: SaveStep, text: str | None) -> str | None:
    """Why a save's hash disagrees with `text` (the reconstructed file), or None when it agrees."""
    what = f"save at {step.t_ms} ms of {show(step.path)}"
    if step.text is not None and sha256_text(step.text) != step.sha256:
        return f"{what}: its text does not match its own hash"
    if text is None:
        return None if step.text is not None else f"{what}, which the episode never opened"
    if sha256_text(text) != step.sha256:
        return f"{what}: the reconstructed text does not match the saved hash"
    return None


def _path_problem(step: Record | EditRun, checked: dict[str, str | None]) -> str | None:
    """The first path of `step` that no episode may hold (the rule `checkout` applies), said plainly;
    `checked` remembers the verdict on each path already seen."""
    if isinstance(step, (Edit, EditRun, PlainDiagnostics)):
        paths: list[Any] = [step.path]
    else:
        fields = vars(step)  # a model's fields (not getattr: a missing one costs an exception)
        paths = [fields.get("path"), fields.get("new_path")]
    if isinstance(step, GapStep) and step.state is not None:
        paths += [file.path for file in step.state]
    for path in paths:
        if isinstance(path, str):
            if path in checked:
                problem = checked[path]
            else:
                problem = checked[path] = path_problem(path)
            if problem is not None:
                return f"{step.kind} of {show(path)}: {problem}"
    return None
