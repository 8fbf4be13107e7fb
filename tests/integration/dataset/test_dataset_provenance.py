"""Whose work every table says, through the real `dataset build` and `export`: a developer types and pastes
in an editor that then goes (the collector closes its document), an AI agent fixes the file through its
hooks, a program writes another file, a commit. `transitions` carries each action's origin (a burst that
mixes them: the share per origin) and the caret before it (`caret_from`); the agent's write is a transition
of its own; `episodes.inserted_by_origin` and the card count the agent's and the program's writes by the
characters their diff inserted, as `--origin` does; `agent_events` has the agent's steps without the
prompt's text; Agent Trace gives the agent's line to `ai` once the editor is gone."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import atif
import pytest

from collector.episode import open_episode, write_episode_file
from schemas import ClientInfo, EpisodeHeader, Step, WorkspaceIdentity
from schemas.steps import STEP_TYPES
from tests.cli import codetape
from tests.structs import make
from tests.support.dataset_helpers import contributor, duck, session, sign, upload

BEFORE = "def add(a, b):\n    return a - b\n"
SAVED = BEFORE + "# note!"
FIXED = "def add(a, b):\n    return a + b\n# note!"
PROMPT = "fix the sign"
BY_KIND = {kind.kind: kind for kind in STEP_TYPES}


def _at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


def _insert(t_ms: int, line: int, character: int, text: str, origin: str, detail: str) -> dict[str, Any]:
    return {"kind": "edit", "t_ms": t_ms, "source": "lsp", "path": "a.py", "origin": origin,
            "origin_detail": detail,
            "changes": [{"range": {"start": _at(line, character), "end": _at(line, character)},
                         "text": text}]}


STEPS: list[dict[str, Any]] = [
    {"kind": "task", "t_ms": 0, "source": "cli", "action": "start", "statement": "fix add"},
    {"kind": "open", "t_ms": 10, "source": "lsp", "path": "a.py", "text": BEFORE, "language_id": "python"},
    {"kind": "cursor", "t_ms": 20, "source": "lsp", "path": "a.py",
     "selections": [{"anchor": _at(1, 14), "active": _at(1, 14)}]},
    _insert(30, 2, 0, "#", "typed", "nvim:insert"),  # a burst of typing and a paste
    _insert(40, 2, 1, " note", "paste", "nvim:vim.paste"),
    _insert(5000, 2, 6, "!", "typed", "nvim:insert"),  # a burst of its own: the caret where the paste left it
    {"kind": "save", "t_ms": 6000, "source": "lsp", "path": "a.py"},
    {"kind": "close", "t_ms": 7000, "source": "collector", "path": "a.py"},  # the editor went
    {"kind": "agent", "t_ms": 8000, "source": "agent", "agent": "claude-code", "hook": "UserPromptSubmit",
     "event": "prompt", "session": "s1", "prompt": PROMPT},
    {"kind": "agent", "t_ms": 8100, "source": "agent", "agent": "claude-code", "hook": "PreToolUse",
     "event": "tool_call", "session": "s1", "tool": "Edit", "targets": ["a.py"]},
    {"kind": "file_change", "t_ms": 8200, "source": "watcher", "path": "a.py", "change": "modified",
     "text": FIXED, "origin": "agent", "origin_detail": "agent:claude-code Edit"},
    {"kind": "agent", "t_ms": 8300, "source": "agent", "agent": "claude-code", "hook": "PostToolUse",
     "event": "tool_result", "session": "s1", "tool": "Edit", "targets": ["a.py"]},
    {"kind": "file_change", "t_ms": 9000, "source": "watcher", "path": "b.py", "change": "created",
     "text": "x = 1\n"},
    {"kind": "git", "t_ms": 10000, "source": "git", "op": "commit", "sha": "a" * 40, "message": "fix add",
     "files": [{"path": "a.py", "added": 2, "deleted": 1}, {"path": "b.py", "added": 1, "change": "A"}]},
    {"kind": "task", "t_ms": 11000, "source": "cli", "action": "done", "outcome": "pass"},
]


def _episode(home_episodes: Path) -> tuple[Path, str]:
    steps: list[Step] = [make(BY_KIND[data["kind"]], data) for data in STEPS]  # type: ignore[arg-type]
    episode_id = uuid.UUID(int=37, version=4)
    header = EpisodeHeader(
        codetape_version="0.1.0", episode_id=episode_id, started_at=datetime(2026, 4, 2, 9, 0, tzinfo=UTC),
        workspace=WorkspaceIdentity(root_name="project"), position_encoding="utf-16",
        client=ClientInfo(name="Neovim", version="0.11.4"))
    path = home_episodes / f"{episode_id}.ctape"
    write_episode_file(path, header, steps, level=3)
    return path, str(episode_id)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, str]:
    base = tmp_path_factory.mktemp("provenance")
    alice = contributor(base, "alice")
    unsigned, episode_id = _episode(alice.home.ensure(alice.home.episodes))
    signed = sign(alice, unsigned, licence="MIT OR Apache-2.0")
    upload(alice, (base / "source").as_uri())
    out = base / "out"
    done = codetape(base / "team", "dataset", "build", str(base / "source"), "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    return out, signed, episode_id


def test_transitions_say_whose_work_each_action_is_and_where_the_caret_was(built: tuple[Path, Path, str]
                                                                           ) -> None:
    out, _signed, _episode_id = built
    rows = duck(out).execute(
        "SELECT kind, path, origin, origin_detail, caret_line, caret_character, caret_from, diff "
        "FROM transitions ORDER BY action, path").fetchall()
    by_kind = [(kind, path, origin, detail) for kind, path, origin, detail, *_ in rows]
    assert by_kind == [
        ("open", "a.py", None, None),
        ("edit", "a.py", "mixed", "paste 83%, typed 17%"),
        ("edit", "a.py", "typed", "nvim:insert"),
        ("file_change", "a.py", "agent", "agent:claude-code Edit"),  # the agent's write: its own row
        ("file_change", "b.py", None, None),  # a program's (no origin said: external)
        ("git", None, None, None),
    ]
    carets = {(kind, origin): (line, character, where) for kind, _p, origin, _d, line, character, where, _
              in rows if kind == "edit"}
    assert carets[("edit", "mixed")] == (1, 14, "editor")  # the editor's last report
    assert carets[("edit", "typed")] == (2, 6, "edit")  # where the paste left it
    agent_diff = next(diff for kind, _p, origin, *_, diff in rows if origin == "agent")
    assert "-    return a - b\n+    return a + b\n" in agent_diff


def test_episodes_and_the_card_count_every_write_by_the_characters_it_inserted(built: tuple[Path, Path, str]
                                                                               ) -> None:
    out, _signed, episode_id = built
    shares = duck(out).execute("SELECT s.origin, s.chars FROM (SELECT unnest(inserted_by_origin) AS s "
                               "FROM episodes WHERE episode_id = ?) ORDER BY 1", [episode_id]).fetchall()
    # typed `#` and `!`, the pasted ` note`; the agent's `+` (one character of its diff, not the file's 40);
    # the program's new file, all of it, as unknown
    assert shares == [("agent", 1), ("paste", 5), ("typed", 2), ("unknown", 6)]
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert "unknown 43%, paste 36%, typed 14%, agent 7%" in readme
    meta = readme.split("---\n", 2)[1]
    assert "license:\n- apache-2.0\n- mit\n" in meta


def test_agent_events_is_a_typed_table_without_the_prompts_text(built: tuple[Path, Path, str]) -> None:
    out, _signed, _episode_id = built
    con = duck(out)
    rows = con.execute("SELECT step, agent, session, event, hook, tool, targets, prompt_chars "
                       "FROM agent_events ORDER BY step").fetchall()
    assert rows == [(8, "claude-code", "s1", "prompt", "UserPromptSubmit", None, [], len(PROMPT)),
                    (9, "claude-code", "s1", "tool_call", "PreToolUse", "Edit", ["a.py"], None),
                    (11, "claude-code", "s1", "tool_result", "PostToolUse", "Edit", ["a.py"], None)]
    columns = [row[0] for row in con.execute("DESCRIBE agent_events").fetchall()]
    assert "prompt" not in columns


def test_agent_trace_gives_the_agents_line_to_ai_once_the_editor_is_gone(built: tuple[Path, Path, str],
                                                                        tmp_path: Path) -> None:
    _out, signed, episode_id = built
    done = codetape(tmp_path / "home", "export", str(signed), "--format", "agent-trace", "-o",
                    str(tmp_path / "trace"))
    assert done.returncode == 0, done.stderr
    [record] = [json.loads(line) for line in
                (tmp_path / "trace" / f"{episode_id}.agent-trace.jsonl").read_text().splitlines()]
    [entry] = record["files"]
    assert entry["path"] == "a.py"
    ranges = {conversation["contributor"]["type"]: conversation["ranges"]
              for conversation in entry["conversations"]}
    assert ranges == {"ai": [{"start_line": 2, "end_line": 2}], "human": [{"start_line": 3, "end_line": 3}]}


def test_atif_gives_the_agents_turns_their_own_steps(built: tuple[Path, Path, str], tmp_path: Path) -> None:
    _out, signed, episode_id = built
    done = codetape(tmp_path / "home", "export", str(signed), "--format", "atif", "-o",
                    str(tmp_path / "atif"))
    assert done.returncode == 0, done.stderr
    trajectory = atif.Trajectory.model_validate_json(
        (tmp_path / "atif" / f"{episode_id}.atif.json").read_text(encoding="utf-8"))
    said = [(step.source, step.message,
             [(call.function_name, call.arguments) for call in step.tool_calls or []])
            for step in trajectory.steps]
    assert ("user", PROMPT, []) in said  # the prompt: a user step
    call = ("agent_tool", {"agent": "claude-code", "tool": "Edit", "targets": ["a.py"]})
    assert [calls for _source, _message, calls in said if calls and calls[0][0] == "agent_tool"] == [[call]]
    [(path, diff)] = [(arguments["path"], arguments["diff"]) for _source, _message, calls in said
                      for name, arguments in calls if name == "write_file"]
    assert path == "a.py" and "-    return a - b\n+    return a + b\n" in diff  # its own step
    [wrote] = [step for step in trajectory.steps
               if step.tool_calls and step.tool_calls[0].function_name == "write_file"]
    assert wrote.observation is not None and wrote.observation.results[0].content == "Edit done"


def test_a_generated_training_session_fills_the_columns_training_needs(tmp_path: Path) -> None:
    """tests/support/sessions.py's `training` profile: the columns a benchmark build must exercise."""
    alice = contributor(tmp_path, "alice")
    training = str(open_episode(sign(alice, session(alice.home, 5, "training"))).header.episode_id)
    sign(alice, session(alice.home, 6, "mixed"))  # no cursor steps, no origins: carets from the edits
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--quiet")
    assert done.returncode == 0, done.stderr
    con = duck(out)
    carets = dict(con.execute("SELECT episode_id = ?, avg((caret_line IS NOT NULL)::INT) FROM transitions "
                              "WHERE kind = 'edit' GROUP BY 1", [training]).fetchall())
    assert carets[True] == 1.0 and carets[False] > 0.5, carets  # (without a cursor: not a file's first burst)
    froms = {row[0] for row in con.execute("SELECT DISTINCT caret_from FROM transitions WHERE kind = 'edit'"
                                           ).fetchall()}
    assert {"editor", "edit"} <= froms
    origins = {row[0] for row in con.execute("SELECT DISTINCT origin FROM transitions").fetchall()}
    assert {"typed", "mixed", "agent"} <= origins  # (a completion comes amid typing: a mixed burst)
    details = " ".join(row[0] for row in con.execute("SELECT origin_detail FROM transitions WHERE origin = "
                                                     "'mixed'").fetchall())
    assert "completion" in details and "typed" in details
    assert con.execute("SELECT count(DISTINCT event) FROM agent_events").fetchone() == (3,)
    assert con.execute("SELECT count(*) FROM episodes WHERE task IS NOT NULL AND task_outcome IS NOT NULL"
                       ).fetchone() == (1,)
    assert con.execute("SELECT count(*) FROM steps WHERE kind = 'gap' AND data LIKE '%snapshot%'"
                       ).fetchone() == (1,)
