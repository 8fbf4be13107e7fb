"""Real headless Neovim (0.11 from PyPI, 0.7 from Debian) with the bridge in observe mode."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from collector.demo.neovim import run_neovim
from collector.episode.summary import summarize
from schemas.steps import NoteStep
from tests.e2e.conftest import codetape, saved_texts, saves_of, seal

VENV_NVIM = Path(sys.executable).parent / "nvim"
NEOVIMS = {"0.11": str(VENV_NVIM), "0.7": "/usr/bin/nvim"}
BRIDGE = [sys.executable, "-m", "lsp_bridge"]

KEYS = [
    "Goimport os<CR><CR>def greet(name):<CR>    return 'héllo ' + name<Esc>",
    "Go# emoji 😀 and 👩‍💻 mid-line<Esc>0fjiX<Esc>",
    "ggdd:%s/héllo/hi ✨/<CR>Gx",
]


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_neovim_session_reconstructs_every_save(version: str, collector: object, workspace: Path,
                                                env: dict[str, str], tmp_path: Path) -> None:
    nvim = NEOVIMS[version]
    assert shutil.which(nvim), f"Neovim {version} is missing at {nvim}: run scripts/setup"
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    disk = run_neovim(nvim, workspace, "app.py", BRIDGE, KEYS, env=env, scratch=tmp_path)
    episode = seal(env, workspace, saves_of("app.py", len(KEYS)), "every save")
    assert saved_texts(episode, "app.py") == disk
    kinds = Counter(step.kind for step in episode.steps())
    assert kinds["open"] == 1 and kinds["save"] == len(KEYS) and kinds["edit"] > 20
    assert episode.header.client is not None and episode.header.client.name.lower().startswith("neovim")
    assert episode.header.position_encoding == ("utf-8" if version == "0.11" else "utf-16")
    assert "😀" in disk[-1].decode() and "hi ✨" in disk[-1].decode()


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_a_file_closed_with_the_editor_never_comes_back(version: str, collector: object, workspace: Path,
                                                        env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("# app\n", encoding="utf-8")
    disk = run_neovim(NEOVIMS[version], workspace, "app.py", BRIDGE, KEYS[:1], env=env, scratch=tmp_path)
    first = seal(env, workspace, saves_of("app.py", 1), "the save")
    assert saved_texts(first, "app.py") == disk
    assert json.loads(codetape(env, "seal", str(workspace), "--json")) is None  # nothing new: no episode
    codetape(env, "note", "after the editor exited", cwd=workspace)
    second = seal(env, workspace, lambda steps: steps, "the note")
    steps = list(second.steps())
    assert len(steps) == 1, [s.kind for s in steps]
    assert isinstance(steps[0], NoteStep) and steps[0].text == "after the editor exited"
    assert summarize(second).files == {}  # the review lists no file as touched
