"""Issue 86, item 4: Helix saving while typing fast, beside two busy loops (a loaded machine: the file
watcher's view of a save may come late, after the edits typed next), gives one `save` step per save, each
the file on disk then. Five sessions; each types five lines, saving after each without waiting for
anything but Helix's own screen."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.editor_session import Recorded, save_problems, terminal_session
from tests.e2e.helix.test_helix import SHIPPED, Helix, helix, status
from tests.support.busy import busy_loops

pytestmark = [pytest.mark.eval, pytest.mark.alone]  # beside its own two busy loops
LINES = [f"value_{n} = {n} * 2" for n in range(5)]


def type_fast(editor: Helix) -> None:
    """Each line typed and saved at once, the next typed straight after; nothing waited for but Helix's
    mode on its screen, and at the end the last save. The bytes on disk at each save are what was typed
    up to it."""
    typed = "import os\n"
    for line in LINES:
        editor.term.keys("g", "e", "o")
        editor.type(line)
        editor.normal()  # (the screen: a key right after Escape would read as Alt+key)
        editor.term.keys(":w", "Enter")
        typed += line + "\n"
        editor.disk.setdefault("app.py", []).append(typed.encode())
    editor.term.wait(lambda s: " app.py " in status(s) and "[+]" not in status(s), "the last save written")
    editor.term.wait(lambda s: (editor.workspace / "app.py").read_text(encoding="utf-8") == typed,
                     "every line on disk")


@pytest.fixture(params=range(5))
def recorded(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Recorded]:
    hx = helix()
    config = tmp_path / "config"
    (config / "helix").mkdir(parents=True)
    shutil.copy(SHIPPED, config / "helix" / "languages.toml")
    helix_env = {"XDG_CONFIG_HOME": str(config), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    with busy_loops():
        yield from terminal_session(tmp_path, Helix, hx, helix_env, type_fast)


def test_one_save_step_per_save_while_typing_fast(recorded: Recorded) -> None:
    saves = [step for step in recorded.episode.steps() if step.kind == "save" and step.path == "app.py"]
    assert len(saves) == len(LINES), [(s.source, s.sha256) for s in saves]
    assert save_problems(recorded) == []
