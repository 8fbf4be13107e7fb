"""`zeta`: next-edit prediction examples as in Zed's public `zeta` dataset, one JSON line per settled edit
burst (edits/base/bursts.py) whose caret is known (docs/exports.md says what each field holds).

`ZetaExporter` follows the replay's items (follow.py): `History` keeps the bursts before as Zed's edit
events (newest first while they fit EVENT_TOKENS, none from before a gap), excerpt.py marks up the text
around the caret before and after the burst, and the diagnostics and saves after it fill `codetape`. A
burst with no known caret gives no example; an example whose events, input or output would hold a
redaction placeholder (`«redacted:RULE:N»`) is left out, never cut around it; both are counted by reason.
"""

from __future__ import annotations

import json
from collections import Counter, deque
from dataclasses import dataclass, field
from typing import Any

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Allowance, Writes
from collector.export.edits.base.bursts import Burst, Item, Single
from collector.export.edits.excerpt import Excerpt, excerpt, tokens
from collector.export.follow import Items
from collector.export.per_episode import Following
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from schemas.contract import Contract, fields
from schemas.steps import DiagnosticsStep, GapStep, SaveStep

EVENT_TOKENS = 500  # Zed's MAX_EVENT_TOKENS
KEPT_TEXT = 64 << 10  # characters of a file's text zeta2's history keeps for each event; larger: the first
MAX_MESSAGES = 20
PLACEHOLDER = "redaction placeholder"

CONTRACTS = {"zeta": Contract(
    "a next-edit example per settled edit burst whose caret is known, as Zed's zeta dataset",
    (*fields(("edits", "files"),
             ("events", "string", "the bursts before, as Zed's edit events (unified diffs, newest first)",
              "file_text"),
             ("input", "string", "the text around the caret before the burst, Zed's markup", "file_text"),
             ("output", "string", "that text after the burst: what to predict", "file_text")),
     *fields(("edits", "diagnostics", "build"),
             ("codetape", "object", "episode_id, path, first_step, last_step, start_ms and end_ms (re-timed "
              "in an unlinkable episode), split, caret_from, saved, errors, warnings, error_messages (the "
              "diagnostics after the burst)", "time"))))}


class ZetaExporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Examples:
        return Examples(out, episode, self.result.skipped, self.result.splits[str(episode.header.episode_id)],
                        allowance)


class Examples(Items):
    """An example per burst, written once the next burst begins or the episode ends."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str,
                 allowance: Allowance) -> None:
        super().__init__(episode.header.position_encoding, allowance.diffs)
        self.out, self.skipped, self.split = out, skipped, split
        self.episode_id, self.encoding = str(episode.header.episode_id), episode.header.position_encoding
        self.history, self.examples = History(), 0
        self.pending: Pending | None = None

    def item(self, item: Item, workspace: Workspace) -> None:
        if isinstance(item, Single):
            if self.pending is not None:
                self.pending.see(item)
            if isinstance(item.step, GapStep):  # a hole, or a resync: the edits before are not the path
                self.history.clear()
            return
        self._write()
        made = excerpt(item, self.encoding)
        events = self.history.text()
        if isinstance(made, str):
            self.skipped[f"bursts with {made}"] += 1
        elif any(PLACEHOLDER_RE.search(text) for text in (events, made.input, made.output)):
            self.skipped[f"examples with a {PLACEHOLDER}"] += 1
        else:
            self.pending = Pending(self.episode_id, self.split, item, events, made)
        self.history.add(item)

    def end(self, workspace: Workspace) -> int:
        self._write()
        return self.examples

    def _write(self) -> None:
        if self.pending is not None:
            self.out.write(json_line(self.pending.example()))
            self.examples, self.pending = self.examples + 1, None


@dataclass
class Pending:
    """An example written once the next burst begins (or the episode ends): what became of its file until
    then (saved, diagnostics) goes into its metadata."""

    episode_id: str
    split: str
    burst: Burst
    events: str
    made: Excerpt
    saved: bool = False
    reports: dict[str, DiagnosticsStep] = field(default_factory=dict)  # the latest per server

    def see(self, item: Single) -> None:
        step = item.step
        if isinstance(step, SaveStep) and step.path == self.burst.path:
            self.saved = True
        elif isinstance(step, DiagnosticsStep) and step.path == self.burst.path and \
                step.t_ms >= self.burst.start_ms:
            self.reports[step.origin] = step

    def example(self) -> dict[str, object]:
        burst = self.burst
        found = [d for report in self.reports.values() for d in report.items]
        errors = [d for d in found if (d.severity or 1) == 1]
        meta: dict[str, Any] = {
            "episode_id": self.episode_id, "path": burst.path, "first_step": burst.first,
            "last_step": burst.last, "start_ms": burst.start_ms, "end_ms": burst.end_ms, "split": self.split,
            "caret_from": burst.caret_from, "saved": self.saved,
            "errors": len(errors) if self.reports else -1,
            "warnings": sum(d.severity == 2 for d in found) if self.reports else -1,
            "error_messages": "".join(f"{d.range.start.line + 1}:{d.range.start.character + 1}: "
                                      f"{' '.join(d.message.splitlines())}\n" for d in errors[:MAX_MESSAGES])}
        return {"events": self.events, "input": self.made.input, "output": self.made.output, "codetape": meta}


class History:
    """The last bursts as Zed's edit events, as many of the newest as fit EVENT_TOKENS: as zeta's prompt
    writes them, or (`headers`) as plain unified diffs with their ---/+++ lines (zeta2's edit_history, which
    also keeps the text each event's file had before it, for `starts`; of a file over KEPT_TEXT characters
    only its first event's, and the history is cleared when that event goes)."""

    def __init__(self, *, headers: bool = False) -> None:
        self._events: deque[tuple[str, int, str, str | None]] = deque()  # event, cost, path, text before
        self._tokens = 0
        self._headers = headers
        self._joint = "" if headers else "\n\n"

    def add(self, burst: Burst) -> None:
        hunks = burst.diff(headers=self._headers)
        if not hunks:
            return
        event = hunks if self._headers else \
            f"User edited {json.dumps(burst.path, ensure_ascii=False)}:\n```diff\n{hunks}\n```"
        cost = tokens(event)
        if cost > EVENT_TOKENS:  # Zed stops at the first event that does not fit: none before it counts
            self.clear()
            return
        before = burst.before if self._headers else None
        if before is not None and len(before) > KEPT_TEXT and \
                any(path == burst.path for *_, path, _text in self._events):
            before = None  # a large file's text is kept for its first event only (see `starts`)
        self._events.append((event, cost, burst.path, before))
        self._tokens += cost
        while self._tokens > EVENT_TOKENS:
            _event, cost, path, before = self._events.popleft()
            self._tokens -= cost
            if before is not None and any(later == path and text is None for *_, later, text in self._events):
                self.clear()  # the next event of that file kept no text: no start known for it

    def text(self) -> str:
        return self._joint.join(event for event, *_ in self._events)

    def starts(self) -> dict[str, str]:
        """(`headers` only) Each file the events edit: its text just before the first of them."""
        first: dict[str, str] = {}
        for _event, _cost, path, before in self._events:
            if before is not None:
                first.setdefault(path, before)
        return first

    def clear(self) -> None:
        self._events.clear()
        self._tokens = 0
