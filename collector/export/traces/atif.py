"""`atif`: one ATIF trajectory per episode, `<episode id>.atif.json` (mapping in atif_steps.py).

The document is written as it is built, one step at a time: the root's fields, then `steps`, then
`final_metrics` and `extra` (the episode's id, start, workspace, editor, the counts, and `turns`: what
became of each AI agent's turn, by its prompt's `step_id`, known only at the end: the pushback of
collector/reconstruct/turns.py, as a JSON text), so memory holds one step, never the whole trajectory.
`agent` names codetape, the system that made the trajectory, and declares the tools the developer's actions
are written as (`tool_definitions`); its `extra` says the actor is a human developer and names the editor.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from collector.episode import Episode
from collector.episode.lines import json_bytes
from collector.export.allowance import Allowance, Writes
from collector.export.edits.base.bursts import Item
from collector.export.follow import Items, follow
from collector.export.per_episode import Following
from collector.export.timestamps import utc_at
from collector.export.traces.base.atif_steps import TOOL_DEFINITIONS, AtifSteps
from collector.reconstruct.turns import Followed
from collector.reconstruct.workspace import Workspace
from collector.text.linediff import DiffWork
from schemas import Step
from schemas.contract import Contract, fields

SCHEMA_VERSION = "ATIF-v1.8"
CONTRACTS = {"atif": Contract(
    "one Agent Trajectory Interchange Format (v1.8) trajectory per episode",
    (*fields(("build",), ("schema_version", "string", "ATIF-v1.8")),
     *fields(("header",), ("session_id", "string", "the episode's id (a UUID)")),
     *fields(("header",),
             ("agent", "object", "codetape and its version, the tools the developer's actions are "
                                 "written as, "
              "and the editor and its version (empty in an unlinkable episode)", "editor")),
     *fields(("build",), ("notes", "string", "that the steps are a human developer's, not a model's")),
     *fields(("edits", "files", "commands", "tests", "git", "diagnostics", "agents", "notes", "gaps"),
             ("steps", "list[object]", "each action as an ATIF step: its UTC timestamp (re-timed in an "
              "unlinkable episode), source (user, agent), the tool calls (edit_file with a unified diff, "
              "run_command, run_tests, git) and their results", "free_text")),
     *fields(("build",), ("final_metrics", "object", "total_steps: the trajectory's steps")),
     *fields(("header", "agents"),
             ("extra", "object", "the episode's id, its start (UTC), its workspace (folder name, "
                                 "remote, head "
              "at start), position encoding, step count, and `turns`: what became of each agent turn (JSON "
              "text)", "day"))))}
NOTES = ("A human developer's session recorded by codetape: agent steps are what the developer did "
         "(edits as edit_file calls with unified diffs, tests, commands, git), not a model's output.")


class AtifExporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Trajectory:
        return Trajectory(out, episode, allowance.diffs)


def write_trajectory(out: Writes, episode: Episode, work: DiffWork | None = None) -> int:
    """Write `episode` as one ATIF document to `out`, its bursts' diffs spending `work`; returns the number
    of steps."""
    return follow(episode, [Trajectory(out, episode, work)])[0]


class Trajectory(Items):
    """The document's head at once, each ATIF step as its items end, the rest at the end."""

    def __init__(self, out: Writes, episode: Episode, work: DiffWork | None = None) -> None:
        header = episode.header
        super().__init__(header.position_encoding, work)
        self.out, self.episode = out, episode
        client = header.client
        editor = {"name": client.name if client else "", "version": (client and client.version) or ""}
        agent = {"name": "codetape", "version": header.codetape_version,
                 "tool_definitions": TOOL_DEFINITIONS,
                 "extra": {"actor": "human developer", "editor": editor}}
        out.write(b'{"schema_version":' + json_bytes(SCHEMA_VERSION) + b',"session_id":'
                  + json_bytes(str(header.episode_id)) + b',"agent":' + json_bytes(agent)
                  + b',"notes":' + json_bytes(NOTES) + b',"steps":[')
        self.steps = AtifSteps(header, work)
        self.followed = Followed()  # what became of each AI agent's turn
        self.prompts: dict[int, int] = {}  # a prompt's codetape step -> its ATIF step's id

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.followed.before(index, step, workspace)
        super().before(index, step, workspace)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.followed.after(index, step, workspace)
        super().after(index, step, workspace)

    def item(self, item: Item, workspace: Workspace) -> None:
        for step in self.steps.feed(item):
            self._write(step)

    def _write(self, step: dict[str, Any]) -> None:
        extra = step["extra"]
        if step["source"] == "user" and "agent" in extra:
            self.prompts[extra["steps"][0]] = step["step_id"]
        self.out.write((b"," if step["step_id"] > 1 else b"") + json_bytes(step))

    def end(self, workspace: Workspace) -> int:
        out, header, steps = self.out, self.episode.header, self.steps
        for step in steps.finish():
            self._write(step)
        # (a JSON text, as swe-messages' `tools`: a list of objects, empty in most files, would be a column
        # of another type in each, and `datasets.load_dataset("json")` refuses a folder of them)
        turns = json.dumps([{"step_id": self.prompts[index], **asdict(pushback)}
                            for index, pushback in sorted(self.followed.pushback().items())
                            if index in self.prompts])
        extra = {"episode_id": str(header.episode_id), "started_at": utc_at(header, 0),
                 "workspace": {"root_name": header.workspace.root_name,  # (each key in every file, "" for
                               "git_remote": header.workspace.git_remote or "",  # none: one type per
                               "head_at_start": header.workspace.head_at_start or ""},  # column)
                 "position_encoding": header.position_encoding, "codetape_steps": self.episode.step_count,
                 "turns": turns}
        out.write(b'],"final_metrics":' + json_bytes({"total_steps": steps.count}) + b',"extra":'
                  + json_bytes(extra) + b"}\n")
        return steps.count
