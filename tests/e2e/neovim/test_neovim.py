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
from tests.cli import codetape
from tests.e2e.conftest import (
    built_dataset,
    environment,
    home_of,
    opted_in_repository,
    running_collector,
    saved_texts,
    saves_of,
    seal,
)
from tests.support.dataset_helpers import replay_against_checkout

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
    env: dict[str, str]  # its CODETAPE_HOME


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
        empty_seal = json.loads(codetape(home_of(env), "seal", str(workspace), "--json", check=True).stdout)
        codetape(home_of(env), "note", "after the editor exited", cwd=workspace, check=True)
        after = seal(env, workspace, lambda steps: steps, "the note")
        yield Session(version, disk, episode, empty_seal, after, env)


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


def test_the_sessions_transitions_replay_over_blobs_into_checkout_and_its_edits_into_each_burst(
        session: Session, tmp_path: Path) -> None:
    """Last: signing moves the episode to the outbox."""
    dataset = built_dataset(session.env, session.episode, tmp_path)
    [uploaded] = (tmp_path / "uploads" / "episodes").glob("*.ctape")
    assert replay_against_checkout(tmp_path / "dataset", tmp_path / "team",
                                   {session.episode.header.episode_id: uploaded}, tmp_path, samples=3) >= 3
    blobs = dict(dataset.execute("SELECT sha256, text FROM blobs").fetchall())
    bursts = dataset.execute("SELECT first_step, last_step, before_sha256, after_sha256, diff "
                             "FROM transitions WHERE kind = 'edit' AND path = 'app.py' "
                             "ORDER BY action").fetchall()
    assert len(bursts) >= 2
    for first, last, before, after, diff in bursts:
        text = blobs[before]
        for start, end, inserted, deleted in dataset.execute(
                "SELECT start_offset, end_offset, inserted, deleted FROM edits WHERE step BETWEEN ? AND ? "
                "ORDER BY step, change", [first, last]).fetchall():
            assert text[start:end] == deleted  # offsets in characters, whatever the episode's encoding
            text = text[:start] + inserted + text[end:]
        assert text == blobs[after]
        assert diff.startswith("--- a/app.py\n+++ b/app.py\n@@ ") or before == after
    assert "😀" in blobs[bursts[-1][3]]
