"""The Neovim plugin and the Emacs mode run only the codetape the user configured (issue 24, item 3).

A real headless Neovim (0.11 and 0.7) and a real Emacs with eglot talk to a small language server standing
in for the bridge. It sends `codetape/review` messages whose `command` would create a marker file, with
episode ids that are not ids and one that is. The editor must run its own configured codetape with
`review ID` for the real id only, and nothing the messages name. In Emacs, a `.dir-locals.el` that sets
`codetape-command` to a marker-writing script is accepted (`enable-local-variables :all`), and still
neither the bridge, nor `codetape-seal`, nor the review runs it; a server not behind the bridge is not
listened to at all. And nothing is spawned for a folder whose `.codetape.toml` `codetape init` did not opt
in: both ask the real `codetape status --json` and start the bridge only for the workspaces it lists.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
NEOVIM_PLUGIN = ROOT / "editor_extensions" / "neovim"
EMACS_PACKAGE = ROOT / "editor_extensions" / "emacs" / "codetape.el"
NEOVIMS = {"0.11": str(Path(sys.executable).parent / "nvim"), "0.7": "/usr/bin/nvim"}
EPISODE = "0f8fad5b-d9cb-469f-a165-70867728950e"
OTHER_EPISODE = "7c9e6679-7425-40de-944b-e07fc1f90ae7"

# Stands in for the bridge: after `initialized`, codetape/review messages, then a message saying so.
FAKE_BRIDGE = r"""
import json, sys
inp, out = sys.stdin.buffer, sys.stdout.buffer
HOSTILE, EPISODE = sys.argv[1], sys.argv[2]

def send(payload):
    body = json.dumps(payload).encode()
    out.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    out.flush()

def read():
    length = None
    while line := inp.readline().strip():
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    return None if length is None else json.loads(inp.read(length))

while (message := read()) is not None:
    method = message.get("method")
    if method == "initialize":
        send({"jsonrpc": "2.0", "id": message["id"], "result": {"capabilities": {"textDocumentSync": 1}}})
    elif method == "initialized":
        for episode in ("--output=/tmp/x", EPISODE + "; sh", "../" + EPISODE, EPISODE):
            send({"jsonrpc": "2.0", "method": "codetape/review",
                  "params": {"episode": episode, "command": [HOSTILE, "review", episode]}})
        send({"jsonrpc": "2.0", "method": "window/showMessage",
              "params": {"type": 3, "message": "fake bridge: sent " + EPISODE}})
    elif method == "exit":
        break
    elif "id" in message and method is not None:
        send({"jsonrpc": "2.0", "id": message["id"], "result": None})
"""

# The user's codetape: logs its arguments; as `bridge [-- SERVER...]` it becomes the server (the fake bridge);
# `status` is the real one (which workspaces are opted in).
USER_CODETAPE = r"""#!%(python)s
import json, os, sys
args = sys.argv[1:]
with open(%(log)r, "a") as log:
    log.write(json.dumps(args) + "\n")
if args[:1] == ["status"]:
    os.execve(%(python)r, [%(python)r, "-m", "collector", *args], os.environ | {"PYTHONPATH": %(root)r})
if args[:1] == ["bridge"]:
    server = args[args.index("--") + 1:] if "--" in args else [%(python)r, %(fake)r, %(hostile)r, %(episode)r]
    os.execv(server[0], server)
if args[:1] == ["seal"]:
    print("null")
"""

HOSTILE = r"""#!/bin/sh
echo "$@" >> '%(marker)s'
exit 1
"""


def scripts(tmp_path: Path) -> dict[str, Path]:
    """The fake bridge, the user's codetape, the hostile program, and where each leaves its trace."""
    paths = {name: tmp_path / name for name in ("fake_bridge.py", "codetape", "hostile", "log", "MARKER")}
    paths["fake_bridge.py"].write_text(FAKE_BRIDGE, encoding="utf-8")
    paths["hostile"].write_text(HOSTILE % {"marker": paths["MARKER"]}, encoding="utf-8")
    paths["codetape"].write_text(USER_CODETAPE % {
        "python": sys.executable, "log": str(paths["log"]), "fake": str(paths["fake_bridge.py"]),
        "hostile": str(paths["hostile"]), "episode": EPISODE, "root": str(ROOT)}, encoding="utf-8")
    for name in ("codetape", "hostile"):
        paths[name].chmod(0o755)
    return paths


