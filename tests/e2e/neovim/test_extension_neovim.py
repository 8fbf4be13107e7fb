"""The Neovim plugin (editor_extensions/neovim) in real headless Neovim 0.11 and 0.7, real bridge and
collector."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from collector.episode import open_episode
from collector.episode.summary import summarize
from schemas.steps import CursorStep, DiagnosticsStep, EditStep, NoteStep, OpenStep, TaskStep
from tests.e2e.conftest import built_dataset, governed, saved_texts, saves_of, seal

ROOT = Path(__file__).resolve().parents[3]
PLUGIN = ROOT / "editor_extensions" / "neovim"
VENV_NVIM = Path(sys.executable).parent / "nvim"
NEOVIMS = {"0.11": str(VENV_NVIM), "0.7": "/usr/bin/nvim"}
DESKTOP_PATH = "/usr/bin:/bin"  # an editor started from a desktop: no ~/.bashrc added ~/.local/bin

PRELUDE = r"""
local WS, FILE, RESULT, SAVES = [==[%(ws)s]==], [==[%(file)s]==], [==[%(result)s]==], [==[%(saves)s]==]
local function finish(ok, why)
  local f = io.open(RESULT, 'w'); f:write(ok and 'ok' or ('fail: ' .. why)); f:close()
  vim.cmd(ok and 'qa!' or 'cq')
end
local function check(ok, why) if not ok then finish(false, why) end end
vim.cmd('filetype on')
vim.opt.autoindent = false
vim.opt.swapfile = false
vim.cmd('set rtp+=' .. vim.fn.fnameescape([==[%(plugin)s]==]))
require('codetape').setup({ cmd = { [==[%(python)s]==], '-m', 'lsp_bridge'%(bridge_args)s } })
vim.cmd('edit ' .. vim.fn.fnameescape(FILE))
local buf = vim.api.nvim_get_current_buf()
-- the plugin asks `codetape status --json` in the background whether the workspace is opted in
check(vim.wait(20000, function() return vim.b[buf].codetape_client ~= nil end, 20),
  'the plugin did not start the bridge for a file in an opted-in workspace')
local id = vim.b[buf].codetape_client
local client = vim.lsp.get_client_by_id(id)
check(vim.wait(20000, function() return client.initialized end, 20), 'bridge did not initialize')
vim.wait(300)
local function keys(k)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(k, true, false, true), 'xt', false)
end
local PYTHON, ROOT = [==[%(python)s]==], [==[%(root)s]==]
local WAIT_SAVED = [==[
import sys
from pathlib import Path
from collector.home import Home
from collector.text.digest import sha256_text
from tests.support.collector_harness import wait_recorded
ws, name = Path(sys.argv[1]), sys.argv[2]
digest = sha256_text((ws / name).read_text(encoding="utf-8"))
wait_recorded(Home.from_env(), ws, lambda steps: any(s["kind"] == "save" and s.get("path") == name
                                                     and s.get("sha256") == digest for s in steps),
              f"the save of {name} as it is on disk")
]==]
-- Run a command as a job, so that Neovim's loop goes on meanwhile (and sends the bridge what it has to hear).
local function run(cmd, why)
  local code
  local job = vim.fn.jobstart(cmd, { cwd = ROOT, on_exit = function(_, status) code = status end })
  check(job > 0, 'could not start: ' .. why)
  check(vim.wait(120000, function() return code ~= nil end, 50) and code == 0, why)
end
-- Wait until the collector has recorded the save of the file (default: FILE) as it is on disk now.
local function recorded_save(name)
  run({ PYTHON, '-c', WAIT_SAVED, WS, name or vim.fn.fnamemodify(FILE, ':t') },
    'the collector did not record the last save')
end
local saves = 0
local function save()  -- write, then keep a copy of exactly what reached the disk
  vim.cmd('silent write')
  saves = saves + 1
  local src = io.open(FILE, 'rb'); local data = src:read('*a'); src:close()
  local dst = io.open(SAVES .. '/' .. saves, 'wb'); dst:write(data); dst:close()
  vim.wait(100)
