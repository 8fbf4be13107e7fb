"""`codetape verify EPISODE --against-git REPO`: a real recording matches its repository; damaged ones
are caught, one line per mismatch."""

from __future__ import annotations

import subprocess
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import replace

from collector.episode import open_episode, write_episode_file
from collector.reconstruct.workspace import workspace_at
from collector.text.digest import sha256_text
from schemas import EpisodeHeader, Step, WorkspaceIdentity, step_from_dict, step_to_dict
from tests.cli import codetape
from tests.lsp_typing import record_calc_session


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[Step]]:
    """A real session typed through the bridge (tests/lsp_typing.py): edits, a save, a commit."""
    base = tmp_path_factory.mktemp("demo")
    episode = record_calc_session(base)
    return episode, base / "project", list(open_episode(episode).steps())


def rewrite(path: Path, source: Path, steps: list[Step]) -> Path:
    """`steps` written with `source`'s header, every save's hash made to agree with them again, so the
    episode is internally consistent and only git can tell it is wrong."""
    header = open_episode(source).header
    fixed: list[Step] = []
    for step in steps:
        if step.kind == "save" and step.sha256 is not None:
            text = workspace_at(header.position_encoding, fixed).text(step.path)
            assert text is not None
            step = replace(step, sha256=sha256_text(text))
        fixed.append(step)
    write_episode_file(path, header, fixed)
    assert codetape(path.parent, "verify", str(path)).stdout.startswith("ok")
    return path


def changed(step: Step, **fields: Any) -> Step:
    return step_from_dict({**step_to_dict(step), **fields})


def commit_index(steps: list[Step]) -> int:
    return next(n for n, step in enumerate(steps) if step.kind == "git" and step.op == "commit")


def test_a_real_recording_matches_its_repository(recording: tuple[Path, Path, list[Step]]) -> None:
    episode, project, steps = recording
    proc = codetape(project, "verify", str(episode), "--against-git", str(project))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"ok (1 commit, 1 file covered match {project})\n"
    assert steps[commit_index(steps)].sha == git(project, "rev-parse", "HEAD")


def test_an_edit_changed_after_the_fact_is_caught(recording: tuple[Path, Path, list[Step]],
                                                  tmp_path: Path) -> None:
    episode, project, steps = recording
    first = next(n for n, step in enumerate(steps) if step.kind == "edit")
    assert steps[first].changes[0].text == "a + b"  # the bug fix the developer typed
    forged = list(steps)
    change = step_to_dict(steps[first])["changes"][0]
    forged[first] = changed(steps[first], changes=[{**change, "text": "a * b"}])
    damaged = rewrite(tmp_path / "forged.ctape", episode, forged)
    proc = codetape(tmp_path, "verify", str(damaged), "--against-git", str(project))
    assert proc.returncode == 1
    sha = steps[commit_index(steps)].sha or ""
    size = len(git(project, "show", f"{sha}:calc.py").encode()) + 1  # git() strips the last line break
    assert proc.stdout.splitlines() == [
        f'step {commit_index(steps)}, commit {sha[:7]} "calc: fix add, add greet": calc.py differs from the '
        f"commit from line 5 on (episode {size} bytes, commit {size} bytes)"]
    assert proc.stderr.splitlines() == [
        f"codetape: 1 mismatch against the git history in {project} (1 commit checked)"]


def test_a_lost_edit_a_deletion_and_a_foreign_commit_are_each_reported(
        recording: tuple[Path, Path, list[Step]], tmp_path: Path) -> None:
    episode, project, steps = recording
    at = commit_index(steps)
    edits = [n for n, step in enumerate(steps) if step.kind == "edit"]
    assert steps[edits[-1]].changes[0].text == "\n"
    dropped = [step for n, step in enumerate(steps) if n != edits[-1]]  # the last keystroke never recorded
    lost = rewrite(tmp_path / "lost.ctape", episode, dropped)
    proc = codetape(tmp_path, "verify", str(lost), "--against-git", str(project))
    committed = git(project, "show", "HEAD:calc.py") + "\n"
    lines, size = committed.count("\n"), len(committed.encode())
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[0].endswith(  # the last line lost its line break
        f"calc.py differs from the commit from line {lines} on (episode {size - 1} bytes, "
        f"commit {size} bytes)")
    gone = step_from_dict({"kind": "file_change", "t_ms": steps[at].t_ms, "source": "watcher",
                           "path": "calc.py", "change": "deleted"})
    deleted = rewrite(tmp_path / "deleted.ctape", episode, [*steps[:at], gone, *steps[at:]])
    proc = codetape(tmp_path, "verify", str(deleted), "--against-git", str(project))
    assert proc.returncode == 1 and proc.stdout.splitlines()[0].endswith(
        "calc.py is in the commit, but deleted in the episode")
    foreign = list(steps)
    foreign[at] = changed(steps[at], sha="0123456789abcdef0123456789abcdef01234567")
    proc = codetape(tmp_path, "verify", str(rewrite(tmp_path / "foreign.ctape", episode, foreign)),
                    "--against-git", str(project))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f'step {at}, commit 0123456 "calc: fix add, add greet": no such commit in {project}']


