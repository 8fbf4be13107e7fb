"""What an excluded file held, masked where the steps kept show it: a command's output (`cat notes.md`), a
test's failure text, a diagnostic, a commit message, a note.

The texts the excluded files had (opened, saved, changed on disk, set by a gap, at the end) are replayed
from their own steps; every line of them with at least `MIN_LINE` characters besides blanks is masked
wherever it appears in the free text of the steps kept, as is every part of one at least `MIN_PART`
characters long at its start or end (what a repr cut short in the middle shows), under the rule
`excluded-content`, one placeholder per text masked. Only free text: the files kept are the developer's
own, and a line they share with an excluded file (an import, a licence header) stays in them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator

from msgspec.structs import replace

from collector.reconstruct.workspace import Workspace
from collector.redact import RedactionSummary, RuleSet
from collector.redact import channels as ch
from collector.redact.buffer import placeholders_in
from collector.redact.pipeline import texts
from collector.redact.placeholders import Registry, Secret
from collector.redact.text import TextRedactor
from schemas.common import PositionEncoding
from schemas.steps import (
    AgentStep,
    CloseStep,
    CommandStep,
    DiagnosticsStep,
    EditStep,
    FileChangeStep,
    GapStep,
    GitStep,
    NoteStep,
    OpenStep,
    SaveStep,
    Step,
    TaskStep,
    TestRunStep,
)

CONTENT_RULE = "excluded-content"
MIN_LINE = 8
MIN_PART = 10
_KEY = MIN_LINE  # lines are looked up by their first and last characters


def excluded_lines(steps: Iterable[Step], encoding: PositionEncoding, paths: set[str]) -> set[str]:
    """The lines (stripped, long enough) of every text the files at `paths` had, replayed from their steps
    (ReconstructionError when those do not replay)."""
    workspace = Workspace(encoding)
    lines: set[str] = set()

    def take(path: str) -> None:
        text = workspace.text(path)
        if text:
            lines.update(line.strip() for line in text.splitlines() if len(line.strip()) >= MIN_LINE)

    for step in steps:
        mine: Step = step
        match step:
            case GapStep(state=list() as state):
                files = [file for file in state if file.path in paths]
                if not files:
                    continue
                mine, touched = replace(step, state=files), [file.path for file in files]
            case FileChangeStep(change="renamed", new_path=str() as new_path) if step.path in paths:
                touched = [new_path]
            case OpenStep() | EditStep() | SaveStep() | CloseStep() | FileChangeStep() if step.path in paths:
                touched = [step.path]
                if isinstance(step, CloseStep):
                    take(step.path)  # what the editor showed last
            case _:
                continue
        workspace.apply(mine)
        if not isinstance(step, EditStep):
            for path in touched:
                take(path)
    for path in workspace.files():
        take(path)
    return lines


class _Lines(TextRedactor):
    """A redactor that finds the given lines (no rules): whole, or a part of `MIN_PART` characters or more
    at a line's start or end, as a repr cut short shows them (`'Acquire Zeph...quarters\\n'`)."""

    def __init__(self, lines: set[str], registry: Registry) -> None:
        super().__init__(RuleSet(()), registry)
        self.heads: dict[str, list[str]] = {}
        self.tails: dict[str, list[str]] = {}
        for line in sorted(lines):
            self.heads.setdefault(line[:_KEY], []).append(line)
            self.tails.setdefault(line[-_KEY:], []).append(line)

    def find(self, text: str) -> list[tuple[int, int, Secret]]:
        found: list[tuple[int, int]] = []
        for at in range(len(text) - _KEY + 1):
            gram = text[at : at + _KEY]
            for line in self.heads.get(gram, ()):
                n = _shared(text[at : at + len(line)], line)
                if n == len(line) or n >= MIN_PART:
                    found.append((at, at + n))
            end = at + _KEY
            for line in self.tails.get(gram, ()):
                n = _shared(text[max(0, end - len(line)) : end][::-1], line[::-1])
                if n == len(line) or n >= MIN_PART:
                    found.append((end - n, end))
        spans: list[tuple[int, int]] = []
        for start, stop in sorted(found):
            if spans and start <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], stop))
            else:
                spans.append((start, stop))
        secret = self.registry.secret_for
        return [(start, stop, secret(CONTENT_RULE, text[start:stop])) for start, stop in spans]


def _shared(a: str, b: str) -> int:
    """How many characters `a` and `b` have in common at their start (found by halving, in slices)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def mask_contents(steps: Iterable[Step], lines: set[str], summary: RedactionSummary) -> Iterator[Step]:
    """`steps` with `lines` masked in their free text, then a `redaction` step per line masked;
    `summary` gets their counts (numbered after its own)."""
    if not lines:
        yield from steps
        return
    registry = Registry(summary.counts)
    redactor = _Lines(lines, registry)
    written: Counter[str] = Counter()
    last_t = 0
    for step in steps:
        last_t = step.t_ms
        out = _free_text(step, redactor)
        if out is not step:
            for text in texts(out):
                written.update(placeholders_in(text))
        yield out
    yield from registry.steps(written, last_t)
    registry.fill(summary, written)


def _free_text(step: Step, redactor: TextRedactor) -> Step:
    match step:
        case CommandStep():
            return ch.command(step, redactor)
        case TestRunStep():
            return ch.test_run(step, redactor)
        case GitStep():
            return ch.git(step, redactor)
        case DiagnosticsStep():
            return ch.diagnostics(step, redactor)
        case NoteStep():
            return ch.note(step, redactor)
        case AgentStep():
            return ch.agent(step, redactor)
        case TaskStep():
            return ch.task(step, redactor)
        case GapStep():
            return ch.gap_detail(step, redactor)
        case _:
            return step
