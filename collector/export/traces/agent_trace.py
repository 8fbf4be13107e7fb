"""`agent-trace`: one Agent Trace record per commit made in the episode, which lines of it a human, an AI,
both or someone unknown wrote (docs/exports.md says what a record holds).

`AgentTraceExporter` replays the episode with `Authors` (authors.py: each line's contributor from the
edits' `origin`s and the agents' writes) and, at each `git` commit step, writes the lines of the files
the commit touched as they stand in the workspace then. A commit with no line the episode saw written
gives no record, counted: a file of records with empty `files` alone would make
`datasets.load_dataset("json")` over a folder type the column as a list of nothing. Paths and line
numbers only: no text of the files leaves the episode.
"""

from __future__ import annotations

import uuid
from collections import Counter

from collector.episode import Episode
from collector.episode.lines import json_line
from collector.export.allowance import Allowance, Writes
from collector.export.authors import CONTRIBUTOR, Authors, Contributor
from collector.export.per_episode import Following
from collector.export.timestamps import utc_at
from collector.reconstruct.workspace import Workspace
from schemas import Step
from schemas.contract import Contract, fields
from schemas.steps import GitStep

VERSION = "0.1.0"
NAMESPACE = uuid.UUID("5e4c0d1e-7a61-4c8e-9a3b-2f0c6d8e1b47")  # codetape's, for the records' ids
FULL_SHA = (40, 64)

CONTRACTS = {"agent-trace": Contract(
    "an Agent Trace 0.1 record per commit: who wrote which of its lines (paths and line numbers only)",
    (*fields(("build",),
             ("version", "string", "the Agent Trace version, 0.1.0"),
             ("id", "string", "the record's id: a UUID from the episode, the step and the commit")),
     *fields(("git",),
             ("timestamp", "string", "when the commit was recorded (UTC); in an unlinkable episode the "
                                     "day and "
              "the re-timed offset", "time"),
             ("vcs", "object", "type git and the commit's revision; absent when the commit id is not whole",
              "commit")),
     *fields(("header",),
             ("tool", "object", "name codetape and the version that recorded the episode", "version")),
     *fields(("git", "edits", "files", "agents"),
             ("files", "list[object]", "per file the commit touched: its path and, per contributor (human, "
              "ai, mixed, unknown), the line ranges it wrote")),
     *fields(("build",),
             ("metadata", "object", "dev.codetape: the episode's id, the commit's step, each contributor's "
              "origins")))),
}


class AgentTraceExporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Records:
        return Records(out, episode, self.result.skipped)


class Records:
    """A record at each commit. Its contributors come from a replay of its own (authors.py applies each
    edit one change at a time, to see the lines each one touches), fed the steps of the replay it follows."""

    def __init__(self, out: Writes, episode: Episode, skipped: Counter[str] | None = None) -> None:
        self.out, self.episode, self.records = out, episode, 0
        self.skipped = Counter[str]() if skipped is None else skipped
        header = episode.header
        self.authors = Authors(Workspace(header.position_encoding, limit=episode.limits.files))

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        return None

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.authors.apply(step)
        if isinstance(step, GitStep) and step.op == "commit":
            record = trace_record(self.episode, index, step, self.authors)
            if not record["files"]:  # (a file of records with none: `files` typed as a list of nothing)
                self.skipped["commits with no line the episode saw written"] += 1
                return
            self.out.write(json_line(record))
            self.records += 1

    def finish(self, workspace: Workspace) -> int:
        return self.records


def trace_record(episode: Episode, index: int, step: GitStep, authors: Authors) -> dict[str, object]:
    header = episode.header
    episode_id = str(header.episode_id)
    record: dict[str, object] = {
        "version": VERSION,
        "id": str(uuid.uuid5(NAMESPACE, f"{episode_id}/{index}/{step.sha or ''}")),
        "timestamp": utc_at(header, step.t_ms),
    }
    if step.sha is not None and len(step.sha) in FULL_SHA:
        record["vcs"] = {"type": "git", "revision": step.sha}
    record["tool"] = {"name": "codetape", "version": header.codetape_version}
    record["files"] = [entry for entry in (_file(authors, stat.path) for stat in step.files
                                           if stat.change != "D") if entry is not None]
    origins: dict[str, list[str]] = {}
    for origin, contributor in CONTRIBUTOR.items():
        origins.setdefault(contributor, []).append(origin)
    record["metadata"] = {"dev.codetape": {"episode_id": episode_id, "step": index,
                                           "contributors": origins}}
    return record


def _file(authors: Authors, path: str) -> dict[str, object] | None:
    by: dict[Contributor, list[dict[str, int]]] = {}
    for contributor, first, last in authors.ranges(path):
        by.setdefault(contributor, []).append({"start_line": first, "end_line": last})
    if not by:
        return None
    return {"path": path, "conversations": [{"contributor": {"type": contributor}, "ranges": ranges}
                                            for contributor, ranges in sorted(by.items())]}
