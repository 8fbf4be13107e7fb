"""How the episode first saw each file, and from which step: what a diff compares an unseen file with.

A file's starting text is what the episode first recorded of it: the text it was opened with, what a
gap reset it to, the text of its first save; a file created or renamed into place during the episode
starts as absent. So does a file opened empty that the commit the episode started at does not hold (the
open's `head_text` is `absent`): an editor opening a path with nothing there (`:e new.py`) opens it
empty, and its first save creates the file; the watcher's `created` is then the save's echo, not
recorded. Without that commit to ask (no `head_text`), an empty open is an empty file. A file first
seen being changed on disk, or deleted, has no recorded starting text.

A file the episode had not recorded yet at some step was there all the same, as it was first recorded
(nothing the episode saw touched it before): `Baselines.before(files, step)` puts such files back into
the files at that step, so that a diff from the start, or from a step before the developer opened a
file, shows what changed in it and not the whole file as new. The report (collector/report/files.py),
`codetape diff` and the review's diff tab all compare from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collector.reconstruct.workspace import Workspace
from collector.replay.describe import clock
from schemas.steps import FileChangeStep, GapStep, OpenStep, SaveStep, Step

CHANGED_UNSEEN = "changed on disk before it was first recorded"
DELETED_UNSEEN = "deleted before it was first recorded"
RENAMED_UNSEEN = "renamed before it was first recorded"


@dataclass
class Baselines:
    """The first recorded text of each path (None: absent at first), fed each step after it applied."""

    first: dict[str, str | None] = field(default_factory=dict)
    since: dict[str, int] = field(default_factory=dict)  # the step at which each path was first recorded
    unknown: dict[str, str] = field(default_factory=dict)  # paths whose starting text is unknown, and why
    notes: dict[str, str] = field(default_factory=dict)

    def _set(self, path: str, text: str | None, index: int) -> None:
        if path not in self.first:
            self.first[path] = text
            self.since[path] = index

    def _unknown(self, path: str, why: str, note: str, index: int) -> None:
        if path not in self.first:
            self._set(path, None, index)
            self.unknown[path] = why
            self.notes[path] = note

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        """Note what step `index` (just applied to `workspace`) first shows of a file."""
        match step:
            case OpenStep(text="", head_text="absent"):
                self._set(step.path, None, index)  # a new file, created by its first save
            case OpenStep() | SaveStep():
                if step.path not in self.first and (text := workspace.text(step.path)) is not None:
                    self._set(step.path, text, index)
            case GapStep(state=list() as state):
                for file in state:
                    self._set(file.path, file.text, index)
            case FileChangeStep():
                self._file_change(index, step, workspace)
            case _:  # on purpose: the other kinds show no file's text
                pass

    def _file_change(self, index: int, step: FileChangeStep, workspace: Workspace) -> None:
        path, when = step.path, clock(step.t_ms)
        if step.change == "created":
            self._set(path, None, index)
        elif step.change == "renamed" and step.new_path is not None:
            moved = workspace.text(step.new_path)
            if moved is None:
                self._unknown(path, RENAMED_UNSEEN, f"renamed at {when} before its content was recorded",
                              index)
            else:
                self._set(path, moved, index)
            self._set(step.new_path, None, index)
            self.notes.setdefault(path, f"renamed to {step.new_path} at {when}")
            self.notes.setdefault(step.new_path, f"renamed from {path} at {when}")
        elif step.change == "deleted":
            self._unknown(path, DELETED_UNSEEN, f"deleted at {when} before its content was recorded", index)
        elif path not in self.first:
            self._set(path, workspace.text(path), index)
            self.unknown[path] = CHANGED_UNSEEN
            self.notes[path] = f"first recorded when changed on disk at {when}; earlier content unknown"

    def gone_unseen(self, path: str) -> bool:
        """Whether `path` was deleted or renamed away before the episode recorded its content."""
        return self.unknown.get(path) in (DELETED_UNSEEN, RENAMED_UNSEEN)

    def unseen(self, step: int) -> tuple[dict[str, str], dict[str, str]]:
        """The files there after step `step` that the episode first recorded later: (texts as first
        recorded, reasons for those whose text then is unknown)."""
        texts: dict[str, str] = {}
        omitted: dict[str, str] = {}
        for path, since in self.since.items():
            if since <= step:
                continue
            why, text = self.unknown.get(path), self.first[path]
            if why is not None:
                omitted[path] = why
            elif text is not None:
                texts[path] = text
        return texts, omitted