def logged(paths: dict[str, Path]) -> list[list[str]]:
    text = paths["log"].read_text(encoding="utf-8") if paths["log"].exists() else ""
    return [json.loads(line) for line in text.splitlines()]


def project(tmp_path: Path, name: str, *, settings: bool, opted_in: bool = False) -> Path:
    """A folder with a.py; a `.codetape.toml` if `settings`; opted in with `codetape init` if `opted_in`."""
    folder = tmp_path / name
    folder.mkdir()
    if settings and not opted_in:
        (folder / ".codetape.toml").write_text("", encoding="utf-8")
    if opted_in:  # writes the file
        env = os.environ | {"CODETAPE_HOME": str(tmp_path / "codetape-home"), "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "collector", "init", str(folder)], check=True, timeout=60,
                       capture_output=True, env=env)
    (folder / "a.py").write_text("x = 1\n", encoding="utf-8")
    return folder


def private_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "editor-home"
    home.mkdir()
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_DATA_HOME": str(home / "data"), "XDG_STATE_HOME": str(home / "state"),
            "XDG_CACHE_HOME": str(home / "cache"), "CODETAPE_HOME": str(tmp_path / "codetape-home")}


NEOVIM_SCENARIO = r"""
local RESULT, LOG = [==[%(result)s]==], [==[%(log)s]==]
local function finish(ok, why)
  local f = io.open(RESULT, 'w'); f:write(ok and 'ok' or ('fail: ' .. why)); f:close()
  vim.cmd(ok and 'qa!' or 'cq')
end
vim.cmd('set rtp+=' .. vim.fn.fnameescape([==[%(plugin)s]==]))
require('codetape').setup({ codetape = { [==[%(codetape)s]==] }, cmd = { [==[%(codetape)s]==], 'bridge' },
  statusline = false })
local function reviewed()
  local f = io.open(LOG, 'r')
  if not f then return false end
  local text = f:read('*a'); f:close()
  return text:find('"review"', 1, true) ~= nil
end
vim.cmd('edit ' .. vim.fn.fnameescape([==[%(file)s]==]))
if not vim.wait(20000, reviewed, 20) then finish(false, 'no review was started') end
vim.wait(300)  -- any other terminal the messages could have opened has started by now
local terminals = 0
for _, b in ipairs(vim.api.nvim_list_bufs()) do
  if vim.bo[b].buftype == 'terminal' then terminals = terminals + 1 end
end
if terminals ~= 1 then finish(false, terminals .. ' terminals') end
finish(true, '')
"""


def run_neovim(nvim: str, scenario: str, values: dict[str, object], tmp_path: Path, cwd: Path) -> None:
    """Run the scenario (filled in with `values`, result, log, plugin, codetape: see scripts()) in headless
    Neovim."""
    assert shutil.which(nvim), f"Neovim {nvim} is missing: run scripts/setup"
    result = tmp_path / "result"
    script = tmp_path / "scenario.lua"
    script.write_text(scenario % {"result": result, "log": tmp_path / "log", "plugin": NEOVIM_PLUGIN,
                                  "codetape": tmp_path / "codetape", **values}, encoding="utf-8")
    command = [nvim, "--headless", "--clean", "-S", str(script)]
    proc = subprocess.run(command, cwd=cwd, env=private_env(tmp_path), stdin=subprocess.DEVNULL,
                          capture_output=True, timeout=90)
    outcome = result.read_text(encoding="utf-8") if result.exists() else "no result"
    assert proc.returncode == 0 and outcome == "ok", (outcome, proc.stderr.decode(errors="replace")[-3000:])


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_neovim_reviews_with_its_own_codetape_and_a_checked_id(version: str, tmp_path: Path) -> None:
    paths = scripts(tmp_path)
    ws = project(tmp_path, "ws", settings=True, opted_in=True)
    run_neovim(NEOVIMS[version], NEOVIM_SCENARIO, {"file": ws / "a.py"}, tmp_path, ws)
    assert logged(paths) == [["status", "--json"], ["bridge"], ["review", EPISODE]]
    assert not paths["MARKER"].exists(), paths["MARKER"].read_text()


