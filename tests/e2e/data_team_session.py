"""The data team's session (issue 37, "Done when"), recorded once per editor and checked as a trainer
reads it.

A developer's repository, committed before the recording starts, has a failing test (`test_app.py`
against `app.py`'s `add`, which subtracts); the developer starts a task and runs the test through
`codetape run`; opens `app.py` in a real editor through codetape's plugin, beside pylsp; pastes a
function, completes a word, makes the editor's own edits (Neovim's normal mode, Emacs's commands, VS
Code's keys), saves and quits with the file still open. Then Claude Code fixes `add` through its hooks
(`codetape agent hook run`, fed the payloads a real Claude Code run wrote, tests/fixtures/agents, its Edit
tool's write between PreToolUse and PostToolUse), the tests pass (`codetape run`), the developer commits
and says `codetape task done --outcome pass` (which seals). The episode is signed, uploaded to a file://
destination and built into a dataset with the ATIF and Agent Trace exports, and built again with
`--origin human`.

Each editor's module records it once (`record`, given a function that drives its editor) in a
module-scoped fixture named `session`, and imports the checks below, which every editor's session passes:
the transitions replayed over the blobs are the disk at the commit and at the end, byte for byte; the
agent's write is a transition of its own with `origin: agent`; the diff that turned the failing test green
is in the tables; `--origin human` keeps the episode at its human share; Agent Trace and ATIF attribute
the agent's lines and steps to the agent; the editor's going closed its document. Issue 40 can add label
checks on the same `session`.
"""

from __future__ import annotations

import difflib
import json
import math
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from collector.episode import Episode, open_episode
from collector.home import Home
from collector.text.digest import sha256_text
from schemas.steps.edit import ORIGIN_CLASS
from tests.cli import codetape
from tests.e2e.conftest import CODETAPE, environment, home_of, opted_in_repository, running_collector
from tests.e2e.emacs.batch import CODETAPE_EGLOT, VISIT_APP, run_emacs
from tests.support.collector_harness import summary, wait_recorded, written_to
from tests.support.dataset_helpers import duck
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
Check = TypeVar("Check", bound=Callable[..., None])
PAYLOADS = ROOT / "tests" / "fixtures" / "agents" / "claude-code"
APP = "def add(a, b):\n    return a - b\n"
TESTS = "from app import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
IGNORED = "__pycache__/\n.pytest_cache/\n"
BUG, FIX = "    return a - b", "    total = a + b\n    return total"  # the agent's Edit: old, new
PROMPT = "test_add fails: fix add"
TASK = "make add add"
DEBUG = 'print("debug")'  # a line typed and deleted before the save, in every editor
EDITED = APP + "\n\ndef mul(a, b):\n    return a * b\n\nresult = mul(2, 3)\n# the product\n"  # by the editor

# An editor's session: given the workspace, the environment (CODETAPE_HOME, PATH) and a scratch folder,
# open app.py through codetape's plugin beside pylsp, paste, complete, edit, save, and quit with app.py
# open; returns app.py's bytes on disk at each save.
Drive = Callable[[Path, dict[str, str], Path], list[bytes]]


@dataclass
class Session:
    """One recorded data team session, as far as the dataset build."""

    editor: str
    env: dict[str, str]
    workspace: Path
    scratch: Path
    saves: list[bytes]  # app.py on disk at each of the editor's saves
    episode: Episode  # as uploaded (signed)
    commit: str  # the fix's commit
    at_commit: dict[str, bytes]  # every file of that commit
    at_end: dict[str, bytes]  # every file in the workspace at the end (not .git, not ignored)
    dataset: Path  # built from the upload with --exports atif,agent-trace
    human: Path  # built again with --origin human --origin-share (the episode's human share)
    strict: Path  # built again with --origin human (all of it)

    @property
    def tables(self) -> duckdb.DuckDBPyConnection:
        return duck(self.dataset)

    def export(self, fmt: str, suffix: str) -> Path:
        [found] = (self.dataset / "exports" / fmt).rglob(f"{self.episode.header.episode_id}{suffix}")
        return found


