"""A JupyterLab episode sealed as the collector seals it (collector/seal/notebooks.py): the `.ipynb` saves
lose their outputs, execution counts and kernel metadata unless the `notebook_outputs` channel is on, then
keep them redacted like any text; `codetape verify` (and --against-git, against a real commit) passes and
says so; the saves are not counted again as written when the virtual document holds the typing."""

from __future__ import annotations

import io
import json
import subprocess
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from msgspec.structs import replace

from collector.cli.main import main
from collector.dataset.rows.rows import StepRows
from collector.episode import open_episode
from collector.journal import JournalWriter
from collector.reconstruct.written import summarize_replayed
from collector.seal.journal import seal_journal
from collector.seal.redacted import seal_transform
from collector.stats.activity import Activity, Counting
from collector.text.digest import sha256_text
from collector.verify.integrity import verify_replay
from schemas import EpisodeHeader, Step
from schemas.header import CaptureSettings
from schemas.settings import ALL_CHANNELS
from schemas.steps import EditStep, FileChangeStep, GitStep, OpenStep, RedactionStep
from tests.structs import make

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"  # printed by a cell: a secret in an output
VIRTUAL = ".virtual_documents/nb.ipynb"
TYPED = "print('ok', 42042)"


def notebook(source: str) -> str:
    cell = {"cell_type": "code", "execution_count": 7, "id": "c0", "metadata": {}, "source": source,
            "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"ok 42042 {GH}\n"]},
                        {"output_type": "display_data", "metadata": {},
                         "data": {"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAE=", "text/plain": ["<Figure>"]}}]}
    meta = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python", "version": "3.11.9"}}
    notebook = {"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(notebook, indent=1) + "\n"


def commit(repo: Path, text: str) -> str:
    (repo / "nb.ipynb").write_text(text)
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@t", "HOME": str(repo), "PATH": "/usr/bin:/bin"}
    for args in (["init", "-q"], ["add", "nb.ipynb"], ["commit", "-qm", "nb"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=repo, capture_output=True, text=True,
                          check=True).stdout.strip()


def sealed(tmp_path: Path, header: EpisodeHeader, channels: list[str], sha: str) -> Path:
    header = replace(header, capture=CaptureSettings(channels=channels))
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path=VIRTUAL, language_id="python", text="\n")]
    for n, char in enumerate(TYPED):
        at = {"line": 0, "character": n}
        steps.append(make(EditStep, {"t_ms": n + 1, "source": "bridge", "path": VIRTUAL, "cell": 0,
                                     "changes": [{"range": {"start": at, "end": at}, "text": char}]}))
    text = notebook(TYPED)
    steps += [FileChangeStep(t_ms=100, source="watcher", path="nb.ipynb", change="created", text=text,
                             sha256=sha256_text(text)),
              GitStep(t_ms=200, source="git", op="commit", sha=sha, message="nb")]
    journal = tmp_path / "j.journal"
    with JournalWriter.create(journal, header) as writer:
        for step in steps:
            writer.append(step)
    episodes = tmp_path / "episodes"
    result = seal_journal(journal, episodes, transform=seal_transform(summaries=episodes))
    assert result is not None
    return result.path


def codetape(*args: str) -> str:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(list(args), {"CODETAPE_HOME": "/nonexistent-codetape-home"}) == 0
    return out.getvalue()


def verify(*args: str) -> str:
    return codetape("verify", *args)


