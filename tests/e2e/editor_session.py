"""What the Helix, Vim + ALE and Emacs + lsp-mode sessions share: a recorded session in an opted-in
repository (collector, workspace, the file on disk at each save), and the checks every one of them must
pass: each save reconstructs byte-exact, the sealed episode checks out byte-exact and `codetape verify`
accepts it.

Each editor has its own bug the bridge gets past (issue 27: item 1, Helix's out-of-order changes; item
3, lsp-mode's code-point columns and ALE's literal backslash-n); each module also checks the episode
shows how."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

from collector.episode import Episode
from collector.home import Home
from collector.reconstruct.workspace import replay
from schemas.steps import EditStep, SaveStep
from tests.e2e.conftest import environment, opted_in_repository, running_collector, seal
from tests.support.collector_harness import wait_recorded
from tests.support.terminal import Terminal
from tests.waiting import wait_for

VENV_BIN = Path(sys.executable).parent  # `codetape` and `pylsp` of this checkout's virtualenv


@dataclass
class Recorded:
    """One editor session: the workspace, the sealed episode and each file's bytes on disk at its saves."""

    workspace: Path
    env: dict[str, str]
    episode: Episode
    disk: dict[str, list[bytes]] = field(default_factory=dict)


class TerminalEditor:
    """A terminal editor in a tmux window, typed into key by key, waited on by what its screen shows and
    by what the collector has recorded."""

    def __init__(self, term: Terminal, home: Home, workspace: Path, disk: dict[str, list[bytes]]) -> None:
        self.term, self.home, self.workspace, self.disk = term, home, workspace, disk

    def recorded(self, kind: str, relpath: str, count: int = 1) -> None:
        """Wait until the collector has `count` steps of `kind` for `relpath`."""
        def enough(steps: list[dict[str, Any]]) -> bool:
            return sum(s["kind"] == kind and s.get("path") == relpath for s in steps) >= count

        wait_recorded(self.home, self.workspace, enough, f"{count} {kind} steps of {relpath}")

    def open(self, relpath: str) -> None:
        """Open `relpath` in the editor, and wait until the bridge has the buffer."""
        raise NotImplementedError

    def type(self, text: str) -> None:
        raise NotImplementedError

    def normal(self) -> None:
        """Back from insert mode to normal mode, waited for."""
        raise NotImplementedError

    def save(self, relpath: str) -> None:
        """Write `relpath`, keep the bytes written, and wait until the collector has the save."""
        raise NotImplementedError

    def new_file_and_text_file(self) -> None:
        """How every terminal session ends: a new Python file typed and saved, then a text file (the bridge
        as its only server) typed, non-ASCII inserted two words back, and saved."""
        self.open("new.py")
        self.term.keys("i")
        self.type('print("新 ✨")')
        self.normal()
        self.save("new.py")
        self.open("notes.txt")
        self.term.keys("i")
        self.type("notes: héllo 😀 bye")
        self.normal()
        self.term.keys("b", "b", "i")
        self.type("中 ")
        self.normal()
        self.save("notes.txt")


Editor = TypeVar("Editor", bound=TerminalEditor)


def terminal_session(base: Path, editor: type[Editor], command: str, editor_env: dict[str, str],
                     typed: Callable[[Editor], None]) -> Generator[Recorded, None, None]:
    """The session a terminal editor's module records once (a module-scoped fixture yields from it): a
    collector, an opted-in repository holding app.py (`import os`), the editor started on app.py in tmux
    (`command`, this virtualenv's codetape and pylsp first on PATH, HOME `base`, `editor_env` over that);
    once pylsp's first diagnostic is on the screen and the bridge has opened app.py, `typed` types the
    session, then the editor quits (`:qa`) and the episode is sealed with every save."""
    assert shutil.which("tmux"), "tmux is missing: run scripts/setup"
    env = environment(base)
    with running_collector(env, base / "collector.log"):
        workspace = opted_in_repository(base / "ws", env)
        (workspace / "app.py").write_text("import os\n", encoding="utf-8")
        term = Terminal(base / "tmux.sock")
        term.start(f"cd {workspace} && exec {command} app.py",
                   env | {"PATH": f"{VENV_BIN}:{env['PATH']}", "TERM": "xterm-256color", "HOME": str(base)}
                   | editor_env, width=120, height=30)
        disk: dict[str, list[bytes]] = {}
        session = editor(term, Home(Path(env["CODETAPE_HOME"]).resolve()), workspace, disk)
        try:
            term.wait(lambda s: "imported but unused" in s, "pylsp's first diagnostic, through the bridge")
            session.recorded("open", "app.py")
            typed(session)
            term.keys(":qa", "Enter")
            wait_for(lambda: subprocess.run(["tmux", "-S", term.socket, "has-session"],
                                            capture_output=True).returncode != 0,
                     what=f"{editor.__name__} to exit")
        finally:
            term.stop()
        saves = sum(map(len, disk.values()))
        episode = seal(env, workspace, lambda got: [s["kind"] for s in got].count("save") >= saves, "saves")
        yield Recorded(workspace, env, episode, disk)


