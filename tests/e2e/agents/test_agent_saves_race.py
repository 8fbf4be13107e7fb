"""Issue 86's evaluation of the developer's saves beside a real agent's turn: the pinned Codex (and Claude
Code), driven by the scripted model on loopback, while the developer types and saves in headless Neovim with
codetape's plugin ('autoread', `checktime` every 20 ms while the turn runs), beside two busy loops.

- The developer types a line and saves it, then Codex's `apply_patch` writes the same file: the model's
  answer holding the patch is held (tests/support/model_server.Gate) until Neovim has saved, so the write
  lands tens of milliseconds after the save; Neovim reads it in; she types a line after it and saves.
- The developer types a line and saves it, then Claude Code's `Edit` writes another file (its Edit refuses
  a file changed since its read, so not hers): the answer holding the edit is held until she saved.
- A turn that only runs `git diff` and `pytest -q` (a test of 1.5 s) while she types and saves a line every
  150 ms: Neovim's writes are seen late, or half written (truncated), while the shell call claims every
  path; each is her save, never the agent's nor a change of its own (collector/daemon/intake/).

Every run: each text app.py had on disk is, in the episode's replay, the change of whoever made it (the
agent's write `origin` agent with its hook's evidence, her saves never), the replay is the disk at every
save and at the end, and `codetape verify --against-git` passes at the commit that ends it.
"""

from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import pytest

from collector.home import Home
from tests.cli import codetape
from tests.e2e.agent_meets_editor import APP, BUG, IGNORED, turn_script
from tests.e2e.conftest import environment, home_of, opted_in_repository, running_collector
from tests.e2e.data_team_session import git
from tests.support.busy import busy_loops
from tests.support.collector_harness import episode_steps, wait_recorded
from tests.support.disk_replay import disk_changes, saves_off_disk
from tests.support.model_server import Action, Bash, Edit, Gate, Read, ScriptedModel, Text
from tests.support.real_agents import codex_config

# a rate, not a gate: 15 runs of about a minute each, alone, and the shell turn lost 1 of 10 runs once
# (docs/agents.md); CI's 90 minutes and a red run's cost keep it to campaigns run by hand
pytestmark = [pytest.mark.campaign]  # beside its own two busy loops
RUNS = 5
FIX = "    return a + b"
TYPED, TYPED_AFTER = "# typed by the developer", "# typed after the agent's write"
SLOW = "import time\n\n\ndef test_takes_a_while():\n    time.sleep(1.5)\n"

SAVE_THEN_PATCH = r"""
vim.o.autoread = true
local function exists(path) return vim.loop.fs_stat(path) ~= nil end
local code
local job = vim.fn.jobstart({ 'sh', %(turn)s }, { cwd = WS, on_exit = function(_, c) code = c end })
check(job > 0, 'could not start the agent')
check(vim.wait(240000, function() return code ~= nil or exists(%(asked)s) end, 5), 'the model was not asked')
check(code == nil, 'the agent ended before the patch: exit ' .. tostring(code))
local function modified() local m = vim.loop.fs_stat(FILE).mtime; return m.sec * 1000 + m.nsec / 1e6 end
keys('Go' .. %(typed)s .. '<Esc>')
vim.cmd('silent write')
-- the model sends the patch now, once she saved: Codex takes it in, runs its PreToolUse hook and writes
-- tens to hundreds of milliseconds later (a fixed wait before the save let the write come first once the
-- hook started faster), while the watcher's view of her save is on its way
local go = io.open(%(go)s, 'w'); go:close()
local src = io.open(FILE, 'rb'); local saved = src:read('*a'); src:close()
local at_save = modified()
saves = saves + 1
local dst = io.open(SAVES .. '/' .. saves, 'wb'); dst:write(saved); dst:close()
local reading = vim.loop.new_timer()  -- the editor reads the agent's write in as soon as it lands
reading:start(0, 20, vim.schedule_wrap(function() vim.cmd('silent! checktime') end))
check(vim.wait(240000, function() return code ~= nil end, 10), 'the agent did not finish')
reading:stop()
check(code == 0, 'the agent failed: exit ' .. tostring(code))
local gap = io.open(%(gap)s, 'w'); gap:write(string.format('%%d', modified() - at_save)); gap:close()
vim.cmd('checktime')
local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
check(text:find(%(fix)s, 1, true) ~= nil, 'checktime did not read the agent\'s write: ' .. text)
keys('Go' .. %(typed_after)s .. '<Esc>')
save()
recorded_save()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""

# the same, with the agent writing another file: app.py holds no write of the agent's to read in
SAVE_THEN_OTHER = SAVE_THEN_PATCH.replace(
    "check(text:find(%(fix)s, 1, true) ~= nil, 'checktime did not read the agent\\'s write: ' .. text)\n", "")

SAVING_THROUGH_THE_TURN = r"""
local code
local job = vim.fn.jobstart({ 'sh', %(turn)s }, { cwd = WS, on_exit = function(_, c) code = c end })
check(job > 0, 'could not start the agent')
local typed = 0
while code == nil and typed < 400 do
  typed = typed + 1
  keys('Go# line ' .. typed .. ' typed while the agent runs<Esc>')
  vim.cmd('silent write')
  saves = saves + 1
  local src = io.open(FILE, 'rb'); local saved = src:read('*a'); src:close()
  local dst = io.open(SAVES .. '/' .. saves, 'wb'); dst:write(saved); dst:close()
  vim.wait(150, function() return code ~= nil end, 10)
