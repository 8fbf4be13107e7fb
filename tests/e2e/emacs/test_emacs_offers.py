"""Emacs's completion-at-point through the bridge (issue 40 item 3): codetape.el runs eglot's server behind
the bridge, so the completion lists eglot's capf asks pylsp for are offers the proxy sees, in real
`emacs --batch` + eglot + pylsp: one item taken with C-M-i, one list left for other text."""

from __future__ import annotations

from pathlib import Path

from schemas.steps import OfferStep
from tests.e2e.conftest import saves_of, seal
from tests.e2e.emacs.batch import CODETAPE_EGLOT, VISIT_FILE, run_emacs

CAPF = CODETAPE_EGLOT + r"""
(defun keys (keys)
  "Type KEYS: each runs as a command, as from the keyboard; eglot's batch sent (--batch runs no idle timer)."
  (execute-kbd-macro (kbd keys))
  (eglot--signal-textDocument/didChange))
""" + VISIT_FILE + r"""
(goto-char (point-max))
(execute-kbd-macro "z = uniq") (eglot--signal-textDocument/didChange)
(keys "C-M-i")  ; the one item, taken
(execute-kbd-macro "\rw = uniq") (eglot--signal-textDocument/didChange)
(let ((completion-in-region-function  ; the list asked for and shown, nothing chosen
       (lambda (start end table pred) (all-completions (buffer-substring start end) table pred) nil)))
  (keys "C-M-i"))
(execute-kbd-macro "ue = 2") (eglot--signal-textDocument/didChange)
(execute-kbd-macro "\r") (eglot--signal-textDocument/didChange)
(save-buffer)
(let ((server (eglot-current-server))) (kill-buffer) (eglot-shutdown server))
(kill-emacs 0)
"""


def test_completion_at_point_through_the_bridge_is_an_offer(collector: object, workspace: Path,
                                                           env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "mod.py").write_text("def unique_function_name():\n    return 1\n", encoding="utf-8")
    run_emacs(CAPF, workspace, env, tmp_path)
    episode = seal(env, workspace, lambda steps: saves_of("mod.py", 1)(steps) and sum(
        s["kind"] == "offer" for s in steps) >= 2, "the save and two offers")
    assert (workspace / "mod.py").read_text(encoding="utf-8").endswith(
        "z = unique_function_name\nw = unique = 2\n")
    offers = [step for step in episode.steps() if isinstance(step, OfferStep)]
    assert [(o.evidence, o.provider, o.decision) for o in offers] == [
        ("lsp:textDocument/completion", "pylsp", "accepted"),
        ("lsp:textDocument/completion", "pylsp", "not_taken")]
    taken = offers[0]
    assert taken.taken is not None and taken.items[taken.taken].text.startswith("unique_function_name")
