"""Real Emacs + eglot, with the bridge in proxy mode in front of a real pylsp (pyflakes)."""

from __future__ import annotations

import sys
from pathlib import Path

from schemas.steps import DiagnosticsStep, FileChangeStep, SaveStep
from tests.e2e.conftest import saved_texts, saves_of, seal
from tests.e2e.emacs.batch import HEADER, VISIT_FILE, WAIT_UNTIL, run_emacs

SCENARIO = HEADER + r"""
(require 'eglot)
(setq make-backup-files nil auto-save-default nil create-lockfiles nil
      native-comp-async-report-warnings-errors 'silent
      eglot-sync-connect 20
      eglot-server-programs '((python-mode %(server)s)))
""" + WAIT_UNTIL + r"""
(defvar saves 0)
(defun save-and-snapshot ()
  (eglot--signal-textDocument/didChange)
  (save-buffer)
  (setq saves (1+ saves))
  (copy-file buffer-file-name (format "%(out)s/%%d" saves) t)
  (accept-process-output nil 1.2))  ; pylsp debounces linting by 0.5 s: let it publish
""" + VISIT_FILE + r"""
(goto-char (point-max))
(execute-kbd-macro "value = undefined_name + 1\r")
(save-and-snapshot)
(goto-char (point-max))
(insert "text = \"naïve café 😀\"\n")
(save-and-snapshot)
(goto-char (point-min))
(kill-line 1)
(save-and-snapshot)
(accept-process-output nil 2)
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))
(kill-emacs 0)
"""


def test_eglot_through_proxy_records_edits_and_pylsp_diagnostics(
    collector: object, workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    (workspace / "mod.py").write_text("import os\n", encoding="utf-8")
    server = " ".join(f'"{part}"' for part in
                      [sys.executable, "-m", "collector", "bridge", "--", sys.executable, "-m", "pylsp"])
    saves = run_emacs(SCENARIO, workspace, env, tmp_path, server=server)
    disk = [(saves / str(n)).read_bytes() for n in range(1, 4)]
    episode = seal(env, workspace, saves_of("mod.py", len(disk)), "every save")
    assert saved_texts(episode, "mod.py") == disk
    messages = [item.message for step in episode.steps() if isinstance(step, DiagnosticsStep)
                for item in step.items]
    assert any("undefined_name" in message for message in messages), messages
    assert any("'os' imported but unused" in message for message in messages), messages
    assert "naïve café 😀" in disk[-1].decode()
    assert episode.header.position_encoding == "utf-16"
    saved = {step.sha256 for step in episode.steps() if isinstance(step, SaveStep)}
    echoes = [step for step in episode.steps() if isinstance(step, FileChangeStep) and step.sha256 in saved]
    assert echoes == [], "the file watcher's echo of an editor save was recorded again"
