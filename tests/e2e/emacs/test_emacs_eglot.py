"""Real Emacs + eglot, with the bridge in proxy mode in front of a real pylsp (pyflakes)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from schemas.steps import DiagnosticsStep, FileChangeStep, SaveStep
from tests.e2e.conftest import saved_texts, saves_of, seal

SCENARIO = r""";; -*- coding: utf-8; lexical-binding: t -*-
(package-initialize)
(require 'eglot)
(setq make-backup-files nil auto-save-default nil create-lockfiles nil
      native-comp-async-report-warnings-errors 'silent
      eglot-sync-connect 20
      eglot-server-programs '((python-mode %(server)s)))
(defun wait-until (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline)) (accept-process-output nil 0.05))
    (funcall pred)))
(defvar saves 0)
(defun save-and-snapshot ()
  (eglot--signal-textDocument/didChange)
  (save-buffer)
  (setq saves (1+ saves))
  (copy-file buffer-file-name (format "%(saves)s/%%d" saves) t)
  (accept-process-output nil 1.2))  ; pylsp debounces linting by 0.5 s: let it publish
(find-file "%(file)s")
(apply #'eglot (eglot--guess-contact))
(unless (wait-until #'eglot-current-server 20) (kill-emacs 3))
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
    assert shutil.which("emacs"), "Emacs is missing: run scripts/setup (apt: emacs-nox elpa-eglot)"
    (workspace / "mod.py").write_text("import os\n", encoding="utf-8")
    saves = tmp_path / "saves"
    saves.mkdir()
    server = " ".join(f'"{part}"' for part in
                      [sys.executable, "-m", "collector", "bridge", "--", sys.executable, "-m", "pylsp"])
    script = tmp_path / "scenario.el"
    script.write_text(SCENARIO % {"server": server, "file": workspace / "mod.py", "saves": saves},
                      encoding="utf-8")
    home = tmp_path / "emacs-home"
    home.mkdir()
    proc = subprocess.run(["emacs", "--batch", "-l", str(script)], cwd=workspace, capture_output=True,
                          env=env | {"HOME": str(home)}, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
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
