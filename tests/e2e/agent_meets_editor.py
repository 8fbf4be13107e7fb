"""Where the developer and the agent meet (issue 54, item 5): a real AI agent (the pinned Claude Code or
Codex binary, driven by the scripted model on loopback, tests/support/model_server.py) fixes a failing test
in the file the developer has open in a real editor through codetape's plugin; the editor reads the file
again; the developer types on, completes a word, pastes; the tests pass; commit; `task done --outcome
pass`; sign, upload, build with the Agent Trace and swe-messages exports.

`record(editor, drive, agent, base)` records one pairing; each editor's module records its pairing once
(a module-scoped fixture named `session`) and imports the checks below, which every pairing passes, as a
data team reads the dataset: every edit has an origin; the agent's write is a transition of its own with
its diff (no reload carries it, none without an origin); fail-to-pass lists both actors' diffs; the human
and AI shares are within 5 points of what was scripted; Agent Trace gives the fixed lines to the AI and the
typed ones to the human; swe-messages' write_file holds the fix; the transitions replay to the disk at
the commit and at the end.

What the developer does is the same in every editor (the texts below), so the shares scripted are too:
a comment line typed above `add`, a function pasted at the end, saved; the agent's turn; then a line typed
(`TYPED_AFTER`) and a word completed from the agent's line (`to` -> `total`, then ` = 1`), saved.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from collector.episode import open_episode
from collector.home import Home
from collector.text.digest import sha256_text
from schemas.steps.edit import ORIGIN_CLASS
from tests.cli import codetape
from tests.e2e import data_team_session as recorded
from tests.e2e.conftest import environment, home_of, opted_in_repository, running_collector
from tests.e2e.data_team_session import checks_of, commit_step, fail_to_pass, git, git_bytes, replayed
from tests.e2e.emacs.batch import AUTO_REVERT, CODETAPE_EGLOT, VISIT_APP, run_emacs
from tests.support.collector_harness import wait_recorded
from tests.support.dataset_helpers import duck
from tests.support.model_server import Action, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import CLAUDE_MODEL, base_env, binary, codex_config
from tests.waiting import wait_for

APP = "def add(a, b):\n    return a - b\n"
TESTS = "from app import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
IGNORED = "__pycache__/\n.pytest_cache/\n.claude/\n"
BUG, FIX = "    return a - b", "    total = a + b\n    return total"
PROMPT = "test_add fails: fix add"
TYPED_BEFORE = "# adds two numbers, or so it says"  # a line typed above `add`
PASTED = "\n\n\ndef mul(a, b):\n    return a * b"  # pasted after the last line's end
TYPED_AFTER = "result = add(2, 3)"  # a new line typed after the agent's turn
COMPLETED = "total = 1"  # `to`, completed to `total` (the agent's word), then ` = 1`, on a new line
HUMAN = len(TYPED_BEFORE) + 1 + len(PASTED) + 1 + len(TYPED_AFTER) + 1 + len(COMPLETED)
AI = len("total = a + b\n    return total")  # what the agent's write inserted between what the texts
# before and after it share at their start and end (as the shares count a write to disk)
PAIRED = ("-" + BUG + "\n", "".join(f"+{line}\n" for line in FIX.splitlines()))

# An editor's part: given the workspace, the environment (CODETAPE_HOME, PATH) and a scratch folder, open
# app.py through codetape's plugin, type and paste as above, save, run `sh TURN` (the agent's turn) and
# wait for it, read app.py again from disk, type and complete as above, save, quit. Returns app.py's bytes
# at each save.
Drive = Callable[[Path, dict[str, str], Path, Path], list[bytes]]


@dataclass
class Meeting:
    editor: str
    agent: str
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


def record(editor: str, drive: Drive, agent: str, base: Path) -> Meeting:
    """The whole session: `editor` driven by `drive`, `agent` (claude-code or codex) its turn in between."""
    env = environment(base)
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    ws = opted_in_repository(base / "ws", env)
    for name, text in (("app.py", APP), ("test_app.py", TESTS), (".gitignore", IGNORED)):
        (ws / name).write_text(text, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "add, and its test")
    user = base / "agent-user"
    (user / ".codex").mkdir(parents=True)
    script: list[list[Action]] = [[Edit(ws / "app.py", BUG, FIX)], [Text("Fixed add.")]]
    if agent == "claude-code":  # (its Edit refuses a file it has not read)
        script.insert(0, [Read(ws / "app.py")])
    with running_collector(env, base / "collector.log"), ScriptedModel(script) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model), encoding="utf-8")
        codetape(home_of(env), "agent", "hook", "install", "--yes", "--agent", agent, "--dir", str(ws),
                 env={"HOME": str(user), "CODEX_HOME": str(user / ".codex")}, check=True)
        codetape(home_of(env), "task", "start", "make add add", "--dir", str(ws), check=True)
        failed = recorded.pytest(env, ws)
        assert failed.returncode == 1, failed.stdout + failed.stderr
        wait_recorded(home, ws, lambda steps: recorded.test_runs(steps) == [1], "the failing test run")
        turn = base / "agent-turn.sh"
        turn.write_text(turn_script(agent, model, user, env), encoding="utf-8")
        scratch = base / editor.lower()
        scratch.mkdir()
        saves = drive(ws, env, scratch, turn)
        assert saves[-1] == (ws / "app.py").read_bytes()
        assert not model.errors and len(model.requests) >= len(script), (model.errors, len(model.requests))
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
    return Meeting(editor, agent, ws, dataset, commit, at_commit, at_end, episode_id)


def turn_script(agent: str, model: ScriptedModel, user: Path, env: dict[str, str],
                prompt: str = PROMPT) -> str:
    """The agent's turn on `prompt` as a shell script: its binary in a clean environment (the user's HOME,
    the collector's CODETAPE_HOME for its hooks) talking to the scripted model."""
    clean = {**base_env(user), "CODETAPE_HOME": env["CODETAPE_HOME"]}
    if agent == "claude-code":
        clean |= {"ANTHROPIC_BASE_URL": model.url, "ANTHROPIC_API_KEY": "sk-scripted", "IS_SANDBOX": "1",
                  "DISABLE_TELEMETRY": "1", "DISABLE_AUTOUPDATER": "1", "DISABLE_ERROR_REPORTING": "1",
                  "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}
        argv = [str(binary(agent)), "-p", prompt, "--dangerously-skip-permissions", "--model", CLAUDE_MODEL]
    else:
        clean |= {"SCRIPTED_MODEL_KEY": "sk-scripted"}
        argv = [str(binary(agent)), "exec", "--dangerously-bypass-approvals-and-sandbox",
                "--skip-git-repo-check", "--dangerously-bypass-hook-trust", prompt]
    assigned = " ".join(f"{name}={shlex.quote(value)}" for name, value in clean.items())
    return f"exec env -i {assigned} {shlex.join(argv)} </dev/null\n"


# The checks every pairing passes: each pairing's module collects them as a class of its own,
# `class TestMeeting(MeetingChecks)`, with its own `session` fixture.

class MeetingChecks:
    """The checks below (each marked @check), as one class's static methods."""


check = checks_of(MeetingChecks)


@check
def test_every_edit_has_an_origin(session: Meeting) -> None:
    edits = session.tables.execute("SELECT step, origin, inserted FROM edits ORDER BY step").fetchall()
    assert edits and [row for row in edits if row[1] is None] == []


@check
def test_the_agent_s_write_is_its_own_transition_and_no_reload_carries_it(session: Meeting) -> None:
    rows = session.tables.execute("SELECT kind, origin, origin_detail, diff FROM transitions WHERE path = "
                                  "'app.py' AND diff LIKE ? ORDER BY action", [f"%{PAIRED[0]}%"]).fetchall()
    assert [(kind, origin) for kind, origin, _detail, _diff in rows] == [("file_change", "agent")], rows
    assert rows[0][2].startswith(f"{session.agent}:"), rows
    assert PAIRED[1] in rows[0][3], rows
    unsaid = session.tables.execute("SELECT kind, origin, diff FROM transitions WHERE path = 'app.py' AND "
                                    "diff <> '' AND (origin IS NULL OR kind IN ('open', 'close'))").fetchall()
    assert unsaid == [], unsaid


@check
def test_fail_to_pass_lists_both_actors_diffs(session: Meeting) -> None:
    rows = fail_to_pass(session.tables)
    assert any(kind == "file_change" and origin == "agent" and PAIRED[0] in diff
               for _test, kind, origin, diff in rows), rows
    assert any(kind == "edit" and (origin == "mixed" or ORIGIN_CLASS.get(origin or "unknown") == "human")
               for _test, kind, origin, _diff in rows), rows


@check
def test_the_shares_are_what_was_scripted(session: Meeting) -> None:
    [(human, ai, unknown)] = session.tables.execute(
        "SELECT human_share, ai_share, unknown_share FROM episodes").fetchall()
    assert abs(human - HUMAN / (HUMAN + AI)) < 0.05, (human, HUMAN, AI)
    assert abs(ai - AI / (HUMAN + AI)) < 0.05, (ai, HUMAN, AI)
    assert unknown == 0, unknown


@check
def test_agent_trace_gives_each_line_to_whoever_wrote_it(session: Meeting) -> None:
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
    assert owner.get(lines.index(TYPED_BEFORE) + 1) == "human", (owner, lines)
    assert owner.get(lines.index("    total = a + b") + 1) == "ai", (owner, lines)
    assert owner.get(lines.index(TYPED_AFTER) + 1) == "human", (owner, lines)


@check
def test_swe_messages_write_file_holds_the_fix(session: Meeting) -> None:
    [row] = [json.loads(line) for line in session.export("swe-messages", ".swe-messages.jsonl")
             .read_text(encoding="utf-8").splitlines()]
    writes = [json.loads(call["function"]["arguments"]) for message in row["messages"]
              for call in message.get("tool_calls") or () if call["function"]["name"] == "write_file"]
    assert [w["path"] for w in writes] == ["app.py"], writes
    assert PAIRED[0] in writes[0]["diff"] and PAIRED[1] in writes[0]["diff"], writes


@check
def test_the_transitions_replay_to_the_disk_at_the_commit_and_at_the_end(session: Meeting) -> None:
    con = session.tables
    assert replayed(con, commit_step(con, session.commit))["app.py"] == session.at_commit["app.py"]
    assert replayed(con)["app.py"] == session.at_end["app.py"]


# The editors' parts.

NEOVIM = r"""
vim.o.autoread = true
local function text() return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n' end
local function settle()
  local done = false
  vim.schedule(function() done = true end)
  check(vim.wait(10000, function() return done end, 10), 'the event loop did not run')
end
keys('ggO' .. %(typed_before)s .. '<Esc>')
settle()
vim.cmd('normal! G$')
vim.paste(vim.split(%(pasted)s, '\n', { plain = true }), -1)
settle()
save()
recorded_save()
-- the agent's turn, while app.py is open and saved
local code
local job = vim.fn.jobstart({ 'sh', %(turn)s }, { cwd = WS, on_exit = function(_, c) code = c end })
check(job > 0, 'could not start the agent')
check(vim.wait(240000, function() return code ~= nil end, 50), 'the agent did not finish')
check(code == 0, 'the agent failed: exit ' .. tostring(code))
vim.cmd('checktime')
check(text():find('total = a + b', 1, true) ~= nil, 'checktime did not read the agent\'s write: ' .. text())
keys('Go' .. %(typed_after)s .. '<Esc>')
settle()
keys('Goto<C-n>' .. %(completed_rest)s .. '<Esc>')  -- `total`, the only match: completed at once
settle()
save()
recorded_save()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


def neovim(ws: Path, env: dict[str, str], scratch: Path, turn: Path) -> list[bytes]:
    """Neovim 0.11 (this venv's) with editor_extensions/neovim; 'autoread' and `:checktime` read the
    agent's write."""
    from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario

    body = NEOVIM % {name: json.dumps(value) for name, value in (
        ("typed_before", TYPED_BEFORE), ("pasted", PASTED), ("turn", str(turn)),
        ("typed_after", TYPED_AFTER), ("completed_rest", COMPLETED.removeprefix("total")))}
    return run_scenario(NEOVIMS["0.11"], ws, body, env, scratch)


EMACS = CODETAPE_EGLOT + AUTO_REVERT + r"""
(defun keys (keys) (execute-kbd-macro (kbd keys)))  ; each runs as a command, as from the keyboard
(defun sent () (eglot--signal-textDocument/didChange))  ; (--batch runs no idle timer)
(defun recorded (kind)  ; wait until the collector has recorded app.py's open, or its save as on disk
  (unless (eq 0 (call-process "%(python)s" nil nil nil "-c" @WAIT@ default-directory "app.py" kind))
    (kill-emacs 4)))
""" + VISIT_APP + r"""
(recorded "open")
(goto-char (point-min))
(execute-kbd-macro (concat @TYPED_BEFORE@ "\r")) (sent)
(goto-char (1- (point-max)))
(kill-new @PASTED@) (keys "C-y") (sent)
(save-buffer)
(recorded "save")
;; the agent's turn, while app.py is open and saved; auto-revert-mode reads its write
(unless (eq 0 (call-process "sh" nil nil nil @TURN@)) (kill-emacs 5))
(auto-revert-mode 1)
(defun holds (text) (save-excursion (goto-char (point-min)) (search-forward text nil t)))
(unless (wait-until (lambda () (holds "total = a + b")) 30) (kill-emacs 6))
(auto-revert-mode -1)
(goto-char (point-max))
(execute-kbd-macro (concat @TYPED_AFTER@ "\r")) (sent)
(execute-kbd-macro "to") (keys "M-/") (execute-kbd-macro (concat @COMPLETED_REST@ "\r")) (sent)
(save-buffer)
(copy-file buffer-file-name "%(out)s/1" t)
(recorded "save")
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))
(kill-emacs 0)
"""


def emacs(ws: Path, env: dict[str, str], scratch: Path, turn: Path) -> list[bytes]:
    """Emacs with editor_extensions/emacs/codetape.el and eglot (codetape's proxy in front of pylsp);
    auto-revert-mode reads the agent's write."""
    script = EMACS
    for name, value in (("WAIT", recorded.WAIT_RECORDED), ("TYPED_BEFORE", TYPED_BEFORE), ("PASTED", PASTED),
                        ("TURN", str(turn)), ("TYPED_AFTER", TYPED_AFTER),
                        ("COMPLETED_REST", COMPLETED.removeprefix("total"))):
        script = script.replace(f"@{name}@", json.dumps(value).replace("%", "%%"))
    out = run_emacs(script, ws, env | {"PYTHONPATH": str(recorded.ROOT)}, scratch)
    return [(out / "1").read_bytes()]


def vscode(code_server: Path, vsix: Path) -> Drive:
    """VS Code (code-server, the packaged extension: tests/e2e/vscode/test_extension_vscode.py) driven in
    Chromium by editor_extensions/vscode/e2e/agent.mjs; VS Code reloads the clean file the agent rewrote by
    itself. The test runs the agent's turn when the driver has saved and the collector has recorded the save,
    then tells the driver; code-server is stopped afterwards, its extension host with it."""
    from tests.e2e.vscode.test_extension_vscode import driving, running_code_server

    def drive(ws: Path, env: dict[str, str], scratch: Path, turn: Path) -> list[bytes]:
        out, app = scratch / "vscode-agent.json", ws / "app.py"
        home = Home(Path(env["CODETAPE_HOME"]).resolve())
        first = TYPED_BEFORE + "\n" + APP.removesuffix("\n") + PASTED + "\n"
        last = first.replace(BUG, FIX).removesuffix("\n") + "\n" + TYPED_AFTER + "\n" + COMPLETED + "\n"
        texts = {"typedBefore": TYPED_BEFORE, "pasted": PASTED, "reloaded": FIX.splitlines()[0].strip(),
                 "typedAfter": TYPED_AFTER, "prefix": "to", "word": "total",
                 "rest": COMPLETED.removeprefix("total")}
        with running_code_server(code_server, vsix, env, scratch, ws) as (port, _):
            # VS Code for the web saves a second after typing (files.autoSave's default there): as on the
            # desktop, only the developer's Ctrl+S saves (the user's settings: none in the repository)
            settings = scratch / "user" / "User" / "settings.json"
            settings.write_text(json.dumps(json.loads(settings.read_text(encoding="utf-8"))
                                           | {"files.autoSave": "off"}), encoding="utf-8")
            def saved(text: str, what: str) -> bytes:
                wait_for(lambda: app.read_text(encoding="utf-8") == text, 120, what,
                         detail=lambda: app.read_text(encoding="utf-8"))
                wait_recorded(home, ws, lambda steps: any(
                    s["kind"] == "save" and s.get("sha256") == sha256_text(text) for s in steps), what)
                return app.read_bytes()

            url = f"http://127.0.0.1:{port}/?folder={ws}"
            with driving("agent.mjs", url, out, [json.dumps(texts)], scratch) as driver:
                driver.opened(home, ws)
                driver.wait("saved-0", "the driver's first save")
                saves = [saved(first, "the first save of app.py")]
                agent = subprocess.run(["sh", str(turn)], cwd=ws, capture_output=True, text=True, timeout=300)
                assert agent.returncode == 0, (agent.returncode, agent.stdout[-3000:], agent.stderr[-3000:])
                driver.tell("turned")
                driver.wait("saved-1", "the driver's last save")
                saves.append(saved(last, "the last save of app.py"))
                driver.tell("recorded-1")
        return saves  # (code-server stopped: VS Code has gone with app.py open)

    return drive
