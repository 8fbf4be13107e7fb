"""Origins survive the journal, the seal and redaction: a pasted secret is redacted and still a paste, typed
keystrokes that spell one are rewritten and still typed, and an edit without an origin stays without one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector.episode import open_episode
from collector.journal import JournalWriter
from collector.reconstruct.workspace import Workspace
from collector.seal.journal import seal_journal
from collector.seal.redacted import seal_transform
from collector.text.digest import sha256_text
from schemas import EpisodeHeader, Step
from schemas.steps import EditStep, FileChangeStep, OpenStep, SaveStep
from tests.structs import make

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
OTHER = "ghp_Aw3xR8tY2nL5vM9qK1pB4sD7fH0jC6eG3uZ5"


def edit(t: int, line: int, col: int, text: str, **origin: Any) -> EditStep:
    at = {"line": line, "character": col}
    return make(EditStep, {"t_ms": t, "source": "bridge", "path": "a.py",
                           "changes": [{"range": {"start": at, "end": at}, "text": text}], **origin})


def test_sealing_keeps_every_origin_through_redaction(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text="\n\n\n")]
    steps.append(edit(1, 0, 0, f"a = '{GH}'", origin="paste", origin_detail="nvim:vim.paste"))
    for n, ch in enumerate(f"b = '{OTHER}'"):
        steps.append(edit(10 + n, 1, n, ch, origin="typed", origin_detail="nvim:InsertCharPre"))
    steps.append(edit(200, 2, 0, "print(a)", origin="completion",
                      origin_detail="lsp:textDocument/completion"))
    steps.append(edit(201, 2, 8, "  # done"))
    final = f"a = '{GH}'\nb = '{OTHER}'\nprint(a)  # done\n"
    steps.append(SaveStep(t_ms=300, source="bridge", path="a.py", sha256=sha256_text(final)))
    steps.append(make(FileChangeStep, {"t_ms": 400, "source": "watcher", "path": "n.md",
                                       "change": "created", "text": "x\n", "origin": "agent",
                                       "origin_detail": "codex:apply_patch"}))
    journal = tmp_path / "j.journal"
    with JournalWriter.create(journal, episode_header) as writer:
        for step in steps:
            writer.append(step)
    episodes = tmp_path / "episodes"
    result = seal_journal(journal, episodes, transform=seal_transform(summaries=episodes), level=3)
    assert result is not None
    sealed = list(open_episode(result.path).steps())
    assert GH[:8] not in repr(sealed) and OTHER[:8] not in repr(sealed)
    workspace = Workspace(episode_header.position_encoding)
    for step in sealed:
        workspace.apply(step)
        if isinstance(step, SaveStep):
            assert workspace.save_mismatch(step) is None
    edits = [step for step in sealed if isinstance(step, EditStep)]
    pasted = [e for e in edits if e.origin == "paste"]
    assert len(pasted) == 1 and "«redacted:github-token:" in pasted[0].changes[0].text
    assert pasted[0].origin_detail == "nvim:vim.paste"
    on_line_one = [e for e in edits if e.changes[0].range is not None and e.changes[0].range.start.line == 1]
    assert on_line_one
    assert all((e.origin, e.origin_detail) == ("typed", "nvim:InsertCharPre") for e in on_line_one)
    assert [(e.origin, e.origin_detail) for e in edits if e.t_ms >= 200] == [
        ("completion", "lsp:textDocument/completion"), (None, None)]
    agent = [s for s in sealed if isinstance(s, FileChangeStep)]
    assert [(s.origin, s.origin_detail) for s in agent] == [("agent", "codex:apply_patch")]
