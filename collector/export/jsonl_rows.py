"""`jsonl-rows`: `<episode id>.rows.jsonl`, the jsonl export as rows of one fixed shape, so that Hugging Face
`datasets.load_dataset("json", data_files=[...])` (or any reader inferring one schema) loads any number
of episodes' files together: a header line and steps of different kinds have different fields, and a
schema inferred from one file does not fit the next.

Every line has the same columns, of the same types:

    episode_id  the episode's id
    line        0 for the header, then 1, 2, ... (the step's `codetape cat` index + 1)
    kind        `header`, or the step's kind
    t_ms        the step's time on the episode's clock (0 for the header)
    source      the component that recorded the step (null for the header)
    path        the workspace path the step is about (null when it names none)
    data        the line exactly as the jsonl export writes it, without its LF: the header's JSON, then
                each step as `codetape cat` prints it

So the `data` of an episode's rows after the header, joined with LFs, is `codetape cat`'s output, and
`json.loads(data)` gives the step with its kind's own fields.
"""

from __future__ import annotations

from collector.episode import Episode
from collector.episode.lines import header_line, json_line, step_line
from collector.export.allowance import Allowance, Writes
from collector.export.per_episode import PerEpisode


class JsonlRowsExporter(PerEpisode):

    def write(self, out: Writes, episode: Episode, allowance: Allowance) -> int:
        episode_id = str(episode.header.episode_id)
        out.write(json_line({"episode_id": episode_id, "line": 0, "kind": "header", "t_ms": 0, "source": None,
                             "path": None, "data": _text(header_line(episode.header))}))
        lines = 1
        for step in episode.steps():
            path = getattr(step, "path", None)
            out.write(json_line({"episode_id": episode_id, "line": lines, "kind": step.kind,
                                 "t_ms": step.t_ms, "source": step.source,
                                 "path": path if isinstance(path, str) else None,
                                 "data": _text(step_line(step))}))
            lines += 1
        return lines


def _text(line: bytes) -> str:
    return line[:-1].decode("utf-8", "surrogatepass")
