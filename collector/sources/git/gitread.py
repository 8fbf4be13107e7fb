"""Read-only access to the workspace's git repository, safe to run while the developer uses git.

Every git process started here (gitpython's persistent `cat-file` included) runs with
`--no-optional-locks` and `GIT_OPTIONAL_LOCKS=0`, so it never takes `index.lock` or any other lock a
developer's git command could trip over. Only plumbing that reads is used: `for-each-ref`, `rev-list`,
`diff-tree`, `cat-file`. The repository is found by gitdir.py, never through a link (a `.git` that is
one is refused), and every git process is pointed at that git directory (`GIT_DIR`) rather than left to
find one again. The files read here directly (HEAD, and the reflogs in reflog.py) are read below it
through collector.workspace.beneath, never through a link.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import git

from collector.platform.files import NONBLOCK
from collector.sources.git.gitdir import GitDir, find_git_dir
from collector.workspace.beneath import open_beneath
from schemas.limits import MAX_COMMIT_FILES

LOCK_FREE_ENV = {"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
MAX_MESSAGE_CHARS = 64 * 1024
MAX_FILES = MAX_COMMIT_FILES
_ZERO = "0" * 40


@dataclass(frozen=True)
class RefState:
    """Where every ref and HEAD point at one moment. `refs` maps a full refname to a commit sha."""

    refs: dict[str, str] = field(default_factory=dict)
    tag_objects: dict[str, str] = field(default_factory=dict)
    head_ref: str | None = None
    head_sha: str | None = None


@dataclass(frozen=True)
class FileStat:
    path: str
    added: int
    deleted: int
    change: str


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    message: str
    parents: list[str]
    files: list[FileStat]


def null_sha(sha: str) -> str | None:
    """None for git's all-zero "no object" sha, else the sha."""
    return None if sha.strip("0") == "" else sha


class GitReader:
    """One repository, opened read-only. `open` returns None when `root` is not inside a work tree."""

    def __init__(self, repo: git.Repo, found: GitDir) -> None:
        self.repo = repo
        repo.git.update_environment(GIT_DIR=str(found.git_dir), **LOCK_FREE_ENV)
        repo.git.set_persistent_git_options(no_optional_locks=True)
        self.git_dir = found.git_dir
        self.common_dir = found.common_dir
        self.worktree = found.worktree

    @classmethod
    def open(cls, root: Path) -> GitReader | None:
        """The repository of the work tree holding `root` (a real path). GitDirRefused when it is reached
        through a link."""
        found = find_git_dir(root)
        if found is None:
            return None
        try:
            repo = git.Repo(found.worktree)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            return None
        if repo.bare or os.path.normpath(repo.git_dir) != str(found.git_dir):  # changed since it was found
            repo.close()
            return None
        return cls(repo, found)

    def close(self) -> None:
        self.repo.close()

    def _run(self, *args: str) -> bytes:
        output: bytes = self.repo.git.execute(
            [self.repo.git.GIT_PYTHON_GIT_EXECUTABLE, "--no-optional-locks", *args],
            stdout_as_string=False, strip_newline_in_stdout=False,
        )
        return output

    def snapshot(self) -> RefState:
        """Every ref (symbolic refs skipped, tags peeled to their commit) and HEAD."""
        out = self._run("for-each-ref", "--format=%(objectname)%00%(*objectname)%00%(symref)%00%(refname)")
        refs: dict[str, str] = {}
        tag_objects: dict[str, str] = {}
        for line in out.decode("utf-8", "surrogateescape").splitlines():
            obj, peeled, symref, name = line.split("\0", 3)
            if symref:
                continue
            refs[name] = peeled or obj
            if peeled:
                tag_objects[name] = obj
        head_ref, head_sha = self._head(refs)
        return RefState(refs, tag_objects, head_ref, head_sha)

    def _head(self, refs: dict[str, str]) -> tuple[str | None, str | None]:
        try:
            with open(open_beneath(self.git_dir, "HEAD", os.O_RDONLY | NONBLOCK), "rb") as file:
                content = file.read(4096).decode("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None, None
        if content.startswith("ref: "):
            name = content[5:]
            return name, refs.get(name)
        return None, content or None

    def new_commits(self, tips: list[str], known: list[str]) -> list[str]:
        """Commits reachable from `tips` but not from `known`, parents first."""
        if not tips:
            return []
        exclude = [f"^{sha}" for sha in dict.fromkeys(known)]
        out = self._run("rev-list", "--reverse", "--topo-order", *dict.fromkeys(tips), *exclude, "--")
        return out.decode().split()

    def commit(self, sha: str) -> CommitInfo:
        """Message, parents and per-file line stats (against the first parent) of one commit."""
        obj = self.repo.commit(sha)
        raw_message = obj.message
        message = raw_message if isinstance(raw_message, str) else raw_message.decode("utf-8", "replace")
        parents = [p.hexsha for p in obj.parents]
        base = ["--root", sha] if not parents else [parents[0], sha]
        out = self._run("diff-tree", "-r", "-z", "-M", "--no-commit-id", "--raw", "--numstat", *base)
        return CommitInfo(sha, message[:MAX_MESSAGE_CHARS], parents, parse_diff_tree(out)[:MAX_FILES])


def parse_diff_tree(out: bytes) -> list[FileStat]:
    """`diff-tree -z --raw --numstat` output: raw entries give the change type, numstat the line counts."""
    fields = out.split(b"\0")
    kinds: dict[str, str] = {}
    order: list[str] = []
    stats: dict[str, tuple[int, int]] = {}
    i = 0
    while i < len(fields):
        item = fields[i]
        if item.startswith(b":"):
            status = item.split()[-1].decode()[:1]
            if status in "RC":
                path, i = fields[i + 2], i + 3
            else:
                path, i = fields[i + 1], i + 2
            name = path.decode("utf-8", "surrogateescape")
            kinds[name] = status
            order.append(name)
        elif item.count(b"\t") == 2:
            added, deleted, path = item.split(b"\t", 2)
            i += 1
            if not path:  # a rename: old and new paths follow
                path, i = fields[i + 1], i + 2
            counts = (_count(added), _count(deleted))
            stats[path.decode("utf-8", "surrogateescape")] = counts
        else:
            i += 1
    return [FileStat(name, *stats.get(name, (0, 0)), _change(kinds[name])) for name in order]


def _count(value: bytes) -> int:
    return int(value) if value.isdigit() else 0  # "-" for binary files


def _change(status: str) -> str:
    return status if status in {"A", "M", "D", "R", "C", "T", "U", "X"} else "M"
