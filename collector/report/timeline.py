"""The episode's activity over time, in bins: what the report's timeline chart draws.

Steps arrive in time order and the episode's length is known only at the end, so `Timeline` counts
into fine bins whose width doubles (merging neighbours) whenever there would be more than `FINE_BINS`;
`Timeline.view` then folds them into the few bins the chart draws. Memory stays bounded whatever the
episode's length or step count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import assert_never

from collector.replay.describe import clock, describe, test_failed
from collector.replay.state import EditSize
from collector.text.oneline import one_line
from schemas import steps as kinds

FINE_BINS = 4096
VIEW_BINS = 160
LABELS = 4  # descriptions a bin keeps for its tooltip
MAX_GAPS = 500
LABEL_LIMIT = 70


@dataclass
class Bin:
    """What happened in one slice of the episode's time."""

    first_step: int = -1  # index of the bin's first step; -1: no step
    edits: int = 0
    inserted: int = 0
    deleted: int = 0
    saves: int = 0
    files: int = 0  # opens, closes and changes on disk
    errors: int | None = None  # most errors outstanding after a diagnostics step here; None: no such step
    warnings: int | None = None
    end_errors: int = 0  # outstanding after the bin's last diagnostics step
    end_warnings: int = 0
    tests_passed: int = 0  # runs without a failure
    tests_failed: int = 0
    commands_ok: int = 0
    commands_failed: int = 0
    commands_other: int = 0  # exit code unknown
    git: int = 0
    notes: int = 0  # notes and task markers
    gaps: int = 0
    labels: list[str] = field(default_factory=list)
    more_labels: int = 0

    @property
    def tests(self) -> int:
        return self.tests_passed + self.tests_failed

    @property
    def commands(self) -> int:
        return self.commands_ok + self.commands_failed + self.commands_other

    def label(self, text: str) -> None:
        if len(self.labels) < LABELS:
            self.labels.append(text)
        else:
            self.more_labels += 1

    def merge(self, later: Bin) -> None:
        """Add the counts of `later`, a bin that follows this one in time."""
        if self.first_step < 0:
            self.first_step = later.first_step
        for name in ("edits", "inserted", "deleted", "saves", "files", "tests_passed", "tests_failed",
                     "commands_ok", "commands_failed", "commands_other", "git", "notes", "gaps"):
            setattr(self, name, getattr(self, name) + getattr(later, name))
        if later.errors is not None and later.warnings is not None:
            self.errors = later.errors if self.errors is None else max(self.errors, later.errors)
            self.warnings = later.warnings if self.warnings is None else max(self.warnings, later.warnings)
            self.end_errors, self.end_warnings = later.end_errors, later.end_warnings
        for text in later.labels:
            self.label(text)
        self.more_labels += later.more_labels


@dataclass(frozen=True)
class Gap:
    """A hole in the recording: from `t_ms` to `until_ms` (None: the length is not known)."""

    t_ms: int
    until_ms: int | None
    reason: str