def record(editor: str, drive: Drive, base: Path) -> Session:
    """The whole session with `editor` (driven by `drive`), a real collector for it, from the failing test
    to the dataset build."""
    env = environment(base)
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    ws = opted_in_repository(base / "ws", env)  # the project as it was before the session
    for name, text in (("app.py", APP), ("test_app.py", TESTS), (".gitignore", IGNORED)):
        (ws / name).write_text(text, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "add, and its test")
    with running_collector(env, base / "collector.log"):
        codetape(home_of(env), "task", "start", TASK, "--dir", str(ws), check=True)
        failed = pytest(env, ws)
        assert failed.returncode == 1 and "1 failed" in failed.stdout, failed.stdout + failed.stderr
        wait_recorded(home, ws, lambda steps: test_runs(steps) == [1], "the failing test run")

        saves = drive(ws, env, base)
        assert saves and saves[-1] == (ws / "app.py").read_bytes()
        wait_recorded(home, ws, lambda steps: "close:app.py" in summary(steps),
                      f"the close of app.py once {editor} was gone")

        fixed = claude_code_edits(env, ws, base, "app.py", BUG, FIX)
        wait_recorded(home, ws, lambda steps: any(
            s["kind"] == "file_change" and written_to(s) == "app.py" and s.get("origin") == "agent"
            for s in steps), "the agent's write of app.py")
        passed = pytest(env, ws)
        assert passed.returncode == 0 and "1 passed" in passed.stdout, passed.stdout + passed.stderr
        git(ws, "add", "-A")
        git(ws, "commit", "-qm", "add: add, not subtract")
        commit = git(ws, "rev-parse", "HEAD")
        wait_recorded(home, ws, lambda steps: test_runs(steps) == [1, 0] and any(
            s["kind"] == "git" and s.get("op") == "commit" and s.get("sha") == commit for s in steps),
            "the passing test run and the commit")
        assert (ws / "app.py").read_text(encoding="utf-8") == fixed
        sealed = codetape(home_of(env), "task", "done", "--outcome", "pass", "--dir", str(ws),
                          check=True).stdout
        assert sealed.startswith("sealed "), sealed
        at_commit = {path: git_bytes(ws, "show", f"{commit}:{path}")
                     for path in git(ws, "ls-tree", "-r", "--name-only", commit).splitlines()}
        at_end = {path: (ws / path).read_bytes() for path in git(
            ws, "ls-files", "--cached", "--others", "--exclude-standard").splitlines()}

        [unsigned] = home.episodes.glob("*.ctape")
        verified = subprocess.run([*CODETAPE, "verify", str(unsigned), "--against-git", str(ws)], env=env,
                                  capture_output=True, text=True, timeout=120)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        uploads = base / "uploads"
        codetape(home_of(env), "keys", "init", "--no-passphrase", check=True)
        codetape(home_of(env), "sign", str(open_episode(unsigned).header.episode_id), "--yes", check=True)
        codetape(home_of(env), "upload", "--to", uploads.as_uri(), "--quiet", check=True)
        [uploaded] = (uploads / "episodes").glob("*.ctape")
        dataset, human, strict = base / "dataset", base / "dataset-human", base / "dataset-strict"
        codetape(home_of(env), "dataset", "build", uploads.as_uri(), "-o", str(dataset), "--exports",
                 "atif,agent-trace", "--quiet", check=True)
        [share] = duck(dataset).execute("SELECT human_share FROM episodes").fetchone() or [None]
        assert share is not None and 0 < share < 1, share
        codetape(home_of(env), "dataset", "build", uploads.as_uri(), "-o", str(human), "--origin", "human",
                 "--origin-share", f"{math.floor(share * 1000) / 1000:g}", "--quiet", check=True)
        codetape(home_of(env), "dataset", "build", uploads.as_uri(), "-o", str(strict), "--origin", "human",
                 "--quiet", check=True)
    return Session(editor, env, ws, base, saves, open_episode(uploaded), commit, at_commit, at_end, dataset,
                   human, strict)