NEOVIM_NOT_OPTED_IN = NEOVIM_SCENARIO.split("vim.cmd('edit '")[0] + r"""
local codetape = require('codetape')
vim.cmd('edit ' .. vim.fn.fnameescape([==[%(listed)s/a.py]==]))
local listed = vim.api.nvim_get_current_buf()
-- 'connecting' while codetape is asked; then the answer
if not vim.wait(20000, function() return codetape.status(listed) == 'codetape: not opted in' end, 20) then
  finish(false, 'the folder not opted in: ' .. codetape.status(listed))
end
vim.cmd('edit ' .. vim.fn.fnameescape([==[%(opted)s/a.py]==]))
local opted = vim.api.nvim_get_current_buf()
if not vim.wait(20000, reviewed, 20) then finish(false, 'the opted-in folder got no bridge') end
if vim.b[listed].codetape_client ~= nil then finish(false, 'a bridge for the folder not opted in') end
local client = vim.lsp.get_client_by_id(vim.b[opted].codetape_client)
if client.config.root_dir ~= [==[%(opted)s]==] then finish(false, 'root ' .. client.config.root_dir) end
finish(true, '')
"""


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_neovim_starts_no_bridge_for_a_folder_not_opted_in(version: str, tmp_path: Path) -> None:
    """A `.codetape.toml` that `codetape init` did not opt in (a cloned repository's): `codetape status
    --json` does not list it, and no bridge is started; an opted-in folder in the same session gets one."""
    paths = scripts(tmp_path)
    listed = project(tmp_path, "listed", settings=True)
    opted = project(tmp_path, "opted", settings=True, opted_in=True)
    run_neovim(NEOVIMS[version], NEOVIM_NOT_OPTED_IN, {"listed": listed, "opted": opted}, tmp_path, listed)
    assert logged(paths) == [["status", "--json"], ["status", "--json"], ["bridge"], ["review", EPISODE]]


EMACS_SCENARIO = r""";; -*- lexical-binding: t -*-
(package-initialize)
(load "%(package)s" nil t)
(setq make-backup-files nil auto-save-default nil create-lockfiles nil
      native-comp-async-report-warnings-errors 'silent
      eglot-sync-connect 20
      enable-local-variables :all  ; a user who accepts every local variable without being asked
      codetape-command '("%(codetape)s")
      ;; the same server everywhere; it names a different episode in each folder
      eglot-server-programs
      `((python-mode . ,(lambda (&rest _)
                          (list "%(python)s" "%(fake)s" "%(hostile)s"
                                (if (string-prefix-p "%(plain)s" default-directory)
                                    "%(other)s"
                                  "%(episode)s"))))))
(codetape-mode 1)
(defun wait-until (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline)) (accept-process-output nil 0.05))
    (funcall pred)))
(defun said (text)
  (with-current-buffer "*Messages*" (save-excursion (goto-char (point-min)) (search-forward text nil t))))
(defvar out nil)
(find-file "%(opted)s/a.py")
(push (cons "local" (and (local-variable-p 'codetape-command) codetape-command)) out)
(push (cons "seal" (codetape-seal)) out)
(apply #'eglot (eglot--guess-contact))
(unless (wait-until #'eglot-current-server 20) (kill-emacs 3))
(push (cons "command" (process-command (jsonrpc--process (eglot-current-server)))) out)
(unless (wait-until (lambda () (said "fake bridge: sent %(episode)s")) 20) (kill-emacs 4))
(find-file "%(plain)s/a.py")
(apply #'eglot (eglot--guess-contact))
(unless (wait-until (lambda () (said "fake bridge: sent %(other)s")) 20) (kill-emacs 5))
(accept-process-output nil 0.3)
(push (cons "messages" (with-current-buffer "*Messages*" (buffer-string))) out)
(with-temp-file "%(result)s" (insert (json-encode out)))
(dolist (server (hash-table-values eglot--servers-by-project))
  (mapc #'eglot-shutdown server))
(kill-emacs 0)
"""


