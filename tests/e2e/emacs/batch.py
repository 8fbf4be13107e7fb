"""What the Emacs tests share: the start of a scenario for `emacs --batch` (codetape.el loaded with the
user's eglot configuration, the file visited with eglot and its server waited for), and `run_emacs`, which
fills a scenario in and runs it with a private HOME."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "editor_extensions" / "emacs" / "codetape.el"
DESKTOP_PATH = "/usr/bin:/bin"  # an editor started from a desktop: no ~/.bashrc added ~/.local/bin

HEADER = r""";; -*- coding: utf-8; lexical-binding: t -*-
(package-initialize)
"""

# Polls PRED for at most SECS seconds, the process output read meanwhile (--batch runs no event loop)
WAIT_UNTIL = r"""(defun wait-until (pred secs)
  (let ((deadline (+ (float-time) secs)))
    (while (and (not (funcall pred)) (< (float-time) deadline)) (accept-process-output nil 0.05))
    (funcall pred)))
"""

# codetape.el as its README sets it up, codetape-command this virtualenv's collector, and `wait-until`
CODETAPE_EGLOT = HEADER + r"""(load "%(package)s" nil t)
(setq make-backup-files nil auto-save-default nil create-lockfiles nil
      native-comp-async-report-warnings-errors 'silent
      eglot-sync-connect 20
      codetape-command '("%(python)s" "-m" "collector")
      eglot-server-programs '((python-mode "%(python)s" "-m" "pylsp")))  ; the user's own configuration
(codetape-mode 1)
""" + WAIT_UNTIL

# Reloads from disk by auto-revert-mode's timer (a timer: runs in --batch), quietly
AUTO_REVERT = r"""(require 'autorevert)
(setq auto-revert-verbose nil auto-revert-use-notify nil auto-revert-interval 0.1)
"""


def visited(file: str) -> str:
    """Elisp that visits FILE (an expression) with eglot, and exits 3 unless its server is up within 20 s."""
    return f"""(find-file {file})
(apply #'eglot (eglot--guess-contact))
(unless (wait-until #'eglot-current-server 20) (kill-emacs 3))
"""


VISIT_FILE = visited('"%(file)s"')
VISIT_APP = visited('(expand-file-name "app.py" (file-name-directory "%(file)s"))')


def run_emacs(scenario: str, workspace: Path, env: dict[str, str], tmp_path: Path,
              installed: bool = False, **values: object) -> Path:
    """Run the scenario (filled in: package, python, file = mod.py, out, outside, and VALUES) in
    `emacs --batch` with a private HOME; the directory it wrote its results to. `installed`: this venv's
    `codetape` only in the HOME's ~/.local/bin, as `uv tool install` puts it, and PATH as a desktop gives
    it."""
    assert shutil.which("emacs"), "Emacs is missing: run scripts/setup (apt: emacs-nox elpa-eglot)"
    out = tmp_path / "out"
    out.mkdir()
    script = tmp_path / "scenario.el"
    script.write_text(scenario % {"package": PACKAGE, "python": sys.executable, "file": workspace / "mod.py",
                                  "out": out, "outside": tmp_path / "outside.py", **values},
                      encoding="utf-8")
    home = tmp_path / "emacs-home"
    home.mkdir()
    env = env | {"HOME": str(home)}
    if installed:
        (home / ".local" / "bin").mkdir(parents=True)
        (home / ".local" / "bin" / "codetape").symlink_to(Path(sys.executable).parent / "codetape")
        env |= {"PATH": DESKTOP_PATH}
    proc = subprocess.run(["emacs", "--batch", "-l", str(script)], cwd=workspace, capture_output=True,
                          env=env, timeout=180)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    return out