def git(ws: Path, *args: str) -> str:
    return git_bytes(ws, *args).decode("utf-8").strip()


def git_bytes(ws: Path, *args: str) -> bytes:
    return subprocess.run(["git", *args], cwd=ws, check=True, capture_output=True, timeout=60).stdout


def pytest(env: dict[str, str], ws: Path) -> subprocess.CompletedProcess[str]:
    """`codetape run -- python -m pytest -q` in the workspace, as the developer runs the tests."""
    return subprocess.run([*CODETAPE, "run", "--", sys.executable, "-m", "pytest", "-q"], cwd=ws, env=env,
                          capture_output=True, text=True, timeout=120)


def test_runs(steps: list[dict[str, Any]]) -> list[int]:
    """The exit status of each test run recorded so far."""
    return [s.get("exit_status") for s in steps if s["kind"] == "test_run"]


def claude_code_edits(env: dict[str, str], ws: Path, scratch: Path, relpath: str, old: str, new: str) -> str:
    """Claude Code's turn, through `codetape agent hook run --agent claude-code` as its installed hooks run
    it: the payloads of a real run (tests/fixtures/agents/claude-code) with this workspace's paths, the
    prompt, an Edit of `relpath` (`old` -> `new`) whose write lands between its PreToolUse and PostToolUse
    as the Edit tool's does, the answer and the session's end. Returns the text written."""
    user = scratch / "agent-user"

    def run(name: str, **fields: Any) -> None:
        text = (PAYLOADS / f"{name}.json").read_text(encoding="utf-8")
        payload = json.loads(text.replace("/home/dev/project", str(ws)).replace("/home/dev", str(user)))
        payload.update(fields)
        done = subprocess.run([*CODETAPE, "agent", "hook", "run", "--agent", "claude-code"], cwd=ws, env=env,
                              input=json.dumps(payload).encode(), capture_output=True, timeout=60)
        assert (done.returncode, done.stdout, done.stderr) == (0, b"", b""), (name, done)

    path = ws / relpath
    before = path.read_text(encoding="utf-8")
    assert before.count(old) == 1, before
    after = before.replace(old, new)
    edit = {"file_path": str(path), "old_string": old, "new_string": new, "replace_all": False}
    run("SessionStart")
    run("UserPromptSubmit", prompt=PROMPT)
    run("PreToolUse", tool_input=edit)
    path.write_text(after, encoding="utf-8")  # what the Edit tool writes
    run("PostToolUse", tool_input=edit, tool_response={
        "filePath": str(path), "oldString": old, "newString": new, "originalFile": before,
        "structuredPatch": structured_patch(before, after), "userModified": False, "replaceAll": False})
    run("Stop", last_assistant_message="Fixed add.")
    run("SessionEnd")
    return after


def structured_patch(before: str, after: str) -> list[dict[str, Any]]:
    """The Edit tool's `structuredPatch` of a change: its hunks, each line prefixed as in a unified diff."""
    hunks: list[dict[str, Any]] = []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=3):
        header = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", line)
        if header:
            hunks.append({"oldStart": int(header[1]), "oldLines": int(header[2] or 1),
                          "newStart": int(header[3]), "newLines": int(header[4] or 1), "lines": []})
        elif hunks:
            hunks[-1]["lines"].append(line)
    return hunks


# What the tables say, read as a data team reads them.

def replayed(con: duckdb.DuckDBPyConnection, up_to_step: int | None = None) -> dict[str, bytes]:
    """The files after replaying every `transitions` row's after_sha256 over `blobs`, in order (each row's
    before_sha256 the text so far), up to the action that ends at `up_to_step` (None: all of them)."""
    blobs = dict(con.execute("SELECT sha256, text FROM blobs").fetchall())
    files: dict[str, str] = {}
    rows = con.execute("SELECT action, last_step, path, before_sha256, after_sha256 FROM transitions "
                       "ORDER BY action, path").fetchall()
    for action, last, path, before, after in rows:
        if up_to_step is not None and last > up_to_step:
            break
        if path is None:
            continue
        assert files.get(path) == (None if before is None else blobs[before]), (action, path)
        if after is None:
            files.pop(path, None)
        else:
            files[path] = blobs[after]
    return {path: text.encode("utf-8") for path, text in files.items()}


