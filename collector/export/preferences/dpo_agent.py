"""`dpo-agent`: a row per AI agent write whose lines the developer changed before the next commit or
prompt, the agent's lines `rejected` and the developer's `chosen`, in TRL's standard preference form
(docs/exports.md says what a row holds, and the rule).

`DpoAgentExporter` follows the replay with the rule of refinements.py and writes a row per write it
settles `changed`: `prompt` (the task's statement, the prompt of the write's turn, the file's text before
the turn, and which of its lines the agent wrote), `rejected` and `chosen` (the write's place right after
it and at its horizon), `prompt_space` (as dpo's), `agent`, `actors`, `kept_share`, `deleted` (nothing
but whitespace is left in its place: `chosen` is that), `name`, `path`, `split`. A write whose turn's
prompt was left out (the review's `p`, `codetape sign --leave-out-prompts`), whose file's text before the
turn is not known (a file the episode never saw, that the agent did not create), or whose row would hold a
redaction placeholder is left out, counted.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.export.preferences.base import PROMPT_SPACE, holds_placeholder, prompt_space
from collector.export.preferences.refinements import Refinements, Settled, changed
from collector.reconstruct.workspace import Workspace
from schemas.contract import Contract, fields
from schemas.steps import Step

NO_PROMPT = "agent writes whose turn's prompt was left out"
NOT_KNOWN = "agent writes to a file whose text before the turn is not known"
PLACEHOLDER = "agent writes with a redaction placeholder"

# what is left of the agent's lines and whether none is: read off chosen, the side that won
LABELS = frozenset({"kept_share", "deleted", "settled_step"})
CONTRACTS = {"dpo-agent": Contract(
    "a preference pair per AI agent write the developer changed before the next commit or prompt",
    (*fields(("agents", "notes", "edits", "files"),
             ("prompt", "string", "the task's statement, the turn's prompt, the file before the turn "
                                  "and which "
              "lines the agent wrote", "free_text")),
     *fields(("edits", "files"),
             ("chosen", "string", "the agent's lines as the developer left them at the horizon", "file_text"),
             ("rejected", "string", "the lines the agent's write made", "file_text")),
     *PROMPT_SPACE,
     *fields(("agents",),
             ("agent", "string", "the agent that wrote: claude-code, codex, cursor, gemini-cli or acp"),
             ("actors", "list[string]", "who changed the lines after the write: developer, ai, agent, ...")),
     *fields(("edits", "files"),
             ("kept_share", "float", "the share of the write's non-whitespace characters left at the horizon",
              "from_times"),
             ("deleted", "bool", "nothing but whitespace is left in its place (chosen is blank)",
              "from_times"),
             ("path", "string", "the workspace-relative path written")),
     *fields(("agents", "files"),
             ("write_step", "int", "the step of the agent's write"),
             ("turn_step", "int", "the prompt step that began the write's turn")),
     *fields(("edits", "files", "git", "agents"),
             ("settled_step", "int", "the step at which the lines settled: the next commit, prompt, write of "
              "the file, or 5 minutes after the write", "from_times")),
     *fields(("build",),
             ("name", "string", "`<episode id>:<write step>`: the row's id"),
             ("split", "string", "train or eval: the episode's side of the split"))),
    LABELS)}


class DpoAgentExporter(Following):
    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> AgentPairs:
        return AgentPairs(out, episode, self.result.skipped,
                          self.result.splits[str(episode.header.episode_id)])


def prompt(one: Settled) -> str:
    """What the agent was asked, and the file as it was before the turn (module docstring); it ends with a
    line ending in a colon and a line break, which tokenizers keep whole (docs/exports.md)."""
    task = f"The task:\n{one.statement}\n\n" if one.statement else ""
    if one.created:
        file = f"The file {one.path} did not exist before the turn.\n"
    else:
        text = one.before or ""
        ended = text if not text or text.endswith("\n") else text + "\n"
        file = f"The file {one.path} before the turn:\n{ended}"
    lines = one.rejected.count("\n") + (0 if one.rejected.endswith("\n") else 1)
    return (f"{task}The prompt to the agent:\n{one.prompt}\n\n{file}\n"
            f"The agent wrote lines {one.first_line}-{one.first_line + lines - 1} of {one.path}:\n")


def row(one: Settled) -> dict[str, Any] | str | None:
    """The row of a write at its horizon; None when it makes none, or why it is left out."""
    if not changed(one):
        return None
    if one.prompt is None:
        return NO_PROMPT
    if one.before is None and not one.created:
        return NOT_KNOWN
    text = prompt(one)
    if holds_placeholder(text, one.chosen, one.rejected):
        return PLACEHOLDER
    return {"prompt": text, "chosen": one.chosen, "rejected": one.rejected,
            "prompt_space": prompt_space(text),
            "agent": one.agent, "actors": list(one.actors), "kept_share": one.kept_share,
            "deleted": not one.chosen.strip(), "path": one.path, "write_step": one.index,
            "turn_step": one.turn_index, "settled_step": one.settled_index}


class AgentPairs:
    """The rule followed over the replay, then a row per write it settles changed."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str], split: str) -> None:
        self.out, self.skipped, self.split = out, skipped, split
        self.episode_id = str(episode.header.episode_id)
        self.rule = Refinements()
        self.count = 0

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.rule.before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.rule.after(index, step, workspace)
        self.count = index + 1

    def finish(self, workspace: Workspace) -> int:
        written = 0
        for one in sorted(self.rule.finish(self.count, workspace), key=lambda settled: settled.index):
            made = row(one)
            if isinstance(made, str):
                self.skipped[made] += 1
            elif made is not None:
                self.out.write(json_line({**made, "name": f"{self.episode_id}:{one.index}",
                                          "split": self.split}))
                written += 1
        return written