def test_commits_in_a_workspace_below_the_top_of_its_repository(tmp_path: Path) -> None:
    """Two commits; the workspace is `repo/ws`; a rename, a deletion and an unstaged change."""
    repo, ws = tmp_path / "repo", tmp_path / "repo" / "ws"
    ws.mkdir(parents=True)
    (repo / "elsewhere.txt").write_text("not in the workspace\n")
    for name, text in (("a.py", "A0\n"), ("b.py", "B0\n"), ("old.py", "O\n")):
        (ws / name).write_text(text)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "start")
    (ws / "a.py").write_text("A1\n")
    git(repo, "commit", "-q", "-am", "a: one")
    first = git(repo, "rev-parse", "HEAD")
    git(repo, "mv", "ws/old.py", "ws/new.py")
    (ws / "c.py").write_text("C\n")
    (ws / "b.py").write_text("B1\n")  # changed on disk, never staged: not part of the second commit
    (repo / "elsewhere.txt").write_text("changed too\n")
    git(repo, "add", "ws/c.py", "elsewhere.txt")
    git(repo, "commit", "-q", "-m", "rename, add c")
    second = git(repo, "rev-parse", "HEAD")
    steps = [step_from_dict({"t_ms": n * 100, **data}) for n, data in enumerate([
        {"kind": "open", "source": "bridge", "path": "a.py", "text": "A0\n"},
        {"kind": "edit", "source": "bridge", "path": "a.py", "changes": [{"text": "A1\n"}]},
        {"kind": "save", "source": "bridge", "path": "a.py", "sha256": sha256_text("A1\n")},
        {"kind": "git", "source": "git", "op": "commit", "sha": first, "message": "a: one"},
        {"kind": "edit", "source": "bridge", "path": "a.py", "changes": [{"text": "A2, never saved\n"}]},
        {"kind": "file_change", "source": "watcher", "path": "old.py", "change": "renamed",
         "new_path": "new.py"},
        {"kind": "file_change", "source": "watcher", "path": "c.py", "change": "created", "text": "C\n"},
        {"kind": "file_change", "source": "watcher", "path": "b.py", "change": "modified", "text": "B1\n"},
        {"kind": "git", "source": "git", "op": "commit", "sha": second, "message": "rename, add c"},
    ])]
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                           started_at=datetime(2026, 4, 2, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="ws"))
    episode = tmp_path / "ws.ctape"
    write_episode_file(episode, header, steps)
    proc = codetape(tmp_path, "verify", str(episode), "--against-git", str(ws))
    # a.py in the first commit; old.py (gone) and c.py in the second; new.py's content was never seen
    assert proc.stdout == f"ok (2 commits, 3 files covered match {ws})\n", proc.stderr
    wrong = [*steps[:6], changed(steps[6], text="not C\n"), *steps[7:]]
    write_episode_file(episode, header, wrong)
    proc = codetape(tmp_path, "verify", str(episode), "--against-git", str(ws))
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        f'step 8, commit {second[:7]} "rename, add c": c.py differs from the commit from line 1 on '
        "(episode 6 bytes, commit 2 bytes)"]


def test_a_repo_that_is_not_one_is_a_one_line_error(recording: tuple[Path, Path, list[Step]],
                                                    tmp_path: Path) -> None:
    episode = recording[0]
    proc = codetape(tmp_path, "verify", str(episode), "--against-git", str(tmp_path))
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr.startswith(f"codetape: git cannot find the repository in {tmp_path}: fatal: not a git")
    assert len(proc.stderr.splitlines()) == 1
    proc = codetape(tmp_path, "verify", str(episode), "--against-git", str(tmp_path / "missing"))
    assert proc.stderr == f"codetape: --against-git {tmp_path / 'missing'} is not a directory\n"