def commit_step(con: duckdb.DuckDBPyConnection, sha: str) -> int:
    [(step,)] = con.execute("SELECT step FROM git WHERE op = 'commit' AND sha = ?", [sha]).fetchall()
    return int(step)


def fail_to_pass(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str | None, str]]:
    """The rows of `transitions` between a test's last failing run and its first passing run after it
    that changed a file: (test, kind, origin, diff)."""
    return con.execute("""
        WITH tests AS (SELECT step, nodeid, outcome FROM test_runs WHERE kind = 'test'),
        fixed AS (SELECT pass.nodeid, max(fail.step) AS failed_at, pass.step AS passed_at
                  FROM tests AS pass JOIN tests AS fail ON fail.nodeid = pass.nodeid AND fail.step < pass.step
                  WHERE pass.outcome = 'passed' AND fail.outcome IN ('failed', 'error')
                  GROUP BY pass.nodeid, pass.step)
        SELECT nodeid, kind, origin, diff FROM transitions JOIN fixed
            ON first_step > failed_at AND last_step < passed_at
        WHERE path IS NOT NULL AND diff IS NOT NULL ORDER BY action""").fetchall()


# The checks every editor's session passes: each editor's module collects them as a class of its own,
# `class TestSession(SessionChecks)`, with its own `session` fixture.

def checks_of(checks: type) -> Callable[[Check], Check]:
    """A decorator that makes the check it marks a static method of `checks` as well (the function itself
    stays as it is): a module collects them all as `class Test...(checks)` beside its `session` fixture."""
    def mark(test: Check) -> Check:
        setattr(checks, test.__name__, staticmethod(test))
        return test

    return mark


class SessionChecks:
    """The checks below (each marked @check), as one class's static methods."""


check = checks_of(SessionChecks)


@check
def test_the_transitions_replay_to_the_disk_at_the_commit_and_at_the_end(session: Session) -> None:
    con = session.tables
    at_commit = replayed(con, commit_step(con, session.commit))
    at_end = replayed(con)
    assert "app.py" in at_commit and "app.py" in at_end
    assert at_commit == {path: session.at_commit[path] for path in at_commit}, (at_commit, session.at_commit)
    assert at_end == {path: session.at_end[path] for path in at_end}, (at_end, session.at_end)
    blobs = dict(con.execute("SELECT sha256, text FROM blobs").fetchall())
    states = con.execute("SELECT event, path, sha256 FROM file_states WHERE event IN ('commit', 'end') "
                         "AND path = 'app.py' ORDER BY step").fetchall()
    assert [(event, blobs[sha].encode()) for event, _, sha in states] == [
        ("commit", session.at_commit["app.py"]), ("end", session.at_end["app.py"])], states


@check
def test_the_agent_s_write_is_a_transition_of_its_own_with_origin_agent(session: Session) -> None:
    rows = session.tables.execute("SELECT kind, origin, origin_detail, diff FROM transitions "
                                  "WHERE path = 'app.py' AND origin = 'agent'").fetchall()
    assert len(rows) == 1, rows
    [(kind, _, detail, diff)] = rows
    assert kind == "file_change" and detail in ("claude-code:PreToolUse Edit", "claude-code:PostToolUse Edit")
    assert f"-{BUG}\n" in diff and "".join(f"+{line}\n" for line in FIX.splitlines()) in diff, diff
    events = session.tables.execute("SELECT agent, event, tool, targets, prompt_chars FROM agent_events "
                                    "ORDER BY step").fetchall()
    assert [event for _, event, *_ in events] == ["session_start", "prompt", "tool_call", "tool_result",
                                                  "stop", "session_end"], events
    assert events[2][2:4] == ("Edit", ["app.py"]) and events[1][4] == len(PROMPT), events


