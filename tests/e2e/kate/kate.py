"""Real Kate (Debian's, installed by scripts/setup with Xvfb and xdotool) on a virtual X display, with
the configuration docs/editors.md gives its users: pylsp behind `codetape bridge --` in the LSP Client's
user server settings (proxy mode), the command line allowed in katerc as the user's answer to Kate's
question would. Typed into with xdotool (XTEST, as a keyboard types), waited on by what is on disk and
what the collector has recorded, never by a fixed time."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
from collections.abc import Callable, Generator, Iterator
from pathlib import Path

import pytest

from collector.home import Home
from tests.e2e.conftest import environment, opted_in_repository, running_collector, seal
from tests.e2e.editor_session import VENV_BIN, Recorded
from tests.support.collector_harness import wait_recorded
from tests.waiting import wait_for

TOOLS = ("kate", "Xvfb", "xdotool")
# Kate's own completion popups would take a typed Return and its closing brackets and quotes would be
# typed twice: a developer types past both, a script cannot see them, so they are off (the LSP client
# still sends every change)
KATERC = """[Kate Plugins]
lspclientplugin=true

[KTextEditor View]
Auto Brackets=false
Auto Completion=false
Word Completion=false
Keyword Completion=false

[lspclient]
AllowedServerCommandLines={allowed}
"""


def installed() -> None:
    """Fail naming the missing tool: scripts/setup installs all three."""
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: run scripts/setup (apt: kate xvfb xdotool)")


@contextlib.contextmanager
def x_display(log_path: Path) -> Iterator[str]:
    """A virtual X display (Xvfb, no TCP listener), its name once the server accepts clients."""
    read, write = os.pipe()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-nolisten", "tcp", "-screen", "0",
                                 "1280x800x24"], pass_fds=(write,), stdout=log, stderr=subprocess.STDOUT)
        os.close(write)
        try:
            number = b""

            def told() -> bool:  # Xvfb writes its display number and a newline once it is ready
                nonlocal number
                assert proc.poll() is None, log_path.read_text(errors="replace")
                if select.select([read], [], [], 0.1)[0]:
                    number += os.read(read, 16)
                return number.endswith(b"\n")

            wait_for(told, what="Xvfb to say its display")
            yield f":{number.decode().strip()}"
        finally:
            os.close(read)
            proc.terminate()
            proc.wait(30)


class Kate:
    """Kate on `display`, editing one file of `workspace`; each save's bytes kept in `disk`."""

    def __init__(self, env: dict[str, str], workspace: Path, home: Home, log_path: Path) -> None:
        self.env, self.workspace, self.home = env, workspace, home
        self.disk: dict[str, list[bytes]] = {}
        self.log = open(log_path, "wb")  # noqa: SIM115
        self.proc: subprocess.Popen[bytes] | None = None
        self.window = ""

    def start(self, relpath: str) -> None:
        """Kate on `relpath`, its window focused, once the bridge has the document open."""
        self.proc = subprocess.Popen(["kate", "--new", relpath], cwd=self.workspace, env=self.env,
                                     stdout=self.log, stderr=subprocess.STDOUT)

        def window() -> str:
            assert self.proc is not None and self.proc.poll() is None, "Kate exited at start"
            found = self.xdotool("search", "--onlyvisible", "--pid", str(self.proc.pid), "--name", relpath,
                                 check=False)
            return found.split()[0] if found.split() else ""

        self.window = wait_for(window, what=f"Kate's window on {relpath}")
        self.xdotool("windowfocus", "--sync", self.window)
        self.recorded("open", relpath)

    def xdotool(self, *args: str, check: bool = True) -> str:
        done = subprocess.run(["xdotool", *args], env=self.env, capture_output=True, text=True, timeout=60)
        if check and done.returncode != 0:
            raise AssertionError(f"xdotool {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def keys(self, *keys: str) -> None:
        self.xdotool("key", "--clearmodifiers", *keys)

    def type(self, text: str) -> None:
        self.xdotool("type", "--delay", "8", text)

    def save(self, relpath: str, holds: str) -> None:
        """Ctrl+S, waited for on disk only (the file holds `holds`); the bytes Kate wrote are kept."""
        path = self.workspace / relpath
        before = path.read_bytes()
        self.keys("ctrl+s")
        def written() -> bytes | None:
            data = path.read_bytes()
            return data if data != before and holds.encode() in data else None

        data = wait_for(written, what=f"Kate to write {relpath} holding {holds!r}")
        assert data is not None
        self.disk.setdefault(relpath, []).append(data)

    def recorded(self, kind: str, relpath: str, count: int = 1) -> None:
        """Wait until the collector has `count` steps of `kind` for `relpath`."""
        def enough(steps: list[dict[str, object]]) -> bool:
            return sum(s["kind"] == kind and s.get("path") == relpath for s in steps) >= count

        wait_recorded(self.home, self.workspace, enough, f"{count} {kind} steps of {relpath}")

    def quit(self) -> None:
        self.keys("ctrl+q")
        assert self.proc is not None
        self.proc.wait(60)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(30)
        self.log.close()


def kate_session(base: Path, typed: Callable[[Kate], None]) -> Generator[Recorded, None, None]:
    """A collector, an opted-in repository holding app.py (`import os`), Kate started on it with pylsp
    behind the bridge; `typed` types the session, Kate quits, and the episode is sealed with every save."""
    installed()
    env = environment(base)
    config = base / "config"
    (config / "kate" / "lspclient").mkdir(parents=True)
    command = [str(VENV_BIN / "codetape"), "bridge", "--", str(VENV_BIN / "pylsp")]
    (config / "kate" / "lspclient" / "settings.json").write_text(json.dumps(
        {"servers": {"python": {"command": command, "highlightingModeRegex": "^Python$"}}}), encoding="utf-8")
    (config / "katerc").write_text(KATERC.format(allowed=" ".join(command)), encoding="utf-8")
    runtime = base / "runtime"
    runtime.mkdir(mode=0o700)
    with running_collector(env, base / "collector.log"), x_display(base / "xvfb.log") as display:
        workspace = opted_in_repository(base / "ws", env)
        (workspace / "app.py").write_text("import os\n", encoding="utf-8")
        kate = Kate(env | {"DISPLAY": display, "XDG_CONFIG_HOME": str(config), "HOME": str(base),
                           "XDG_RUNTIME_DIR": str(runtime), "PATH": f"{VENV_BIN}:{env['PATH']}"},
                    workspace, Home(Path(env["CODETAPE_HOME"]).resolve()), base / "kate.log")
        try:
            kate.start("app.py")
            typed(kate)
            kate.quit()
        finally:
            kate.stop()
        saves = sum(map(len, kate.disk.values()))
        episode = seal(env, workspace, lambda got: [s["kind"] for s in got].count("save") >= saves, "saves")
        yield Recorded(workspace, env, episode, kate.disk)
