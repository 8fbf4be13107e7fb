"""What the report shows, computed from an episode in one pass over its steps.

The pass feeds each step to the inspect summary, the timeline, the step list, and the reconstructed
workspace (for the files' diffs and the size of each edit). A step that does not replay stops the
reconstruction only: the page still shows the timeline and every step, and says where the files stop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from collector.consent.verify import signature_status
from collector.episode import Episode
from collector.episode.summary import Summary, summarize
from collector.errors import ReconstructionError
from collector.reconstruct.workspace import Workspace
from collector.reconstruct.written import on_disk
from collector.replay.baselines import Baselines
from collector.replay.describe import clock
from collector.replay.state import EditSize
from collector.replay.workdiff import Renames
from collector.report.files import FileReport, file_reports
from collector.report.rows import Rows
from collector.report.timeline import Timeline, TimelineView
from collector.stats.activity import Activity
from schemas.steps import EditStep, RedactionStep, Step, TaskStep


@dataclass
class RuleRedactions:
    """What one redaction rule masked: distinct values, and how often they occurred."""

    values: set[str] = field(default_factory=set)
    occurrences: int = 0


@dataclass
class ReportData:
    summary: Summary
    timeline: TimelineView
    files: list[FileReport]
    rows: Rows
    redactions: dict[str, RuleRedactions]
    tasks: list[TaskStep]
    errors_at_end: int
    warnings_at_end: int
    problem: str | None  # why the files stop before the end of the episode
    activity: Activity = field(default_factory=Activity)  # active time by language (as `codetape stats`)
    # made for a review (`codetape report --review-excluded N`): the page is what would be shared, and the
    # reviewer excluded this many files from it; None: not made for a review
    review_excluded: int | None = None


def collect(episode: Episode, steps: Iterable[Step] | None = None, *, rows: Rows | None = None,
            review_excluded: int | None = None, idle_ms: int | None = None) -> ReportData:
    """Everything the page shows; `steps`, when given, is `episode.steps()` wrapped (in a progress bar);
    `rows` an empty step list with other caps than the default; `review_excluded`, for a page made in a
    review, how many files the reviewer excluded."""
    summary = summarize(episode, ())
    workspace = Workspace(episode.header.position_encoding)
    baselines, timeline, rows = Baselines(), Timeline(), Rows() if rows is None else rows
    renames = Renames()
    redactions: dict[str, RuleRedactions] = {}
    tasks: list[TaskStep] = []
    problem: str | None = None
    activity = Activity() if idle_ms is None else Activity(idle_ms=idle_ms)
    counting = activity.episode(episode.header.workspace.root_name, episode.header.started_at)
    for index, step in enumerate(episode.steps() if steps is None else steps):
        replaced = on_disk(step, workspace if problem is None else None)  # (what a write to disk replaced)
        summary.add(step, replaced)
        counting.feed(step, replaced)
        size: EditSize | None = None
        if problem is None:
            try:
                size = apply(workspace, step)
            except ReconstructionError as exc:
                problem = (f"step {index:,} at {clock(step.t_ms)} does not replay ({exc}); files are shown "
                           "as they were before it")
            else:
                baselines.after(index, step, workspace)
                renames.note(index, step)
        timeline.add(index, step, size)
        rows.add(index, step, size)
        if isinstance(step, RedactionStep):
            rule = redactions.setdefault(step.rule, RuleRedactions())
            rule.values.add(step.placeholder)
            rule.occurrences += step.count
        elif isinstance(step, TaskStep):
            tasks.append(step)
    rows.close()
    counting.finish()
    summary.skipped.update(episode.skipped)
    signature_status(episode, summary)
    return ReportData(
        summary=summary, timeline=timeline.view(),
        files=file_reports(baselines, workspace, summary.files, renames.overall()),
        rows=rows, redactions=dict(sorted(redactions.items())), tasks=tasks,
        errors_at_end=timeline.diagnostics.errors, warnings_at_end=timeline.diagnostics.warnings,
        problem=problem, activity=activity, review_excluded=review_excluded,
    )


def apply(workspace: Workspace, step: Step) -> EditSize | None:
    """Apply `step`; for an edit, how it changed its document (as the replay player counts it)."""
    if not isinstance(step, EditStep):
        workspace.apply(step)
        return None
    doc = workspace.buffers.get(step.path)
    before = 0 if doc is None else doc.size
    workspace.apply(step)
    after = workspace.buffers[step.path].size
    inserted = sum(len(change.text) for change in step.changes)
    return EditSize(inserted, before, after, any(change.range is None for change in step.changes))
