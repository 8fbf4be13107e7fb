"""One editor buffer kept twice while redacting: its true text, and the redacted text readers will see.

Every incoming change is applied to the true text; the region around it is scanned; the change that goes
into the episode is whatever turns the old redacted text into the new one, trimmed to what differs. With
nothing hidden the two texts are one `Document` and a change passes through untouched. Characters the
window marks as belonging to a secret completed later (a secret typed one keystroke at a time) are hidden
as they arrive, so no step ever shows the value or any prefix of it.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from collector.redact.placeholders import PLACEHOLDER_RE, Secret
from collector.redact.scanning.ruleset import Reach
from collector.redact.scanning.scanner import Finding
from collector.redact.stream import spans as sp
from collector.redact.stream.lineindex import LineIndex
from collector.redact.stream.spans import Span
from collector.redact.stream.text import TextRedactor
from collector.text.document import Document
from schemas.common import PositionEncoding
from schemas.steps import ContentChange
from schemas.steps.base import Position, Range

Interval = tuple[int, int]
Mark = tuple[int, int, Secret]  # characters [x, y) of an inserted or set text belong to a secret
RELEASE = 4  # characters of a secret's stray piece that may be shown (see `_released`)
PEM_REACH = 2000  # lines a scan reaches back for the start of a private key whose end was just written


@dataclass
class Changed:
    """What one incoming change became: the changes to write (none when `same`: the incoming change is
    written as it is), where it applied in the true text (`[a, b)` replaced), and characters that were
    already visible in earlier steps but belong to a secret found now (true offsets after the change,
    with that secret)."""

    changes: list[ContentChange]
    a: int = 0
    b: int = 0
    visible: list[Mark] = field(default_factory=list)
    same: bool = False  # the incoming change passes through as it is (`changes` is empty)
    written: Counter[str] = field(default_factory=Counter)  # placeholders this change wrote


class Buffer:
    __slots__ = ("d", "di", "encoding", "redactor", "spans", "t", "ti")

    def __init__(self, text: str, encoding: PositionEncoding, redactor: TextRedactor,
                 marks: Sequence[Mark] = ()) -> None:
        self.encoding: PositionEncoding = encoding
        self.redactor = redactor
        self.t = Document(text, encoding)
        self.ti = LineIndex(self.t)
        self.spans: list[Span] = []
        self.d, self.di = self.t, self.ti
        found = [Span(s, e, secret) for s, e, secret in redactor.find(text)]
        marked = [Span(x, y, secret) for x, y, secret in marks]
        for span in marked + found:
            self.spans = sp.overridden(self.spans, span.start, span.end, span.secret)
        if self.spans:
            self._split()

    # -- reading -------------------------------------------------------------------------------------------

    @property
    def hidden(self) -> bool:
        return bool(self.spans)

    def true_text(self) -> str:
        return self.t.text

    def redacted_text(self) -> str:
        return self.d.text

    def fragments(self) -> list[tuple[str, Secret]]:
        """The true text of every span: what secrets left in this buffer."""
        return [(self.ti.slice(s.start, s.end), s.secret) for s in self.spans]

    def copy(self) -> Buffer:
        new = Buffer.__new__(Buffer)
        new.encoding, new.redactor, new.spans = self.encoding, self.redactor, list(self.spans)
        new.t = _copy(self.t)
        new.ti = LineIndex(new.t)
        if self.d is self.t:
            new.d, new.di = new.t, new.ti
        else:
            new.d = _copy(self.d)
            new.di = LineIndex(new.d)
        return new

    def map_range(self, range_: Range) -> Range:
        """A range in the true text as a range in the redacted text (inside a secret: its placeholder)."""
        if not self.spans:
            return range_
        start = self.ti.offset(range_.start.line, range_.start.character)
        end = self.ti.offset(range_.end.line, range_.end.character)
        return Range(start=self._redacted_position(start, before=True),
                     end=self._redacted_position(end, before=False))

    def _redacted_position(self, offset: int, *, before: bool) -> Position:
        for s in self.spans:
            if s.start < offset < s.end:
                offset = s.start if before else s.end
                break
        return self.di.position(sp.to_redacted(self.spans, offset))

    # -- changing ------------------------------------------------------------------------------------------

    def change(self, range_: Range | None, text: str, marks: Sequence[Mark] = ()) -> Changed:
        """Apply one incoming change; what to write instead."""
        if range_ is None:
            size = self.t.size
            new = self.reset(text, marks)
            return Changed([ContentChange(text=new)], 0, size, written=placeholders_in(new))
        ti = self.ti
        start, stop = range_.start, range_.end
        one_line = stop.line == start.line
        a = ti.offset(start.line, start.character)
        b = a if one_line and stop.character == start.character else ti.offset(stop.line, stop.character)
        if b < a:
            a, b = b, a
        first_line = ti.line_of(a)
        # within one line, inserting no line break: the change ends on the line it starts on
        last_line = first_line if one_line and "\n" not in text and "\r" not in text else None
        shared = self.d is self.t
        deleted = ti.slice(a, b) if shared else ""
        old = self.spans
        self.t.apply(range_, text)
        ti.invalidate(first_line - 1)
        end = a + len(text)
        base, region = self._region(a, end, first_line, last_line)
        scanned = self.redactor.scan_allowing(region, changed=(a - base, end - base))
        if shared and not marks and not scanned[0] and not scanned[1]:
            # nothing hidden, nothing marked, nothing found: the change passes through (the common case)
            return Changed([], a, b, same=True)
        spans = sp.shifted(old, a, b, len(text))
        spans = sp.added(spans, [Span(a + x, a + y, secret) for x, y, secret in marks])
        spans, visible, touched = self._found(spans, a, end, base, scanned)
        spans = self._released(spans, touched)
        if shared and not spans:
            return Changed([], a, b, same=True)
        if shared:
            before = self.t.text
            self.d = Document(before[:a] + deleted + before[end:], self.encoding)
            self.di = LineIndex(self.d)
        self.spans = spans
        written: Counter[str] = Counter()
        out = self._rewrite(old, a, b, end, touched, written)
        if not self.spans:
            self.d, self.di = self.t, self.ti
        return Changed(out, a, b, visible, written=written)

    def reset(self, text: str, marks: Sequence[Mark] = ()) -> str:
        """The whole text replaced (a save with text, a gap's state); returns the redacted text.

        The same text as before keeps what is hidden; a different one is scanned afresh, and what secrets
        had left in the old text stays hidden wherever it still appears."""
        if text == self.t.text and not marks:
            return self.d.text
        leftovers = self.fragments()
        fresh = Buffer(text, self.encoding, self.redactor, marks)
        spans = fresh.spans
        for fragment, secret in leftovers:
            if len(fragment) < 4:
                continue
            at = text.find(fragment)
            while at != -1:
                if not sp.owners(spans, at, at + len(fragment))[1] and not self.redactor.keeps(
                        text, at, at + len(fragment)):
                    spans = sp.overridden(spans, at, at + len(fragment), secret)
                at = text.find(fragment, at + len(fragment))
        self.t, self.ti, self.spans = fresh.t, fresh.ti, spans
        self.d, self.di = self.t, self.ti
        if spans:
            self._split()
        return self.d.text

    def _split(self) -> None:
        self.d = Document(sp.collapsed(self.t.text, 0, self.spans), self.encoding)
        self.di = LineIndex(self.d)

    def _found(self, spans: list[Span], a: int, end: int, base: int,
               scanned: tuple[list[Finding], list[Finding]]) -> tuple[list[Span], list[Mark], list[Interval]]:
        """What the scan around the change (its region starts at true offset `base`) found: the spans with
        it, characters already shown that are now hidden, and the true ranges whose hiding changed."""
        visible: list[Mark] = []
        touched: list[tuple[int, int]] = []
        registry = self.redactor.registry
        found, allowed = scanned
        if allowed:
            spans = self._allowed(spans, base, allowed, touched)
        for f in found:
            fs, fe = base + f.start, base + f.end
            secrets, hidden = sp.owners(spans, fs, fe)
            known = self.redactor.known(f)
            if hidden == fe - fs and len(secrets) == 1:
                (only,) = secrets
                if known is None or known is only:
                    if known is None and not registry.grow(only, f.value):
                        registry.alias(f.value, only)
                    continue
            secret = None
            if known is None and len(secrets) == 1:
                (only,) = secrets
                if only.rule == f.rule and registry.grow(only, f.value):
                    secret = only
            if secret is None:
                secret = self.redactor.secret(f, growable=True)
            shown = sp.uncovered(fs, fe, [(s.start, s.end) for s in spans] + [(a, end)])
            if sum(y - x for x, y in shown) > RELEASE:  # a few characters already shown may stay shown
                visible.extend((x, y, secret) for x, y in shown)
            spans = sp.overridden(spans, fs, fe, secret)
            touched.append((fs, fe))
        return spans, visible, touched

    def _allowed(self, spans: list[Span], base: int, allowed: list[Finding],
                 touched: list[Interval]) -> list[Span]:
        """Spans inside a value the allow-list let through, hiding what was found of it while it was typed
        (a prefix found as a password before its last keystrokes), are shown again."""
        kept: list[Span] = []
        for span in spans:
            inside = [f for f in allowed if base + f.start <= span.start and span.end <= base + f.end]
            if inside and span.secret.growable and any(span.secret.value in f.value for f in inside):
                touched.append((span.start, span.end))
            else:
                kept.append(span)
        return kept

    def _released(self, spans: list[Span], touched: list[Interval]) -> list[Span]:
        """Spans cut off from their secret's main run and only a few characters long are shown again:
        the text a token was run together with while it was typed (`abc` in `tok = 'ghp_…'abc` before the
        closing quote was typed). Never more than RELEASE characters of a secret."""
        runs: dict[Secret, list[Span]] = {}
        for span in spans:
            runs.setdefault(span.secret, []).append(span)
        cut: set[Span] = set()
        for secret, pieces in runs.items():
            if len(pieces) > 1 and not secret.fixed:  # a local name is hidden wherever it stands
                main = max(pieces, key=lambda s: s.end - s.start)
                cut.update(p for p in pieces if p is not main and p.end - p.start <= RELEASE)
        if not cut:
            return spans
        touched.extend((s.start, s.end) for s in cut)
        return [s for s in spans if s not in cut]

    def _region(self, a: int, end: int, line: int | None = None,
                last_line: int | None = None) -> tuple[int, str]:
        """The true text around `[a, end)`: its lines and one more on either side (further back to the
        start of a private key whose end is in view). `line` and `last_line`: the lines of `a` and `end`,
        when known."""
        ti, lines = self.ti, self.t.lines
        edited = ti.line_of(a) if line is None else line
        first = max(0, edited - 1)
        last = min(len(lines) - 1, (ti.line_of(end) if last_line is None else last_line) + 1)
        if first > 0 and (reach := self.redactor.rules.reach):  # rules whose match starts further up
            first = _reached_up(lines, edited, first, reach)
        text = "".join(lines[first : last + 1])
        if "-----END" in text and "-----BEGIN" not in text.split("-----END", 1)[0]:
            for line in range(first - 1, max(-1, first - PEM_REACH), -1):
                if "-----BEGIN" in lines[line]:
                    text = "".join(lines[line:first]) + text
                    first = line
                    break
        return ti.start(first), text

    def _rewrite(self, old: list[Span], a: int, b: int, end: int, touched: list[Interval],
                 written: Counter[str]) -> list[ContentChange]:
        """The change that turns the old redacted text into the new one, trimmed to what differs;
        counts the placeholders it writes into `written`."""
        delta = end - b
        qa, qb = a, end
        for lo, hi in touched:
            qa, qb = min(qa, lo), max(qb, hi)
        while True:
            for s in self.spans:
                if s.start < qb and s.end > qa:
                    qa, qb = min(qa, s.start), max(qb, s.end)
            pa, pb = qa, qb - delta
            for s in old:
                if s.start < pb and s.end > pa:
                    pa, pb = min(pa, s.start), max(pb, s.end)
            if (pa, pb + delta) == (qa, qb):
                break
            qa, qb = pa, pb + delta
        da, db = sp.to_redacted(old, pa), sp.to_redacted(old, pb)
        before = self.di.slice(da, db)
        after = sp.collapsed(self.ti.slice(qa, qb), qa, self.spans)
        for secret in {s.secret for s in self.spans if s.start < qb and s.end > qa}:
            more = after.count(secret.placeholder) - before.count(secret.placeholder)
            if more > 0:
                written[secret.placeholder] += more
        head = _common_prefix(before, after)
        tail = _common_suffix(before[head:], after[head:])
        if head == len(before) and head == len(after):
            return []
        start, stop = da + head, db - tail
        range_ = Range(start=self.di.position(start), end=self.di.position(stop))
        text = after[head : len(after) - tail]
        line = range_.start.line
        self.d.apply(range_, text)
        self.di.invalidate(line - 1)
        return [ContentChange(range=range_, text=text)]


def _reached_up(lines: Sequence[str], edited: int, first: int, reach: tuple[Reach, ...]) -> int:
    """The first line of the scan around line `edited`, moved up from `first` to the earliest line above
    it where a rule of `reach` begins a match that can reach `edited`."""
    top = max(0, edited - max(rule.lines for rule in reach))
    if top >= first:
        return first
    above = "".join(lines[top:first])
    lowered = ""
    starts: list[int] | None = None
    for rule in reach:
        if rule.fold and not lowered:
            lowered = above.lower()
        haystack = lowered if rule.fold else above
        if not any(anchor in haystack for anchor in rule.anchors):
            continue
        if starts is None:
            starts = list(itertools.accumulate(map(len, lines[top:first]), initial=0))
        from_line = max(top, edited - rule.lines)
        if from_line < first and (found := rule.begins.search(above, starts[from_line - top])):
            first = min(first, top + bisect.bisect_right(starts, found.start()) - 1)
    return first


def placeholders_in(text: str) -> Counter[str]:
    """The placeholders a text holds, counted."""
    return Counter(m.group() for m in PLACEHOLDER_RE.finditer(text)) if "«" in text else Counter()


def _copy(doc: Document) -> Document:
    new = Document.__new__(Document)
    new.encoding, new.lines, new.size = doc.encoding, list(doc.lines), doc.size
    return new


def _common_prefix(x: str, y: str) -> int:
    n = min(len(x), len(y))
    i = 0
    while i < n and x[i] == y[i]:
        i += 1
    if i and x[i - 1] == "\r":  # never split a CRLF line break
        i -= 1
    return i


def _common_suffix(x: str, y: str) -> int:
    n = min(len(x), len(y))
    i = 0
    while i < n and x[-1 - i] == y[-1 - i]:
        i += 1
    if i and x[len(x) - i] == "\n" and len(x) > i and x[len(x) - i - 1] == "\r":
        i -= 1
    return i
