"""Secret spans in a document's true text: which characters are hidden, behind which placeholder.

A character once found to belong to a secret stays hidden until it is deleted, even when later edits
break the value up (typing inside it, deleting part of it): the redacted text shows the placeholder once
per run of hidden characters. Spans are few, so they live in a plain sorted list.
"""

from __future__ import annotations

from typing import NamedTuple

from collector.redact.placeholders import Secret


class Span(NamedTuple):
    start: int
    end: int
    secret: Secret


def shifted(spans: list[Span], a: int, b: int, inserted: int) -> list[Span]:
    """The spans after `[a, b)` is replaced by `inserted` new (not hidden) characters."""
    delta = inserted - (b - a)
    out: list[Span] = []
    for span in spans:
        if span.end <= a:
            out.append(span)
        elif span.start >= b:
            out.append(Span(span.start + delta, span.end + delta, span.secret))
        else:
            if span.start < a:
                out.append(Span(span.start, a, span.secret))
            if span.end > b:
                out.append(Span(b + delta, span.end + delta, span.secret))
    return merged(out) if inserted == 0 else out


def merged(spans: list[Span]) -> list[Span]:
    """Sorted, with touching spans of one secret joined."""
    spans = sorted(spans, key=lambda s: (s.start, s.end))
    out: list[Span] = []
    for span in spans:
        if out and out[-1].secret is span.secret and span.start <= out[-1].end:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, span.end), last.secret)
        else:
            out.append(span)
    return out


def overridden(spans: list[Span], start: int, end: int, secret: Secret) -> list[Span]:
    """`[start, end)` hidden behind `secret`, replacing whatever hid those characters before."""
    out = [s for s in spans if s.end <= start or s.start >= end]
    for s in spans:
        if s.start < start < s.end:
            out.append(Span(s.start, start, s.secret))
        if s.start < end < s.end:
            out.append(Span(end, s.end, s.secret))
    out.append(Span(start, end, secret))
    return merged(out)


def added(spans: list[Span], new: list[Span]) -> list[Span]:
    """Newly inserted hidden characters (they overlap nothing existing)."""
    return merged(spans + new) if new else spans


def owners(spans: list[Span], start: int, end: int) -> tuple[set[Secret], int]:
    """The secrets hiding characters of `[start, end)` and how many of those characters are hidden."""
    secrets: set[Secret] = set()
    hidden = 0
    for s in spans:
        lo, hi = max(s.start, start), min(s.end, end)
        if lo < hi:
            secrets.add(s.secret)
            hidden += hi - lo
    return secrets, hidden


def uncovered(start: int, end: int, covers: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `[start, end)` outside every `covers` interval."""
    out: list[tuple[int, int]] = []
    at = start
    for lo, hi in sorted(covers):
        if hi <= at or lo >= end:
            continue
        if lo > at:
            out.append((at, lo))
        at = max(at, hi)
    if at < end:
        out.append((at, end))
    return out


def to_redacted(spans: list[Span], offset: int) -> int:
    """The offset in the redacted text of a true-text offset outside every span (or at its edge)."""
    shift = 0
    for s in spans:
        if s.end <= offset:
            shift += (s.end - s.start) - len(s.secret.placeholder)
        elif s.start < offset:
            return s.start - shift + len(s.secret.placeholder)  # inside: after the placeholder
        else:
            break
    return offset - shift


def collapsed(text: str, base: int, spans: list[Span]) -> str:
    """`text` (which starts at true offset `base`) with every span in it replaced by its placeholder."""
    out: list[str] = []
    at = 0
    for s in spans:
        lo, hi = s.start - base, s.end - base
        if hi <= 0 or lo >= len(text):
            continue
        lo, hi = max(lo, 0), min(hi, len(text))
        out.append(text[at:lo])
        out.append(s.secret.placeholder)
        at = hi
    out.append(text[at:])
    return "".join(out)
