"""Secrets in file names: every path a step carries, renamed the same way in every step.

A path segment can be a secret (`keys/ghp_.../config.py`, `notes/AKIA....txt`): each path a step names
(the file of an edit, open, save, close, cursor or diagnostics step; a file change's old and new path; a
gap's files; a commit's files; a command's working directory; an agent's tool targets) is scanned like
any text, and each secret in it replaced by its placeholder (`«redacted:github-token:1»`).

One path is renamed once per episode and then always the same (`PathRedactor` remembers it), so the
steps about a file still name one file and the episode still replays; the same secret in two paths, or
in a path and a text, is the same placeholder. A renamed path keeps the rules an episode's paths follow
(`collector.text.paths.path_problem`): a segment the placeholders would make too long becomes the
placeholders alone.
"""

from __future__ import annotations

from collections import Counter
from typing import assert_never

from msgspec.structs import replace

from collector.redact.placeholders import PLACEHOLDER_RE
from collector.redact.stream.text import TextRedactor
from collector.text.paths import MAX_NAME_BYTES, path_problem
from schemas import steps as kinds

MEMO = 100_000  # distinct paths remembered; past that a path is renamed afresh (to the same name)


class PathRedactor:
    """The paths of steps with their secrets replaced, each path always renamed the same."""

    def __init__(self, redactor: TextRedactor) -> None:
        self.redactor = redactor
        self._renamed: dict[str, str] = {}

    def path(self, path: str) -> str:
        """`path` with each secret in it replaced by its placeholder."""
        renamed = self._renamed.get(path)
        if renamed is None:
            renamed = self._rename(path)
            if len(self._renamed) < MEMO:
                self._renamed[path] = renamed
        return renamed

    def _rename(self, path: str) -> str:
        spans = self.redactor.find(path)
        if not spans:
            return path
        out, last = [], 0
        for start, end, secret in spans:
            out.append(path[last:start])
            out.append(secret.placeholder)
            last = end
        out.append(path[last:])
        renamed = "".join(out)
        if path_problem(renamed) is not None and path_problem(path) is None:
            renamed = "/".join(_shortened(segment) for segment in renamed.split("/"))
        return renamed

    def step(self, step: kinds.Step, written: Counter[str]) -> kinds.Step:
        """`step` with its paths renamed (the step itself when none is); each placeholder a renamed path
        writes is counted in `written`."""
        update: dict[str, object] = {}
        match step:
            case (kinds.EditStep() | kinds.OpenStep() | kinds.SaveStep() | kinds.CloseStep()
                  | kinds.CursorStep() | kinds.DiagnosticsStep() | kinds.OfferStep()):
                self._field(step.path, "path", update, written)
            case kinds.FileChangeStep():
                self._field(step.path, "path", update, written)
                if step.new_path is not None:
                    self._field(step.new_path, "new_path", update, written)
            case kinds.GapStep() if step.state:
                state = [file if (new := self._counted(file.path, written)) == file.path
                         else replace(file, path=new) for file in step.state]
                if any(new is not old for new, old in zip(state, step.state, strict=True)):
                    update["state"] = state
            case kinds.GitStep() if step.files:
                files = [file if (new := self._counted(file.path, written)) == file.path
                         else replace(file, path=new) for file in step.files]
                if any(new is not old for new, old in zip(files, step.files, strict=True)):
                    update["files"] = files
            case kinds.CommandStep() if step.cwd != ".":
                self._field(step.cwd, "cwd", update, written)
            case kinds.AgentStep() if step.targets:
                targets = [self._counted(target, written) for target in step.targets]
                if targets != step.targets:
                    update["targets"] = targets
            case kinds.TestRunStep() | kinds.NoteStep() | kinds.TaskStep() | kinds.RedactionStep():  # no path
                pass
            # no path to rename (the condition above did not hold)
            case kinds.CommandStep() | kinds.GitStep() | kinds.GapStep() | kinds.AgentStep():
                pass
            case _:
                assert_never(step)
        return replace(step, **update) if update else step

    def _field(self, path: str, name: str, update: dict[str, object], written: Counter[str]) -> None:
        renamed = self._counted(path, written)
        if renamed != path:
            update[name] = renamed

    def _counted(self, path: str, written: Counter[str]) -> str:
        renamed = self.path(path)
        if renamed != path:
            written.update(m.group() for m in PLACEHOLDER_RE.finditer(renamed))
        return renamed


def _shortened(segment: str) -> str:
    """A segment too long for a file name once its secrets are placeholders: the placeholders alone."""
    if len(segment.encode("utf-8", "surrogatepass")) <= MAX_NAME_BYTES:
        return segment
    placeholders = [m.group() for m in PLACEHOLDER_RE.finditer(segment)]
    joined = "".join(placeholders)
    return joined if len(joined.encode("utf-8")) <= MAX_NAME_BYTES else placeholders[0]
