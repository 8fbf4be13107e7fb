"""Whose write it was: the file changes an AI agent's tool call claimed (`codetape agent hook`).

An agent's hook names the files a tool works on (`agent` steps, `targets`), or the command line of a shell
tool (`command_line`: Claude Code's and Codex's `Bash`, Cursor's shell): before it runs (Claude Code's and
Codex's `PreToolUse`) and after (`PostToolUse`, Cursor's `afterFileEdit` and `afterShellExecution`). The
watcher's view of a file waits HOLD_MS before it is written (held_changes.py), so the hook's step, which
travels through a process the agent starts, usually arrives while the write is still held. A held
`file_change` without an origin is then written with `origin` `agent` and the claim's evidence in
`origin_detail` (`claude-code:PostToolUse Edit`, `claude-code:PreToolUse Bash`) when the watcher saw it:

- after a tool call on its path, or a shell call (any path: a shell command names no files), or a
  permission for one the developer's client granted (`codetape acp`), and before the call ends: at its
  own result (the same tool on the same targets or command line), at the session's next hook that tells
  the call no longer runs, or OPEN_MS after the call, when no such hook came (the developer's own write
  seconds after a refused call is not the agent's). A call the agent or the developer refused never has
  a result (Claude Code sends PostToolUse, Codex PostToolUse, Gemini CLI AfterTool and opencode
  tool.execute.after only for a call that ran, and codetape installs no failure hook), so which next hook
  ends it depends on how the agent runs the calls of one answer (ENDED_BY):
  - any hook that is no call nor result (a prompt, `Stop`, a session's start or end, a permission):
    every agent;
  - any other call or result: Claude Code and Gemini CLI, which run a tool that may change a file alone
    (Claude Code runs only its read-only tools side by side, Gemini CLI only its read-only ones), and
    Cursor (codetape installs none of its call hooks: only a result claims there);
  - another call or result unless both are shell commands: Codex, which runs `apply_patch` alone and
    shell commands side by side;
  - none: opencode, which runs the calls of one answer side by side (an edit's write, stamped after the
    shell call began, is still the edit's), and any other agent (`codetape acp`);
- within WINDOW_MS before or after a result (or Cursor's `afterFileEdit`) on its path, or within
  WINDOW_MS before a shell call's result and until the result came to the collector: the watcher stamps
  a write once its burst went quiet (50 ms on, later on a busy machine), so a hook that answers in 30 ms
  is stamped before the command's last writes; the server lets the watchers record what they saw before
  it takes any step of an agent (server.py), and a shell result claims what they stamped until then.

Time only narrows the search where the tool reported what it changed (`patch`: Claude Code's
`structuredPatch`, Codex's patch, Gemini CLI's and opencode's diffs, an ACP diff): such a claim takes a
change whose text holds the tool's hunks (their context and new lines, patches.py `unapplied`) and whose
text before (as the episode knows it: disk_texts.py) did not, splits one that holds them and another
writer's lines too into that writer's change (the text without the hunks, no origin) and the agent's, and
never takes any other (`verdict`). A claim without a report (a shell command, `NotebookEdit`, Cursor's
`afterFileEdit`, a call whose result has not come) takes a change by time, unless an editor's save of the
document explains it (`explained`: the developer's save while an agent's shell call runs).

A tool call of a kind that changes no file (ACP's `read`, `search`, `think`, `fetch`) claims nothing.
A path's claim is looked at before a shell call's, so the evidence is the most precise there is. A write
the watcher recorded before the hook's step came (a hook slower than HOLD_MS) stays what it was: nothing
is rewritten after it is written. So a shell command's writes more than OPEN_MS after its call (a long
build, or a call that waited that long for the developer's permission) and more than WINDOW_MS before
its result stay without an origin, as does anything written while a hook was not installed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from collector.daemon.held_changes import HOLD_MS
from collector.daemon.own_steps import converted
from collector.sources.agents.patches import Chunk, changes_nothing, chunks_of, replaced, unapplied
from collector.text.digest import sha256_text
from schemas.steps import AgentStep, FileChangeStep, Step, step_to_dict

WINDOW_MS = 2000
OPEN_MS = 5000
MAX_CLAIMS = 10_000
SHELL = None  # the key of a shell call's claims: they are on every path
READ_ONLY = ("read", "search", "think", "fetch")  # ACP's kinds of tool calls that change no file
# how each agent runs the calls of one answer, so which other call or result of its session ends a call
# with no result yet (the module's docstring): "alone", any; "shells alongside", any but a shell command's
# when the call is one too; an agent not named here runs them side by side: none
ENDED_BY: dict[str, Literal["alone", "shells alongside"]] = {
    "claude-code": "alone", "gemini-cli": "alone", "cursor": "alone", "codex": "shells alongside"}


@dataclass
class Claim:
    since: int
    until: int
    detail: str
    session: str  # the agent and its session id: that session's next hook ends the call
    call: bool  # a tool call's claim, open until its result (or the session's next hook)
    chunks: list[Chunk] | None = None  # what the tool reported it changed in the path (patches.py)
    of: tuple[object, ...] = ()  # the call's tool, targets and command line: its result names the same
    came: int = 0  # when its hook came to the collector (the daemon's clock)


@dataclass(frozen=True)
class Verdict:
    """Whose a watcher's change is, by a claim: `claim` takes it (None: no claim does). `content`: said by
    the tool's hunks found in its text (else by time alone); `before`: the text the change is split at,
    the part up to it not the agent's (None: all of it is)."""

    claim: Claim | None
    content: bool = False
    before: str | None = None


