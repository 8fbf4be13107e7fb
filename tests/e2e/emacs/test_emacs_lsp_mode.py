"""Real Emacs 28 with lsp-mode 8 (Debian's emacs-nox and elpa-lsp-mode), with codetape's shipped
`editor_extensions/emacs/codetape-lsp.el` loaded as a user's init would: pylsp behind the bridge for Python.
One `emacs --batch` session per module, edited as a person would in a command loop: non-ASCII mid-line (an
emoji, then typing after it on the same line), undo, a replacement of every occurrence at once, saves, a new
file, and a text file no language server handles."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from collector.home import Home
from schemas.steps import DiagnosticsStep, GapStep
from tests.e2e.conftest import environment, opted_in_repository, running_collector, seal
from tests.e2e.editor_session import (  # the checks every editor's session passes
    VENV_BIN,
    Recorded,
    expect,
    save_problems,
    test_the_episode_checks_out_byte_exact,  # noqa: F401
    test_the_episode_verifies,  # noqa: F401
)
from tests.e2e.emacs.batch import HEADER, WAIT_UNTIL
from tests.support.collector_harness import wait_recorded
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "editor_extensions" / "emacs" / "codetape-lsp.el"
FILES = {"app.py": 3, "new.py": 1, "notes.txt": 1}  # saves of each

SCENARIO = HEADER + r"""
(setq make-backup-files nil auto-save-default nil create-lockfiles nil
      native-comp-async-report-warnings-errors 'silent
      lsp-session-file "%(scratch)s/lsp-session" lsp-restart 'ignore lsp-enable-snippet nil
      lsp-headerline-breadcrumb-enable nil lsp-keep-workspace-alive nil
      lsp-pylsp-plugins-pyflakes-enabled t)  ; lsp-mode's default lints with flake8, not installed here
