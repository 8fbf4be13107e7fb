"""An `offer` step at the seal: its items' texts are redacted like every text (a token an AI suggested
never leaves the journal), and an offer in an excluded file goes with the file's other steps."""

from __future__ import annotations

from pathlib import Path

from collector.episode import open_episode
from collector.journal import JournalWriter
from collector.seal.in_force import InForce
from collector.seal.journal import seal_journal
from collector.seal.redacted import seal_transform
from schemas import EpisodeHeader, Step
from schemas.settings import WorkspaceSettings
from schemas.steps import OfferStep, OpenStep
from tests.structs import make

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
CARET = {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}}


def offer(t_ms: int, path: str, *texts: str) -> OfferStep:
    return make(OfferStep, {"t_ms": t_ms, "source": "bridge", "path": path, "range": CARET, "via": "inline",
                            "evidence": "lsp:textDocument/inlineCompletion", "ai": True,
                            "items": [{"text": text} for text in texts], "decision": "not_taken"})


def test_an_offered_secret_is_redacted_at_the_seal(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text="import os\n"),
                         offer(1, "a.py", f"token = '{GH}'\n", "token = os.environ['TOKEN']\n")]
    journal = tmp_path / "j.journal"
    with JournalWriter.create(journal, episode_header) as writer:
        for step in steps:
            writer.append(step)
    episodes = tmp_path / "episodes"
    result = seal_journal(journal, episodes, transform=seal_transform(summaries=episodes), level=3)
    assert result is not None
    sealed = [step for step in open_episode(result.path).steps() if isinstance(step, OfferStep)]
    assert [item.text for item in sealed[0].items] == ["token = '«redacted:github-token:1»'\n",
                                                       "token = os.environ['TOKEN']\n"]


def test_an_offer_in_an_excluded_file_is_dropped(tmp_path: Path) -> None:
    steps: list[Step] = [offer(0, "notes/plan.md", "the plan"), offer(1, "app.py", "x = 1")]
    kept = list(InForce(WorkspaceSettings(exclude=["notes/"])).drop(iter(steps), tmp_path))
    assert [getattr(step, "path", None) for step in kept] == ["app.py"]
