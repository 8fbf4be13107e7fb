"""seal_journal with the redaction transform: the header's encoding is used, the summary lands beside."""

from __future__ import annotations

from pathlib import Path

from msgspec.structs import replace

from collector.episode import open_episode
from collector.journal import JournalWriter
from collector.reconstruct.workspace import Workspace
from collector.seal.journal import seal_journal
from collector.seal.redacted import seal_transform
from collector.seal.summaries import read_summary
from collector.text.digest import sha256_text
from schemas import EpisodeHeader, Step
from schemas.steps import EditStep, OpenStep, SaveStep
from tests.structs import make

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"


def test_sealing_redacts_with_the_episodes_position_encoding(tmp_path: Path,
                                                             episode_header: EpisodeHeader) -> None:
    header = replace(episode_header, position_encoding="utf-8")
    text = "s = 'é😀'\n"
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text=text)]
    col = len("s = 'é😀'".encode())  # utf-8 units: the token typed after the non-ASCII text
    for n, ch in enumerate(f" + '{GH}'"):
        at = {"line": 0, "character": col + n}
        steps.append(make(EditStep, {"t_ms": n + 1, "source": "bridge", "path": "a.py",
                                              "changes": [{"range": {"start": at, "end": at}, "text": ch}]}))
    final = f"s = 'é😀' + '{GH}'\n"
    steps.append(SaveStep(t_ms=100, source="bridge", path="a.py", sha256=sha256_text(final)))
    journal = tmp_path / "j.journal"
    with JournalWriter.create(journal, header) as writer:
        for step in steps:
            writer.append(step)
    episodes = tmp_path / "episodes"
    result = seal_journal(journal, episodes, transform=seal_transform(summaries=episodes), level=3)
    assert result is not None
    sealed = list(open_episode(result.path).steps())
    assert GH[:8] not in repr(sealed)
    workspace = Workspace("utf-8")
    for step in sealed:
        workspace.apply(step)
        if isinstance(step, SaveStep):
            assert workspace.save_mismatch(step) is None
    assert workspace.text("a.py") == final.replace(GH, "«redacted:github-token:1»")
    summary = read_summary(result.path)
    assert summary is not None and summary.counts == {"github-token": 1}