(load "%(shipped)s")
""" + WAIT_UNTIL + r"""
(defun ready-p ()
  (let ((ws (lsp-workspaces))) (and ws (eq (lsp--workspace-status (car ws)) 'initialized))))
(defun diagnosed-p (text)  ; pylsp's diagnostics for this buffer mention TEXT
  (let ((found nil))
    (maphash (lambda (_file items)
               (dolist (d items) (when (string-match-p text (gethash "message" d)) (setq found t))))
             (lsp-diagnostics t))
    found))
(defvar saves 0)
(defun save (dir)  ; save, and keep a copy of what reached the disk
  (save-buffer)
  (setq saves (1+ saves))
  (copy-file buffer-file-name (format "%%s/%%s.%%d" dir (file-name-nondirectory buffer-file-name) saves) t))
(lsp-workspace-folders-add "%(ws)s")
(find-file "%(ws)s/app.py")
(lsp)
(unless (wait-until #'ready-p 30) (kill-emacs 3))
(unless (wait-until (lambda () (diagnosed-p "imported but unused")) 30) (kill-emacs 4))
(goto-char (point-max))
(insert "name = \"café 中文 done\"\n")
(search-backward "done")
(insert "😀 ")
(end-of-line)
(insert "  # é after the emoji")
(save "%(saves)s")
(undo-boundary)
(search-backward "  # é")
(insert "!")
(undo-boundary)
(insert "?")
(undo-boundary)
(let ((last-command nil)) (undo))  ; undo the "?"
(save "%(saves)s")
(goto-char (point-max))
(insert "value = 1\nvalue += value\n")
(goto-char (point-min))
(replace-string "value" "tötal")  ; every occurrence in one command
(save "%(saves)s")
(find-file "%(ws)s/new.py")
(lsp)
(unless (wait-until #'ready-p 30) (kill-emacs 5))
(insert "print(\"新 ✨\")\n")
(save "%(saves)s")
(find-file "%(ws)s/notes.txt")
(insert "notes: héllo 😀 bye\n")
(save "%(saves)s")
(message "codetape-e2e: saved")
;; lsp-mode kills its servers at shutdown: let the bridges hand over what they hold first (the test says
;; when the collector has every save)
(unless (wait-until (lambda () (file-exists-p "%(scratch)s/recorded")) 60) (kill-emacs 7))
(dolist (ws (lsp-workspaces)) (lsp-workspace-shutdown ws))
(switch-to-buffer "app.py")
(dolist (ws (lsp-workspaces)) (lsp-workspace-shutdown ws))
(unless (wait-until (lambda () (null (lsp--session-workspaces (lsp-session)))) 30) (kill-emacs 6))
(kill-emacs 0)
"""


def every_save(steps: list[dict[str, Any]]) -> bool:
    """The bridge's saves of the Python files, and the file watcher's notes.txt."""
    bridged = {"app.py": 3, "new.py": 1}
    return all(sum(s["kind"] == "save" and s.get("path") == path for s in steps) >= count
               for path, count in bridged.items()) and any(s.get("path") == "notes.txt" for s in steps)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    assert shutil.which("emacs") and list(Path("/usr/share/emacs/site-lisp/elpa").glob("lsp-mode-*")), (
        "Emacs or lsp-mode is missing: run scripts/setup (apt: emacs-nox elpa-lsp-mode)")
    base = tmp_path_factory.mktemp("lsp-mode")
    env = environment(base)
    saves = base / "saves"
    saves.mkdir()
    with running_collector(env, base / "collector.log"):
        workspace = opted_in_repository(base / "ws", env)
        (workspace / "app.py").write_text("import os\n", encoding="utf-8")
        script = base / "scenario.el"
        script.write_text(SCENARIO % {"scratch": base, "shipped": SHIPPED, "ws": workspace, "saves": saves},
                          encoding="utf-8")
        editor_env = env | {"PATH": f"{VENV_BIN}:{env['PATH']}", "HOME": str(base)}
        log = base / "emacs.log"
        with open(log, "wb") as out:
            proc = subprocess.Popen(["emacs", "--batch", "-l", str(script)], cwd=workspace, env=editor_env,
                                    stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        try:
            def saved() -> bool:
                assert proc.poll() is None, (proc.returncode, log.read_text(errors="replace")[-3000:])
                return "codetape-e2e: saved" in log.read_text(errors="replace")

            wait_for(saved, 90, "Emacs to finish its edits")
            wait_recorded(Home(Path(env["CODETAPE_HOME"]).resolve()), workspace, every_save, "every save")
            (base / "recorded").touch()
            assert proc.wait(60) == 0, (proc.returncode, log.read_text(errors="replace")[-3000:])
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        numbered = sorted(saves.iterdir(), key=lambda path: int(path.suffix[1:]))
        disk: dict[str, list[bytes]] = {}
        for path in numbered:
            disk.setdefault(path.stem, []).append(path.read_bytes())
        assert {name: len(texts) for name, texts in disk.items()} == FILES
        episode = seal(env, workspace, every_save, "every save")
        yield Recorded(workspace, env, episode, disk)


def test_lsp_mode_edited_what_the_session_meant(recorded: Recorded) -> None:
    app = (recorded.workspace / "app.py").read_text(encoding="utf-8")
    assert app == 'import os\nname = "café 中文 😀 done"!  # é after the emoji\ntötal = 1\ntötal += tötal\n'
    assert recorded.episode.header.client is not None and recorded.episode.header.client.name == "emacs"


def test_lsp_mode_every_save_reconstructs_byte_exact(recorded: Recorded) -> None:
    bridged = Recorded(recorded.workspace, recorded.env, recorded.episode,
                       {path: texts for path, texts in recorded.disk.items() if path != "notes.txt"})
    expect(save_problems(bridged), "the saves")


def test_lsp_modes_code_point_columns_are_found_out_at_the_first_save(recorded: Recorded) -> None:
    """lsp-mode negotiates utf-16 and counts columns in code points: the first save after an emoji resyncs
    and says so, and the later edits are read as it counts (issue 27, item 3)."""
    resyncs = [step for step in recorded.episode.steps()
               if isinstance(step, GapStep) and step.reason == "resync"]
    assert resyncs and "counts columns in utf-32 though it negotiated utf-16" in resyncs[0].detail
    assert len(resyncs) == 1, [step.detail for step in resyncs]


def test_lsp_mode_records_pylsp_diagnostics_through_the_proxy(recorded: Recorded) -> None:
    messages = [item.message for step in recorded.episode.steps() if isinstance(step, DiagnosticsStep)
                for item in step.items]
    assert any("'os' imported but unused" in message for message in messages), messages
