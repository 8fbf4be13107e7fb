"""`jsonl-rows`: the jsonl export as rows of one fixed shape, so that Hugging Face
`datasets.load_dataset("json", data_files=[...])` (or any reader inferring one schema) loads any number of
episodes' files together: a header line and steps of different kinds have different fields, and a schema
inferred from one file does not fit the next (docs/exports.md says what each column holds).
"""

from __future__ import annotations

from collector.episode import Episode
from collector.episode.lines import header_line, json_line, step_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import Following
from collector.reconstruct.workspace import Workspace
from schemas import Step
from schemas.contract import Contract, fields

CONTRACTS = {"jsonl-rows": Contract(
    "the jsonl lines as rows of one shape (the header's row, then a row per step), for Hugging Face datasets",
    (*fields(("header",), ("episode_id", "string", "the episode's id (a UUID)")),
     *fields(("build",), ("line", "int", "the line's number: 0 the header, then each step's index + 1")),
     *fields(("header", "edits", "diagnostics", "tests", "commands", "git", "files", "notebook_outputs",
              "agents", "notes", "gaps"),
             ("kind", "string", "header, or the step's kind"),
             ("t_ms", "int", "milliseconds from the episode's start to the step (0 for the header)", "time"),
             ("source", "string", "what recorded the step: bridge, files, git, shell, pytest, ...; null for "
              "the header"),
             ("path", "string", "the workspace-relative path the step is about; null for none"),
             ("data", "string", "the line as `codetape cat` prints it (JSON): every field of the step, each "
              "treated as the jsonl export's field of that name is", "step_fields"))))}


class JsonlRowsExporter(Following):

    def follower(self, out: Writes, episode: Episode, allowance: Allowance) -> Rows:
        return Rows(out, episode)

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        """Alone, without a replay: the steps as they are read (an episode whose steps do not replay is
        written too)."""
        follower = Rows(out, episode)
        for step in episode.steps():
            follower.add(step)
        return follower.lines


class Rows:
    """The header's row at once, then a row per step as the replay reaches it."""

    def __init__(self, out: Writes, episode: Episode) -> None:
        self.out, self.episode_id = out, str(episode.header.episode_id)
        out.write(json_line({"episode_id": self.episode_id, "line": 0, "kind": "header", "t_ms": 0,
                             "source": None, "path": None, "data": _text(header_line(episode.header))}))
        self.lines = 1

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        self.add(step)

    def add(self, step: Step) -> None:
        path = getattr(step, "path", None)
        self.out.write(json_line({"episode_id": self.episode_id, "line": self.lines, "kind": step.kind,
                                  "t_ms": step.t_ms, "source": step.source,
                                  "path": path if isinstance(path, str) else None,
                                  "data": _text(step_line(step))}))
        self.lines += 1

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        return None

    def finish(self, workspace: Workspace) -> int:
        return self.lines


def _text(line: bytes) -> str:
    return line[:-1].decode("utf-8", "surrogatepass")