def save_problems(recorded: Recorded, *, lint_saves: bool = False) -> list[str]:
    """Where a save of the episode is not the file that was on disk then (or fails its own hash).

    `lint_saves`: the editor also sends didSave without writing (ALE does, to have servers lint), so the
    episode may hold more saves than writes: each write must be a save's text, in order, and every save
    must hold its hash."""
    if lint_saves:
        return _writes_among_saves(recorded)
    problems: list[str] = []
    seen: dict[str, int] = {}
    encoding = recorded.episode.header.position_encoding
    for index, step, workspace in replay(encoding, recorded.episode.steps()):
        if not isinstance(step, SaveStep) or step.path not in recorded.disk:
            continue
        number = seen.get(step.path, 0)
        seen[step.path] = number + 1
        disk = recorded.disk[step.path]
        text = workspace.text(step.path)
        mismatch = workspace.save_mismatch(step)
        if mismatch is not None:
            problems.append(f"step {index} (save {number + 1} of {step.path}): {mismatch}")
        if number < len(disk) and (text is None or text.encode("utf-8") != disk[number]):
            problems.append(f"step {index} (save {number + 1} of {step.path}): reconstructed "
                            f"{None if text is None else text.encode('utf-8')!r}, on disk {disk[number]!r}")
    for path, disk in recorded.disk.items():
        if seen.get(path, 0) != len(disk):
            problems.append(f"{path}: {seen.get(path, 0)} save steps for {len(disk)} saves")
    return problems


def _writes_among_saves(recorded: Recorded) -> list[str]:
    problems: list[str] = []
    texts: dict[str, list[bytes]] = {}
    encoding = recorded.episode.header.position_encoding
    for index, step, workspace in replay(encoding, recorded.episode.steps()):
        if isinstance(step, SaveStep) and step.path in recorded.disk:
            if (mismatch := workspace.save_mismatch(step)) is not None:
                problems.append(f"step {index} (a save of {step.path}): {mismatch}")
            texts.setdefault(step.path, []).append((workspace.text(step.path) or "").encode("utf-8"))
    for path, writes in recorded.disk.items():
        saved = iter(texts.get(path, []))
        missing = [number for number, write in enumerate(writes, 1) if not any(s == write for s in saved)]
        if missing:
            problems.append(f"{path}: the writes {missing} are no save's text, in order (saves: "
                            f"{texts.get(path, [])!r}, writes: {writes!r})")
    return problems


def checkout_problems(recorded: Recorded, dest: Path) -> list[str]:
    """`codetape checkout` of the sealed episode into `dest`, compared with the workspace's files now."""
    command = [sys.executable, "-m", "collector", "checkout", str(recorded.episode.path), str(dest)]
    done = subprocess.run(command, env=recorded.env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    problems = []
    for path in recorded.disk:
        out, real = dest / path, recorded.workspace / path
        if not out.exists() or out.read_bytes() != real.read_bytes():
            problems.append(f"{path}: checked out {out.read_bytes() if out.exists() else None!r}, "
                            f"on disk {real.read_bytes()!r}")
    return problems


def verify_problem(recorded: Recorded) -> str | None:
    """`codetape verify`'s complaint about the sealed episode, or None when it accepts it."""
    done = subprocess.run([sys.executable, "-m", "collector", "verify", str(recorded.episode.path)],
                          env=recorded.env, capture_output=True, text=True, timeout=120)
    return None if done.returncode == 0 else (done.stderr.strip() or done.stdout.strip())


def expect(problems: list[str] | str | None, what: str) -> None:
    """Fail on `problems`, naming `what` was checked."""
    if problems:
        pytest.fail(f"{what}: {problems}")


def versions_out_of_order(recorded: Recorded) -> dict[str, list[int]]:
    """Per file, the didChange versions as the bridge received them, for files whose versions went back."""
    versions: dict[str, list[int]] = {}
    for step in recorded.episode.steps():
        if isinstance(step, EditStep) and step.version is not None:
            versions.setdefault(step.path, []).append(step.version)
    return {path: seen for path, seen in versions.items()
            if any(later < earlier for earlier, later in itertools.pairwise(seen))}


# The checks every editor's session passes: each module imports them, and its own `recorded` fixture
# (one session per module) is what they check.

def test_every_save_reconstructs_byte_exact(recorded: Recorded) -> None:
    expect(save_problems(recorded), "the saves")


def test_the_episode_checks_out_byte_exact(recorded: Recorded, tmp_path: Path) -> None:
    expect(checkout_problems(recorded, tmp_path / "checkout"), "the checkout")


def test_the_episode_verifies(recorded: Recorded) -> None:
    expect(verify_problem(recorded), "codetape verify")