@pytest.mark.parametrize("shared", [False, True])
def test_a_notebook_save_is_masked_unless_shared_and_verifies(tmp_path: Path, episode_header: EpisodeHeader,
                                                              shared: bool) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    sha = commit(repo, notebook(TYPED))
    channels = [*ALL_CHANNELS, "notebook_outputs"] if shared else list(ALL_CHANNELS)
    path = sealed(tmp_path, episode_header, channels, sha)
    episode = open_episode(path)
    steps = list(episode.steps())
    assert GH[:8] not in repr(steps)  # a secret in an output is redacted either way
    saved = next(s for s in steps if isinstance(s, FileChangeStep))
    assert saved.text is not None and saved.sha256 == sha256_text(saved.text)
    cell = json.loads(saved.text)["cells"][0]
    assert cell["source"] == TYPED
    rules = {s.rule for s in steps if isinstance(s, RedactionStep)}
    if shared:
        assert "ok 42042 «redacted:github-token:1»" in saved.text and "python3" in saved.text
        assert cell["execution_count"] == 7 and "notebook_output" not in rules
        assert "notebook outputs" not in verify(str(path))
        kept = "outputs, execution counts and kernel metadata kept (channel notebook_outputs on)"
        assert kept in codetape("review", str(path), "--summary")
        assert json.loads(codetape("review", str(path), "--summary", "--json"))["notebooks"] == {
            "notebooks": 1, "outputs": "kept", "placeholders": 0, "channel": "notebook_outputs"}
    else:
        assert "ok 42042" not in saved.text and "python3" not in saved.text and "iVBOR" not in saved.text
        assert cell["outputs"] == [{"output_type": "stream", "name": "stdout", "text": f"«redacted:{rule}»"}
                                   for rule in ("notebook_output:1", "notebook_output:2")]
        assert cell["execution_count"] is None and rules == {"notebook_output", "notebook_metadata"}
        assert "notebook outputs, execution counts and kernel metadata masked: 5 placeholders" in verify(
            str(path))
        assert "(1 of them notebooks with their outputs masked)" in verify(str(path), "--against-git",
                                                                         str(repo))
        masked = "outputs, execution counts and kernel metadata masked (5 placeholders"
        assert masked in codetape("review", str(path), "--summary")
        assert json.loads(codetape("review", str(path), "--summary", "--json"))["notebooks"] == {
            "notebooks": 1, "outputs": "masked", "placeholders": 5, "channel": "notebook_outputs"}
    # the typing is counted once: as the edits of the virtual document, not again as the save's JSON
    summary = summarize_replayed(open_episode(path))
    assert summary.files["nb.ipynb"].written == {} and summary.written == {"unknown": len(TYPED)}
    activity = Activity()
    counting = Counting(activity, "demo", episode.header.started_at, None, None)
    for step in steps:
        counting.feed(step)
    assert activity.written == {"unknown": len(TYPED)}
    assert by_origin(path) == [{"origin": "unknown", "chars": len(TYPED), "share": 1.0}]


def by_origin(path: Path) -> list[dict[str, object]]:
    """The dataset row's `inserted_by_origin`, as the build replays the episode (collector/dataset/rows)."""
    rows = StepRows("e", "k", "2026-01")
    verify_replay(open_episode(path), observe=rows.observe, before=rows.before)
    return rows.inserted_by_origin()


def test_a_notebook_renamed_keeps_its_typing_counted_once(tmp_path: Path, episode_header: EpisodeHeader
                                                          ) -> None:
    """A new notebook renamed at its first save: jupyterlab-lsp goes on sending `Untitled.ipynb`, the file
    watcher records the rename, and the saves of `analysis.ipynb` are not counted again as written."""
    typed = [make(EditStep, {"t_ms": n + 10, "source": "bridge", "path": ".virtual_documents/Untitled.ipynb",
                             "cell": 0, "changes": [{"range": {"start": {"line": 0, "character": n},
                                                               "end": {"line": 0, "character": n}},
                                                     "text": char}]}) for n, char in enumerate(TYPED)]
    first, second = notebook(""), notebook(TYPED)
    steps: list[Step] = [
        OpenStep(t_ms=0, source="bridge", path=".virtual_documents/Untitled.ipynb", language_id="python",
                 text="\n"),
        FileChangeStep(t_ms=1, source="watcher", path="Untitled.ipynb", change="created", text=first),
        FileChangeStep(t_ms=2, source="watcher", path="Untitled.ipynb", change="renamed",
                       new_path="analysis.ipynb"),
        *typed,
        FileChangeStep(t_ms=100, source="watcher", path="analysis.ipynb", change="modified", text=second)]
    journal = tmp_path / "j.journal"
    with JournalWriter.create(journal, episode_header) as writer:
        for step in steps:
            writer.append(step)
    result = seal_journal(journal, tmp_path / "episodes", transform=seal_transform())
    assert result is not None
    summary = summarize_replayed(open_episode(result.path))
    assert summary.files["analysis.ipynb"].written == {} and summary.written == {"unknown": len(TYPED)}
    assert by_origin(result.path) == [{"origin": "unknown", "chars": len(TYPED), "share": 1.0}]


def test_a_notebook_save_without_its_virtual_document_counts_as_written(tmp_path: Path,
                                                                       episode_header: EpisodeHeader) -> None:
    text = notebook(TYPED)
    journal = tmp_path / "j.journal"
    with JournalWriter.create(journal, episode_header) as writer:
        writer.append(FileChangeStep(t_ms=1, source="watcher", path="nb.ipynb", change="created", text=text))
    result = seal_journal(journal, tmp_path / "episodes", transform=seal_transform())
    assert result is not None
    summary = summarize_replayed(open_episode(result.path))
    masked = next(s for s in open_episode(result.path).steps() if isinstance(s, FileChangeStep)).text
    assert masked is not None and summary.files["nb.ipynb"].written == {"unknown": len(masked)}
    assert by_origin(result.path) == [{"origin": "unknown", "chars": len(masked), "share": 1.0}]