end
check(code == 0, 'the agent failed: exit ' .. tostring(code))
recorded_save()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


def recorded(base: Path, agent: str, script: list[list[Action]], body: str, gate: int | None) -> tuple[
        list[bytes], list[dict[str, object]], Path, Path]:
    """One session: Neovim runs `body` (its %(...)s filled in) while `agent` takes its turn on `script`; the
    saves' bytes, the sealed episode's steps, the episode and the workspace. `gate`: the answer held until
    the editor says go (model_server.Gate)."""
    from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario  # (the Neovim tier's module)

    env = environment(base)
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    ws = opted_in_repository(base / "ws", env)
    for name, text in (("app.py", APP), ("test_slow.py", SLOW), (".gitignore", IGNORED)):
        (ws / name).write_text(text, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "add, and a slow test")
    user = base / "agent-user"
    (user / ".codex").mkdir(parents=True)
    held = Gate(gate, base / "asked", base / "go") if gate is not None else None
    with running_collector(env, base / "collector.log"), ScriptedModel(script, gate=held) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model), encoding="utf-8")
        codetape(home_of(env), "agent", "hook", "install", "--yes", "--agent", agent, "--dir", str(ws),
                 env={"HOME": str(user), "CODEX_HOME": str(user / ".codex")}, check=True)
        turn = base / "agent-turn.sh"
        turn.write_text(turn_script(agent, model, user, env, "work on add"), encoding="utf-8")
        scratch = base / "neovim"
        scratch.mkdir()
        filled = body % {name: json.dumps(value) for name, value in (
            ("turn", str(turn)), ("gap", str(base / "gap")), ("asked", str(base / "asked")),
            ("go", str(base / "go")), ("typed", TYPED), ("typed_after", TYPED_AFTER), ("fix", FIX.strip()))}
        with busy_loops():
            saves = run_scenario(NEOVIMS["0.11"], ws, filled, env, scratch)
        assert saves[-1] == (ws / "app.py").read_bytes()
        assert not model.errors and len(model.requests) >= len(script), (model.errors, len(model.requests))
        git(ws, "add", "-A")
        git(ws, "commit", "-qm", "the work")
        commit = git(ws, "rev-parse", "HEAD")
        wait_recorded(home, ws, lambda steps: any(s["kind"] == "git" and s.get("sha") == commit
                                                  for s in steps), "the commit")
        sealed = json.loads(codetape(home_of(env), "seal", str(ws), "--json", check=True).stdout)
    episode = Path(sealed["path"])
    return saves, episode_steps(episode), episode, ws


def checked(steps: list[dict[str, object]], truth: list[tuple[str, str]], agent: str, episode: Path,
            ws: Path, home: Path) -> None:
    """Every change of app.py given to whoever made it, the replay the disk at every save and at the end,
    `verify --against-git`."""
    changes = disk_changes(steps, "app.py")
    told = [(s["kind"], s.get("origin"), s.get("origin_detail")) for s in steps
            if s["kind"] in ("file_change", "save", "open", "close")]
    assert [(text, whose) for text, whose, _ in changes] == truth, told
    for _text, whose, step in changes:
        if whose == "agent":
            assert str(step["origin_detail"]).startswith(f"{agent}:"), step
    assert saves_off_disk(steps, "app.py") == [], told
    assert changes[-1][0] == (ws / "app.py").read_text(encoding="utf-8")
    against = codetape(home, "verify", str(episode), "--against-git", str(ws))
    assert against.returncode == 0, (against.stdout, against.stderr)


