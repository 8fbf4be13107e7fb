"""Every file the episode knows, with its diff from how the episode first saw it to how it ended.

A file's starting text is what the episode first recorded of it (collector/replay/baselines.py, as
`codetape diff` and the review's diff tab compare); a file first seen being changed on disk or deleted
has no recorded starting text, and its entry says so; one changed on disk is modified even when nothing
changed it after (the review's diff tab says it differs, and it is counted among the changed files).
Diffs are cut so a report stays small
(`codetape diff` gives them whole).

Each entry says what happened to its file over the episode, as a pull request would: added (absent at
first), deleted, modified, renamed (a rename the episode recorded, from a path whose text it knew at first
to one absent at first: one entry under the new path, its diff from the old text), unchanged, added and
deleted (nothing of it left at the end), or not recorded (its content never was).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collector.episode.summary import FileActivity
from collector.reconstruct.workspace import Workspace
from collector.replay.baselines import CHANGED_UNSEEN, Baselines
from collector.replay.workdiff import file_diff

MAX_FILE_LINES = 2_000  # diff lines shown per file
MAX_TOTAL_LINES = 20_000  # diff lines shown over all files
MAX_LINE = 1_000  # characters shown of one diff line
MAX_DIFFED = 4 * 1024 * 1024  # characters (both sides) above which a file is not diffed here


@dataclass
class FileReport:
    path: str
    status: str  # added, modified, deleted, renamed, unchanged, added and deleted, not recorded
    added: int = 0
    removed: int = 0
    lines: list[str] = field(default_factory=list)  # diff lines shown, without line breaks
    total_lines: int = 0  # diff lines in all
    note: str | None = None
    activity: FileActivity | None = None
    old_path: str | None = None  # a renamed file's path at first

    @property
    def changed(self) -> bool:
        return self.status not in ("unchanged", "added and deleted")

    @property
    def cut(self) -> int:
        """Diff lines left out."""
        return self.total_lines - len(self.lines)


def file_reports(baselines: Baselines, workspace: Workspace, activity: dict[str, FileActivity],
                 renames: dict[str, str] | None = None) -> list[FileReport]:
    """One entry per path, a renamed file's under its new path: changed files first, then by path; diffs
    cut to the caps. `renames`: where each file the episode recorded renamed went (old path -> path at
    the end, `Renames.between`); those the start and the end bear out are shown as renames."""
    end, omitted = workspace.files(), workspace.omitted
    moved = {new: old for old, new in (renames or {}).items() if _renamed(old, new, baselines, end, omitted)}
    paths = (set(baselines.first) | set(end) | set(omitted) | set(activity)) - set(moved.values())
    reports = [_report(path, baselines, end, omitted, moved.get(path)) for path in paths]
    reports.sort(key=lambda report: (not report.changed, report.path))
    budget = MAX_TOTAL_LINES
    for report in reports:
        report.activity = activity.get(report.path)
        shown = min(len(report.lines), MAX_FILE_LINES, budget)
        del report.lines[shown:]
        budget -= shown
    return reports


def _renamed(old: str, new: str, baselines: Baselines, end: dict[str, str], omitted: dict[str, str]) -> bool:
    """Whether `old`, with a known text at first and gone at the end, is `new`, absent at first."""
    return (baselines.first.get(old) is not None and old not in baselines.unknown and old not in end
            and old not in omitted and new in end and baselines.first.get(new) is None
            and new not in baselines.unknown)


def _report(path: str, baselines: Baselines, end: dict[str, str], omitted: dict[str, str],
            old_path: str | None = None) -> FileReport:
    note = baselines.notes.get(path)
    if old_path is not None:
        report = FileReport(path, "renamed", note=note, old_path=old_path)
        return _diffed(report, baselines.first[old_path], end[path])
    if path in omitted:
        why = omitted[path].replace("_", " ")
        return FileReport(path, "not recorded", note=f"{why}: its content was not recorded")
    before, after = baselines.first.get(path), end.get(path)
    if before == after:
        if before is not None and baselines.unknown.get(path) == CHANGED_UNSEEN:
            # the review's diff tab says it differs: it changed on disk, from a text never recorded
            return FileReport(path, "modified", note=f"{note}: changed, no diff to show")
        if before is not None:
            return FileReport(path, "unchanged", note=note)
        status = "deleted" if baselines.gone_unseen(path) else "added and deleted"
        return FileReport(path, status, note=note)
    report = FileReport(path, "added" if before is None else "deleted" if after is None else "modified",
                        note=note)
    return _diffed(report, before, after)


def _diffed(report: FileReport, before: str | None, after: str | None) -> FileReport:
    """`report` with the diff from `before` to `after` (None: absent), its lines counted and cut."""
    if len(before or "") + len(after or "") > MAX_DIFFED:
        report.note = "too large to diff in a report: use codetape diff"
        return report
    for number, line in enumerate(file_diff(report.path, before, after, old_path=report.old_path, git=False)):
        for piece in line.rstrip("\n").split("\n"):
            report.total_lines += 1
            if number >= 2 and piece[:1] == "+":
                report.added += 1
            elif number >= 2 and piece[:1] == "-":
                report.removed += 1
            if report.total_lines <= MAX_FILE_LINES:
                report.lines.append(piece if len(piece) <= MAX_LINE else piece[: MAX_LINE - 1] + "…")
    if not report.total_lines and report.status in ("added", "deleted"):
        report.note = report.note or "an empty file"
    return report
