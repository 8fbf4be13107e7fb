"""A developer's first day, driven through tmux on a fresh home the way a person types it: `codetape init`,
the shell hook from ~/.bashrc, Neovim with the project's plugin, a failing pytest run, the fix, a passing
one, a commit; then `codetape seal`, the review (the Shared tab: what leaves, a file dropped from it; the
Files tab at the end state), the signing key made and the upload destination set from the sign dialog,
`codetape upload`, `codetape replay --plain` and `codetape doctor`. Every screen it passes is checked, and
the uploaded episode is verified and holds nothing of the file left out.

Set CODETAPE_FIRST_DAY_SCREENS=DIR to keep the screens it checks (the issue's captures come from there).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from collector.home import Home
from tests.cli import codetape
from tests.e2e.conftest import running_collector
from tests.support.collector_harness import wait_recorded
from tests.support.terminal import Terminal
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[3]
VENV_BIN = Path(sys.executable).parent
PLUGIN = ROOT / "editor_extensions" / "neovim"
CALC = "def add(a, b):\n    return a - b\n"
TESTS = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"
BIG = "".join(f"REFERENCE_{n} = {n}\n" for n in range(3000))
NOTES = "TWINE_PASSWORD lives in the team vault"
INIT_LUA = f"""
vim.opt.rtp:append([==[{PLUGIN}]==])
vim.opt.swapfile = false
require('codetape').setup({{}})
"""


class Day:
    """The tmux window the developer types into, and the screens kept on the way."""

    def __init__(self, term: Terminal, keep: Path | None) -> None:
        self.term, self.keep, self.count = term, keep, 0

    def shell(self, line: str) -> None:
        self.term.keys("-l", line)
        self.term.keys("Enter")

    def sees(self, ready: Callable[[str], bool], what: str) -> str:
        screen = self.term.wait(ready, what)
        self.keep_screen(what, screen)
        return screen

    def run(self, command: str, what: str, ready: Callable[[str], bool] = lambda _: True) -> str:
        """Type `command` at the prompt and wait until it is back, with `ready` true of what the command
        printed; that output. Read from tmux's history too, so output that scrolled is still there."""
        self.shell(command)
        return self.finished(command, what, ready)

    def finished(self, command: str, what: str, ready: Callable[[str], bool] = lambda _: True) -> str:
        """What `command` (typed before) printed, once the prompt is back after it and `ready` holds."""
        def output() -> list[str] | None:  # in a list: a command may print nothing
            lines = self.term.tmux("capture-pane", "-p", "-S", "-3000").rstrip().splitlines()
            starts = [n for n, line in enumerate(lines) if line.rstrip() == f"$ {command}"]
            if not starts or lines[-1].rstrip() != "$" or len(lines) - 1 == starts[-1]:
                return None
            printed = "\n".join(lines[starts[-1] + 1:-1])
            return [printed] if ready(printed) else None

        found = wait_for(output, what=what, detail=lambda: f"the screen:\n{self.term.screen()}")
        assert found is not None
        printed = found[0]
        self.keep_screen(what, printed)
        return printed

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's cursor is (Textual puts it in the focused input): (column, row)."""
        x, y = self.term.tmux("display", "-p", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def focus(self, row: int, start: int, end: int, what: str) -> None:
        """Wait until the cursor is on `row` within columns [start, end), where a field was seen on the
        screen: it has the focus, so the next keys reach it."""
        def inside() -> bool:
            x, y = self.cursor()
            return y == row and start <= x < end

        wait_for(inside, what=f"{what} (row {row}, columns {start}-{end - 1})",
                 detail=lambda: f"the cursor at {self.cursor()}")

    def keep_screen(self, what: str, screen: str) -> None:
        self.count += 1
        if self.keep is not None:
            self.keep.mkdir(parents=True, exist_ok=True)
            (self.keep / f"{self.count:02d} {what}.txt").write_text(screen, encoding="utf-8")


def place(screen: str, pattern: str) -> tuple[int, int]:
    """(column, row) of the first match of `pattern` on the screen (one cell a character)."""
    for row, line in enumerate(screen.splitlines()):
        found = re.search(pattern, line)
        if found is not None:
            return found.start(), row
    raise AssertionError(f"{pattern!r} is not on the screen:\n{screen}")


def git(ws: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=ws, check=True, capture_output=True)


def test_first_day(tmp_path: Path) -> None:
    assert (VENV_BIN / "nvim").exists() and shutil.which("tmux"), "tmux or Neovim missing: run scripts/setup"
    user = tmp_path / "user"  # a fresh home: no key, no config.toml, no shell hook yet
    (user / ".config" / "nvim").mkdir(parents=True)
    (user / ".config" / "nvim" / "init.lua").write_text(INIT_LUA, encoding="utf-8")
    (user / ".bashrc").write_text("PS1='$ '\neval \"$(codetape hook bash)\"\n", encoding="utf-8")
    ws = tmp_path / "calc"
    ws.mkdir()
    for name, text in {"calc.py": CALC, "test_calc.py": TESTS, "big.py": BIG}.items():
        (ws / name).write_text(text, encoding="utf-8")
    git(ws, "init", "-q", "-b", "main")
    git(ws, "-c", "user.name=dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "--allow-empty",
        "-m", "start")
    git(ws, "add", "calc.py", "test_calc.py", "big.py")
    git(ws, "-c", "user.name=dev", "-c", "user.email=dev@example.invalid", "commit", "-q", "-m", "calc")
    home_dir = user / ".codetape"
    env = {name: value for name, value in os.environ.items() if not name.startswith(("PYTEST", "CODETAPE"))}
    env |= {"HOME": str(user), "CODETAPE_HOME": str(home_dir), "PATH": f"{VENV_BIN}:{env['PATH']}",
            "TERM": "xterm-256color", "GIT_AUTHOR_NAME": "dev", "GIT_AUTHOR_EMAIL": "dev@example.invalid",
            "GIT_COMMITTER_NAME": "dev", "GIT_COMMITTER_EMAIL": "dev@example.invalid"}
    keep = os.environ.get("CODETAPE_FIRST_DAY_SCREENS")
    destination = tmp_path / "shared"
    home = Home(home_dir)
    with running_collector(env, tmp_path / "collector.log"):
        term = Terminal(tmp_path / "tmux.sock")
        term.start(f"cd {ws} && exec bash -i", env, width=150, height=45)
        day = Day(term, Path(keep) if keep else None)
        try:
            day.sees(lambda s: s.rstrip().endswith("$"), "the shell")
            day.run("codetape init .", "codetape init", lambda out: f"opted in: {ws}" in out)
            day.run("python -m pytest -q -p no:cacheprovider", "the first test run fails",
                    lambda out: "1 failed" in out)
            wait_recorded(home, ws, lambda steps: any(s["kind"] == "test_run" for s in steps),
                          "the failing test run, through the pytest plugin the hook set up")
            # the editor: read a long file, fix the bug, write notes that must not leave
            day.shell("nvim calc.py")
            day.sees(lambda s: "recording" in s and "def add" in s, "Neovim recording")
            term.keys(":e big.py", "Enter")
            wait_recorded(home, ws, lambda steps: any(s.get("path") == "big.py" for s in steps),
                          "big.py opened")
            term.keys(":e calc.py", "Enter")
            term.keys(":%s/a - b/a + b/", "Enter")
            day.sees(lambda s: "a + b" in s, "the fix typed")
            term.keys(":w", "Enter")
            day.sees(lambda s: "written" in s, "calc.py written")
            term.keys(":e my-notes.md", "Enter", "i")
            term.keys("-l", NOTES)
            term.keys("Escape", ":w", "Enter")
            day.sees(lambda s: "my-notes.md" in s and "written" in s, "the notes written")
            wait_recorded(home, ws, lambda steps: [s.get("path") for s in steps if s["kind"] == "save"][-2:]
                          == ["calc.py", "my-notes.md"], "both saves")
            term.keys(":qa", "Enter")
            day.finished("nvim calc.py", "back in the shell")
            day.run("python -m pytest -q -p no:cacheprovider", "the tests pass",
                    lambda out: "1 passed" in out)
            day.run("git commit -qam 'add: a plus, not a minus'", "the commit")
            wait_recorded(home, ws, lambda steps: any(s["kind"] == "git" and s.get("op") == "commit"
                                                      for s in steps), "the commit")
            sealed = day.run("codetape seal .", "codetape seal",
                             lambda out: "review it: codetape review" in out)
            episode = re.search(r"sealed ([0-9a-f-]{36})", sealed)
            assert episode is not None, sealed
            # the review: summary, then what leaves
            day.shell("codetape review")
            day.sees(lambda s: f"episode     {episode.group(1)}" in s and "purpose" in s,
                     "the review's summary")
            term.keys("5")
            # the whole tab, not its first line: tmux may show a frame Textual is still writing
            day.sees(lambda s: "this is what would be shared: 3 of 3 files" in s
                     and re.search(r"big\.py\s+3000\s+only opened: all of it leaves", s) is not None
                     and "commands (" in s and "environment variable names" in s, "the Shared tab")
            term.keys("Down", "Down")
            day.sees(lambda s: "+TWINE_PASSWORD lives in the team vault" in s, "my-notes.md's diff beside it")
            term.keys("Space")
            day.sees(lambda s: "this is what would be shared: 2 of 3 files" in s
                     and re.search(r"left out\s+my-notes\.md", s) is not None, "my-notes.md left out")
            term.keys("3")
            day.sees(lambda s: "at the end, after step" in s, "the Files tab at the end state")
            term.keys("s")
            day.sees(lambda s: "You have no signing key yet" in s and "Make the key, sign and queue" in s
                     and "No upload destination yet" in s, "the sign dialog")
            # a passphrase, twice (each field shows its dots once it has the keys), then the destination;
            # before each key that moves on, the cursor where the focused field puts it, found on the screen
            # (not "further right than before": tmux may report the cursor of a frame half written)
            term.keys("-l", "hunter2")
            typed = day.sees(lambda s: re.search(r"•{7}\s+the same again", s) is not None,
                             "the passphrase typed")
            first, row = place(typed, r"•{7}\s+the same again")
            second = place(typed, r"the same again")[0]
            day.focus(row, first, second, "the cursor in the first field")
            term.keys("Enter")  # the next field: wait for the cursor there (a key sooner goes before it)
            day.focus(row, second, second + 30, "the cursor in the second field")
            term.keys("-l", "hunter2")
            again = day.sees(lambda s: re.search(r"•{7}\s+•{7}", s) is not None, "the passphrase typed again")
            term.keys("Tab")
            start, row = place(again, r"upload to: file")
            day.focus(row, start, start + 60, "the cursor in the destination")
            term.keys("-l", destination.as_uri())
            day.sees(lambda s: destination.as_uri() in s, "the destination typed")
            term.keys("Enter")
            signed = " ".join(day.finished("codetape review", "signed from the review").split())
            assert f"upload destination set: {destination.as_uri()}" in signed and "signing key" in signed
            # the collector drains the outbox once config.toml names a destination: either may send it
            day.run("codetape upload", "codetape upload",
                    lambda out: re.search(r"uploaded to|already at|nothing to upload to", out) is not None)
            day.run(f"codetape replay --plain {episode.group(1)[:8]}", "the replay names the failing test",
                    lambda out: "test_add" in out)
            doctor = day.run("codetape doctor", "codetape doctor")
            assert "ok      signing: key" in doctor
            assert f"ok      upload destination: {destination.as_uri()}" in doctor
        finally:
            term.stop()
    uploaded = sorted((destination / "episodes").glob("*.ctape"))
    assert len(uploaded) == 1
    verify = codetape(home_dir, "verify", str(uploaded[0]))
    assert verify.returncode == 0, verify.stderr
    steps = codetape(home_dir, "cat", str(uploaded[0]), check=True).stdout
    assert "my-notes.md" not in steps and "TWINE_PASSWORD" not in steps and "team vault" not in steps
    assert any(json.loads(line)["kind"] == "test_run" for line in steps.splitlines())
