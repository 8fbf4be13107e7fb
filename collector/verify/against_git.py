"""`codetape verify EPISODE --against-git REPO`: every recorded commit against the real commit's tree.

At each `git` commit step the episode says what every file it covers held on disk: the disk layer of
`reconstruct.workspace.Workspace`, what was last opened, saved, changed outside the editor or set by a
gap (unsaved edits in the editor are not on disk, so they are not compared; a covered file missing
from that layer was deleted). For each file that commit changed (asked of git, not of the episode)
and that the episode covers, the committed blob must equal that text byte for byte, and a file the
commit deleted must be deleted in the episode too. Files a commit did not change are not compared:
the working tree may hold changes nobody staged. A notebook whose outputs, execution counts and kernel
metadata were masked at the seal matches when all else is the same, and the note says how many did.

REPO is the workspace directory the episode was recorded in, or the same directory in a clone: paths
are taken relative to it, as `git rev-parse --show-prefix` says. Git is only read (`cat-file`,
`diff-tree`, `rev-parse` with `--no-optional-locks`), so it is safe next to a developer's git.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from collector.episode import Episode
from collector.episode.resolve import show
from collector.errors import CodetapeError, ReconstructionError
from collector.reconstruct.workspace import Workspace
from collector.redact.notebook_outputs import same_but_masked
from collector.replay.describe import one_line, plural
from collector.replay.state import touched
from collector.sources.git.gitread import LOCK_FREE_ENV
from collector.text.notebooks import is_notebook
from schemas import Step
from schemas.common import PositionEncoding
from schemas.steps import FileChangeStep, GapStep, GitStep

GIT_TIMEOUT = 60


class GitRepo:
    """Read-only questions to one repository, through one `git cat-file --batch` for blobs."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_dir():
            raise CodetapeError(f"--against-git {show(str(path))} is not a directory")
        top = self._git("rev-parse", "--show-prefix", what="find the repository")
        self.prefix = top.decode("utf-8", "surrogateescape").strip()
        self._batch: subprocess.Popen[bytes] | None = None

    def _git(self, *args: str, what: str) -> bytes:
        try:
            done = subprocess.run(["git", "--no-optional-locks", *args], cwd=self.path, env=_env(),
                                  capture_output=True, timeout=GIT_TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise CodetapeError(f"cannot run git in {show(str(self.path))} to {what}: {exc}") from None
        if done.returncode != 0:
            said = one_line(done.stderr.decode("utf-8", "replace").strip() or f"exit {done.returncode}", 200)
            raise CodetapeError(f"git cannot {what} in {show(str(self.path))}: {said}")
        return done.stdout

    def has_commit(self, sha: str) -> bool:
        return self.object_type(f"{sha}^{{commit}}") == "commit"

    def changed(self, sha: str) -> list[tuple[str, str]]:
        """(status letter, path relative to REPO) of every file the commit changed against its first
        parent (every file, for a root commit); files outside REPO are left out."""
        parents = self._git("rev-list", "--parents", "-n", "1", sha, "--", what=f"read commit {sha}").split()
        base = ["--root", sha] if len(parents) < 2 else [parents[1].decode(), sha]
        out = self._git("diff-tree", "-r", "-z", "--no-renames", "--name-status", "--no-commit-id", *base,
                        what=f"list the files of commit {sha}")
        fields = out.split(b"\0")
        changed: list[tuple[str, str]] = []
        for status, name in zip(fields[0::2], fields[1::2], strict=False):
            path = name.decode("utf-8", "surrogateescape")
            if path.startswith(self.prefix):
                changed.append((status.decode()[:1], path[len(self.prefix):]))
        return changed

    def object_type(self, name: str) -> str | None:
        self._ask(name)
        return self._answer()[0]

    def blob(self, sha: str, path: str) -> bytes | None:
        """The file at `path` (relative to REPO) in commit `sha`, or None if the commit has no such file."""
        if "\n" in path:
            raise CodetapeError(f"cannot ask git for a path with a line break: {show(path)}")
        self._ask(f"{sha}:{self.prefix}{path}")
        kind, data = self._answer()
        return data if kind == "blob" else None

    def _ask(self, name: str) -> None:
        if self._batch is None:
            command = ["git", "--no-optional-locks", "cat-file", "--batch"]
            self._batch = subprocess.Popen(command, cwd=self.path, env=_env(), stdin=subprocess.PIPE,
                                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert self._batch.stdin is not None
        self._batch.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
        self._batch.stdin.flush()

    def _answer(self) -> tuple[str | None, bytes]:
        assert self._batch is not None and self._batch.stdout is not None
        line = self._batch.stdout.readline()
        if not line:
            raise CodetapeError(f"git cat-file stopped answering in {show(str(self.path))}")
        parts = line.split()
        if len(parts) != 3:  # "<name> missing" or "<name> ambiguous"
            return None, b""
        size = int(parts[2])
        data = self._batch.stdout.read(size + 1)[:size]
        return parts[1].decode(), data

    def close(self) -> None:
        if self._batch is not None:
            assert self._batch.stdin is not None
            self._batch.stdin.close()
            self._batch.wait(timeout=GIT_TIMEOUT)
            self._batch = None


def _env() -> dict[str, str]:
    return {**os.environ, **LOCK_FREE_ENV}


@dataclass
class GitCheck:
    commits: int = 0
    files: int = 0
    masked: int = 0  # notebook files that match but for the outputs masked at the seal
    problems: list[str] = field(default_factory=list)


def check_against_git(encoding: PositionEncoding, steps: Iterable[Step], repo_path: Path,
                      report: Callable[[str], None]) -> GitCheck:
    """Compare every commit step with REPO; `report` gets one line per problem as it is found."""
    repo = GitRepo(repo_path)
    workspace = Workspace(encoding)
    deleted: set[str] = set()  # paths the episode saw leave the disk (deleted, renamed away, gap)
    result = GitCheck()
    try:
        for index, step in enumerate(steps):
            try:
                workspace.apply(step)
            except ReconstructionError as exc:
                raise ReconstructionError(f"step {index}: {exc}") from None
            for path in touched(step):
                if path in workspace.disk:
                    deleted.discard(path)
                elif _removes(step, path):
                    deleted.add(path)
            if isinstance(step, GitStep) and step.op == "commit" and step.sha is not None:
                for problem in _check_commit(repo, workspace, deleted, index, step, result):
                    result.problems.append(problem)
                    report(problem)
    finally:
        repo.close()
    return result


def _removes(step: Step, path: str) -> bool:
    """Whether `step` says `path` is no longer on disk."""
    match step:
        case FileChangeStep(change="deleted" | "renamed"):
            return path == step.path
        case GapStep(state=list() as state):
            return any(file.path == path and file.text is None for file in state)
        case _:  # on purpose: no other kind takes a file off the disk
            return False


def _check_commit(repo: GitRepo, workspace: Workspace, deleted: set[str], index: int, step: GitStep,
                  result: GitCheck) -> list[str]:
    sha = step.sha or ""
    summary = (step.message or "").strip()
    what = f"step {index}, commit {sha[:7]}"
    if summary:
        what += f' "{one_line(summary.splitlines()[0], 50)}"'
    result.commits += 1
    if not repo.has_commit(sha):
        return [f"{what}: no such commit in {show(str(repo.path))}"]
    problems = []
    omitted = workspace.omitted
    for status, path in repo.changed(sha):
        if path in omitted or (path not in workspace.disk and path not in deleted):
            continue  # the episode does not know what this file held
        result.files += 1
        expected = workspace.disk.get(path)
        committed = None if status == "D" else repo.blob(sha, path)
        problem = _compare(path, expected, committed)
        if problem is not None and _masked_notebook(path, expected, committed):
            result.masked += 1
        elif problem is not None:
            problems.append(f"{what}: {problem}")
    return problems


def _compare(path: str, expected: str | None, committed: bytes | None) -> str | None:
    name = show(path)
    if expected is None and committed is None:
        return None
    if expected is None:
        return f"{name} is in the commit, but deleted in the episode"
    if committed is None:
        return f"{name} is deleted by the commit, but the episode still has it"
    data = expected.encode("utf-8", "surrogatepass")
    if data == committed:
        return None
    ours, theirs = data.splitlines(keepends=True), committed.splitlines(keepends=True)
    line = next((n for n, (a, b) in enumerate(zip(ours, theirs, strict=False), 1) if a != b),
                min(len(ours), len(theirs)) + 1)
    return (f"{name} differs from the commit from line {line} on (episode {plural(len(data), 'byte')}, "
            f"commit {plural(len(committed), 'byte')})")


def _masked_notebook(path: str, expected: str | None, committed: bytes | None) -> bool:
    """Whether the episode's text is the committed notebook with its outputs masked (seal/notebooks.py)."""
    if expected is None or committed is None or not is_notebook(path):
        return False
    return same_but_masked(expected, committed.decode("utf-8", "surrogateescape"))


def against_git(episode: Episode, repo: Path, report: Callable[[str], None]) -> str:
    """Check `episode` against REPO: a note for `ok (...)`, or ReconstructionError after reporting
    every mismatch."""
    result = check_against_git(episode.header.position_encoding, episode.steps(), repo, report)
    where = show(str(repo))
    if result.problems:
        raise ReconstructionError(f"{plural(len(result.problems), 'mismatch')} against the git history in "
                                  f"{where} ({plural(result.commits, 'commit')} checked)")
    if not result.commits:
        return "no commit recorded to compare with git"
    masked = f" ({result.masked} of them notebooks with their outputs masked)" if result.masked else ""
    return (f"{plural(result.commits, 'commit')}, {plural(result.files, 'file')} covered match "
            f"{where}{masked}")
