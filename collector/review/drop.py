"""Dropping time ranges: the steps of each range give way to one `gap` step that jumps to their outcome.

The gap (reason `dropped_by_review`) holds the full text, as reconstructed at the end of the range, of
every file whose content the range changed (None for a file it deleted), and of every file it left open
in the editor, so edits after the range still apply. A gap's state opens what it sets; files the range
closed are closed again right after it, at the same time, so a later change on disk shows as it did.
`redaction` steps are kept (they carry no content) and follow the gap.

What a gap cannot say is left as the reconstruction rules make it: a file that is open at the end of the
range with unsaved changes gets that text on disk as well, and a file the range turned into one recorded
without content (binary, too large) is gone.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from collector.reconstruct.workspace import Workspace
from schemas.common import PositionEncoding
from schemas.steps import CloseStep, FileState, GapStep, RedactionStep, Step

SOURCE = "review"


@dataclass
class Dropped:
    """One range as it was applied: how many steps it held."""

    start_ms: int
    end_ms: int
    steps: int = 0


@dataclass
class _Before:
    files: dict[str, str]
    disk: dict[str, str]
    buffers: set[str]


@dataclass
class _Open:
    """A range being dropped: the state before it, when its steps happened, what it holds back."""

    before: _Before
    first_t: int
    last_t: int = 0
    count: int = 0
    held: list[Step] = field(default_factory=list)


def drop_ranges(steps: Iterable[Step], encoding: PositionEncoding, ranges: list[tuple[int, int]],
                report: list[Dropped] | None = None) -> Iterator[Step]:
    """`steps` with every step at a time inside one of `ranges` (sorted, disjoint) replaced by a gap;
    `report` (when given) gets one entry per range, filled in as the steps go by."""
    entries = [Dropped(start, end) for start, end in ranges]
    if report is not None:
        report.extend(entries)
    workspace = Workspace(encoding)
    at = 0
    current: _Open | None = None
    for step in steps:
        while at < len(entries) and step.t_ms > entries[at].end_ms:
            if current is not None:
                yield from _close(current, workspace, entries[at])
                current = None
            at += 1
        if at == len(entries) or step.t_ms < entries[at].start_ms:
            yield step
            workspace.apply(step)
            continue
        if current is None:
            current = _Open(_before(workspace), step.t_ms)
        current.last_t = step.t_ms
        if isinstance(step, RedactionStep):
            current.held.append(step)
            continue
        workspace.apply(step)
        current.count += 1
    if current is not None:
        yield from _close(current, workspace, entries[at])


def _before(workspace: Workspace) -> _Before:
    return _Before(workspace.files(), dict(workspace.disk), set(workspace.buffers))


def _close(current: _Open, workspace: Workspace, done: Dropped) -> Iterator[Step]:
    """The gap for a range that just ended, the closes it needs, and the steps it held back."""
    done.steps = current.count
    if current.count:
        before, t_ms = current.before, current.first_t
        after, disk, buffers = workspace.files(), workspace.disk, set(workspace.buffers)
        paths = {path for path in before.files.keys() | after.keys()
                 if before.files.get(path) != after.get(path)}
        paths |= {path for path in before.disk.keys() | disk.keys()
                  if before.disk.get(path) != disk.get(path)}
        paths |= buffers - before.buffers
        state = [FileState(path=path, text=after.get(path)) for path in sorted(paths)]
        gap = GapStep(t_ms=t_ms, source=SOURCE, reason="dropped_by_review",
                      detail=f"{current.count} step{'s' * (current.count != 1)} dropped in review",
                      until_ms=current.last_t, lost_steps=current.count, state=state or None)
        yield gap
        workspace.apply(gap)
        opened = (before.buffers | {file.path for file in state if file.text is not None}) - {
            file.path for file in state if file.text is None}
        for path in sorted(opened - buffers):
            close = CloseStep(t_ms=t_ms, source=SOURCE, path=path)
            yield close
            workspace.apply(close)
    yield from current.held