@check
def test_the_fail_to_pass_diff_is_in_the_tables(session: Session) -> None:
    rows = fail_to_pass(session.tables)
    assert {nodeid for nodeid, *_ in rows} == {"test_app.py::test_add"}, rows
    fixes = [(kind, origin) for _, kind, origin, diff in rows if f"-{BUG}\n" in diff]
    assert fixes == [("file_change", "agent")], rows
    assert session.tables.execute("SELECT task, task_outcome FROM episodes").fetchall() == [(TASK, "pass")]


@check
def test_origin_human_keeps_the_episode_at_its_human_share(session: Session) -> None:
    con = session.tables
    [(share, ai, unknown, written)] = con.execute(
        "SELECT human_share, ai_share, unknown_share, inserted_by_origin FROM episodes").fetchall()
    # what the editor's edits inserted, by their origins' classes (none said: unknown), and the agent's write:
    # the characters between what the texts before and after it share at their start and end
    chars = dict.fromkeys(("human", "ai", "unknown"), 0)
    for origin, inserted in con.execute("SELECT origin, inserted FROM edits").fetchall():
        chars[ORIGIN_CLASS[origin or "unknown"]] += len(inserted)
    chars["ai"] += inserted_between(session.saves[-1].decode(), session.at_commit["app.py"].decode())
    total = sum(chars.values())
    assert (share, ai, unknown) == (chars["human"] / total, chars["ai"] / total, chars["unknown"] / total), \
        (chars, written)
    assert 0 < share < 1
    kept = duck(session.human).execute("SELECT episode_id, human_share FROM episodes").fetchall()
    assert kept == [(str(session.episode.header.episode_id), share)], kept
    rejected = duck(session.strict).execute("SELECT reason, detail FROM rejected").fetchall()
    assert [reason for reason, _ in rejected] == ["origin"] and "agent" in rejected[0][1], rejected
    assert duck(session.strict).execute("SELECT count(*) FROM episodes").fetchone() == (0,)


def unknown_edits(session: Session) -> list[str]:
    """What each change of unknown origin inserted: none said (the editor gave no evidence), or `unknown`
    (its evidence mixed origins)."""
    return [inserted for (inserted,) in session.tables.execute(
        "SELECT inserted FROM edits WHERE coalesce(origin, 'unknown') = 'unknown' ORDER BY step, change")
        .fetchall()]


def inserted_between(before: str, after: str) -> int:
    """The characters of `after` between what it and `before` share at their start and at their end."""
    start = 0
    while start < min(len(before), len(after)) and before[start] == after[start]:
        start += 1
    end = 0
    while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
        end += 1
    return len(after) - start - end


@check
def test_agent_trace_attributes_the_agent_s_lines_to_the_ai(session: Session) -> None:
    records = [json.loads(line) for line in session.export("agent-trace", ".agent-trace.jsonl")
               .read_text(encoding="utf-8").splitlines()]
    [record] = [r for r in records if r.get("vcs", {}).get("revision") == session.commit]
    [app] = [f for f in record["files"] if f["path"] == "app.py"]
    lines = session.at_commit["app.py"].decode().splitlines()
    whose = {conversation["contributor"]["type"]: [line for r in conversation["ranges"]
                                                    for line in range(r["start_line"], r["end_line"] + 1)]
             for conversation in app["conversations"]}
    fixed = [number for number, line in enumerate(lines, 1) if line in FIX.splitlines()]
    assert whose.get("ai") == fixed, (whose, lines)
    assert whose.get("human") and not set(whose["human"]) & set(fixed), whose


