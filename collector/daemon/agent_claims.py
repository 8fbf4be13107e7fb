"""Whose write it was: the file changes an AI agent's tool call claimed (`codetape agent hook`).

An agent's hook names the files a tool works on (`agent` steps, `targets`): before it runs (Claude Code's
and Codex's `PreToolUse`) and after (`PostToolUse`, Cursor's `afterFileEdit`). The watcher's view of those
files waits HOLD_MS before it is written (admission.py), so the hook's step, which travels through a
process the agent starts, usually arrives while the write is still held. A held `file_change` of a claimed
path is then written with `origin` `agent` and the claim's evidence in `origin_detail`
(`claude-code:PostToolUse Edit`) when the watcher saw it:

- after a tool call on the path and before its result (at most OPEN_MS after the call), or
- within WINDOW_MS before or after a result (or Cursor's `afterFileEdit`) on the path.

A write the watcher recorded before the hook's step came (a hook slower than HOLD_MS) stays what it was:
nothing is rewritten after it is written. A shell command's writes are never claimed: its hook names a
command line, not the files it touches.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WINDOW_MS = 2000
OPEN_MS = 60_000
MAX_CLAIMS = 10_000


@dataclass
class Claim:
    since: int
    until: int
    detail: str
    call: bool  # a tool call's claim, open until its result


class AgentClaims:
    def __init__(self) -> None:
        self._claims: dict[str, list[Claim]] = {}
        self._count = 0

    def note(self, at_ms: int, step: dict[str, Any]) -> None:
        """Learn the claims of an `agent` step as it was admitted (its targets workspace-relative)."""
        event, targets = step.get("event"), step.get("targets")
        if event not in ("tool_call", "tool_result") or not isinstance(targets, list):
            return
        detail = f"{step.get('agent')}:{step.get('hook')}"
        if isinstance(step.get("tool"), str):
            detail += f" {step['tool']}"
        self._forget(at_ms)
        for path in targets:
            if not isinstance(path, str):
                continue
            claims = self._claims.setdefault(path, [])
            if event == "tool_call":
                claims.append(Claim(at_ms, at_ms + OPEN_MS, detail[:200], call=True))
            else:
                for claim in claims:
                    if claim.call and claim.since <= at_ms <= claim.until:
                        claim.until, claim.call = at_ms, False  # the tool ran: its call's claim ends here
                claims.append(Claim(at_ms - WINDOW_MS, at_ms + WINDOW_MS, detail[:200], call=False))
            self._count += 1

    def attribute(self, at_ms: object, step: dict[str, Any]) -> dict[str, Any]:
        """`step` as it is written: a watcher's file change of a claimed path, at a claimed time, with the
        agent's origin; any other step unchanged."""
        if step.get("kind") != "file_change" or "origin" in step or not isinstance(at_ms, int):
            return step
        for key in ("path", "new_path"):
            path = step.get(key)
            matching = [c for c in self._claims.get(path, ()) if c.since <= at_ms <= c.until] \
                if isinstance(path, str) else []
            if matching:
                return {**step, "origin": "agent", "origin_detail": matching[-1].detail}
        return step

    def _forget(self, now: int) -> None:
        """Let go of the claims that ended long ago; all of them past MAX_CLAIMS."""
        if self._count < MAX_CLAIMS and not any(claims and claims[0].until < now - OPEN_MS
                                                for claims in list(self._claims.values())[:8]):
            return
        kept = {path: [c for c in claims if c.until >= now - WINDOW_MS]
                for path, claims in self._claims.items()}
        self._claims = {path: claims for path, claims in kept.items() if claims}
        self._count = sum(map(len, self._claims.values()))
        if self._count >= MAX_CLAIMS:
            self._claims, self._count = {}, 0
