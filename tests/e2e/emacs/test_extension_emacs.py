"""codetape.el in real Emacs --batch + eglot: the configured pylsp runs behind the bridge, notes reach
the episode, each edit carries the origin of the command that made it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from schemas.steps import CursorStep, DiagnosticsStep, EditStep, NoteStep, TaskStep
from tests.e2e.conftest import built_dataset, governed, saved_texts, saves_of, seal
from tests.e2e.emacs.batch import (
    AUTO_REVERT,
    CODETAPE_EGLOT,
    DESKTOP_PATH,
    HEADER,
    PACKAGE,
    VISIT_APP,
    VISIT_FILE,
    WAIT_UNTIL,
    run_emacs,
)

SCENARIO = CODETAPE_EGLOT + r"""
(defvar saves 0)
(defun save-and-snapshot ()
  (eglot--signal-textDocument/didChange)
  (save-buffer)
  (setq saves (1+ saves))
  (copy-file buffer-file-name (format "%(out)s/%%d" saves) t)
  ;; pylsp debounces linting by 0.5 s: let it publish. (accept-process-output returns early when output
  ;; comes or a timer runs, codetape's cursor timer among them: wait out the whole time.)
  (let ((deadline (+ (float-time) 1.2))) (while (< (float-time) deadline) (accept-process-output nil 0.05))))
""" + VISIT_FILE + r"""
(let ((command (process-command (jsonrpc--process (eglot-current-server)))))
  (with-temp-file "%(out)s/command" (insert (string-join command "\n"))))
(goto-char (point-max))
(execute-kbd-macro "value = undefined_name + 1\r")
(save-and-snapshot)
(codetape-note "café works")
(codetape-task-start "drop the import")
(goto-char (point-min))
(kill-line 1)
(save-and-snapshot)
(accept-process-output nil 1)
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))
(kill-emacs 0)
"""


def test_codetape_el_wraps_eglot_server_and_records_notes(
    collector: object, workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    (workspace / "mod.py").write_text("import os\n", encoding="utf-8")
    out = run_emacs(SCENARIO, workspace, env, tmp_path)
    command = (out / "command").read_text(encoding="utf-8").splitlines()
    assert command == [sys.executable, "-m", "collector", "bridge", "--", sys.executable, "-m", "pylsp"]
    disk = [(out / str(n)).read_bytes() for n in range(1, 3)]
    episode = seal(env, workspace, saves_of("mod.py", len(disk)), "every save")
    assert saved_texts(episode, "mod.py") == disk
    steps = list(episode.steps())
    assert [s.text for s in steps if isinstance(s, NoteStep)] == ["café works"]
    tasks = [(s.action, s.statement) for s in steps if isinstance(s, TaskStep)]
    assert tasks == [("start", "drop the import")]
    messages = [item.message for s in steps if isinstance(s, DiagnosticsStep) for item in s.items]
    assert any("undefined_name" in message for message in messages), messages
    assert any("'os' imported but unused" in message for message in messages), messages
    assert episode.header.position_encoding == "utf-16"
    cursors = [s for s in steps if isinstance(s, CursorStep)]  # issue 27, item 12: forwarded, debounced
    assert any(s.path == "mod.py" and s.selections[0].active.line == 2 for s in cursors), cursors
    assert len(cursors) < 10  # a line typed, debounced: not a step a keystroke


INSTALLED = HEADER + r"""
(load "%(package)s" nil t)
(setq make-backup-files nil auto-save-default nil create-lockfiles nil
      native-comp-async-report-warnings-errors 'silent
      eglot-sync-connect 20
      eglot-server-programs '((python-mode "%(python)s" "-m" "pylsp")))  ; codetape-command left as it is
(codetape-mode 1)
""" + WAIT_UNTIL + VISIT_FILE + r"""
(let ((command (process-command (jsonrpc--process (eglot-current-server)))))
  (with-temp-file "%(out)s/command" (insert (string-join command "\n"))))
(with-temp-file "%(out)s/review" (insert (car (codetape--command "review"))))
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))
(kill-emacs 0)
"""


def test_codetape_in_local_bin_is_found_when_path_lacks_it(
    collector: object, workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """Issue 56, item 7: an Emacs started from a desktop has no ~/.local/bin on PATH."""
    assert not any((Path(d) / "codetape").exists() for d in DESKTOP_PATH.split(":"))
    (workspace / "mod.py").write_text("import os\n", encoding="utf-8")
    out = run_emacs(INSTALLED, workspace, env, tmp_path, installed=True)
    program = str(tmp_path / "emacs-home" / ".local" / "bin" / "codetape")
    command = (out / "command").read_text(encoding="utf-8").splitlines()
    assert command == [program, "bridge", "--", sys.executable, "-m", "pylsp"]
    assert (out / "review").read_text(encoding="utf-8") == program


NOWHERE = HEADER + r"""
(load "%(package)s" nil t)
(codetape-mode 1)
(find-file "%(file)s")  ; asks `codetape status --json`: there is no codetape to run
(princ (codetape-status))
(kill-emacs 0)
"""


def test_with_codetape_nowhere_the_message_names_the_places_looked(workspace: Path, tmp_path: Path) -> None:
    (workspace / "mod.py").write_text("import os\n", encoding="utf-8")
    script = tmp_path / "nowhere.el"
    script.write_text(NOWHERE % {"package": PACKAGE, "file": workspace / "mod.py"}, encoding="utf-8")
    home = tmp_path / "home"
    desktop = {"HOME": str(home), "PATH": DESKTOP_PATH, "PIPX_BIN_DIR": str(tmp_path / "pipx"),
               "XDG_DATA_HOME": str(home / "data")}
    done = subprocess.run(["emacs", "--batch", "-l", str(script)], cwd=workspace, capture_output=True,
                          text=True, env=desktop, timeout=60)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout == "codetape: not found (see *Messages*)"
    assert (f"codetape: codetape is not on PATH (`exec-path') nor in {home / 'bin'}, {tmp_path / 'pipx'}, "
            f"{home / '.local' / 'bin'} (install it, or set `codetape-command'): nothing is recorded"
            ) in done.stderr.splitlines(), done.stderr[-3000:]


WAIT_LINE = r"""
(defvar lines nil)
;; --batch draws no mode line (format-mode-line gives ""): evaluate codetape-mode's entry of
;; minor-mode-alist, the lighter the mode line shows, as the display would.
(defun mode-line ()
  (let ((construct (cadr (assq 'codetape-mode minor-mode-alist))))
    (if (eq (car-safe construct) :eval) (eval (cadr construct) t) (format "%%s" construct))))
(defun wait-line (pred what)
  "Wait until PRED holds for the evaluated mode line, keeping each new one; exit 3 naming WHAT."
  (let ((deadline (+ (float-time) 60)))
    (while (and (not (funcall pred (mode-line))) (< (float-time) deadline))
      (unless (equal (car lines) (mode-line)) (push (mode-line) lines))
      (accept-process-output nil 0.05))
    (push (mode-line) lines)
    (unless (funcall pred (mode-line))
      (message "never: %%s; mode line: %%s" what (mode-line))
      (kill-emacs 3))))
(defun steps (line)
  (and (string-match "codetape: recording \\([0-9]+\\) steps?" line)
       (string-to-number (match-string 1 line))))
"""

MODE_LINE = CODETAPE_EGLOT + WAIT_LINE + r"""
(find-file "%(file)s")
(apply #'eglot (eglot--guess-contact))
(wait-line #'steps "recording")
(let ((before (steps (mode-line))))
  (goto-char (point-max))
  (execute-kbd-macro "print(1)\r")
  (eglot--signal-textDocument/didChange)
  (save-buffer)
  (wait-line (lambda (line) (> (or (steps line) -1) before)) "a growing count"))
(codetape-pause)
(wait-line (lambda (line) (string-search "codetape: paused" line)) "paused")
(codetape-resume)
(wait-line #'steps "recording again")
;; The review prompt after a seal: answer Review as the developer would.
(advice-add 'completing-read :override (lambda (&rest _) "Review"))
(codetape-seal)
(let ((deadline (+ (float-time) 60)))
  (while (and (not (with-current-buffer "*Messages*"
                     (save-excursion (goto-char (point-min)) (search-forward "to review the episode" nil t))))
              (< (float-time) deadline))
    (accept-process-output nil 0.05)))
(advice-remove 'completing-read (lambda (&rest _) "Review"))
(with-temp-file "%(out)s/messages" (insert (with-current-buffer "*Messages*" (buffer-string))))
(let ((server (eglot-current-server)))
  (find-file "%(outside)s")
  (push (mode-line) lines)
  (with-temp-file "%(out)s/lines" (insert (string-join (reverse lines) "\n")))
  (eglot-shutdown server))
(kill-emacs 0)
"""


def test_mode_line_shows_recording_and_the_review_prompt_opens_the_review(
    scoped: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    (workspace / "mod.py").write_text("x = 1\n", encoding="utf-8")
    governed(workspace)  # issue 106: the managed policy's scope governing it is named
    out = run_emacs(MODE_LINE, workspace, env, tmp_path)
    lines = (out / "lines").read_text(encoding="utf-8").splitlines()
    shown = [line.split("codetape: ", 1)[1] for line in lines if "codetape: " in line]
    counts = [int(text.split()[1]) for text in shown if text.startswith("recording ")]
    assert counts and counts[-1] > counts[0], lines
    assert any(text.startswith("paused") for text in shown), lines
    assert all(text.endswith(f" · governed by {scoped}") for text in shown
               if text.startswith(("recording", "paused"))), lines
    assert shown[-1].startswith("not opted in"), lines
    episodes = json.loads(subprocess.run([sys.executable, "-m", "collector", "episodes", "--json"], env=env,
                                         capture_output=True, text=True, timeout=60, check=True).stdout)
    [sealed] = [episode["id"] for episode in episodes if episode["state"] == "sealed"]
    messages = (out / "messages").read_text(encoding="utf-8")
    opened = [line for line in messages.splitlines() if line.startswith("codetape: run")]  # codetape--review
    built = f"{sys.executable} -m collector review {sealed}"  # codetape-command and the id, not the message's
    assert len(opened) == 1 and built in opened[0], messages[-2000:]



HELD = CODETAPE_EGLOT + WAIT_LINE + r"""
;; Issue 68: what the outbox holds before it leaves is counted in the mode line, whichever the reason. The
;; lists are written by the helper an upload run uses (collector/held.py), as a run that held them would.
(defun python (code &rest args)  ; exit 4 when it fails
  (unless (eq 0 (apply #'call-process "%(python)s" nil nil nil "-c" code args)) (kill-emacs 4)))
(defconst hold "
import sys
from collector.held import MEMBERS, PUSHED, drop, keep
from collector.home import Home
home = Home.from_env()
if sys.argv[1] == 'hold':
    keep(home, PUSHED, [{'episode_id': 'a1', 'root': '/w', 'files': ['x.py']}], [])
    keep(home, MEMBERS, [{'episode_id': 'b2', 'epoch': '2026-11', 'members': 2, 'needed': 5}], [])
else:
    drop(home, 'a1')
")
(find-file "%(file)s")
(apply #'eglot (eglot--guess-contact))
(wait-line #'steps "recording")
(python hold "hold")
(wait-line (lambda (line) (string-match-p "codetape: recording [0-9]+ steps? · 2 held" line)) "2 held")
(python hold "drop")
(wait-line (lambda (line) (string-search " · 1 held" line)) "1 held once one left")
(with-temp-file "%(out)s/lines" (insert (string-join (reverse lines) "\n")))
(eglot-shutdown (eglot-current-server))
(kill-emacs 0)
"""


def test_mode_line_counts_the_episodes_the_outbox_holds(
    collector: object, workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    (workspace / "mod.py").write_text("x = 1\n", encoding="utf-8")
    out = run_emacs(HELD, workspace, env, tmp_path)
    lines = (out / "lines").read_text(encoding="utf-8").splitlines()
    assert "held" not in next(line for line in lines if "recording" in line), lines  # before any was held
    assert any("· 2 held" in line for line in lines) and "· 1 held" in lines[-1], lines

ORIGINS = CODETAPE_EGLOT + r"""
(defvar batches nil)
(defun sent (what)
  "Send eglot's batch of changes (--batch runs no idle timer); note the version it made and WHAT did."
  (eglot--signal-textDocument/didChange)
  (push (format "%%d %%s" eglot--versioned-identifier what) batches))
(defun keys (keys)
  "Type KEYS: each runs as a command, as from the keyboard."
  (execute-kbd-macro (kbd keys)))
""" + VISIT_FILE + r"""
(goto-char (point-max))
(execute-kbd-macro "x = 1\r") (sent "typed")
(execute-kbd-macro "t = 99") (keys "DEL") (execute-kbd-macro "\r") (sent "typed and corrected")
(kill-new "y = 2\n") (keys "C-y") (sent "yank")
(keys "C-/") (sent "undo")
(keys "C-a C-/") (sent "undo again")  ; another command broke the undo chain: this undo undoes the undo
(forward-line -1) (set-mark (point)) (end-of-line) (keys "C-w") (sent "kill-region")
(keys "C-a C-k") (sent "kill-line")
(goto-char (point-max))
(execute-kbd-macro "\rab cd") (sent "typed a line")
(keys "C-t") (sent "transpose-chars")  ; ab dc
(keys "C-a M-u") (sent "upcase-word")  ; AB dc
(keys "M-z d") (sent "zap-to-char")  ; ABc
(keys "C-o") (sent "open-line")  ; AB, then c on a line of its own
(goto-char (point-max))
(keys "C-j") (sent "electric-newline-and-maybe-indent")
(execute-kbd-macro "z = uniq") (sent "typed a prefix")
(keys "C-M-i") (sent "completion-at-point")
(execute-kbd-macro "\rw = unique_f") (sent "typed another")
(keys "M-/") (sent "dabbrev-expand")
(kill-new "3") (execute-kbd-macro "\rv = ") (keys "C-y") (sent "yanked after typing")  ; (the typing: sent
;; before the yank ran, by codetape.el)
(execute-kbd-macro "\rt = ") (insert "5") (sent "typed, then inserted by Lisp")
(insert "\nu = 4\n") (sent "inserted by Lisp")
(save-buffer)
(copy-file buffer-file-name "%(out)s/saved" t)
(with-temp-file "%(out)s/batches" (insert (string-join (reverse batches) "\n")))
(with-temp-file "%(out)s/messages" (insert (with-current-buffer "*Messages*" (buffer-string))))
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))  ; right after the save
(kill-emacs 0)
"""

# What each batch the scenario sent is, by the commands that made it (codetape.el: real-this-command)
EXPECTED = {
    "typed": ("typed", "emacs:self-insert-command, newline"),
    "typed and corrected": ("typed",
                            "emacs:self-insert-command, python-indent-dedent-line-backspace, newline"),
    "yank": ("paste", "emacs:yank"),
    "undo": ("undo", "emacs:undo"),
    "undo again": ("redo", "emacs:undo (Redo)"),
    "kill-region": ("cut", "emacs:kill-region"),
    "kill-line": ("cut", "emacs:kill-line"),
    "typed a line": ("typed", "emacs:newline, self-insert-command"),
    "transpose-chars": ("typed", "emacs:transpose-chars"),
    "upcase-word": ("typed", "emacs:upcase-word"),
    "zap-to-char": ("cut", "emacs:zap-to-char"),
    "open-line": ("typed", "emacs:open-line"),
    "electric-newline-and-maybe-indent": ("typed", "emacs:electric-newline-and-maybe-indent"),
    "typed a prefix": ("typed", "emacs:self-insert-command"),
    "completion-at-point": ("completion", "emacs:completion-at-point"),
    "typed another": ("typed", "emacs:newline, self-insert-command"),
    "dabbrev-expand": ("completion", "emacs:dabbrev-expand"),
    "yanked after typing": ("paste", "emacs:yank"),
    "typed, then inserted by Lisp": ("unknown", "emacs:mixed: newline, self-insert-command, no command"),
    "inserted by Lisp": (None, None),  # no command: codetape.el says nothing, the bridge has no evidence
}


def test_each_edit_carries_the_origin_of_the_emacs_command_that_made_it(
    collector: object, workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    (workspace / "mod.py").write_text("def unique_function_name():\n    return 1\n", encoding="utf-8")
    out = run_emacs(ORIGINS, workspace, env, tmp_path)
    versions = {what: int(version) for version, what in
                (line.split(" ", 1) for line in (out / "batches").read_text().splitlines())}
    # shut down right after the save: the bridge still hands it over (codetape.el lets it exit by itself)
    episode = seal(env, workspace, saves_of("mod.py", 1), "the save")
    assert saved_texts(episode, "mod.py") == [(out / "saved").read_bytes()]
    edits = {s.version: (s.origin, s.origin_detail) for s in episode.steps() if isinstance(s, EditStep)}
    # one edit step a didChange: the scenario's, and the one codetape.el had eglot send before the yank, of
    # the typing that came before it (issue 37: typing and a command of another origin in one batch were
    # `unknown`)
    typed_first = versions["yanked after typing"] - 1
    assert set(edits) == {*versions.values(), typed_first}, (edits, versions)
    assert {what: edits[version] for what, version in versions.items()} == EXPECTED
    assert edits[typed_first] == ("typed", "emacs:newline, self-insert-command")
    saved = (out / "saved").read_text(encoding="utf-8")
    assert "z = unique_function_name\nw = unique_function_name\nv = 3\nt = 5\n" in saved, saved
    assert "\nAB\nc\n" in saved, saved  # the keys' work: transposed, upcased, zapped, a line opened
    assert "Redo" in (out / "messages").read_text(encoding="utf-8")  # Emacs called the second undo a redo



RELOADS = CODETAPE_EGLOT + AUTO_REVERT + r"""
(defvar batches nil)
(defun sent (what)
  "Send eglot's batch of changes (--batch runs no idle timer); note the version it made and WHAT did."
  (eglot--signal-textDocument/didChange)
  (push (format "%%d %%s" eglot--versioned-identifier what) batches))
(defun keys (keys) (execute-kbd-macro (kbd keys)))
(defun outside (&rest args)
  "Run ARGS in the workspace, another process (the agent, git); exit 4 when it fails."
  (unless (eq 0 (apply #'call-process (car args) nil nil nil (cdr args))) (kill-emacs 4)))
(defun agent-appends (line)
  "An agent appends LINE to the visited file, from another process."
  (outside "%(python)s" "-c" "import sys; open(sys.argv[1], 'a').write(sys.argv[2] + '\\n')"
           buffer-file-name line))
(defun holds (text) (save-excursion (goto-char (point-min)) (search-forward text nil t)))
(defun reloaded (pred)
  "Wait until PRED holds for the buffer, reloaded from disk; exit 5 if it never does."
  (unless (wait-until (lambda () (and (funcall pred) (not (buffer-modified-p)))) 20) (kill-emacs 5)))
""" + VISIT_FILE + r"""
(goto-char (point-max))
(execute-kbd-macro "x = 1\r") (sent "typed")
(save-buffer)
;; auto-revert-mode: its timer reverts the buffer, modes kept (eglot: didClose, then didOpen)
(auto-revert-mode 1)
(agent-appends "agent = 1")
(reloaded (lambda () (holds "agent = 1")))
(auto-revert-mode -1)
(goto-char (point-max))
(execute-kbd-macro "y = 2\r") (sent "typed after auto-revert")
(kill-new "z = 3\n") (keys "C-y") (sent "yank after auto-revert")
(keys "C-/") (sent "undo after auto-revert")
(execute-kbd-macro "w = uniq") (sent "typed a prefix after auto-revert")
(keys "C-M-i") (sent "completion after auto-revert")
(execute-kbd-macro "\r") (sent "a line break after auto-revert")
(save-buffer)
;; M-x revert-buffer: the major mode runs again (eglot: didClose, managed mode off and on, didOpen)
(agent-appends "agent = 2")
(keys "M-x revert-buffer RET yes RET")
(reloaded (lambda () (holds "agent = 2")))
(goto-char (point-max))
(execute-kbd-macro "v = 4\r") (sent "typed after revert-buffer")
(kill-new "u = 5\n") (keys "C-y") (sent "yank after revert-buffer")
(save-buffer)
;; git stash, and global-auto-revert-mode reloads
(outside "git" "add" "mod.py") (outside "git" "commit" "-qm" "work")
(goto-char (point-max))
(execute-kbd-macro "t = 6\r") (sent "typed before git stash")
(save-buffer)
(global-auto-revert-mode 1)
(outside "git" "stash" "-q")
(reloaded (lambda () (not (holds "t = 6"))))
(goto-char (point-max))
(execute-kbd-macro "s = 7\r") (sent "typed after git stash")
(save-buffer)
(with-temp-file "%(out)s/batches" (insert (string-join (reverse batches) "\n")))
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))
(kill-emacs 0)
"""

RELOADED = {  # what each batch is, by the commands that made it
    "typed": ("typed", "emacs:self-insert-command, newline"),
    "typed after auto-revert": ("typed", "emacs:self-insert-command, newline"),
    "yank after auto-revert": ("paste", "emacs:yank"),
    "undo after auto-revert": ("undo", "emacs:undo"),
    "typed a prefix after auto-revert": ("typed", "emacs:self-insert-command"),
    "completion after auto-revert": ("completion", "emacs:completion-at-point"),
    "a line break after auto-revert": ("typed", "emacs:newline"),
    "typed after revert-buffer": ("typed", "emacs:self-insert-command, newline"),
    "yank after revert-buffer": ("paste", "emacs:yank"),
    "typed before git stash": ("typed", "emacs:self-insert-command, newline"),
    "typed after git stash": ("typed", "emacs:self-insert-command, newline"),
}


def test_edits_after_a_reload_from_disk_keep_their_origin(
    collector: object, workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    """Issue 54, item 1: another process (an agent, `git stash`) rewrites the open file and Emacs reloads it
    (auto-revert-mode, M-x revert-buffer, global-auto-revert-mode); every edit the developer makes after a
    reload still carries the origin of its command. eglot closes and opens the document again at each
    reload and counts its versions from 0 again: codetape.el names the versions eglot sends."""
    (workspace / "mod.py").write_text("def unique_function_name():\n    return 1\n", encoding="utf-8")
    out = run_emacs(RELOADS, workspace, env, tmp_path)
    episode = seal(env, workspace, saves_of("mod.py", 5), "the five saves")
    steps = list(episode.steps())
    assert saved_texts(episode, "mod.py")[-1] == (workspace / "mod.py").read_bytes()
    assert [s.kind for s in steps if s.kind in ("open", "close")] == ["open", "close"] * 3 + ["open", "close"]
    batches = [line.split(" ", 1) for line in (out / "batches").read_text(encoding="utf-8").splitlines()]
    edits = [(s.version, s.origin, s.origin_detail) for s in steps if isinstance(s, EditStep)]
    # one edit a batch, in order (the versions repeat: each reload opens the document at version 0)
    assert edits == [(int(version), *RELOADED[what]) for version, what in batches], (edits, batches)
    text = (workspace / "mod.py").read_text(encoding="utf-8")
    assert text.endswith("agent = 2\nv = 4\nu = 5\ns = 7\n") and "w = unique_function_name\n" in text, text


UNSAVED = CODETAPE_EGLOT + r"""
;; Issue 54, item 3: Claude Code's Edit (its hooks, as tests/e2e/data_team_session.py sends them) writes
;; app.py while the developer has an unsaved line in it. @CHOICE@ "revert": M-x revert-buffer answered yes
;; (the agent's text wins); "keep": the developer saves, "Save anyway?" answered yes (theirs wins).
(load "userlock" nil t)  ; (loaded now: its questions are answered below, as the developer would)
(defun python (code &rest args)  ; exit 4 when it fails
  (unless (eq 0 (apply #'call-process "%(python)s" nil nil nil "-c" code args)) (kill-emacs 4)))
""" + VISIT_APP + r"""
(goto-char (point-max))
(execute-kbd-macro "# the developer's, unsaved\r")
(eglot--signal-textDocument/didChange)
(python @WAIT_EDITED@ default-directory)
(python @AGENT@ default-directory "%(out)s")
(if (equal @CHOICE@ "revert")
    (revert-buffer t t t)  ; (what answering yes to M-x revert-buffer's question does)
  (cl-letf (((symbol-function 'yes-or-no-p) (lambda (&rest _) t))  ; "Save anyway?" yes
            ((symbol-function 'ask-user-about-supersession-threat) #'ignore))  ; "really edit?" y
    (save-buffer)))
(let ((text (buffer-string))) (with-temp-file "%(out)s/text" (insert text)))
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))
(kill-emacs 0)
"""
WAIT_EDITED = """\
import sys
from pathlib import Path
from collector.home import Home
from tests.support.collector_harness import wait_recorded
wait_recorded(Home.from_env(), Path(sys.argv[1]), lambda steps: any(s["kind"] == "edit" for s in steps),
              "the developer's unsaved line")
"""
AGENT = """\
import os, sys
from pathlib import Path
from tests.e2e.data_team_session import BUG, FIX, claude_code_edits
claude_code_edits(dict(os.environ), Path(sys.argv[1]), Path(sys.argv[2]), "app.py", BUG, FIX)
"""


@pytest.mark.parametrize("choice", ["revert", "keep"])
def test_an_agent_s_write_over_unsaved_edits_is_recorded_as_the_text_that_won(
        choice: str, collector: object, workspace: Path, env: dict[str, str], tmp_path: Path) -> None:
    """Issue 54, item 3, in Emacs: the episode says which text won and whose it was. `revert`: the agent's
    text (the developer's unsaved line lost), read in by eglot's close and open: that row is the agent's
    write. `keep`: the developer's buffer saved over the agent's write, a step with no transition."""
    from tests.e2e.data_team_session import APP, BUG, ROOT

    (workspace / "app.py").write_text(APP, encoding="utf-8")
    for args in (["add", "app.py"], ["commit", "-qm", "app"]):
        subprocess.run(["git", *args], cwd=workspace, check=True, capture_output=True, timeout=60)
    script = UNSAVED.replace("@CHOICE@", json.dumps(choice))
    for name, code in (("@WAIT_EDITED@", WAIT_EDITED), ("@AGENT@", AGENT)):
        script = script.replace(name, json.dumps(code).replace("%", "%%"))
    out = run_emacs(script, workspace, env | {"PYTHONPATH": str(ROOT)}, tmp_path)
    disk = (workspace / "app.py").read_bytes()
    assert (out / "text").read_bytes() == disk
    assert (b"total = a + b" in disk) == (choice == "revert") and (b"unsaved" in disk) == (choice == "keep")
    def done(steps: list[dict[str, Any]]) -> bool:  # the agent's write, the reopen or the save, the close
        kinds = [s["kind"] for s in steps if s.get("path") == "app.py" and s["kind"] != "diagnostics"]
        return "file_change" in kinds[2:] and kinds[-1] == "close" and \
            (kinds.count("open") == 2 if choice == "revert" else "save" in kinds)

    episode = seal(env, workspace, done, "the write, what the editor did, its close")
    if choice == "keep":
        assert saved_texts(episode, "app.py") == [disk]
    con = built_dataset(env, episode, tmp_path)
    rows = con.execute("SELECT kind, origin, diff, survived_to_end FROM transitions WHERE path = 'app.py' "
                       "AND diff <> '' ORDER BY action").fetchall()
    whose = [(kind, origin) for kind, origin, _diff, _end in rows]
    if choice == "revert":
        assert whose == [("edit", "typed"), ("close", "agent")], rows
        assert f"-{BUG}\n" in rows[1][2] and "-# the developer's, unsaved\n" in rows[1][2], rows
        assert rows[0][3] == 0.0 and rows[1][3] == 1.0, rows  # the developer's line lost, the agent's kept
    else:
        assert whose == [("edit", "typed")] and rows[0][3] == 1.0, rows
        written = con.execute("SELECT origin FROM steps WHERE kind = 'file_change' AND origin IS NOT NULL")
        assert written.fetchall() == [("agent",)]