@check
def test_atif_gives_the_agent_its_own_steps(session: Session) -> None:
    trajectory = json.loads(session.export("atif", ".atif.json").read_text(encoding="utf-8"))
    steps = trajectory["steps"]
    calls = [(s, call) for s in steps for call in s.get("tool_calls", [])]
    writes = [(s, call) for s, call in calls if call["function_name"] == "write_file"]
    assert len(writes) == 1, [call["function_name"] for _, call in calls]
    step, call = writes[0]
    assert step["extra"]["origin"] == "agent" and call["arguments"]["path"] == "app.py"
    assert f"-{BUG}\n" in call["arguments"]["diff"], call
    prompts = [s for s in steps if s["source"] == "user" and s["extra"].get("agent") == "claude-code"]
    assert [s["message"] for s in prompts] == [PROMPT], prompts
    tools = [call["arguments"] for _, call in calls if call["function_name"] == "agent_tool"]
    assert {(t["agent"], t["tool"]) for t in tools} == {("claude-code", "Edit")}, tools
    edits = [call["arguments"].get("diff", "") for _, call in calls if call["function_name"] == "edit_file"]
    assert edits and not any(f"+{FIX.splitlines()[0]}" in diff for diff in edits), edits
    runs = [index for index, s in enumerate(steps)
            for call in s.get("tool_calls", []) if call["function_name"] == "run_tests"]
    assert len(runs) == 2 and runs[0] < steps.index(step) < runs[1], (runs, steps.index(step))


@check
def test_the_editor_s_going_closed_its_document(session: Session) -> None:
    app = [s for s in session.episode.step_dicts() if "app.py" in (s.get("path"), s.get("new_path"))]
    steps = [(s["kind"], s.get("source"), s.get("reason")) for s in app]
    closes = [step for step in steps if step[0] == "close"]
    assert closes == [("close", "collector", "editor_gone")], steps
    # the one write of app.py outside the editor is the agent's (no echo of the editor's save), after the
    # close; an atomic save seen as the rename of its temporary file counts as the write
    written = [(index, s.get("origin")) for index, s in enumerate(app)
               if s["kind"] == "file_change" and written_to(s) == "app.py"]
    assert [origin for _, origin in written] == ["agent"], steps
    assert steps.index(closes[0]) < written[0][0], steps


def debug_line(con: duckdb.DuckDBPyConnection) -> tuple[int, list[tuple[str, float | None, int | None]]]:
    """The step that deleted the debug line, and the edits that typed it: (inserted, survived_to_end,
    reverted_at_step) of each edit before that step back to the line's start (the first edit that
    inserted a character not of the line: the line break before it)."""
    rows = con.execute("SELECT step, inserted, deleted, survived_to_end, reverted_at_step FROM edits "
                       "WHERE path = 'app.py' ORDER BY step, change").fetchall()
    [deleting] = [step for step, _, deleted, *_ in rows if DEBUG in deleted]
    typed: list[tuple[str, float | None, int | None]] = []
    for step, inserted, _, survived, reverted in reversed(rows):
        if step >= deleting:
            continue
        if not inserted or not set(inserted) <= set(DEBUG):
            break
        typed.insert(0, (inserted, survived, reverted))
    return deleting, typed


@check
def test_the_debug_line_typed_then_deleted_did_not_survive(session: Session) -> None:
    """Each edit that typed the debug line (in whatever pieces the editor sent it: VS Code closes the
    bracket and the quote itself) kept none of its characters, and was reverted by the deletion."""
    deleting, typed = debug_line(session.tables)
    assert sorted("".join(inserted for inserted, *_ in typed)) == sorted(DEBUG), typed
    assert {(survived, reverted) for _, survived, reverted in typed} == {(0.0, deleting)}, (deleting, typed)


@check
def test_the_agent_s_fix_survived_to_the_end_and_to_the_commit(session: Session) -> None:
    rows = session.tables.execute("SELECT survived_to_end, survived_to_commit, reverted_at_step, "
                                  "reverted_within_ms FROM transitions WHERE path = 'app.py' "
                                  "AND origin = 'agent'").fetchall()
    assert rows == [(1.0, 1.0, None, None)], rows


