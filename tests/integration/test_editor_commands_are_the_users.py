"""The Neovim plugin and the Emacs mode run only the codetape the user configured (issue 24, item 3).

A real headless Neovim (0.11 and 0.7) and a real Emacs with eglot talk to a small language server standing
in for the bridge. It sends `codetape/review` messages whose `command` would create a marker file, with
episode ids that are not ids and one that is. The editor must run its own configured codetape with
`review ID` for the real id only, and nothing the messages name. In Emacs, a `.dir-locals.el` that sets
`codetape-command` to a marker-writing script is accepted (`enable-local-variables :all`), and still
neither the bridge, nor `codetape-seal`, nor the review runs it; a server not behind the bridge is not
listened to at all.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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

# The user's codetape: logs its arguments; as `bridge [-- SERVER...]` it becomes the server (the fake bridge).
USER_CODETAPE = r"""#!%(python)s
import json, os, sys
args = sys.argv[1:]
with open(%(log)r, "a") as log:
    log.write(json.dumps(args) + "\n")
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
        "hostile": str(paths["hostile"]), "episode": EPISODE}, encoding="utf-8")
    for name in ("codetape", "hostile"):
        paths[name].chmod(0o755)
    return paths


def logged(paths: dict[str, Path]) -> list[list[str]]:
    text = paths["log"].read_text(encoding="utf-8") if paths["log"].exists() else ""
    return [json.loads(line) for line in text.splitlines()]


def project(tmp_path: Path, name: str, *, opted_in: bool) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    if opted_in:
        (folder / ".codetape.toml").write_text("", encoding="utf-8")
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
vim.cmd('edit ' .. vim.fn.fnameescape([==[%(file)s]==]))
local function reviewed()
  local f = io.open(LOG, 'r')
  if not f then return false end
  local text = f:read('*a'); f:close()
  return text:find('"review"', 1, true) ~= nil
end
if not vim.wait(20000, reviewed, 20) then finish(false, 'no review was started') end
vim.wait(300)  -- any other terminal the messages could have opened has started by now
local terminals = 0
for _, b in ipairs(vim.api.nvim_list_bufs()) do
  if vim.bo[b].buftype == 'terminal' then terminals = terminals + 1 end
end
if terminals ~= 1 then finish(false, terminals .. ' terminals') end
finish(true, '')
"""


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_neovim_reviews_with_its_own_codetape_and_a_checked_id(version: str, tmp_path: Path) -> None:
    nvim = NEOVIMS[version]
    assert shutil.which(nvim), f"Neovim {version} is missing at {nvim}: run scripts/setup"
    paths = scripts(tmp_path)
    ws = project(tmp_path, "ws", opted_in=True)
    result = tmp_path / "result"
    script = tmp_path / "scenario.lua"
    script.write_text(NEOVIM_SCENARIO % {"result": result, "log": paths["log"], "plugin": NEOVIM_PLUGIN,
                                         "codetape": paths["codetape"], "file": ws / "a.py"},
                      encoding="utf-8")
    env = private_env(tmp_path)
    proc = subprocess.run([nvim, "--headless", "--clean", "-S", str(script)], cwd=ws, env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=90)
    outcome = result.read_text(encoding="utf-8") if result.exists() else "no result"
    assert proc.returncode == 0 and outcome == "ok", (outcome, proc.stderr.decode(errors="replace")[-3000:])
    assert logged(paths) == [["bridge"], ["review", EPISODE]]
    assert not paths["MARKER"].exists(), paths["MARKER"].read_text()


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
    opted = project(tmp_path, "opted", opted_in=True)
    (opted / ".dir-locals.el").write_text(f'((nil . ((codetape-command . ("{paths["hostile"]}")))))\n',
                                          encoding="utf-8")
    plain = project(tmp_path, "plain", opted_in=False)  # its server runs as configured, not behind codetape
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
    assert logged(paths) == [["seal", f"{opted}/", "--json"], out["command"][1:]]
    quoted = out["messages"].replace("\u2018", "`").replace("\u2019", "'")  # whichever text-quoting-style
    reviews = [line for line in quoted.splitlines() if line.startswith("codetape: run")]
    assert reviews == [f"codetape: run `{paths['codetape']} review {EPISODE}' to review the episode"]
    assert f"fake bridge: sent {OTHER_EPISODE}" in out["messages"]  # heard, and not listened to
    assert not paths["MARKER"].exists(), paths["MARKER"].read_text()