@pytest.mark.parametrize("run", range(RUNS))
def test_a_save_just_before_codex_s_patch_of_the_same_file_stays_the_developer_s(run: int,
                                                                                 tmp_path: Path) -> None:
    script: list[list[Action]] = [[Edit(tmp_path / "ws" / "app.py", BUG, FIX)], [Text("Fixed add.")]]
    saves, steps, episode, ws = recorded(tmp_path, "codex", script, SAVE_THEN_PATCH, gate=0)
    first, last = (save.decode() for save in saves)
    assert first == APP + TYPED + "\n" and BUG in first
    merged = first.replace(BUG, FIX)
    assert last == merged + TYPED_AFTER + "\n"
    checked(steps, [(first, "developer"), (merged, "agent"), (last, "developer")], "codex", episode, ws,
            tmp_path / "home")
    gap = int((tmp_path / "gap").read_text(encoding="utf-8"))  # the file's modification times
    print(f"the agent's write landed {gap} ms after the developer's save")


@pytest.mark.parametrize("run", range(RUNS))
def test_a_save_just_before_claude_code_writes_another_file_stays_the_developer_s(run: int,
                                                                                 tmp_path: Path) -> None:
    other = tmp_path / "ws" / "test_slow.py"
    script: list[list[Action]] = [[Read(other)], [Edit(other, "time.sleep(1.5)", "time.sleep(0.5)")],
                                  [Text("Made the test faster.")]]
    saves, steps, episode, ws = recorded(tmp_path, "claude-code", script, SAVE_THEN_OTHER, gate=1)
    first, last = (save.decode() for save in saves)
    assert first == APP + TYPED + "\n" and last == first + TYPED_AFTER + "\n"
    checked(steps, [(first, "developer"), (last, "developer")], "claude-code", episode, ws,
            tmp_path / "home")
    faster = [(s.get("origin"), str(s.get("origin_detail", "")).split(":")[0]) for s in steps
              if s["kind"] == "file_change" and s.get("path") == "test_slow.py"]
    assert faster == [("agent", "claude-code")], faster  # its one write, the episode's only change of it
    assert (ws / "test_slow.py").read_text(encoding="utf-8") == SLOW.replace("1.5", "0.5")
    saved = next(s["t_ms"] for s in steps if s["kind"] == "save" and s.get("path") == "app.py")
    wrote = next(s["t_ms"] for s in steps if s["kind"] == "file_change" and s.get("path") == "test_slow.py")
    print(f"the agent's write of another file recorded {wrote - saved} ms after the developer's save")  # type: ignore[operator]


@pytest.mark.parametrize("run", range(RUNS))
@pytest.mark.parametrize("agent", ["codex", "claude-code"])
def test_saves_while_the_turn_runs_git_diff_and_pytest_stay_the_developer_s(agent: str, run: int,
                                                                            tmp_path: Path) -> None:
    script: list[list[Action]] = [[Bash("git diff")], [Bash(f"{sys.executable} -m pytest -q")],
                                  [Text("Looked.")]]
    saves, steps, episode, ws = recorded(tmp_path, agent, script, SAVING_THROUGH_THE_TURN, gate=None)
    texts = [save.decode() for save in saves]
    checked(steps, [(text, "developer") for text in texts], agent, episode, ws, tmp_path / "home")
    calls = [(s["t_ms"], s.get("event")) for s in steps if s["kind"] == "agent" and s.get("tool")
             and s.get("event") in ("tool_call", "tool_result")]
    during = [s for s in steps if s["kind"] == "save" and any(
        start <= s["t_ms"] <= end  # type: ignore[operator]
        for (start, e1), (end, e2) in itertools.pairwise(calls)
        if e1 == "tool_call" and e2 == "tool_result")]
    assert len(during) >= 2, (calls, [s["t_ms"] for s in steps if s["kind"] == "save"])  # the race was run
    print(f"{len(saves)} saves, {len(during)} while a shell call was open")
