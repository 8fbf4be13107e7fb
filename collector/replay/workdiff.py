"""Unified diffs between two states of a workspace, in the form `git apply` and `patch -p1` read.

The state at a step holds, beside the files the episode knows then, those it first recorded later, as
first recorded (collector/replay/baselines.py): a file opened after the start was there all along, and
a diff from the start shows what changed in it, as the HTML report does, not the whole file as new.

Files are compared by path: created files come from /dev/null, deleted ones go to it. Lines end at
LF as git sees them (a CR stays part of its line), and a last line without one gets git's
`\\ No newline at end of file`.
A file whose content was not recorded (binary or too large) on one side is named, not diffed; one
recorded without content on both sides is left out, since nothing says whether it changed. Each file's
hunks come from collector/text/linediff.py, at a bounded cost (a diff that would cost more is coarse).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from collector.episode import Episode
from collector.errors import ReconstructionError, UsageError
from collector.reconstruct.workspace import Workspace
from collector.replay.baselines import Baselines
from collector.replay.moment import Moment
from collector.text.linediff import DiffWork, LineDiff, line_diff


@dataclass(frozen=True)
class Files:
    """The files of a workspace at one step: texts, and paths that exist without recorded content."""

    texts: dict[str, str]
    omitted: dict[str, str]

    @classmethod
    def of(cls, workspace: Workspace) -> Files:
        return cls(workspace.files(), dict(workspace.omitted))

    def with_unseen(self, baselines: Baselines, step: int) -> Files:
        """These files (the state after step `step`, -1: before the first) with those the episode first
        recorded after it, as first recorded; one whose text then is unknown is named, not diffed."""
        texts, omitted = baselines.unseen(step)
        known = self.texts.keys() | self.omitted.keys()
        texts = {path: text for path, text in texts.items() if path not in known}
        omitted = {path: why for path, why in omitted.items() if path not in known}
        if not texts and not omitted:
            return self
        return Files(dict(sorted((self.texts | texts).items())), self.omitted | omitted)


EMPTY = Files({}, {})


def states_at(episode: Episode, moments: list[Moment]) -> list[Files]:
    """The files at each moment, in one pass that stops at the last one needed.

    `start` is the state before the first step: the files as the episode first recorded them; a time is
    the state after the last step at or before it; a step number is the state after that step. Files the
    episode first recorded after a moment are in its state as first recorded (`Files.with_unseen`).
    """
    found: dict[int, tuple[int, Files]] = {}
    pending: list[tuple[int, Moment]] = []
    for number, moment in enumerate(moments):
        if moment.edge == "start":
            found[number] = (-1, EMPTY)
        else:
            pending.append((number, moment))
    workspace = Workspace(episode.header.position_encoding)
    baselines = Baselines()
    index = -1
    for index, step in enumerate(episode.steps()):
        if not pending:
            break
        for number, moment in pending:
            if moment.ms is not None and step.t_ms > moment.ms:
                found[number] = (index - 1, Files.of(workspace))
        try:
            workspace.apply(step)
        except ReconstructionError as exc:
            raise type(exc)(f"step {index}: {exc}") from None
        baselines.after(index, step, workspace)
        for number, moment in pending:
            if moment.step == index:
                found[number] = (index, Files.of(workspace))
        pending = [(number, moment) for number, moment in pending if number not in found]
    for number, moment in pending:
        if moment.step is not None:
            raise UsageError(f"step {moment.text} does not exist: the episode has {len_known(episode)} steps")
        found[number] = (index, Files.of(workspace))
    return [found[number][1].with_unseen(baselines, found[number][0]) for number in range(len(moments))]


def len_known(episode: Episode) -> int:
    """Steps of kinds this codetape knows (what step numbers count)."""
    return episode.step_count - sum(episode.skipped.values())


def unified_diff(old: Files, new: Files, context: int = 3) -> Iterator[str]:
    """Diff lines, each ending with a line break; nothing when both states hold the same files."""
    paths = sorted(set(old.texts) | set(old.omitted) | set(new.texts) | set(new.omitted))
    for path in paths:
        if path in old.omitted or path in new.omitted:
            yield from _omitted(path, old, new)
            continue
        before, after = old.texts.get(path), new.texts.get(path)
        if before == after:
            continue
        yield from file_diff(path, before, after, context)


def file_diff(path: str, before: str | None, after: str | None, context: int = 3,
              work: DiffWork | None = None) -> Iterator[str]:
    """The diff of one file (None: the file does not exist on that side), in whole lines."""
    return with_headers(path, before, after, line_diff(before or "", after or "", context, work))


def with_headers(path: str, before: str | None, after: str | None, diff: LineDiff) -> Iterator[str]:
    """`diff`'s hunks after the ---/+++ lines naming `path`; nothing when it has none."""
    first = next(diff.parts, None)
    if first is None:
        return
    yield f"--- {'/dev/null' if before is None else 'a/' + path}\n"
    yield f"+++ {'/dev/null' if after is None else 'b/' + path}\n"
    yield first
    yield from diff.parts


def _omitted(path: str, old: Files, new: Files) -> Iterator[str]:
    """One line naming a file whose content one side does not know; nothing when neither side knows it."""
    reasons = [old.omitted.get(path), new.omitted.get(path)]
    if None not in reasons:
        return
    names = ["/dev/null" if path not in files.texts and path not in files.omitted else f"{prefix}/{path}"
             for files, prefix in ((old, "a"), (new, "b"))]
    reason = (reasons[0] or reasons[1] or "").replace("_", " ")
    yield f"Files {names[0]} and {names[1]} differ ({reason}, content not recorded)\n"