def _call_of(step: AgentStep) -> tuple[object, ...]:
    return step.tool, tuple(step.targets), step.command_line


def _ends(claim: Claim, step: AgentStep) -> bool:
    """Whether `step`, a later hook of the session of `claim`'s call, ends the call (ENDED_BY)."""
    if step.event not in ("tool_call", "tool_result"):
        return True  # a prompt, a stop, a session's start or end, a permission: no call runs past it
    if step.event == "tool_result" and claim.of == _call_of(step):
        return True  # its own result
    match ENDED_BY.get(step.agent):
        case "alone":
            return True  # another call began, or one ended: this one was answered or refused
        case "shells alongside":
            return not (claim.of[2] is not None and step.command_line is not None)
        case _:  # side by side (opencode, an ACP agent): only its own result or a hook that is no call
            return False


class AgentClaims:
    def __init__(self) -> None:
        self._claims: dict[str | None, list[Claim]] = {}  # path (SHELL: any) -> its claims, oldest first
        self._open: list[Claim] = []  # the calls not answered yet
        self._count = 0
        self._written: dict[str, int] = {}  # path -> when the last write of it a claim took was stamped

    def note(self, at_ms: int, step: AgentStep, now: int | None = None, *,
             patch: object = None) -> None:
        """Learn from an `agent` step as it was admitted (its targets workspace-relative) at `now` (the
        daemon's clock; `at_ms` when not given): any of them ends the open calls of its session, a tool
        call or result claims its paths (a shell's: all), with what `patch` (by workspace-relative path)
        says the tool changed in each. A result ends its own call, a hook that is no call or result ends
        them all, and another call or result those of an agent that runs it alone (ENDED_BY)."""
        self._forget(at_ms)
        session = f"{step.agent}:{step.session}"
        event = step.event
        of = _call_of(step)
        for claim in self._open:
            if claim.session == session and claim.since <= at_ms <= claim.until and _ends(claim, step):
                claim.until, claim.call = at_ms, False  # answered, or refused: a hook that says so came
        self._open = [claim for claim in self._open if claim.call and claim.until >= at_ms]
        # a permission the developer's client granted (codetape acp) opens the call it allows
        granted = event == "permission" and str(step.detail).startswith("allow")
        opens = event == "tool_call" or granted
        if (not opens and event != "tool_result") or step.tool in READ_ONLY:
            return
        keys: list[str | None] = list(step.targets)
        if step.command_line is not None:
            keys.append(SHELL)
        detail = f"{step.agent}:{step.hook}"
        if step.tool is not None:
            detail += f" {step.tool}"
        reported = patch if isinstance(patch, dict) else {}
        for key in keys:
            chunks = chunks_of(reported.get(key)) if key is not SHELL else None
            if opens:
                claim = Claim(at_ms, at_ms + OPEN_MS, detail[:200], session, call=True, chunks=chunks, of=of,
                              came=now if now is not None else at_ms)
                self._open.append(claim)
            else:
                # after its end a shell writes nothing, but the watcher stamps its writes once they went
                # quiet: those stamped until the result came are its own
                after = WINDOW_MS if key is not SHELL else max(0, (now or at_ms) - at_ms)
                taken = self._written.get(key, -WINDOW_MS - 1) if key is not SHELL else None
                if taken is not None and taken >= self._begun(key, step, at_ms):
                    after = 0  # its write already taken (by the call's claim): a later one is not the tool's
                claim = Claim(at_ms - WINDOW_MS, at_ms + after, detail[:200], session, call=False,
                              chunks=chunks, came=now if now is not None else at_ms)
            self._claims.setdefault(key, []).append(claim)
            self._count += 1

    def _begun(self, key: str | None, result: AgentStep, at_ms: int) -> int:
        """Since when a write of `key` would be the write of the call `result` answers: its call's start (a
        write an earlier call of the path took, as a turn before's, is not its), at most WINDOW_MS before
        the result."""
        session, of = f"{result.agent}:{result.session}", _call_of(result)
        begun = [claim.since for claim in self._claims.get(key, ()) if claim.session == session and
                 claim.of == of and claim.since <= at_ms]
        return max(at_ms - WINDOW_MS, max(begun, default=at_ms - WINDOW_MS))

    def taken(self, at_ms: int, step: FileChangeStep) -> None:
        """An agent's write, as attributed, is written to the episode (a change of the file's text): its
        tool's result claims no later write of the path (an editor saving the file it has just read the
        write into is another writer, though stamped within WINDOW_MS after the result)."""
        self._written[step.path] = at_ms
        for claim in self._claims.get(step.path, ()):
            if not claim.call and claim.since <= at_ms <= claim.until:
                claim.until = min(claim.until, max(at_ms, claim.since + WINDOW_MS))  # (a result's `since`
                # is WINDOW_MS before it)

    def verdict(self, at_ms: object, step: Step, before: str | None = None, *,
                explained: bool = False) -> Verdict:
        """Whose `step`, a watcher's change of a file whose text was `before` (None: not known), is: a
        path's claims whose tools reported hunks take it when its text holds them and `before` does not
        (split at the text without them when that is not `before`: another writer's change came with it),
        and never otherwise; the claims of a tool that reported none (a shell command, `NotebookEdit`,
        Cursor's `afterFileEdit`, a call whose result has not come) take it by time, unless `explained`
        (an editor's save of the document explains it: the developer's)."""
        if type(step) is not FileChangeStep or step.origin is not None or not isinstance(at_ms, int):
            return Verdict(None)
        paths = [step.path] if step.new_path is None else [step.path, step.new_path]
        for key in (*paths, SHELL):
            matching = [c for c in self._claims.get(key, ()) if c.since <= at_ms <= c.until]
            if not matching:
                continue
            reported = [c for c in matching if c.chunks and not changes_nothing(c.chunks)]
            if reported and step.text is not None and step.change in ("created", "modified"):
                for claim in reversed(reported):  # the latest report its text holds
                    assert claim.chunks is not None
                    if before is not None and unapplied(claim.chunks, before) is not None:
                        continue  # its lines were there before: a later write of the file, not this tool's
                    without = unapplied(claim.chunks, step.text)
                    if without is None:
                        continue
                    split = None if before is None or without == before or step.change == "created" \
                        else without
                    return Verdict(claim, content=True, before=split)
                continue  # holds none of its hunks: never the agent's by this path's claims
            if explained:
                return Verdict(None)
            return Verdict(matching[-1])
        return Verdict(None)

    def attribute(self, at_ms: object, step: Step, before: str | None = None, *,
                  explained: bool = False) -> list[Step]:
        """`step` as it is written (`verdict`): a watcher's change a claim takes with the agent's origin and
        the lines and characters the tool reported it changed when a claim's report fits the text written
        (`changed_lines`, `changed_chars`), after the change of another writer that came with it when its
        text says so (a `file_change` to the text without the tool's hunks, no origin); any other step
        unchanged."""
        found = self.verdict(at_ms, step, before, explained=explained)
        if found.claim is None or type(step) is not FileChangeStep:
            return [step]
        attributed = {**step_to_dict(step), "origin": "agent", "origin_detail": found.claim.detail}
        matching = [c for c in self._claims.get(step.path, ()) if isinstance(at_ms, int)
                    and c.since <= at_ms <= c.until]
        for claim in [found.claim, *reversed(matching)]:  # the report that fits the text
            fits = replaced(claim.chunks, step.text) if claim.chunks and step.text is not None else None
            if fits is not None:
                attributed.update(changed_lines=[list(run) for run in fits.runs], changed_chars=fits.chars)
                break
        written = converted(attributed)  # checked again: what a tool reported is outside input
        if found.before is None:
            return [written]
        other = FileChangeStep(t_ms=0, source=step.source, path=step.path, change="modified",
                               text=found.before, sha256=sha256_text(found.before))
        return [other, written]

    def claimed(self, at_ms: object, step: Step, *, settled: bool = False, before: str | None = None,
                explained: bool = False) -> bool:
        """Whether an agent's call claims `step` (`verdict`); with `settled`, only by its content or a call
        no longer running: a write while its tool runs waits for the tool's result (which may say what
        it changed)."""
        found = self.verdict(at_ms, step, before, explained=explained)
        if found.claim is None:
            return False
        return not settled or found.content or not found.claim.call or bool(found.claim.chunks)

    def working_on(self, path: str, now: int) -> bool:
        """Whether an agent's call may be writing `path` at `now` (the daemon's clock): a file tool's call on
        it, or a shell call (any path), open (at most OPEN_MS), or its result came less than HOLD_MS ago
        (the watcher's view of its write may still be on its way)."""
        return any(now <= claim.came + (OPEN_MS if claim.call else HOLD_MS) and (claim.call or not claim.of)
                   for key in (path, SHELL) for claim in self._claims.get(key, ()) if claim.came <= now)

    def _forget(self, now: int) -> None:
        """Let go of the claims that ended long ago; all of them past MAX_CLAIMS."""
        if self._count < MAX_CLAIMS and not any(claims and claims[0].until < now - OPEN_MS
                                                for claims in list(self._claims.values())[:8]):
            return
        kept = {key: [c for c in claims if c.until >= now - OPEN_MS] for key, claims in self._claims.items()}
        self._claims = {key: claims for key, claims in kept.items() if claims}
        self._written = {path: at for path, at in self._written.items() if at >= now - WINDOW_MS}
        self._count = sum(map(len, self._claims.values()))
        if self._count >= MAX_CLAIMS:
            self._claims, self._open, self._count, self._written = {}, [], 0, {}