end
"""

SESSION = r"""
keys('Goname = "é😀"; x = undefined<Esc>')
save()
-- CursorMoved only fires from the main loop, not while this script runs: type 'gg' as a user would
-- (typeahead, mode 'n'), and continue once Neovim has moved the cursor and the collector has recorded
-- the caret on line 1, after the plugin's default debounce.
local WAIT_CURSOR = [==[
import sys
from pathlib import Path
from collector.home import Home
from tests.support.collector_harness import wait_recorded
wait_recorded(Home.from_env(), Path(sys.argv[1]), lambda steps: any(
    s["kind"] == "cursor" and s["selections"][0]["active"]["line"] == 0 for s in steps),
    "the caret on line 1")
]==]
vim.api.nvim_feedkeys('gg', 'n', false)
vim.api.nvim_create_autocmd('CursorMoved', { once = true, callback = function() vim.schedule(function()
check(vim.api.nvim_win_get_cursor(0)[1] == 1, 'gg did not move the cursor to line 1')
run({ PYTHON, '-c', WAIT_CURSOR, WS }, 'the collector did not record the caret on line 1')
local ns = vim.api.nvim_create_namespace('e2e-linter')
local line = vim.api.nvim_buf_get_lines(buf, 1, 2, false)[1]
local col = line:find('undefined', 1, true) - 1
vim.diagnostic.set(ns, buf, { { lnum = 1, col = col, end_lnum = 1, end_col = col + 9,
  severity = vim.diagnostic.severity.ERROR, message = 'e2e: undefined name', source = 'e2e-linter' } })
vim.cmd('CodetapeNote first draft works')
vim.cmd('CodetapeTask start make greeting shorter')
keys('Gx')
save()
vim.wait(500)
vim.cmd('bdelete')
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
end) end })
"""

REVIEW = r"""
-- The developer answers "Review" to the bridge's prompt; the plugin must open a terminal running the command.
vim.lsp.handlers['window/showMessageRequest'] = function(_, params) return { title = 'Review' } end
local found, names = {}, {}
local function terminals(n)  -- wait for n terminal buffers whose process runs `codetape review` (after exec)
  check(vim.wait(20000, function()
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.bo[b].buftype == 'terminal' and not found[b] then
        local f = io.open('/proc/' .. vim.b[b].terminal_job_pid .. '/cmdline', 'rb')
        local line = f and f:read('*a'):gsub('%z', ' ') or ''
        if f then f:close() end
        if line:find('codetape review', 1, true) then found[b] = true; table.insert(names, line) end
      end
    end
    return #names == n
  end, 20), 'expected ' .. n .. ' terminal(s) running codetape review, found ' .. #names)
end
vim.cmd('CodetapeTask start print one')
keys('Goprint(1)<Esc>')
save()
vim.cmd('CodetapeTask done fail')  -- the collector seals when a task is done
terminals(1)
vim.cmd('stopinsert')  -- the plugin left the developer typing into the review terminal; go back to the file
vim.api.nvim_set_current_win(vim.fn.bufwinid(buf))
keys('Goprint(2)<Esc>')
save()
recorded_save()  -- the bridge's last steps reached the collector: the seal will hold them
vim.cmd('CodetapeSeal')
terminals(2)
local f = io.open(SAVES .. '/terms', 'w'); f:write(table.concat(names, '\n')); f:close()
finish(true, '')
"""


DISCARD = r"""
-- The developer answers "Discard" to the bridge's prompt after each seal; the plugin asks again before it
-- lets that through: kept the first time, discarded the second.
vim.lsp.handlers['window/showMessageRequest'] = function() return { title = 'Discard' } end
local asked, answers = {}, { 'Keep the episode', 'Discard it for good' }
vim.ui.select = function(items, opts, on_choice)
  table.insert(asked, opts.prompt .. table.concat(items, ' | '))
  on_choice(answers[#asked])
end
local function seal_now() run({ PYTHON, '-m', 'collector', 'seal', WS }, 'codetape seal failed') end
local function prompted(n)
  check(vim.wait(20000, function() return #asked == n end, 20), 'asked ' .. #asked .. ' times, not ' .. n)
end
keys('Goprint(1)<Esc>')
save()
recorded_save()
seal_now()
prompted(1)
keys('Goprint(2)<Esc>')
save()
recorded_save()
seal_now()
prompted(2)
-- two sealed, one discarded: wait for the bridge's discard to reach the collector
run({ PYTHON, '-c', 'from collector.home import Home; from tests.waiting import wait_for; '
  .. 'wait_for(lambda: len(list(Home.from_env().episodes.glob("*.ctape"))) == 1, what="one episode left")' },
  'the second episode was not discarded')
local f = io.open(SAVES .. '/asked', 'w'); f:write(table.concat(asked, '\n')); f:close()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


CARRIED = r"""
-- app.py stays open through two seals: the second episode edits only b.py, the third edits app.py again.
vim.lsp.handlers['window/showMessageRequest'] = function() return { title = 'Later' } end
local function seal_now() run({ PYTHON, '-m', 'collector', 'seal', WS }, 'codetape seal failed') end
keys('Goa = "carried é😀"<Esc>')
save()
recorded_save()
seal_now()
vim.cmd('edit ' .. vim.fn.fnameescape(WS .. '/b.py'))
keys('Gob = 2<Esc>')
vim.cmd('silent write')
recorded_save('b.py')
seal_now()
vim.cmd('buffer ' .. buf)
keys('Goc = 3<Esc>')
save()
recorded_save()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


STATUSLINE = r"""
-- The statusline as Neovim draws it: the default one the plugin installed, evaluated.
local function line() return vim.api.nvim_eval_statusline(vim.o.statusline, {}).str end
local lines = {}
local function wait_line(holds, why)
  local ok = vim.wait(60000, function()
    local now = line()
    if lines[#lines] ~= now then table.insert(lines, now) end
    return holds(now)
  end, 50)
  check(ok, why .. '; statusline: ' .. line())
end
local function steps(text) return tonumber(text:match('codetape: recording (%d+) steps?')) end
local function keep_lines()
  local f = io.open(SAVES .. '/lines', 'w'); f:write(table.concat(lines, '\n')); f:close()
end
check(vim.o.statusline == require('codetape').STATUSLINE and vim.o.laststatus == 2,
  'no default statusline: ' .. vim.o.statusline)
"""

RECORDING_VISIBLE = r"""
wait_line(function(s) return steps(s) ~= nil end, 'the statusline never said recording')
local before = steps(line())
keys('Goprint(1)<Esc>')
save()
wait_line(function(s) return (steps(s) or -1) > before end, 'the step count did not grow')
vim.cmd('CodetapePause')
wait_line(function(s) return s:find('codetape: paused', 1, true) end, 'never paused')
vim.cmd('CodetapeResume')
wait_line(function(s) return steps(s) ~= nil end, 'not recording again')
check(line():find(require('codetape').status(), 1, true) ~= nil, 'status() is not what the statusline shows')
vim.cmd('edit ' .. vim.fn.fnameescape(WS .. '/../listed/x.py'))  -- a .codetape.toml not opted in
wait_line(function(s) return s:find('codetape: not opted in', 1, true) end,
  'a folder not opted in was not "not opted in"')
check(vim.b.codetape_client == nil and #(vim.lsp.get_clients or vim.lsp.get_active_clients)() == 1,
  'a bridge for a folder not opted in')
vim.cmd('edit ' .. vim.fn.fnameescape(WS .. '/../outside.py'))  -- a file in no opted-in workspace
wait_line(function(s) return s:find('codetape: not opted in', 1, true) end,
  'an outside file was not "not opted in"')
keep_lines()
vim.cmd('bufdo bdelete')
vim.lsp.stop_client(id)
finish(true, '')
"""

HELD_VISIBLE = r"""
-- Issue 68: what the outbox holds before it leaves is counted in the statusline, whichever the reason. The
-- lists are written by the helper an upload run uses (collector/held.py), as a run that held them would.
local HOLD = [==[
import sys
from collector.held import MEMBERS, PUSHED, drop, keep
from collector.home import Home
home = Home.from_env()
if sys.argv[1] == "hold":
    keep(home, PUSHED, [{"episode_id": "a1", "root": "/w", "files": ["x.py"]}], [])
    keep(home, MEMBERS, [{"episode_id": "b2", "epoch": "2026-11", "members": 2, "needed": 5},
                         {"episode_id": "a1", "epoch": "2026-11", "members": 2, "needed": 5}], [])
else:
    drop(home, "a1")
]==]
wait_line(function(s) return steps(s) ~= nil end, 'the statusline never said recording')
check(not line():find('held', 1, true), 'held before anything was: ' .. line())
run({ PYTHON, '-c', HOLD, 'hold' }, 'could not write the held lists')
wait_line(function(s) return s:find('codetape: recording %d+ steps? · 2 held') end, 'never said 2 held')
run({ PYTHON, '-c', HOLD, 'drop' }, 'could not drop a held episode')
wait_line(function(s) return s:find(' · 1 held', 1, true) end, 'never said 1 held once one left')
keep_lines()
vim.lsp.stop_client(id)
finish(true, '')
"""

COLLECTOR_DOWN = r"""
wait_line(function(s) return s:find('codetape: collector down', 1, true) end,
  'never said the collector is down')
keep_lines()
vim.lsp.stop_client(id)
finish(true, '')
"""


ORIGINS = r"""
-- Whose work each edit is: one action at a time, as a developer does them, each action's changes found by
-- the changedticks it spans (what Neovim sends as the didChange's version).
local actions = {}
local function act(name, f)
  local from = vim.api.nvim_buf_get_changedtick(buf)
  f()
  -- the plugin sends its notifications from a callback scheduled by the changes: once this one, scheduled
  -- after them, has run, they have gone
  local done = false
  vim.schedule(function() done = true end)
  check(vim.wait(10000, function() return done end, 10), 'the event loop did not run: ' .. name)
  table.insert(actions, { name = name, from = from, to = vim.api.nvim_buf_get_changedtick(buf) })
end
local function typing(k) return function() keys(k) end end
act('open', typing('Go<Esc>'))
act('typed', typing('Atotal = 1<Esc>'))
act('paste', function() vim.paste({ '', 'pasted = 2' }, -1) end)
act('open', typing('o<Esc>'))
act('open', typing('o<Esc>'))
-- typed, a keyword completed, typed again. Headless Neovim draws no popup menu: <C-y> ends the completion
-- (CompleteDone with the item) and then is i_CTRL-Y, which copies the character above: none here
act('completion', typing('Ato<C-n><C-y> += 3<Esc>'))
act('put', typing('yyp'))
act('undo', typing('u'))
act('redo', typing('<C-r>'))  -- the whole line put back in one change: a redo, not a paste
act('delete', typing('dd'))
act('undo', typing('u'))
act('redo', typing('<C-r>'))
act('register put', typing('"ayy"ap'))
act('insert register', typing('o<C-r>a<Esc>'))
act('repeat', typing('.'))  -- repeats `o<C-r>a<Esc>`: the register's text again
act('x', typing('k0x'))  -- (the repeat left the cursor on an empty line)
act('enter', typing('A<CR><Esc>'))
act('backspace', typing('Aab<BS><Esc>'))
act('undo', typing('u'))
act('redo', typing('<C-r>'))
act('delete', typing('dd'))
-- ruff's language server next to the bridge; its formatting applied by vim.lsp.buf.format (formatting_sync
-- on 0.7), then an edit of the developer's own: not the format's
act('open', typing('Go<Esc>'))
act('typed', typing('Ax=[1,2]<Esc>'))
local RUFF = vim.fn.fnamemodify(PYTHON, ':h') .. '/ruff'
local ruff = vim.lsp.start_client({ name = 'ruff', cmd = { RUFF, 'server' }, root_dir = WS })
vim.lsp.buf_attach_client(buf, ruff)
check(vim.wait(20000, function()  -- (0.11: once ruff has registered its formatting, dynamically)
  local c = vim.lsp.get_client_by_id(ruff)
  return c.initialized and (vim.fn.has('nvim-0.11') == 0 or c:supports_method('textDocument/formatting', buf))
end, 20), 'ruff server did not initialize')
act('format', function()
  if vim.lsp.buf.format then vim.lsp.buf.format({ bufnr = buf, name = 'ruff', timeout_ms = 10000 })
  else vim.lsp.buf.formatting_sync(nil, 10000) end
end)
save()
act('delete', typing('dd'))
vim.lsp.stop_client(ruff)
save()
local f = io.open(SAVES .. '/actions.json', 'w'); f:write(vim.fn.json_encode(actions)); f:close()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""

# What each action's edits must say: (origin, origin_detail) for every edit, or a check of the list.
TYPED = ("typed", "nvim:InsertCharPre")
EXPECTED: dict[str, tuple[str, str] | None] = {
    # keys the developer pressed, their changes made by Neovim itself: typed, the key the evidence
    "open": ("typed", "nvim:normal o"), "delete": ("typed", "nvim:normal dd"),
    "enter": ("typed", "nvim:insert <CR>"),
    "repeat": ("paste", "nvim:normal ."),  # a `.` repeating a change that put a register's text in
    "typed": TYPED, "paste": ("paste", "nvim:vim.paste"), "put": ("paste", "nvim:p"),
    "undo": ("undo", "nvim:undotree"), "redo": ("redo", "nvim:undotree"),
    "register put": ("paste", 'nvim:"ap'), "insert register": ("paste", "nvim:i_CTRL-R"),
}
X = {"0.11": ("typed", "nvim:normal x"), "0.7": ("typed", "nvim:normal dl")}  # 0.7 calls `x`'s keys typed
FORMATS = {"0.11": ("format", "nvim:vim.lsp.buf.format"),
           "0.7": ("format", "nvim:vim.lsp.buf.formatting_sync")}


def run_scenario(nvim: str, workspace: Path, body: str, env: dict[str, str], scratch: Path,
                 bridge_args: str = "", installed: bool = False) -> list[bytes]:
    """Run PRELUDE + body in headless Neovim, with this venv's `codetape` on PATH (`installed`: only in the
    home's ~/.local/bin, as `uv tool install` puts it, and PATH as a desktop gives it); the bytes of each
    save."""
    saves = scratch / "saves"
    saves.mkdir()
    result = scratch / "result"
    script = scratch / "scenario.lua"
    script.write_text(PRELUDE % {"ws": workspace, "file": workspace / "app.py", "result": result,
                                 "saves": saves, "plugin": PLUGIN, "python": sys.executable, "root": ROOT,
                                 "bridge_args": bridge_args}
                      + body,
                      encoding="utf-8")
    home = scratch / "nvim-home"
    home.mkdir()
    search = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    if installed:
        (home / ".local" / "bin").mkdir(parents=True)
        (home / ".local" / "bin" / "codetape").symlink_to(Path(sys.executable).parent / "codetape")
        search = DESKTOP_PATH
    nvim_env = env | {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
                      "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
                      "XDG_CACHE_HOME": str(home / "cache"), "PATH": search}
    proc = subprocess.run([nvim, "--headless", "--clean", "-S", str(script)], cwd=workspace, env=nvim_env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=90)
    outcome = result.read_text(encoding="utf-8") if result.exists() else "no result"
    assert proc.returncode == 0 and outcome == "ok", (outcome, proc.stderr.decode(errors="replace")[-6000:])
    return [path.read_bytes() for path in sorted((p for p in saves.iterdir() if p.name.isdigit()),
                                                 key=lambda p: int(p.name))]  # (10 after 9)


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_plugin_records_saves_notes_cursor_and_editor_diagnostics(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    nvim = NEOVIMS[version]
    assert shutil.which(nvim), f"Neovim {version} is missing at {nvim}: run scripts/setup"
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    disk = run_scenario(nvim, workspace, SESSION, env, tmp_path)
    assert len(disk) == 2
    episode = seal(env, workspace, saves_of("app.py", len(disk)), "every save")
    assert saved_texts(episode, "app.py") == disk
    steps = list(episode.steps())
    assert [s.text for s in steps if isinstance(s, NoteStep)] == ["first draft works"]
    tasks = [s for s in steps if isinstance(s, TaskStep)]
    assert [(t.action, t.statement) for t in tasks] == [("start", "make greeting shorter")]
    cursors = [s for s in steps if isinstance(s, CursorStep)]
    assert any(s.path == "app.py" and s.selections[0].active.line == 0 for s in cursors), cursors
    diagnostics = [s for s in steps if isinstance(s, DiagnosticsStep) and s.origin == "e2e-linter"]
    assert diagnostics, [s for s in steps if isinstance(s, DiagnosticsStep)]
    [item] = diagnostics[0].items  # later steps: Neovim moves the diagnostic with the edit that follows
    line = 'name = "é😀"; x = undefined'
    prefix = line[:line.index("undefined")]
    unit = 1 if episode.header.position_encoding == "utf-8" else 2
    character = len(prefix.encode("utf-8" if unit == 1 else "utf-16-le")) // unit
    assert (item.message, item.severity, item.source) == ("e2e: undefined name", 1, "e2e-linter")
    assert (item.range.start.line, item.range.start.character) == (1, character)
    assert (item.range.end.line, item.range.end.character) == (1, character + 9)
    assert episode.header.position_encoding == ("utf-8" if version == "0.11" else "utf-16")
    # the caret reaches the dataset too: what the next-edit exports learn from
    dataset = built_dataset(env, episode, tmp_path)
    rows = dataset.execute("SELECT path, data FROM steps WHERE kind = 'cursor' ORDER BY step").fetchall()
    assert [(path, json.loads(data)["selections"]) for path, data in rows] == [
        (s.path, [msgspec.to_builtins(selection) for selection in s.selections]) for s in cursors], rows


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_seal_command_and_review_prompt_open_a_terminal(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    run_scenario(NEOVIMS[version], workspace, REVIEW, env, tmp_path)
    terminals = (tmp_path / "saves" / "terms").read_text(encoding="utf-8").splitlines()
    episodes = json.loads(subprocess.run([sys.executable, "-m", "collector", "episodes", "--json"], env=env,
                                         capture_output=True, text=True, timeout=60, check=True).stdout)
    ids = sorted(episode["id"] for episode in episodes)
    assert len(ids) == 2, episodes
    assert sorted(name.split("codetape review ", 1)[-1].strip() for name in terminals) == ids, terminals


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_discard_in_the_review_prompt_is_asked_again(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    run_scenario(NEOVIMS[version], workspace, DISCARD, env, tmp_path)
    asked = (tmp_path / "saves" / "asked").read_text(encoding="utf-8").splitlines()
    assert asked == ["codetape: discard the episode? Nothing of it is shared: Keep the episode | "
                     "Discard it for good"] * 2
    episodes = json.loads(subprocess.run([sys.executable, "-m", "collector", "episodes", "--json"], env=env,
                                         capture_output=True, text=True, timeout=60, check=True).stdout)
    [kept] = episodes  # the first, answered Keep; the second is gone
    text = saved_texts(open_episode(Path(kept["path"])), "app.py")[-1].decode("utf-8")
    assert "print(1)" in text and "print(2)" not in text


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_statusline_shows_recording_steps_pause_and_not_opted_in(
        version: str, scoped: str, collector: object, workspace: Path, env: dict[str, str],
        tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    governed(workspace)  # issue 106: the managed policy's scope governing it is named
    listed = tmp_path / "listed"  # a cloned repository's settings: `codetape init` did not opt it in
    listed.mkdir()
    (listed / ".codetape.toml").write_text("", encoding="utf-8")
    run_scenario(NEOVIMS[version], workspace, STATUSLINE + RECORDING_VISIBLE, env, tmp_path)
    lines = (tmp_path / "saves" / "lines").read_text(encoding="utf-8").splitlines()
    shown = [line.split("codetape: ", 1)[1].split("  ")[0] for line in lines if "codetape: " in line]
    counts = [int(text.split()[1]) for text in shown if text.startswith("recording ")]
    assert counts == sorted(counts) and counts[-1] > counts[0], lines
    assert all(text.endswith(f" · governed by {scoped}") for text in shown
               if text.startswith(("recording", "paused"))), lines
    states = [text.split(" · ")[0] for text in shown]
    assert "paused" in states and states[-1] == "not opted in", lines
    assert states.index("paused") > states.index(next(t for t in states if t.startswith("recording"))), lines


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_statusline_counts_the_episodes_the_outbox_holds(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    run_scenario(NEOVIMS[version], workspace, STATUSLINE + HELD_VISIBLE, env, tmp_path)
    lines = (tmp_path / "saves" / "lines").read_text(encoding="utf-8").splitlines()
    assert any("· 2 held" in line for line in lines) and "· 1 held" in lines[-1], lines


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_statusline_says_when_the_collector_is_down(
        version: str, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")  # no collector, and none may be started
    run_scenario(NEOVIMS[version], workspace, STATUSLINE + COLLECTOR_DOWN, env, tmp_path,
                 bridge_args=", '--no-autostart'")
    lines = (tmp_path / "saves" / "lines").read_text(encoding="utf-8").splitlines()
    assert "codetape: collector down" in lines[-1] and not any("recording" in line for line in lines), lines


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_a_document_left_open_across_seals_is_written_only_into_the_episode_that_edits_it(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    (workspace / "b.py").write_text("# b\n", encoding="utf-8")
    disk = run_scenario(NEOVIMS[version], workspace, CARRIED, env, tmp_path)
    third = seal(env, workspace, saves_of("app.py", 1), "the save of app.py")
    episodes = (open_episode(path) for path in (tmp_path / "home" / "episodes").glob("*.ctape"))
    first, second, last = sorted(episodes, key=lambda episode: episode.header.started_at)
    assert last.header.episode_id == third.header.episode_id
    assert saved_texts(first, "app.py") == disk[:1]
    # the second episode: b.py only; app.py, open all along, is neither written nor listed as touched
    assert set(summarize(second).files) == {"b.py"}
    assert "carried" not in json.dumps(list(second.step_dicts()), ensure_ascii=False)
    assert not any(step.kind in ("open", "edit", "save") and step.path == "app.py"  # type: ignore[union-attr]
                   for step in second.steps())
    # the third edits app.py: its text is written where the episode first needs it, and replays exactly
    opening = next(step for step in third.steps() if isinstance(step, OpenStep))
    assert (opening.path, opening.source, opening.text) == ("app.py", "collector", disk[0].decode())
    assert set(summarize(third).files) == {"app.py"}
    assert saved_texts(third, "app.py") == disk[1:]
    subprocess.run([sys.executable, "-m", "collector", "verify", str(third.path)], env=env, check=True,
                   capture_output=True, timeout=60)
    out = tmp_path / "checkout"
    subprocess.run([sys.executable, "-m", "collector", "checkout", str(third.path), str(out)], env=env,
                   check=True, capture_output=True, timeout=60)
    assert (out / "app.py").read_bytes() == disk[1] and not (out / "b.py").exists()


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_every_edit_says_whose_work_it_is(version: str, collector: object, workspace: Path,
                                         env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    disk = run_scenario(NEOVIMS[version], workspace, ORIGINS, env, tmp_path)
    episode = seal(env, workspace, saves_of("app.py", len(disk)), "the save")
    assert saved_texts(episode, "app.py") == disk
    formatted, last = disk[-2].decode(), disk[-1].decode()
    assert last.splitlines()[:5] == ["# app", "total = 1", "pasted = 2", "", "total += 3"]
    assert "\nx = [1, 2]\n" in formatted and "x = [1, 2]" not in last  # ruff formatted it, dd deleted it
    edits = [step for step in episode.steps() if isinstance(step, EditStep)]
    actions = json.loads((tmp_path / "saves" / "actions.json").read_text(encoding="utf-8"))
    seen = 0
    for action in actions:
        mine = [(e.origin, e.origin_detail) for e in edits
                if action["from"] < (e.version or 0) <= action["to"]]
        seen += len(mine)
        assert mine, action
        name = action["name"]
        if name == "completion":  # `to` typed, <C-n> puts `total` in (in steps), <C-y> accepts it, ` += 3`
            assert mine[:2] == [TYPED] * 2 and mine[-5:] == [TYPED] * 5, mine
            assert mine[2:-5] and set(mine[2:-5]) == {("completion", "nvim:ins-completion keyword")}, mine
        elif name == "insert register":  # `o` opens a line; CTRL-R types the register's text
            assert mine[0] == EXPECTED["open"] and mine[1:] and set(mine[1:]) == {EXPECTED[name]}, mine
        elif name == "x":
            assert set(mine) == {X[version]}, mine
        elif name == "backspace":  # `ab` typed, then <BS>
            assert mine == [TYPED, TYPED, ("typed", "nvim:insert <BS>")], mine
        elif name == "format":
            assert set(mine) == {FORMATS[version]}, mine
        else:
            assert set(mine) == {EXPECTED[name] or (None, None)}, (name, mine)
    assert seen == len(edits)  # every edit belongs to an action


COMPLETION_BESIDE_PYLSP = r"""
-- pylsp beside the bridge, as a developer has it (issue 37, item 3): a keyword completed three times
local PYLSP = vim.fn.fnamemodify(PYTHON, ':h') .. '/pylsp'
local pylsp = vim.lsp.start_client({ name = 'pylsp', cmd = { PYLSP }, root_dir = WS })
vim.lsp.buf_attach_client(buf, pylsp)
check(vim.wait(20000, function() return vim.lsp.get_client_by_id(pylsp).initialized end, 20),
  'pylsp did not initialize')
local actions = {}
for round = 1, 3 do
  local from = vim.api.nvim_buf_get_changedtick(buf)
  keys('ggOto<C-n><C-y><Esc>')  -- (on the first line: <C-y> then copies no character from above)
  local done = false
  vim.schedule(function() done = true end)
  check(vim.wait(10000, function() return done end, 10), 'the event loop did not run')
  table.insert(actions, { from = from, to = vim.api.nvim_buf_get_changedtick(buf) })
  vim.wait(300)  -- pylsp's answers (diagnostics) come in between, as they do while one types
end
save()
-- item 9: pylsp's diagnostics (`os` imported and unused), forwarded under the server's name
check(vim.wait(20000, function() return #vim.diagnostic.get(buf) > 0 end, 20), 'pylsp published nothing')
local f = io.open(SAVES .. '/actions.json', 'w'); f:write(vim.fn.json_encode(actions)); f:close()
vim.lsp.stop_client(pylsp)
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_a_completion_keeps_its_label_with_pylsp_attached(version: str, collector: object, workspace: Path,
                                                          env: dict[str, str], tmp_path: Path) -> None:
    """Issue 37, item 3: beside pylsp a keyword completion's characters came as edits with no origin. Item 9:
    pylsp's diagnostics are the server's (`pylsp`), not the editor's client's (`vim.lsp.pylsp.2`)."""
    (workspace / "app.py").write_text("total = 1\nimport os\n", encoding="utf-8")
    disk = run_scenario(NEOVIMS[version], workspace, COMPLETION_BESIDE_PYLSP, env, tmp_path)
    episode = seal(env, workspace, lambda steps: saves_of("app.py", len(disk))(steps) and any(
        s["kind"] == "diagnostics" and s["items"] for s in steps), "the save and pylsp's diagnostics")
    assert disk[-1].decode().splitlines() == ["total"] * 3 + ["total = 1", "import os"]
    origins = {step.origin for step in episode.steps() if isinstance(step, DiagnosticsStep) and step.items}
    assert origins == {"pylsp"}, origins
    edits = [step for step in episode.steps() if isinstance(step, EditStep)]
    actions = json.loads((tmp_path / "saves" / "actions.json").read_text(encoding="utf-8"))
    for action in actions:
        mine = [(e.origin, e.origin_detail) for e in edits
                if action["from"] < (e.version or 0) <= action["to"]]
        # `O` opens a line (a key pressed in normal mode), `to` is typed, <C-n> puts the rest of `total` in
        assert mine[0] == ("typed", "nvim:normal O") and mine[1:3] == [TYPED] * 2, mine
        assert mine[3:] and set(mine[3:]) == {("completion", "nvim:ins-completion keyword")}, mine


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_statusline_says_when_codetape_cannot_be_run(version: str, workspace: Path, tmp_path: Path) -> None:
    """Issue 30: with no codetape to run, the statusline said `connecting` (or `not opted in`) for ever."""
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    script = tmp_path / "missing.lua"
    script.write_text(f"""
vim.opt.runtimepath:append('{PLUGIN}')
require('codetape').setup({{ codetape = {{ 'codetape-is-not-installed' }} }})
vim.cmd('edit {workspace / "app.py"}')
local said = vim.wait(10000, function()
  return require('codetape').status():find('not found', 1, true) end, 20)
io.stdout:write(require('codetape').status())
vim.cmd(said and 'qa!' or 'cq')
""", encoding="utf-8")
    home = tmp_path / "home"
    done = subprocess.run([NEOVIMS[version], "--headless", "--clean", "-S", str(script)], cwd=workspace,
                          env={"HOME": str(home), "PATH": "/usr/bin:/bin", "XDG_STATE_HOME": str(home)},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert done.stdout == "codetape: not found (install it, or set `codetape` in setup())"


INSTALLED = r"""
-- Issue 56, item 7: `codetape status --json` above ran the `codetape` in ~/.local/bin; the review does too
local f = io.open(SAVES .. '/program', 'w')
f:write(require('codetape').review_command('0123abcd-0123-4567-89ab-0123456789ab')[1]); f:close()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_codetape_in_local_bin_is_found_when_path_lacks_it(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    """Issue 56, item 7: a Neovim started from a desktop has no ~/.local/bin on PATH."""
    assert not any((Path(d) / "codetape").exists() for d in DESKTOP_PATH.split(":"))
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    run_scenario(NEOVIMS[version], workspace, INSTALLED, env, tmp_path, installed=True)
    program = tmp_path / "nvim-home" / ".local" / "bin" / "codetape"
    assert (tmp_path / "saves" / "program").read_text(encoding="utf-8") == str(program)


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_with_codetape_nowhere_the_message_names_the_places_looked(
        version: str, workspace: Path, tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    home = tmp_path / "home"
    script = tmp_path / "nowhere.lua"
    script.write_text(f"""
local said = {{}}
vim.notify = function(text) table.insert(said, text) end
vim.opt.runtimepath:append('{PLUGIN}')
require('codetape').setup()
vim.cmd('edit {workspace / "app.py"}')
local shown = vim.wait(10000, function() return #said > 0 end, 20)
io.stdout:write(require('codetape').status() .. '\\n' .. table.concat(said, '\\n'))
vim.cmd(shown and 'qa!' or 'cq')
""", encoding="utf-8")
    done = subprocess.run([NEOVIMS[version], "--headless", "--clean", "-S", str(script)], cwd=workspace,
                          env={"HOME": str(home), "PATH": DESKTOP_PATH, "XDG_STATE_HOME": str(home),
                               "PIPX_BIN_DIR": str(tmp_path / "pipx"), "XDG_DATA_HOME": str(home / "data")},
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert done.stdout.splitlines() == [
        "codetape: not found (install it, or set `codetape` in setup())",
        f"codetape: codetape is not on PATH nor in {home / 'bin'}, {tmp_path / 'pipx'}, "
        f"{home / '.local' / 'bin'} (install it, or set `codetape` in setup()): nothing is recorded"]


RELOADS = r"""
-- Issue 54, item 1: the file rewritten on disk while Neovim holds it (an agent's write, a git checkout,
-- a git stash), the buffer read again (`:checktime` with 'autoread', `:e!`); the developer types on
vim.o.autoread = true
local actions = {}
local function act(name, k)
  local from = vim.api.nvim_buf_get_changedtick(buf)
  keys(k)
  local done = false
  vim.schedule(function() done = true end)
  check(vim.wait(10000, function() return done end, 10), 'the event loop did not run')
  table.insert(actions, { name = name, from = from, to = vim.api.nvim_buf_get_changedtick(buf) })
end
local function text() return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n' end
local function read_again(how, wanted)
  vim.cmd(how)
  check(text() == wanted, how .. ' did not read the file again: ' .. text())
end
local function rewrite(wanted)  -- another program writes the file
  local f = io.open(FILE, 'w'); f:write(wanted); f:close()
  return wanted
end
local function git(...)
  run({ 'git', '-C', WS, ... }, 'git ' .. table.concat({ ... }, ' '))
  local f = io.open(FILE, 'r'); local data = f:read('*a'); f:close()
  return data
end
act('before', 'Goa = 1<Esc>')
save()
read_again('checktime', rewrite(text() .. 'b = 2\n'))
act('after checktime', 'Goc = 3<Esc>')
save()
read_again('edit!', rewrite(text() .. 'd = 4\n'))
act('after :e!', 'Goe = 5<Esc>')
save()
read_again('checktime', git('stash'))
act('after git stash', 'Gof = 6<Esc>uGog = 7<Esc>')
save()
read_again('checktime', git('checkout', 'stash@{0}', '--', 'app.py'))
act('after git checkout', 'Goh = 8<Esc>')
save()
local f = io.open(SAVES .. '/actions.json', 'w'); f:write(vim.fn.json_encode(actions)); f:close()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_edits_after_the_buffer_is_read_again_keep_their_origin(
        version: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    """Issue 54, item 1: once the buffer was read again from disk (the bridge records close + open) no later
    edit had an origin: Neovim detached the plugin's buffer callbacks at the reload."""
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    for args in (["add", "app.py"], ["commit", "-qm", "app"]):
        subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True, timeout=60)
    disk = run_scenario(NEOVIMS[version], workspace, RELOADS, env, tmp_path)
    episode = seal(env, workspace, saves_of("app.py", len(disk)), "the saves")
    assert saved_texts(episode, "app.py") == disk
    edits = [step for step in episode.steps() if isinstance(step, EditStep)]
    actions = json.loads((tmp_path / "saves" / "actions.json").read_text(encoding="utf-8"))
    for action in actions:
        mine = [(e.origin, e.origin_detail) for e in edits
                if action["from"] < (e.version or 0) <= action["to"]]
        assert mine and all(origin is not None for origin, _ in mine), (action["name"], mine)
        if action["name"] == "after git stash":  # `u` undid the line just typed
            assert ("undo", "nvim:undotree") in mine, mine
    assert all(edit.origin is not None for edit in edits), [(e.version, e.origin) for e in edits]
    opens = [step for step in episode.steps() if isinstance(step, OpenStep)]
    assert len(opens) == 5, [step.t_ms for step in opens]  # the first, and one per reload


UNSAVED = r"""
-- Issue 54, item 3: Claude Code's Edit (its hooks, as tests/e2e/data_team_session.py sends them) writes
-- app.py while the developer has an unsaved line in it; 'autoread' off, `:checktime` warns (W12) and the
-- FileChangedShell answer (v:fcs_choice) says which text wins; the developer saves.
vim.o.autoread = false
local CHOICE = %(choice)s
vim.api.nvim_create_autocmd('FileChangedShell', { callback = function() vim.v.fcs_choice = CHOICE end })
local function text() return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n') .. '\n' end
keys('Go# the developer\'s, unsaved<Esc>')
-- the rest once Neovim's main loop ran: its LSP client sends the changes from a scheduled callback, which
-- runs neither inside this script nor inside vim.wait
vim.schedule(function()
run({ PYTHON, '-c', [==[
import sys
from pathlib import Path
from collector.home import Home
from tests.support.collector_harness import wait_recorded
wait_recorded(Home.from_env(), Path(sys.argv[1]), lambda steps: sum(s["kind"] == "edit" for s in steps) >= 20,
              "the developer's unsaved line")
]==], WS }, 'the developer\'s line was not recorded')  -- (then the agent: its write goes at once)
run({ PYTHON, '-c', [==[
import os, sys
from pathlib import Path
from tests.e2e.data_team_session import BUG, FIX, claude_code_edits
claude_code_edits(dict(os.environ), Path(sys.argv[1]), Path(sys.argv[2]), "app.py", BUG, FIX)
]==], WS, SAVES }, 'the agent\'s turn')
vim.cmd('checktime')
local mine, agents = text():find('unsaved', 1, true) ~= nil, text():find('total = a + b', 1, true) ~= nil
check(mine == (CHOICE == '') and agents == (CHOICE == 'reload'), 'checktime left: ' .. text())
vim.cmd('silent write!')
saves = saves + 1
recorded_save()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
end)
"""


@pytest.mark.parametrize("choice", ["reload", ""])
def test_an_agent_s_write_over_unsaved_edits_is_recorded_as_the_text_that_won(
        choice: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    """Issue 54, item 3: the episode says which text won and whose it was; the replay is exact at the
    save. `reload`: the agent's text (the developer's unsaved line lost), read in by a close and an open:
    that row is the agent's write. Kept (''): the developer's buffer saved over the agent's write, whose
    characters then survive nowhere."""
    from tests.e2e.data_team_session import APP, BUG

    (workspace / "app.py").write_text(APP, encoding="utf-8")
    for args in (["add", "app.py"], ["commit", "-qm", "app"]):
        subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True, timeout=60)
    run_scenario(NEOVIMS["0.11"], workspace, UNSAVED % {"choice": json.dumps(choice)}, env, tmp_path)
    disk = (workspace / "app.py").read_bytes()
    episode = seal(env, workspace, lambda steps: any(s["kind"] == "save" for s in steps) and any(
        s["kind"] == "file_change" and s.get("origin") == "agent" for s in steps), "the save and the write")
    assert saved_texts(episode, "app.py") == [disk]
    assert (b"total = a + b" in disk) == (choice == "reload") and (b"unsaved" in disk) == (choice == "")
    con = built_dataset(env, episode, tmp_path)
    rows = con.execute("SELECT kind, origin, diff, survived_to_end FROM transitions WHERE path = 'app.py' "
                       "AND diff <> '' ORDER BY action").fetchall()
    if choice == "reload":
        whose = [(kind, origin) for kind, origin, _diff, _end in rows]
        assert whose == [("edit", "typed"), ("close", "agent")], rows
        assert f"-{BUG}\n" in rows[1][2] and "-# the developer's, unsaved\n" in rows[1][2], rows
        assert rows[0][3] == 0.0 and rows[1][3] == 1.0, rows  # the developer's line lost, the agent's kept
    else:
        assert [(kind, origin) for kind, origin, _diff, _end in rows] == [("edit", "typed")], rows
        assert rows[0][3] == 1.0, rows  # the developer's line kept; the agent's write: a step, no row
        written = con.execute("SELECT origin FROM steps WHERE kind = 'file_change' AND origin IS NOT NULL")
        assert written.fetchall() == [("agent",)]

