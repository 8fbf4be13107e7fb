"""Whether an episode replays exactly: every edit lands in an open document, every save's hash matches
the reconstructed text, every keyframe holds the files the replay holds where it stands. `codetape verify`
runs it; signing and the review run it before they sign.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from collector.episode import Episode
from collector.episode.keyframe import Placed, read_keyframes
from collector.episode.resolve import show
from collector.errors import ReconstructionError
from collector.reconstruct.workspace import Workspace
from collector.text.digest import sha256_text
from collector.text.paths import path_problem
from schemas import Step
from schemas import steps as kinds

Observer = Callable[[int, Step, Workspace], None]
_NO_KEYFRAME = 1 << 62
_ONE_PATH = (kinds.EditStep, kinds.DiagnosticsStep)  # the steps whose one path is `path` (most steps)


def verify_replay(episode: Episode, steps: Iterable[Step] | None = None, *,
                  observe: Observer | None = None, before: Observer | None = None) -> int:
    """Replay every step; raises ReconstructionError at the first step that does not hold.

    `steps` is `episode.steps()` (the default), possibly wrapped in a progress bar by the caller. A save
    without text is checked against what it wrote to disk, so its buffer is read back once, not twice.
    `observe(index, step, workspace)`, when given, sees the workspace after each step that held (the
    dataset build takes file texts from it, so the episode is replayed once, not twice); `before`, when
    given, sees the workspace before each step that passed its checks is applied. Keyframes are
    read alongside (EpisodeError when one is malformed) and compared with the workspace where each stands.
    """
    workspace = Workspace(episode.header.position_encoding, limit=episode.limits.files)
    keyframes = read_keyframes(episode.frames(), limits=episode.limits) if episode.keyframe_count else \
        iter(())
    keyframe = next(keyframes, None)
    next_keyframe = _NO_KEYFRAME if keyframe is None else keyframe.keyframe.steps
    open_docs: set[str] = set()
    checked: dict[str, str | None] = {}  # path -> its problem: most steps name a path seen before
    index = -1
    for index, step in enumerate(episode.steps() if steps is None else steps):
        if type(step) not in _ONE_PATH or checked.get(step.path, step) is not None:  # type: ignore[union-attr]
            # (a path seen before and found right: None)
            _refuse(index, _path_problem(step, checked))
        if type(step) is kinds.EditStep:
            if step.path not in open_docs:
                raise ReconstructionError(f"step {index}: edit at {step.t_ms} ms to {show(step.path)}, "
                                          "which is not open")
        else:
            _track(index, step, open_docs, workspace)
        if before is not None:
            before(index, step, workspace)
        try:
            workspace.apply(step)
        except ReconstructionError as exc:
            raise type(exc)(f"step {index}: {exc}") from None
        if type(step) is kinds.SaveStep and step.text is None and step.sha256 is not None:
            _refuse(index, _save_problem(step, workspace.disk.get(step.path)))  # what the save wrote
        while next_keyframe == index + 1:
            assert keyframe is not None
            _refuse(index, _keyframe_problem(keyframe, workspace))
            keyframe = next(keyframes, None)
            next_keyframe = _NO_KEYFRAME if keyframe is None else keyframe.keyframe.steps
        if observe is not None:
            observe(index, step, workspace)
    if keyframe is not None:
        raise ReconstructionError(f"the keyframe at byte {keyframe.offset} follows {keyframe.keyframe.steps} "
                                  f"steps, but only {index + 1} were replayed")
    return index + 1


def _track(index: int, step: Step, open_docs: set[str], workspace: Workspace) -> None:
    """What a step other than an edit changes in the open documents, and a save's check against the buffer
    it replaces."""
    match step:
        case kinds.SaveStep(text=str()) if step.sha256 is not None:  # against the buffer it replaces
            _refuse(index, _save_problem(step, workspace.text(step.path)))
        case kinds.OpenStep():
            open_docs.add(step.path)
        case kinds.CloseStep():
            open_docs.discard(step.path)
        case kinds.FileChangeStep(change="renamed", new_path=str() as new_path) if step.path in open_docs:
            open_docs.discard(step.path)
            open_docs.add(new_path)
        case kinds.GapStep(state=list() as state) if not step.on_disk_only:
            # a gap's state stands in for the opens and closes it lost (a snapshot's opens nothing)
            open_docs.update(file.path for file in state if file.text is not None)
            open_docs.difference_update(file.path for file in state if file.text is None)
        case _:  # on purpose: the other kinds open, close or move no document (an edit: checked apart)
            pass


def _keyframe_problem(placed: Placed, workspace: Workspace) -> str | None:
    problem = workspace.keyframe_problem(placed.keyframe)
    if problem is None:
        return None
    return f"the keyframe at byte {placed.offset} does not hold the files the steps before it make: {problem}"


def _refuse(index: int, problem: str | None) -> None:
    if problem is not None:
        raise ReconstructionError(f"step {index}: {problem}")


def _save_problem(step: kinds.SaveStep, text: str | None) -> str | None:
    """Why a save's hash disagrees with `text` (the reconstructed file), or None when it agrees."""
    what = f"save at {step.t_ms} ms of {show(step.path)}"
    if step.text is not None and sha256_text(step.text) != step.sha256:
        return f"{what}: its text does not match its own hash"
    if text is None:
        return None if step.text is not None else f"{what}, which the episode never opened"
    if sha256_text(text) != step.sha256:
        return f"{what}: the reconstructed text does not match the saved hash"
    return None


def _path_problem(step: Step, checked: dict[str, str | None]) -> str | None:
    """The first path of `step` that no episode may hold (the rule `checkout` applies), said plainly;
    `checked` remembers the verdict on each path already seen."""
    paths: list[Any] = [getattr(step, "path", None), getattr(step, "new_path", None)]
    if isinstance(step, kinds.GapStep) and step.state is not None:
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
