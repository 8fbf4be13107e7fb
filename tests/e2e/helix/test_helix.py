"""Real Helix 25.01 (Debian 13's, installed by scripts/helix) in tmux, with codetape's shipped
`editor_extensions/helix/languages.toml` as the user's: pylsp behind the bridge for Python, the bridge as a
second server for every other language (here plain text). One session per module, typed as a person would:
non-ASCII mid-line, undo, an edit with three selections at once, saves, a new file, a text file."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from editor_extensions.helix.generate import generate
from schemas.steps import DiagnosticsStep
from tests.e2e.editor_session import (  # the checks every editor's session passes
    Recorded,
    TerminalEditor,
    terminal_session,
    test_every_save_reconstructs_byte_exact,  # noqa: F401
    test_the_episode_checks_out_byte_exact,  # noqa: F401
    test_the_episode_verifies,  # noqa: F401
    versions_out_of_order,
)

ROOT = Path(__file__).resolve().parents[3]
SHIPPED = ROOT / "editor_extensions" / "helix" / "languages.toml"


def helix() -> str:
    """The launcher scripts/helix installed, or a skip naming why setup could not install it."""
    script = str(ROOT / "scripts" / "helix")
    where = subprocess.run([script, "--path"], capture_output=True, text=True, check=True)
    launcher = Path(where.stdout.strip())
    failed = launcher.parent.parent / "failed"
    if not launcher.exists() and failed.exists():
        pytest.skip(f"scripts/setup could not install Helix: {failed.read_text().strip()}")
    assert launcher.exists(), f"Helix is missing at {launcher}: run scripts/setup (it runs scripts/helix)"
    return str(launcher)


def status(screen: str) -> str:
    """Helix's status line: mode, file name, [+] while modified, selections, position."""
    lines = screen.rstrip("\n").splitlines()
    return next((line for line in reversed(lines) if " sel" in line), "")


class Helix(TerminalEditor):
    """Helix in a tmux window, typed into key by key, waited on by what its screen shows."""

    def open(self, relpath: str) -> None:
        """`:o relpath`, and wait until the bridge has the buffer (typing before its server is up folds the
        typing into the open, and a save before it is lost to it)."""
        self.term.keys(f":o {relpath}", "Enter")
        self.term.wait(lambda s: f" {relpath} " in status(s), f"Helix to open {relpath}")
        self.recorded("open", relpath)

    def type(self, text: str) -> None:
        self.term.keys("-l", text)

    def normal(self) -> None:
        """From insert mode (waited for: the keys before may still be on their way), Escape to normal mode,
        and wait for it: a key sent right after Escape would read as Alt+key."""
        self.term.wait(lambda s: " INS " in s, "Helix in insert mode")
        self.term.keys("Escape")
        self.term.wait(lambda s: " NOR " in s, "Helix in normal mode")

    def save(self, relpath: str) -> None:
        """`:w`, once Helix says it wrote the file; keep the bytes it wrote."""
        count = len(self.disk.setdefault(relpath, []))
        self.term.wait(lambda s: f" {relpath} [+]" in status(s), f"{relpath} modified before its save")
        self.term.keys(":w", "Enter")
        # written: the status line no longer says modified (the message may be replaced by a server's)
        self.term.wait(lambda s: f" {relpath} " in status(s) and "[+]" not in status(s), f"{relpath} written")
        self.disk[relpath].append((self.workspace / relpath).read_bytes())
        self.recorded("save", relpath, count + 1)


def type_the_session(editor: Helix) -> None:
    """The session, typed once pylsp's first diagnostic is on the screen."""
    editor.term.keys("g", "e", "o")
    editor.type('name = "café 中文 done"')
    editor.normal()
    editor.term.keys("g", "h", "f", "d", "\\;", "i")  # back into the middle of the line, before "done"
    editor.type("😀 ")
    editor.normal()
    editor.save("app.py")
    editor.term.keys("u")  # undo the emoji
    editor.term.wait(lambda s: "😀" not in s, "the undo")
    editor.save("app.py")
    editor.term.keys("g", "e", "o")
    editor.type("value = 1")
    editor.term.keys("Enter")
    editor.type("value += value")
    editor.normal()
    editor.term.keys("%", "s")
    editor.type("value")
    editor.term.keys("Enter")
    editor.term.wait(lambda s: "3 sels" in s, "three selections")
    editor.term.keys("c")
    editor.type("tötal")
    editor.normal()
    editor.save("app.py")
    editor.new_file_and_text_file()


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    hx = helix()
    base = tmp_path_factory.mktemp("helix")
    config = base / "config"
    (config / "helix").mkdir(parents=True)
    shutil.copy(SHIPPED, config / "helix" / "languages.toml")
    yield from terminal_session(base, Helix, hx, {"XDG_CONFIG_HOME": str(config),
                                                  "XDG_CACHE_HOME": str(base / "cache")}, type_the_session)


def test_helix_typed_what_the_session_meant(recorded: Recorded) -> None:
    app, new, notes = (recorded.workspace / name for name in ("app.py", "new.py", "notes.txt"))
    typed = 'import os\nname = "café 中文 done"\ntötal = 1\ntötal += tötal\n'
    assert app.read_text(encoding="utf-8") == typed
    assert recorded.disk["app.py"][0] == 'import os\nname = "café 中文 😀 done"\n'.encode()
    assert new.read_text(encoding="utf-8") == 'print("新 ✨")\n'
    assert notes.read_text(encoding="utf-8") == "notes: héllo 中 😀 bye\n"
    header = recorded.episode.header
    assert header.client is not None and header.client.name == "helix"


def test_helix_changes_are_recorded_in_version_order(recorded: Recorded) -> None:
    """Helix sends didChange out of version order (one task per notification): the bridge applies them
    in order (issue 27, item 1)."""
    assert versions_out_of_order(recorded) == {}


def test_helix_records_pylsp_diagnostics_through_the_proxy(recorded: Recorded) -> None:
    messages = [item.message for step in recorded.episode.steps() if isinstance(step, DiagnosticsStep)
                for item in step.items]
    assert any("'os' imported but unused" in message for message in messages), messages


def builtin_languages(hx: str) -> dict[str, Any]:
    """Helix's built-in languages.toml, which the hx binary carries verbatim (scripts/helix unpacked the
    binary beside its launcher): from its first line to the last line that still parses."""
    data = (Path(hx).parent.parent / "root" / "usr" / "lib" / "hx" / "hx").read_bytes()
    start = data.find(b"# Language support configuration")
    assert start >= 0, "the hx binary carries no languages.toml"
    text = data[start:data.find(b"\0", start)].decode("utf-8", errors="replace")
    end = len(text)
    while (end := text.rfind("\n", 0, end)) > 0:
        try:
            return tomllib.loads(text[:end + 1])
        except tomllib.TOMLDecodeError:
            continue
    raise AssertionError("the languages.toml in the hx binary does not parse")


def test_shipped_languages_toml_is_generated_from_this_helix(tmp_path: Path) -> None:
    hx = helix()
    version = subprocess.run([hx, "--version"], capture_output=True, text=True, check=True).stdout
    release = re.sub(r"^helix (\d+\.\d+).*", r"\1", version.strip())
    assert SHIPPED.read_text(encoding="utf-8") == generate(builtin_languages(hx), release), (
        "editor_extensions/helix/languages.toml is stale: regenerate it with its generate.py")