@dataclass
class TimelineView:
    """The chart's bins over [0, span_ms), each `span_ms / len(bins)` long as drawn.

    A bin holds whole fine bins of `fine_ms` (fine bin `key` goes to bin `key * fine_ms * len(bins) //
    span_ms`), so the times it really holds are `window(slot)`, which is what a click must select.
    """

    span_ms: int
    bins: list[Bin]
    gaps: list[Gap]
    gaps_total: int
    fine_ms: int = 1

    @property
    def bin_ms(self) -> float:
        return self.span_ms / len(self.bins)

    def window(self, slot: int) -> tuple[int, int]:
        """[start, end) in ms of the steps counted in bin `slot`: the fine bins folded into it."""
        def edge(n: int) -> int:  # the start of the first fine bin folded into bin n
            per = self.fine_ms * len(self.bins)
            return -(-n * self.span_ms // per) * self.fine_ms

        end = edge(slot + 1) if slot + 1 < len(self.bins) else max(edge(len(self.bins)), self.span_ms)
        return edge(slot), end


class DiagnosticCounts:
    """Errors and warnings outstanding across the workspace, per file and origin as last published."""

    def __init__(self) -> None:
        self._by_source: dict[tuple[str, str], tuple[int, int]] = {}
        self.errors = 0
        self.warnings = 0

    def apply(self, step: kinds.DiagnosticsStep) -> tuple[int, int]:
        key = (step.path, step.origin)
        old_errors, old_warnings = self._by_source.pop(key, (0, 0))
        errors = sum(1 for item in step.items if item.severity == 1)
        warnings = sum(1 for item in step.items if item.severity == 2)
        if errors or warnings:
            self._by_source[key] = (errors, warnings)
        self.errors += errors - old_errors
        self.warnings += warnings - old_warnings
        return self.errors, self.warnings


class Timeline:
    def __init__(self) -> None:
        self.width = 1  # ms per fine bin, a power of two
        self._bins: dict[int, Bin] = {}
        self._diagnostics = DiagnosticCounts()
        self.end_ms = 0
        self.gaps: list[Gap] = []
        self.gaps_total = 0

    def _bin(self, t_ms: int, index: int) -> Bin:
        key = t_ms // self.width
        found = self._bins.get(key)
        if found is not None:
            return found
        if len(self._bins) >= FINE_BINS:
            self._coarsen()
            return self._bin(t_ms, index)
        made = self._bins[key] = Bin(first_step=index)
        return made

    def _coarsen(self) -> None:
        merged: dict[int, Bin] = {}
        for key in sorted(self._bins):
            target = merged.get(key // 2)
            if target is None:
                merged[key // 2] = self._bins[key]
            else:
                target.merge(self._bins[key])
        self._bins = merged
        self.width *= 2

    def add(self, index: int, step: kinds.Step, size: EditSize | None = None) -> None:
        """Count step `index`; `size` says how an edit changed its document."""
        self.end_ms = max(self.end_ms, step.t_ms)
        where = self._bin(step.t_ms, index)
        match step:
            case kinds.EditStep():
                where.edits += 1
                if size is not None:
                    where.inserted += size.inserted
                    where.deleted += size.deleted
            case kinds.SaveStep():
                where.saves += 1
            case kinds.OpenStep() | kinds.CloseStep() | kinds.FileChangeStep():
                where.files += 1
            case kinds.DiagnosticsStep():
                errors, warnings = self._diagnostics.apply(step)
                where.errors = errors if where.errors is None else max(where.errors, errors)
                where.warnings = warnings if where.warnings is None else max(where.warnings, warnings)
                where.end_errors, where.end_warnings = errors, warnings
            case kinds.TestRunStep():
                if test_failed(step):
                    where.tests_failed += 1
                else:
                    where.tests_passed += 1
                where.label(f"tests: {describe(step)}")
            case kinds.CommandStep():
                if step.exit_code is None:
                    where.commands_other += 1
                elif step.exit_code == 0:
                    where.commands_ok += 1
                else:
                    where.commands_failed += 1
                where.label(f"command {describe(step)}")
            case kinds.GitStep():
                where.git += 1
                where.label(f"git {one_line(describe(step), LABEL_LIMIT)}")
            case kinds.NoteStep() | kinds.TaskStep():
                where.notes += 1
                where.label(f"{step.kind}: {one_line(describe(step), LABEL_LIMIT)}")
            case kinds.GapStep():
                where.gaps += 1
                where.label(f"gap: {one_line(describe(step), LABEL_LIMIT)}")
                self._gap(step)
            # not on the timeline
            case kinds.CursorStep() | kinds.RedactionStep() | kinds.AgentStep() | kinds.OfferStep():
                pass
            case _:
                assert_never(step)

    def _gap(self, step: kinds.GapStep) -> None:
        self.gaps_total += 1
        if step.until_ms is not None:
            self.end_ms = max(self.end_ms, step.until_ms)
        if len(self.gaps) < MAX_GAPS:
            self.gaps.append(Gap(step.t_ms, step.until_ms, step.reason.replace("_", " ")))

    @property
    def diagnostics(self) -> DiagnosticCounts:
        return self._diagnostics

    def view(self, count: int = VIEW_BINS) -> TimelineView:
        """The activity folded into `count` equal bins over the episode's time."""
        span = max(self.end_ms + 1, 1)
        bins = [Bin() for _ in range(count)]
        for key in sorted(self._bins):
            slot = min(key * self.width * count // span, count - 1)
            bins[slot].merge(self._bins[key])
        return TimelineView(span, bins, list(self.gaps), self.gaps_total, self.width)


def span_label(view: TimelineView, slot: int) -> str:
    """`0:01:20–0:01:40`: the time a view's bin covers."""
    start, end = view.window(slot)
    return f"{clock(start)}–{clock(end)}"