@check
def test_the_outcome_rests_on_the_tests_with_its_confidence(session: Session) -> None:
    """The test run went red to green with no edit after it: `tests`, 0.9 (collector/episode/outcome.py),
    the developer's `--outcome pass` and the commit agreeing with it, for the episode and for its task."""
    con = session.tables
    [episode] = con.execute("SELECT outcome, outcome_signal, outcome_confidence, outcome_signals "
                            "FROM episodes").fetchall()
    [task] = con.execute("SELECT statement, outcome, outcome_signal, outcome_confidence, outcome_signals "
                         "FROM tasks").fetchall()
    assert task[0] == TASK, task
    for outcome, signal, confidence, signals in (episode, task[1:]):
        assert (outcome, signal, confidence) == ("pass", "tests", 0.9), (episode, task)
        assert [(s["signal"], s["verdict"]) for s in signals] == [
            ("tests", "pass"), ("self-reported", "pass"), ("commit", "pass")], signals


# The editors, each through codetape's own plugin as a developer installs it.

NEOVIM_SESSION = r"""
-- a developer looks at the file before typing: its open reaches the collector first
run({ PYTHON, '-c', WAIT_RECORDED, WS, 'app.py', 'open' }, 'the collector did not record the open of app.py')
-- pylsp beside the bridge, as a developer has it
local PYLSP = vim.fn.fnamemodify(PYTHON, ':h') .. '/pylsp'
local pylsp = vim.lsp.start_client({ name = 'pylsp', cmd = { PYLSP }, root_dir = WS })
vim.lsp.buf_attach_client(buf, pylsp)
check(vim.wait(20000, function() return vim.lsp.get_client_by_id(pylsp).initialized end, 20),
  'pylsp did not initialize')
local function settled()  -- the plugin says whose work the keys' changes are from a scheduled callback
  local done = false
  vim.schedule(function() done = true end)
  check(vim.wait(10000, function() return done end, 10), 'the event loop did not run')
end
keys('G$')
vim.paste({ '', '', '', 'def mul(a, b):', '    return a * b' }, -1)  -- a function from elsewhere
settled()
-- `mu` completed from the buffer's words to `mul` (the line above is empty: <C-y> copies nothing)
keys('Go<CR>result = mu<C-n><C-y>(2, 3)<Esc>')
settled()
keys('oprint("debug")<Esc>dd')  -- a debug line opened, typed and deleted in normal mode
settled()
keys('o# the product!<Esc>x')  -- and a character too many
settled()
save()
recorded_save()
finish(true, '')  -- :qa! with app.py open and the bridge attached
"""


def neovim(ws: Path, env: dict[str, str], scratch: Path) -> list[bytes]:
    """Neovim 0.11 (this venv's) with editor_extensions/neovim and pylsp."""
    from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario

    body = f"local WAIT_RECORDED = [==[{WAIT_RECORDED}]==]\n" + NEOVIM_SESSION
    saves = run_scenario(NEOVIMS["0.11"], ws, body, env, scratch)
    assert saves[-1].decode() == EDITED, saves
    return saves


EMACS_SESSION = CODETAPE_EGLOT + r"""
(defun keys (keys) (execute-kbd-macro (kbd keys)))  ; each runs as a command, as from the keyboard
""" + VISIT_APP + r"""
(defun recorded (kind)  ; wait until the collector has recorded app.py's open, or its save as on disk
  (unless (eq 0 (call-process "%(python)s" nil nil nil "-c" "%(wait_recorded)s" default-directory "app.py"
                              kind))
    (kill-emacs 4)))
(recorded "open")  ; (a developer looks at the file before typing: its open reaches the collector first)
(goto-char (point-max))
(kill-new "\n\ndef mul(a, b):\n    return a * b\n") (keys "C-y")  ; a function from elsewhere
(eglot--signal-textDocument/didChange)
(execute-kbd-macro "\rresult = mu") (keys "M-/") (execute-kbd-macro "(2, 3)\r")  ; mu completed to mul
(eglot--signal-textDocument/didChange)
(execute-kbd-macro "print(\"debug\")") (keys "C-a C-k")  ; a debug line typed, then killed
(eglot--signal-textDocument/didChange)
(execute-kbd-macro "# the product\r")
(eglot--signal-textDocument/didChange)
(save-buffer)
(copy-file buffer-file-name "%(out)s/1" t)
(recorded "save")
(kill-emacs 0)  ; quit, app.py open, eglot and its server running
"""

