"""Excluding files from a stream of steps: every step about an excluded file goes, renames stay coherent.

Steps about one file (open, close, edit, save, cursor, diagnostics, file changes) are dropped; a gap's
state, a commit's file list and an agent's tool targets lose the file's entries; a command run inside an
excluded folder goes.
An excluded file stays excluded when it is renamed: its new name is excluded from then on, since the
content under it is the excluded content. A kept file renamed to an excluded name is deleted, as far as
the kept files can tell. The seal runs it with the exclusions in force when it seals (in_force.py), the
review with the globs the reviewer excluded (collector/review/trim.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import assert_never

from msgspec.structs import replace

from schemas import steps as kinds

Excluded = Callable[[str], bool]


@dataclass
class ExcludeReport:
    """What exclusion took out: the excluded paths seen, and how many steps went."""

    paths: set[str] = field(default_factory=set)
    steps: int = 0


def exclude_files(steps: Iterable[kinds.Step], excluded: Excluded,
                  report: ExcludeReport | None = None) -> Iterator[kinds.Step]:
    """`steps` without the excluded files; `report` (when given) is filled in as they go by."""
    report = report if report is not None else ExcludeReport()
    renamed: set[str] = set()  # new names of excluded files

    def out(path: str) -> bool:
        if path in renamed or excluded(path):
            report.paths.add(path)
            return True
        return False

    for step in steps:
        kept = _keep(step, out, renamed, excluded)
        if kept is None:
            report.steps += 1
        else:
            yield kept


def _keep(step: kinds.Step, out: Excluded, renamed: set[str], excluded: Excluded) -> kinds.Step | None:
    """The step as it stays (the step itself, a changed copy, or a stand-in), or None when it goes.
    `out` answers for files (and notes them in the report), `excluded` for a command's directory."""
    match step:
        case (kinds.OpenStep() | kinds.CloseStep() | kinds.EditStep() | kinds.SaveStep() | kinds.CursorStep()
              | kinds.DiagnosticsStep() | kinds.OfferStep()):
            return None if out(step.path) else step
        case kinds.FileChangeStep(change="renamed", new_path=str() as new_path):
            if out(step.path):
                renamed.add(new_path)
                out(new_path)
                return None
            if out(new_path):  # a kept file leaves under an excluded name: on the kept side it is gone
                return kinds.FileChangeStep(t_ms=step.t_ms, source=step.source, path=step.path,
                                            change="deleted")
            return step
        case kinds.FileChangeStep():
            return None if out(step.path) else step
        case kinds.GapStep(state=list() as state):
            kept = [file for file in state if not out(file.path)]
            if len(kept) == len(state):
                return step
            return replace(step, state=kept or None)
        case kinds.GitStep(files=files) if files:
            stats = [stat for stat in files if not out(stat.path)]
            return step if len(stats) == len(files) else replace(step, files=stats)
        case kinds.CommandStep(cwd=cwd) if cwd not in (".", "") and excluded(cwd.strip("/")):
            return None
        case kinds.AgentStep(targets=targets) if targets:
            kept_targets = [target for target in targets if not out(target)]
            return step if len(kept_targets) == len(targets) else replace(step, targets=kept_targets)
        # names no file nor directory
        case kinds.TestRunStep() | kinds.NoteStep() | kinds.TaskStep() | kinds.RedactionStep():
            return step
        # nothing excluded (the condition above did not hold)
        case kinds.CommandStep() | kinds.GitStep() | kinds.GapStep() | kinds.AgentStep():
            return step
        case _:
            assert_never(step)
