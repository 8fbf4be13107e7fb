"""Where the developer and the agent meet (issue 54, item 5): the real Claude Code (pinned, driven by the
scripted model on loopback, tests/support/model_server.py) fixes a failing test in the file the developer
has open in Neovim through codetape's plugin; Neovim reads the file again (`:checktime`, 'autoread'); the
developer types on, takes a completion, pastes; the tests pass; commit; `task done --outcome pass`; sign,
upload, build with the Agent Trace and swe-messages exports. Recorded once for the module.

Checked as a data team reads it: every edit has an origin; the agent's write is a transition of its own
with its diff (none with no origin carries it); fail-to-pass lists both actors' diffs; the human and AI
shares are within 5 points of what was scripted; Agent Trace gives the fixed line to the AI and the typed
lines to the human; swe-messages' write_file holds the fix; the transitions replay to the disk at the
commit and at the end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from collector.episode import open_episode
from collector.home import Home
from schemas.steps.edit import ORIGIN_CLASS
from tests.cli import codetape
from tests.e2e import data_team_session as recorded
from tests.e2e.conftest import environment, home_of, opted_in_repository, running_collector
from tests.e2e.data_team_session import commit_step, fail_to_pass, git, git_bytes, replayed
from tests.e2e.test_extension_neovim import NEOVIMS, run_scenario
from tests.support.collector_harness import wait_recorded
from tests.support.dataset_helpers import duck
from tests.support.model_server import Action, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import CLAUDE_MODEL, base_env, binary

APP = "def add(a, b):\n    return a - b\n"
TESTS = "from app import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
IGNORED = "__pycache__/\n.pytest_cache/\n.claude/\n"
BUG, FIX = "    return a - b", "    total = a + b\n    return total"
TYPED_BEFORE = "# adds two numbers, or so it says"
PASTED = ["", "", "", "def mul(a, b):", "    return a * b"]  # after the last line's end
TYPED_AFTER = "result = add(2, 3)"

SCENARIO = r"""
vim.o.autoread = true
local AGENT = vim.fn.json_decode(table.concat(vim.fn.readfile([==[%(agent)s]==]), '\n'))
local function text() return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n' end
local function settle()
  local done = false
  vim.schedule(function() done = true end)
  check(vim.wait(10000, function() return done end, 10), 'the event loop did not run')
end
keys('ggO%(typed_before)s<Esc>')
settle()
vim.cmd('normal! G$')
vim.paste(%(pasted)s, -1)
settle()
save()
recorded_save()
-- the agent's turn, while app.py is open and saved
local code
local job = vim.fn.jobstart(AGENT.argv, { cwd = WS, env = AGENT.env, on_exit = function(_, c) code = c end })
check(job > 0, 'could not start the agent')
check(vim.wait(240000, function() return code ~= nil end, 50), 'the agent did not finish')
check(code == 0, 'the agent failed: exit ' .. tostring(code))
vim.cmd('checktime')
check(text():find('total = a + b', 1, true) ~= nil, 'checktime did not read the agent\'s write: ' .. text())
keys('Go%(typed_after)s<Esc>')
settle()
keys('Goto<C-n> = 1<Esc>')  -- `total`, completed from the agent's line (the only match)
settle()
save()
recorded_save()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


