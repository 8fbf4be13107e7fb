"""Issue 86, item 4, in real Helix: the developer types a line and saves it, ten times, as fast as Helix
takes the keys (each `:w` waited for on Helix's screen only, never in the episode), beside two busy loops,
so the watcher's view of a save and the bridge's `didSave` arrive in either order and late. Each save
is one `save` step, in order, its text the bytes Helix wrote (`save_problems`), in every run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.e2e.editor_session import save_problems, terminal_session
from tests.e2e.helix.test_helix import SHIPPED, Helix, helix, status
from tests.support.busy import busy_loops

# a rate, not a gate: 5 sessions of ~30 s beside two busy loops; run by hand (`pytest -m campaign`)
pytestmark = [pytest.mark.campaign]
RUNS = 5
SAVES = 10


class FastHelix(Helix):
    """Saves as soon as Helix has written the file: the collector is not waited for between saves."""

    def save(self, relpath: str) -> None:
        self.term.wait(lambda s: f" {relpath} [+]" in status(s), f"{relpath} modified before its save")
        self.term.keys(":w", "Enter")
        self.term.wait(lambda s: f" {relpath} " in status(s) and "[+]" not in status(s), f"{relpath} written")
        self.disk.setdefault(relpath, []).append((self.workspace / relpath).read_bytes())


def typed_fast(editor: Helix) -> None:
    for n in range(SAVES):
        editor.term.keys("g", "e", "o")
        editor.type(f"value_{n} = {n}")
        editor.normal()
        editor.save("app.py")


@pytest.mark.parametrize("run", range(RUNS))
def test_typing_and_saving_fast_gives_one_save_step_per_save(run: int, tmp_path: Path) -> None:
    config = tmp_path / "config"
    (config / "helix").mkdir(parents=True)
    shutil.copy(SHIPPED, config / "helix" / "languages.toml")
    with busy_loops():
        session = terminal_session(tmp_path, FastHelix, helix(), {
            "XDG_CONFIG_HOME": str(config), "XDG_CACHE_HOME": str(tmp_path / "cache")}, typed_fast)
        try:
            recorded = next(session)
            assert len(recorded.disk["app.py"]) == SAVES
            assert save_problems(recorded) == []
        finally:
            session.close()