def test_emacs_runs_only_its_own_codetape_command(tmp_path: Path) -> None:
    assert shutil.which("emacs"), "Emacs is missing: run scripts/setup (apt: emacs-nox elpa-eglot)"
    paths = scripts(tmp_path)
    opted = project(tmp_path, "opted", settings=True, opted_in=True)
    (opted / ".dir-locals.el").write_text(f'((nil . ((codetape-command . ("{paths["hostile"]}")))))\n',
                                          encoding="utf-8")
    plain = project(tmp_path, "plain", settings=False)  # its server runs as configured, not behind codetape
    result = tmp_path / "result.json"
    script = tmp_path / "scenario.el"
    script.write_text(EMACS_SCENARIO % {
        "package": EMACS_PACKAGE, "codetape": paths["codetape"], "python": sys.executable,
        "fake": paths["fake_bridge.py"], "hostile": paths["hostile"], "episode": EPISODE,
        "other": OTHER_EPISODE, "opted": opted, "plain": plain, "result": result}, encoding="utf-8")
    proc = subprocess.run(["emacs", "--batch", "-l", str(script)], cwd=tmp_path, env=private_env(tmp_path),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    out = dict(json.loads(result.read_text(encoding="utf-8")))
    assert out["local"] == [str(paths["hostile"])]  # the directory did set it for the buffer
    assert out["seal"] is None  # `codetape seal` ran, and said there was nothing to seal
    server = [sys.executable, str(paths["fake_bridge.py"]), str(paths["hostile"])]
    assert out["command"] == [str(paths["codetape"]), "bridge", "--", *server, EPISODE]
    # `status` (which workspaces are opted in) runs in the background from visiting the file: before the
    # bridge, maybe after the seal
    assert [args for args in logged(paths) if args[0] != "status"] == [["seal", f"{opted}/", "--json"],
                                                                        out["command"][1:]]
    assert logged(paths).count(["status", "--json"]) == 1
    quoted = out["messages"].replace("\u2018", "`").replace("\u2019", "'")  # whichever text-quoting-style
    reviews = [line for line in quoted.splitlines() if line.startswith("codetape: run")]
    assert reviews == [f"codetape: run `{paths['codetape']} review {EPISODE}' to review the episode"]
    assert f"fake bridge: sent {OTHER_EPISODE}" in out["messages"]  # heard, and not listened to
    assert not paths["MARKER"].exists(), paths["MARKER"].read_text()


EMACS_NOT_OPTED_IN = r""";; -*- lexical-binding: t -*-
(package-initialize)
(load "%(package)s" nil t)
(setq make-backup-files nil auto-save-default nil create-lockfiles nil
      native-comp-async-report-warnings-errors 'silent
      eglot-sync-connect 20
      codetape-command '("%(codetape)s")
      eglot-server-programs '((python-mode "%(python)s" "%(fake)s" "%(hostile)s" "%(episode)s")))
(codetape-mode 1)
(defun wait-until (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline)) (accept-process-output nil 0.05))
    (funcall pred)))
(defvar out nil)
(dolist (folder '("%(listed)s" "%(opted)s"))
  (find-file (concat folder "/a.py"))
  (apply #'eglot (eglot--guess-contact))
  (unless (wait-until #'eglot-current-server 20) (kill-emacs 3))
  (push (vector folder (vconcat (process-command (jsonrpc--process (eglot-current-server))))
                (codetape-status))
        out))
(with-temp-file "%(result)s" (insert (json-encode (vconcat (reverse out)))))
(dolist (server (hash-table-values eglot--servers-by-project))
  (mapc #'eglot-shutdown server))
(kill-emacs 0)
"""


def test_emacs_runs_no_bridge_for_a_folder_not_opted_in(tmp_path: Path) -> None:
    """A `.codetape.toml` that `codetape init` did not opt in: `codetape status --json` does not list it,
    and eglot runs the server as configured, not behind the bridge; an opted-in folder still gets it."""
    assert shutil.which("emacs"), "Emacs is missing: run scripts/setup (apt: emacs-nox elpa-eglot)"
    paths = scripts(tmp_path)
    listed = project(tmp_path, "listed", settings=True)
    opted = project(tmp_path, "opted", settings=True, opted_in=True)
    result = tmp_path / "result.json"
    script = tmp_path / "scenario.el"
    script.write_text(EMACS_NOT_OPTED_IN % {
        "package": EMACS_PACKAGE, "codetape": paths["codetape"], "python": sys.executable,
        "fake": paths["fake_bridge.py"], "hostile": paths["hostile"], "episode": EPISODE, "opted": opted,
        "listed": listed, "result": result}, encoding="utf-8")
    proc = subprocess.run(["emacs", "--batch", "-l", str(script)], cwd=tmp_path, env=private_env(tmp_path),
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    server = [sys.executable, str(paths["fake_bridge.py"]), str(paths["hostile"]), EPISODE]
    assert json.loads(result.read_text(encoding="utf-8")) == [
        [str(listed), server, "codetape: not opted in"],
        [str(opted), [str(paths["codetape"]), "bridge", "--", *server], "codetape: connecting"]]
    assert [args for args in logged(paths) if args[0] != "status"] == [["bridge", "--", *server]]
