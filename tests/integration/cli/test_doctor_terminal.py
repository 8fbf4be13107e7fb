"""`codetape doctor` on a real terminal (tmux, 80 columns) wraps its long lines (issue 74: lines naming
paths ran past 300 characters): every line fits, a path is never cut, and a wrapped line's continuation is
indented under its detail, so each check still starts a line with its mark; paths under HOME are
written from `~`. Piped, each check stays one
line (tests/integration/cli/test_doctor.py reads those)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.support.terminal import Terminal

WIDTH = 80


def test_long_lines_wrap_to_the_terminal_and_keep_their_paths_whole(tmp_path: Path) -> None:
    user = tmp_path / "a-home-folder-with-a-long-name" / "another-long-folder-name" / "user"
    deep = user / ".local" / "share" / "codetape"  # longer than the terminal, ~/.local/share/codetape
    env = {**os.environ, "HOME": str(user), "CODETAPE_HOME": str(deep), "PYTHONPATH": ""}
    command = f"{sys.executable} -m collector doctor; echo doctor exited $?; sleep 60"
    term = Terminal(tmp_path / "tmux.sock")
    term.start(command, env, width=WIDTH, height=60)
    try:
        term.wait(lambda screen: "doctor exited" in screen, "doctor's last line")
        lines = term.tmux("capture-pane", "-p", "-J").splitlines()  # -J: lines the terminal wrapped, joined
    finally:
        term.stop()
    shown = [line.rstrip() for line in lines[: next(i for i, x in enumerate(lines) if "doctor exited" in x)]]
    assert [line for line in shown if len(line) > WIDTH] == []
    starts = [line for line in shown if not line.startswith(" " * 8)]
    assert all(line[:8] in ("ok      ", "PROBLEM ", "--      ") for line in starts[:-1]), starts
    collector = "\n".join(shown).split("collector: ", 1)[1].split("\n--", 1)[0].split("\nPROBLEM", 1)[0]
    assert len(str(deep)) > WIDTH and "~/.local/share/codetape" in collector.split(), collector
    assert len(shown) > len(starts), "no line was long enough to wrap"
