"""Real headless Neovim (0.11 from PyPI, 0.7 from Debian) with the bridge in observe mode: one session per
version, recorded once for the module, that each test looks at."""

from __future__ import annotations

import json
import shutil
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from collector.demo.neovim import run_neovim
from collector.episode import Episode
from collector.episode.summary import summarize
from schemas.steps import NoteStep
from tests.e2e.conftest import (
    codetape,
    environment,
    opted_in_repository,
    running_collector,
    saved_texts,
    saves_of,
    seal,
)

VENV_NVIM = Path(sys.executable).parent / "nvim"
NEOVIMS = {"0.11": str(VENV_NVIM), "0.7": "/usr/bin/nvim"}
BRIDGE = [sys.executable, "-m", "lsp_bridge"]

KEYS = [
    "Goimport os<CR><CR>def greet(name):<CR>    return 'héllo ' + name<Esc>",
    "Go# emoji 😀 and 👩‍💻 mid-line<Esc>0fjiX<Esc>",
    "ggdd:%s/héllo/hi ✨/<CR>Gx",
]


@dataclass
class Session:
    """One Neovim session in an opted-in repository, sealed, then what the collector does after it: a seal
    with nothing new, and a note with no editor running, sealed into an episode of its own."""

    version: str
    disk: list[bytes]  # app.py on disk after each save
    episode: Episode
    empty_seal: object  # `codetape seal --json` right after: null
    after: Episode  # the note's episode


@pytest.fixture(scope="module", params=sorted(NEOVIMS))
def session(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    version: str = request.param
    nvim = NEOVIMS[version]
    assert shutil.which(nvim), f"Neovim {version} is missing at {nvim}: run scripts/setup"
    base = tmp_path_factory.mktemp(f"neovim-{version}")
    env = environment(base)
    with running_collector(env, base / "collector.log"):
        workspace = opted_in_repository(base / "ws", env)
        (workspace / "app.py").write_text("# app\n", encoding="utf-8")
        disk = run_neovim(nvim, workspace, "app.py", BRIDGE, KEYS, env=env, scratch=base)
        episode = seal(env, workspace, saves_of("app.py", len(KEYS)), "every save")
        empty_seal = json.loads(codetape(env, "seal", str(workspace), "--json"))
        codetape(env, "note", "after the editor exited", cwd=workspace)
        after = seal(env, workspace, lambda steps: steps, "the note")
        yield Session(version, disk, episode, empty_seal, after)


def test_neovim_session_reconstructs_every_save(session: Session) -> None:
    episode, disk = session.episode, session.disk
    assert saved_texts(episode, "app.py") == disk
    kinds = Counter(step.kind for step in episode.steps())
    assert kinds["open"] == 1 and kinds["save"] == len(KEYS) and kinds["edit"] > 20
    assert episode.header.client is not None and episode.header.client.name.lower().startswith("neovim")
    assert episode.header.position_encoding == ("utf-8" if session.version == "0.11" else "utf-16")
    assert "😀" in disk[-1].decode() and "hi ✨" in disk[-1].decode()


def test_a_file_closed_with_the_editor_never_comes_back(session: Session) -> None:
    assert session.empty_seal is None  # nothing new: no episode
    steps = list(session.after.steps())
    assert len(steps) == 1, [s.kind for s in steps]
    assert isinstance(steps[0], NoteStep) and steps[0].text == "after the editor exited"
    assert summarize(session.after).files == {}  # the review lists no file as touched
