"""`zeta`: next-edit prediction examples as in Zed's public `zeta` dataset, `<episode id>.zeta.jsonl`.

One JSON line per settled edit burst (bursts.py):
- `events`: the developer's recent edits before the burst, oldest first, each as Zed writes an edit
  event: `User edited "PATH":` and a ```` ```diff ```` block with the unified diff's hunks; events are
  joined by a blank line. At most `MAX_EVENTS` bursts back and `MAX_EVENT_CHARS` characters (the
  oldest go first), and none from before a `gap` (a hole in the recording, or a resync: the edits
  before it do not lead to the text after it);
- `input`: the excerpt around the caret before the burst, with the editable-region and cursor markers
  (excerpt.py); `output`: the same excerpt after the burst;
- `codetape`: where it comes from: episode id, path, the `codetape cat` indexes of the burst's first
  and last edit, and its time range in ms.

An example whose events, input or output would hold a redaction placeholder (`«redacted:RULE:N»`) is
left out, never cut around the placeholder; left-out examples are counted by reason in the result.
"""

from __future__ import annotations

import json
from collections import deque

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Allowance, Writes
from collector.export.bursts import Burst, grouped
from collector.export.excerpt import Excerpt, excerpt
from collector.export.per_episode import PerEpisode
from collector.reconstruct.workspace import Workspace
from collector.redact.placeholders import PLACEHOLDER_RE
from schemas.steps import GapStep

MAX_EVENTS = 8
MAX_EVENT_CHARS = 8000
PLACEHOLDER = "redaction placeholder"


class ZetaExporter(PerEpisode):

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        header, skipped = episode.header, self.result.skipped
        history, examples = History(), 0
        workspace = Workspace(header.position_encoding, limit=episode.limits.files)
        for item in grouped(episode.steps(), workspace, work=allowance.diffs):
            if not isinstance(item, Burst):
                if isinstance(item.step, GapStep):  # a hole, or a resync: the edits before are not the path
                    history.clear()
                continue
            made = excerpt(item, header.position_encoding)
            events = history.text()
            if isinstance(made, str):
                skipped[f"bursts with {made}"] += 1
            elif any(PLACEHOLDER_RE.search(text) for text in (events, made.input, made.output)):
                skipped[f"examples with a {PLACEHOLDER}"] += 1
            else:
                out.write(json_line(example(str(header.episode_id), item, events, made)))
                examples += 1
            history.add(item)
        return examples


def example(episode_id: str, burst: Burst, events: str, made: Excerpt) -> dict[str, object]:
    return {"events": events, "input": made.input, "output": made.output,
            "codetape": {"episode_id": episode_id, "path": burst.path, "first_step": burst.first,
                         "last_step": burst.last, "start_ms": burst.start_ms, "end_ms": burst.end_ms}}


class History:
    """The last bursts as Zed's edit events, within MAX_EVENTS and MAX_EVENT_CHARS."""

    def __init__(self) -> None:
        self._events: deque[str] = deque()
        self._chars = 0

    def add(self, burst: Burst) -> None:
        hunks = burst.diff(headers=False)
        if not hunks:
            return
        event = f"User edited {json.dumps(burst.path, ensure_ascii=False)}:\n```diff\n{hunks}\n```"
        self._events.append(event)
        self._chars += len(event)
        while self._events and (len(self._events) > MAX_EVENTS or self._chars > MAX_EVENT_CHARS):
            self._chars -= len(self._events.popleft())

    def text(self) -> str:
        return "\n\n".join(self._events)

    def clear(self) -> None:
        self._events.clear()
        self._chars = 0
