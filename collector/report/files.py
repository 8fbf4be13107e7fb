"""Every file the episode knows, with its diff from how the episode first saw it to how it ended.

A file's starting text is what the episode first recorded of it (collector/replay/baselines.py, as
`codetape diff` and the review's diff tab compare); a file first seen being changed on disk or deleted
has no recorded starting text, and its entry says so. Diffs are cut so a report stays small
(`codetape diff` gives them whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from collector.episode.summary import FileActivity
from collector.reconstruct.workspace import Workspace
from collector.replay.baselines import Baselines
from collector.replay.workdiff import file_diff

MAX_FILE_LINES = 2_000  # diff lines shown per file
MAX_TOTAL_LINES = 20_000  # diff lines shown over all files
MAX_LINE = 1_000  # characters shown of one diff line
MAX_DIFFED = 4 * 1024 * 1024  # characters (both sides) above which a file is not diffed here


@dataclass
class FileReport:
    path: str
    status: str  # created, modified, deleted, unchanged, created and deleted, not recorded
    added: int = 0
    removed: int = 0
    lines: list[str] = field(default_factory=list)  # diff lines shown, without line breaks
    total_lines: int = 0  # diff lines in all
    note: str | None = None
    activity: FileActivity | None = None

    @property
    def changed(self) -> bool:
        return self.status not in ("unchanged", "created and deleted")

    @property
    def cut(self) -> int:
        """Diff lines left out."""
        return self.total_lines - len(self.lines)


def file_reports(baselines: Baselines, workspace: Workspace,
                 activity: dict[str, FileActivity]) -> list[FileReport]:
    """One entry per path: changed files first, then by path; diffs cut to the caps."""
    end, omitted = workspace.files(), workspace.omitted
    paths = set(baselines.first) | set(end) | set(omitted) | set(activity)
    reports = [_report(path, baselines, end, omitted) for path in paths]
    reports.sort(key=lambda report: (not report.changed, report.path))
    budget = MAX_TOTAL_LINES
    for report in reports:
        report.activity = activity.get(report.path)
        shown = min(len(report.lines), MAX_FILE_LINES, budget)
        del report.lines[shown:]
        budget -= shown
    return reports


def _report(path: str, baselines: Baselines, end: dict[str, str], omitted: dict[str, str]) -> FileReport:
    note = baselines.notes.get(path)
    if path in omitted:
        why = omitted[path].replace("_", " ")
        return FileReport(path, "not recorded", note=f"{why}: its content was not recorded")
    before, after = baselines.first.get(path), end.get(path)
    if before == after:
        if before is not None:
            return FileReport(path, "unchanged", note=note)
        status = "deleted" if baselines.gone_unseen(path) else "created and deleted"
        return FileReport(path, status, note=note)
    report = FileReport(path, "created" if before is None else "deleted" if after is None else "modified",
                        note=note)
    if len(before or "") + len(after or "") > MAX_DIFFED:
        report.note = "too large to diff in a report: use codetape diff"
        return report
    for number, line in enumerate(file_diff(path, before, after)):
        for piece in line.rstrip("\n").split("\n"):
            report.total_lines += 1
            if number >= 2 and piece[:1] == "+":
                report.added += 1
            elif number >= 2 and piece[:1] == "-":
                report.removed += 1
            if report.total_lines <= MAX_FILE_LINES:
                report.lines.append(piece if len(piece) <= MAX_LINE else piece[: MAX_LINE - 1] + "…")
    return report