# Waits until the collector has recorded a step of KIND (open, or save as the file is on disk) of NAME:
# `python -c THIS WS NAME KIND`.
WAIT_RECORDED = """\
import sys
from pathlib import Path
from collector.home import Home
from collector.text.digest import sha256_text
from tests.support.collector_harness import wait_recorded
ws, name, kind = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
digest = sha256_text((ws / name).read_text(encoding="utf-8"))
wait_recorded(Home.from_env(), ws, lambda steps: any(
    s["kind"] == kind and s.get("path") == name and (kind != "save" or s.get("sha256") == digest)
    for s in steps), f"the {kind} of {name}")
"""


def emacs(ws: Path, env: dict[str, str], scratch: Path) -> list[bytes]:
    """Emacs with editor_extensions/emacs/codetape.el and eglot (codetape's proxy in front of pylsp)."""
    quoted = WAIT_RECORDED.replace("\\", "\\\\").replace('"', '\\"').replace("%", "%%")  # an elisp string
    script = EMACS_SESSION.replace("%(wait_recorded)s", quoted)
    out = run_emacs(script, ws, env | {"PYTHONPATH": str(ROOT)}, scratch)
    saved = (out / "1").read_bytes()
    assert saved.decode() == EDITED, saved
    return [saved]


def vscode(code_server: Path, vsix: Path) -> Drive:
    """VS Code (code-server, the packaged extension: tests/e2e/vscode/test_extension_vscode.py) driven in
    Chromium by editor_extensions/vscode/e2e/session.mjs; code-server stopped afterwards, its extension host
    with it."""
    from tests.e2e.vscode.test_extension_vscode import E2E, extension_log, running_code_server, tool

    def drive(ws: Path, env: dict[str, str], scratch: Path) -> list[bytes]:
        out = scratch / "vscode-session.json"
        app = ws / "app.py"
        home = Home(Path(env["CODETAPE_HOME"]).resolve())
        with running_code_server(code_server, vsix, env, scratch, ws) as (port, _):
            pasted, typed = EDITED[len(APP):].split("\nresult = ", 1)
            argv = [tool("node"), str(E2E / "session.mjs"), f"http://127.0.0.1:{port}/?folder={ws}", "app.py",
                    str(out), pasted, "\nresult = mu", "mul", typed.removeprefix("mul"), DEBUG]
            with subprocess.Popen(argv, cwd=E2E, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  text=True) as driver:
                try:
                    def opened() -> bool:
                        assert driver.poll() is None, (out.read_text(encoding="utf-8") if out.exists()
                                                       else "the driver stopped")
                        return out.with_name(out.name + ".opened").exists()

                    wait_for(opened, 300, "VS Code to open app.py")
                    wait_recorded(home, ws, lambda steps: "open:app.py" in summary(steps),
                                  "the open of app.py")
                    out.with_name(out.name + ".open-recorded").touch()

                    def saved() -> bool:
                        assert driver.poll() is None, (out.read_text(encoding="utf-8") if out.exists()
                                                       else "the driver stopped")
                        return app.read_text(encoding="utf-8") == EDITED

                    wait_for(saved, 300, "VS Code's save of app.py",
                             detail=lambda: app.read_text(encoding="utf-8"))
                    wait_recorded(home, ws, lambda steps: any(
                        s["kind"] == "save" and s.get("sha256") == sha256_text(EDITED) for s in steps),
                        "the save of app.py")
                    out.with_name(out.name + ".saved").touch()
                    _, stderr = driver.communicate(timeout=120)
                finally:
                    driver.kill()
            seen = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
            assert driver.returncode == 0 and seen.get("ok"), (seen.get("error"), stderr[-3000:],
                                                               extension_log(scratch))
        return [app.read_bytes()]  # (code-server stopped: VS Code has gone with app.py open)

    return drive
