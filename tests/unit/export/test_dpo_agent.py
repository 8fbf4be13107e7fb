"""dpo-agent's rows (collector/export/preferences/dpo_agent.py) of hand-built episodes, written in this
process: a row per agent write the developer changed, with the prompt the model saw, the agent's lines and
the developer's; a write kept makes none, a write whose prompt was left out is counted out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.episode import open_episode, write_episode_file
from collector.export.preferences.dpo_agent import NO_PROMPT, DpoAgentExporter
from collector.export.result import ExportResult
from schemas import EpisodeHeader, Step
from tests.unit.export.test_refinements import AFTER, BEFORE, agent_session, commit, lines_edit, step, write


def export(tmp_path: Path, header: EpisodeHeader,
           steps: list[Step]) -> tuple[list[dict[str, Any]], ExportResult]:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / f"{header.episode_id}.ctape"
    write_episode_file(path, header, steps)
    result = ExportResult("dpo-agent", tmp_path)
    result.splits[str(header.episode_id)] = "train"
    DpoAgentExporter(tmp_path, result, ".dpo-agent.jsonl").add(open_episode(path))
    written = tmp_path / f"{header.episode_id}.dpo-agent.jsonl"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()], result


def test_a_write_rewritten_in_part_is_a_row_with_what_the_model_saw(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("task", 0, action="start", statement="count down"),
             *agent_session(lines_edit(3_000, 2, 3, "42\n"), step("save", 3_500, path="a.py"),
                            commit(4_000))]
    [row], result = export(tmp_path, episode_header, steps)
    assert row["prompt"] == (
        "The task:\ncount down\n\nThe prompt to the agent:\nmake the loop count down\n\n"
        f"The file a.py before the turn:\n{BEFORE}\nThe agent wrote lines 2-3 of a.py:\n")
    assert (row["rejected"], row["chosen"]) == ("x = agent()!\ny = agent()!\n", "x = agent()!\n42\n")
    assert row["prompt"] + row["rejected"] != row["prompt"] + row["chosen"]
    assert row["actors"] == ["developer"] and row["agent"] == "claude-code" and row["deleted"] is False
    assert row["kept_share"] == len("x=agent()!") / len("x=agent()!y=agent()!")
    assert (row["name"], row["path"], row["split"], row["prompt_space"]) == \
        (f"{episode_header.episode_id}:3", "a.py", "train", "\n")
    assert (row["write_step"], row["turn_step"], row["settled_step"]) == (3, 2, 8)
    assert result.records == 1 and not result.skipped


def test_kept_and_deleted_writes_and_a_prompt_left_out(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    kept, _ = export(tmp_path / "kept", episode_header, agent_session(commit(4_000)))
    assert kept == []
    [deleted], _ = export(tmp_path / "deleted", episode_header,
                          agent_session(lines_edit(3_000, 1, 3, ""), commit(4_000)))
    assert (deleted["chosen"], deleted["deleted"], deleted["kept_share"]) == ("", True, 0.0)
    rows, result = export(tmp_path / "left", episode_header,
                          agent_session(lines_edit(3_000, 1, 2, "x = mine;\n"), said=None))
    assert rows == [] and result.skipped == {NO_PROMPT: 1}
    again = [*agent_session(lines_edit(3_000, 1, 2, "x = mine;\n")), write(5_000, AFTER)]
    assert len(export(tmp_path / "again", episode_header, again)[0]) == 1
