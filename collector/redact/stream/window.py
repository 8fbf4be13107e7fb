"""The window: recent steps held back so that a secret found now can be hidden in the steps before it.

Steps are redacted as they arrive and held, up to `size` of them. When a secret is completed by a step
(its last keystroke, or a keyword typed before a value), characters of it that earlier steps showed are
traced back, through the records of every change, to the step that inserted them; those steps are then
redacted again from the window's start with the characters marked, so the placeholder appears where the
secret began and no step shows any prefix of it. The same re-run happens when a value found now was
shown, unrecognised, by an earlier step in the window. The older half of a full window is written out;
a secret whose typing spans more than half a window (thousands of steps) can only be hidden from there on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from collector.redact.placeholders import Registry
from collector.redact.stream.buffer import Interval, Mark
from collector.redact.stream.pipeline import Record, RedactionOutcome, State, StepRedactor, texts
from schemas.steps import Step

WINDOW = 4096
MAX_RERUNS = 64  # per window half: a pathological episode costs at most this many re-runs


@dataclass
class _Entry:
    index: int
    step: Step
    out: Step | None = None
    records: list[Record] = field(default_factory=list)
    written: Counter[str] = field(default_factory=Counter)


class Window:
    def __init__(self, pipeline: StepRedactor, registry: Registry, *, size: int = WINDOW,
                 max_reruns: int = MAX_RERUNS) -> None:
        self.pipeline = pipeline
        self.registry = registry
        self.size = max(2, size)
        self.max_reruns = max_reruns
        self.entries: list[_Entry] = []
        self.marks: dict[tuple[int, int], list[Mark]] = {}
        self.start: State = pipeline.snapshot()
        self.middle: State | None = None
        self.reruns = 0
        self.occurrences: Counter[str] = Counter()  # placeholder -> times written into the steps let out
        self._count = 0
        self.last_t = 0

    def push(self, step: Step) -> Iterator[Step]:
        """Take one step; yields the steps that leave the window."""
        self.entries.append(_Entry(self._count, step))
        self._count += 1
        self.last_t = step.t_ms
        self._run(len(self.entries) - 1)
        if len(self.entries) >= self.size:
            yield from self._flush(self.size // 2)

    def close(self) -> Iterator[Step]:
        """Everything still held."""
        yield from self._flush(len(self.entries))

    def _run(self, i: int) -> None:
        half = self.size // 2
        while i < len(self.entries):
            if i == half:
                self.middle = self.pipeline.snapshot()
            entry = self.entries[i]
            known = len(self.registry.secrets)
            outcome = self.pipeline.step(entry.step, entry.index, self.marks)
            entry.out, entry.records, entry.written = outcome.step, outcome.records, outcome.written
            if not outcome.visible and (not i or len(self.registry.secrets) == known):
                i += 1  # nothing shown before is hidden now (almost every step)
                continue
            redo = [self._trace(i, outcome)] if outcome.visible else []
            if i and len(self.registry.secrets) > known:
                redo.append(self._shown_before(i, known))
            earliest = min((p for p in redo if p is not None), default=None)
            if earliest is not None and self.reruns < self.max_reruns:
                self.reruns += 1
                # from the middle when nothing before it changes, else from the start of the window
                if self.middle is not None and earliest >= half:
                    self.pipeline.restore(self.middle)
                    i = half
                else:
                    self.pipeline.restore(self.start)
                    i = 0
                continue
            i += 1

    def _trace(self, i: int, outcome: RedactionOutcome) -> int | None:
        """Mark where the visible characters were inserted; the position of the first entry given a new
        mark, None when there is none."""
        first = self.entries[0].index
        earliest: int | None = None
        for path, change, visible in outcome.visible:
            records = [(self.entries[i].index, r) for r in outcome.records if r.change <= change]
            for j in range(i - 1, -1, -1):
                records.extend((self.entries[j].index, r) for r in reversed(self.entries[j].records))
            ordered = sorted(((idx, r) for idx, r in records if r.path == path),
                             key=lambda item: (item[0], item[1].change), reverse=True)
            for secret in {s for _, _, s in visible}:
                pending = [(x, y) for x, y, s in visible if s is secret]
                for index, record in ordered:
                    if not pending:
                        break
                    pending, inserted = _back(pending, record)
                    for x, y in inserted:
                        marks = self.marks.setdefault((index, record.change), [])
                        if (x, y, secret) not in marks:
                            marks.append((x, y, secret))
                            earliest = min(index - first, earliest if earliest is not None else index)
        return earliest

    def _shown_before(self, i: int, known: int) -> int | None:
        """The first earlier step in the window that shows a value registered just now."""
        values = [s.value for s in self.registry.secrets[known:]]
        for position, entry in enumerate(self.entries[:i]):
            if entry.out is not None and any(v in t for t in texts(entry.out) for v in values):
                return position
        return None

    def _flush(self, n: int) -> Iterator[Step]:
        for entry in self.entries[:n]:
            if entry.out is not None:
                if entry.written:
                    self.occurrences.update(entry.written)
                yield entry.out
        self.entries = self.entries[n:]
        if self.entries:
            first = self.entries[0].index
            self.marks = {key: marks for key, marks in self.marks.items() if key[0] >= first}
            if self.middle is not None:
                self.start = self.middle
        self.middle = None
        self.reruns = 0


def _back(spans: list[Interval], record: Record) -> tuple[list[Interval], list[Interval]]:
    """Spans (true offsets after the record's change) before it, and the parts the change inserted
    (offsets in its text)."""
    if record.kind == "set":
        return [], spans
    if record.kind == "drop":
        return [], []
    a, end = record.a, record.a + record.inserted
    delta = record.inserted - (record.b - record.a)
    before: list[tuple[int, int]] = []
    inserted: list[tuple[int, int]] = []
    for x, y in spans:
        if x < a:
            before.append((x, min(y, a)))
        lo, hi = max(x, a), min(y, end)
        if lo < hi:
            inserted.append((lo - a, hi - a))
        if y > end:
            before.append((max(x, end) - delta, y - delta))
    return before, inserted