@dataclass
class Recorded:
    workspace: Path
    dataset: Path
    commit: str
    at_commit: dict[str, bytes]
    at_end: dict[str, bytes]
    episode_id: str

    @property
    def tables(self) -> duckdb.DuckDBPyConnection:
        return duck(self.dataset)

    def export(self, fmt: str, suffix: str) -> Path:
        [found] = (self.dataset / "exports" / fmt).rglob(f"{self.episode_id}{suffix}")
        return found


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    base = tmp_path_factory.mktemp("agent-meets-neovim")
    env = environment(base)
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    ws = opted_in_repository(base / "ws", env)
    for name, text in (("app.py", APP), ("test_app.py", TESTS), (".gitignore", IGNORED)):
        (ws / name).write_text(text, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "add, and its test")
    user = base / "agent-user"
    user.mkdir()
    agent_env = env | {"HOME": str(user)}
    codetape(home_of(env), "agent", "hook", "install", "--yes", "--agent", "claude-code", "--dir", str(ws),
             env={"HOME": str(user)}, check=True)
    script: list[list[Action]] = [[Read(ws / "app.py")], [Edit(ws / "app.py", BUG, FIX)],
                                  [Text("Fixed add.")]]
    with running_collector(agent_env, base / "collector.log"), ScriptedModel(script) as model:
        codetape(home_of(env), "task", "start", "make add add", "--dir", str(ws), check=True)
        failed = recorded.pytest(env, ws)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        wait_recorded(home, ws, lambda steps: recorded.test_runs(steps) == [1], "the failing test run")
        claude_env = {**agent_env, **base_env(user), "ANTHROPIC_BASE_URL": model.url,
                      "ANTHROPIC_API_KEY": "sk-scripted", "IS_SANDBOX": "1", "DISABLE_TELEMETRY": "1",
                      "DISABLE_AUTOUPDATER": "1", "DISABLE_ERROR_REPORTING": "1",
                      "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
        agent = base / "agent.json"
        agent.write_text(json.dumps({"argv": [str(binary("claude-code")), "-p", "test_add fails: fix add",
                                              "--dangerously-skip-permissions", "--model", CLAUDE_MODEL],
                                     "env": claude_env}), encoding="utf-8")
        body = SCENARIO % {"agent": agent, "typed_before": TYPED_BEFORE, "typed_after": TYPED_AFTER,
                           "pasted": "{" + ", ".join(json.dumps(line) for line in PASTED) + "}"}
        scratch = base / "nvim"
        scratch.mkdir()
        saves = run_scenario(NEOVIMS["0.11"], ws, body, agent_env, scratch)
        assert saves[-1] == (ws / "app.py").read_bytes()
        assert not model.errors, model.errors
        passed = recorded.pytest(env, ws)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        git(ws, "add", "-A")
        git(ws, "commit", "-qm", "add: add, not subtract")
        commit = git(ws, "rev-parse", "HEAD")
        wait_recorded(home, ws, lambda steps: recorded.test_runs(steps) == [1, 0] and any(
            s["kind"] == "git" and s.get("op") == "commit" and s.get("sha") == commit for s in steps),
            "the passing test run and the commit")
        codetape(home_of(env), "task", "done", "--outcome", "pass", "--dir", str(ws), check=True)
    at_commit = {path: git_bytes(ws, "show", f"{commit}:{path}")
                 for path in git(ws, "ls-tree", "-r", "--name-only", commit).splitlines()}
    at_end = {path: (ws / path).read_bytes() for path in git(
        ws, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()}
    [unsigned] = home.episodes.glob("*.ctape")
    episode_id = str(open_episode(unsigned).header.episode_id)
    codetape(home_of(env), "keys", "init", "--no-passphrase", check=True)
    codetape(home_of(env), "sign", episode_id, "--yes", check=True)
    uploads, dataset = base / "uploads", base / "dataset"
    codetape(home_of(env), "upload", "--to", uploads.as_uri(), "--quiet", check=True)
    codetape(home_of(env), "dataset", "build", uploads.as_uri(), "-o", str(dataset), "--exports",
             "agent-trace,swe-messages", "--quiet", check=True)
    yield Recorded(ws, dataset, commit, at_commit, at_end, episode_id)


def test_every_edit_has_an_origin(session: Recorded) -> None:
    edits = session.tables.execute("SELECT step, origin, inserted FROM edits ORDER BY step").fetchall()
    assert edits and [row for row in edits if row[1] is None] == []


def test_the_agent_s_write_is_its_own_transition_and_no_reload_carries_it(session: Recorded) -> None:
    rows = session.tables.execute("SELECT kind, origin, origin_detail, diff FROM transitions WHERE path = "
                                  "'app.py' AND diff LIKE ? ORDER BY action", [f"%-{BUG}\n%"]).fetchall()
    assert [(kind, origin) for kind, origin, _detail, _diff in rows] == [("file_change", "agent")], rows
    assert rows[0][2] == "claude-code:PostToolUse Edit" or rows[0][2] == "claude-code:PreToolUse Edit"
    assert "".join(f"+{line}\n" for line in FIX.splitlines()) in rows[0][3]
    unsaid = session.tables.execute("SELECT kind, diff FROM transitions WHERE path = 'app.py' AND kind IN "
                                    "('open', 'close') AND diff <> ''").fetchall()
    assert unsaid == [], unsaid


def test_fail_to_pass_lists_both_actors_diffs(session: Recorded) -> None:
    rows = fail_to_pass(session.tables)
    whose = {ORIGIN_CLASS.get(origin or "unknown", "human" if origin == "mixed" else "unknown")
             for _test, kind, origin, _diff in rows}
    assert {"human", "ai"} <= whose, rows
    assert any(kind == "file_change" and origin == "agent" and f"-{BUG}\n" in diff
               for _test, kind, origin, diff in rows), rows


def test_the_shares_are_what_was_scripted(session: Recorded) -> None:
    human = len(TYPED_BEFORE) + 1 + len("\n".join(PASTED)) + len(TYPED_AFTER) + 1 + len("total = 1") + 1
    ai = len(FIX) - len("    return ") + len("\n")  # what the Edit inserted between what both texts share
    [(human_share, ai_share, unknown)] = session.tables.execute(
        "SELECT human_share, ai_share, unknown_share FROM episodes").fetchall()
    assert abs(human_share - human / (human + ai)) < 0.05, (human_share, human, ai)
    assert abs(ai_share - ai / (human + ai)) < 0.05, (ai_share, human, ai)
    assert unknown == 0, unknown


def test_agent_trace_gives_each_line_to_whoever_wrote_it(session: Recorded) -> None:
    records = [json.loads(line) for line in session.export("agent-trace", ".agent-trace.jsonl")
               .read_text(encoding="utf-8").splitlines()]
    [record] = [r for r in records if r.get("vcs", {}).get("revision") == session.commit]
    [file] = [f for f in record["files"] if f["path"] == "app.py"]
    lines = session.at_commit["app.py"].decode().splitlines()
    owner: dict[int, str] = {}
    for conversation in file["conversations"]:
        for span in conversation["ranges"]:
            for number in range(span["start_line"], span["end_line"] + 1):
                owner[number] = conversation["contributor"]["type"]
    assert owner[lines.index(TYPED_BEFORE) + 1] == "human"
    assert owner[lines.index("    total = a + b") + 1] == "ai"
    assert owner[lines.index(TYPED_AFTER) + 1] == "human"


def test_swe_messages_write_file_holds_the_fix(session: Recorded) -> None:
    [row] = [json.loads(line) for line in session.export("swe-messages", ".swe-messages.jsonl")
             .read_text(encoding="utf-8").splitlines()]
    writes = [json.loads(call["function"]["arguments"]) for message in row["messages"]
              for call in message.get("tool_calls") or () if call["function"]["name"] == "write_file"]
    assert [w["path"] for w in writes] == ["app.py"], writes
    assert f"-{BUG}\n" in writes[0]["diff"], writes


def test_the_transitions_replay_to_the_disk_at_the_commit_and_at_the_end(session: Recorded) -> None:
    con = session.tables
    at_commit = replayed(con, commit_step(con, session.commit))
    assert at_commit["app.py"] == session.at_commit["app.py"]
    assert replayed(con)["app.py"] == session.at_end["app.py"]
