"""Which repository a workspace is, as a managed policy's `[[scope]]` is matched against it (issue 106):
by its remotes, and by its history, so that the usual ways a repository changes its look do not lift a
scope (a remote renamed or removed, a re-clone from a mirror, a move, a symlink, a copy with its `.git`).

A scope governs a workspace when (policy/managed.py load_managed):
  - any of its remotes matches (fetch or push URL, any remote name: policy/remotes.py scope_matches);
  - its history holds a commit the scope lists (`roots`, set by the administrator);
  - its history holds a commit this home recorded for the scope (policy/seen.py): when a scope first
    governs a workspace, the first commit of its history that no remote outside the scope reaches (so a
    clone of the public upstream of a governed fork holds none of them), with the HEAD seen;
  - for an episode whose workspace is not at hand (signing it later): its header's remote matches, or its
    HEAD at start is one the home recorded while the scope governed its workspace; at upload, the scope
    governed it when it was signed (upload/governing.py keeps them beside it).
"Its history holds" a commit: the commit is HEAD's ancestor, or a branch, tag or tracking branch holds it.
Git is only read, with `--no-optional-locks` (workspace/identity.py).
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from collector.home import Home
from collector.policy import seen
from collector.policy.remotes import scope_matches
from collector.workspace.identity import read_git, workspace_remotes

_SHA = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")


def _git_ok(root: Path, *args: str) -> bool:
    """Whether git succeeds for `args` in `root` (False when it fails, cannot run or takes over 5 s)."""
    try:
        done = subprocess.run(["git", "--no-optional-locks", *args], cwd=root, capture_output=True,
                              timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


@dataclass
class Reach:
    """A repository as the scopes are matched against it: the workspace at `root` (None: not at hand),
    more `remotes` (an episode header's), `head` (an episode's HEAD at start), the scopes `bound` to it
    (those that governed a signed episode, kept beside it for the upload), and the
    `home` whose record of governed workspaces is read and added to (None: neither)."""

    root: Path | None
    home: Home | None = None
    extra: Sequence[str | None] = ()
    head: str | None = None
    bound: frozenset[tuple[str, str]] = frozenset()  # (file, scope name): governing it when it was signed
    _remotes: list[str] | None = field(default=None, repr=False)
    _reasons: dict[tuple[str, str], str | None] = field(default_factory=dict, repr=False)

    def remotes(self) -> list[str]:
        """The remotes of the workspace at `root`: every fetch and push URL of every remote ([] without
        one)."""
        if self._remotes is None:
            self._remotes = [] if self.root is None else workspace_remotes(self.root)
        return self._remotes

    def holds(self, commits: Sequence[str]) -> bool:
        """Whether its history holds any of `commits` (at `root`: HEAD's ancestors and every ref's; else
        whether its `head` is one of them)."""
        wanted = [commit.lower() for commit in commits if _SHA.match(commit.lower())]
        if self.root is None:
            return self.head is not None and self.head.lower() in wanted
        for commit in wanted:
            if not _git_ok(self.root, "cat-file", "-e", f"{commit}^{{commit}}"):
                continue
            if _git_ok(self.root, "merge-base", "--is-ancestor", commit, "HEAD") or read_git(
                    self.root, "for-each-ref", "--count=1", "--contains", commit, "--format=%(refname)"):
                return True
        return False

    def governs(self, file: Path, name: str, patterns: Sequence[str], roots: Sequence[str], *,
                ignore_path_case: bool = False) -> str | None:
        """Why the scope `name` of `file` (its `remotes` patterns and `roots`) governs this repository: the
        workspace's own "remote", "root" or "record" (the home's), or the "episode"'s (its header's remote,
        its HEAD at start seen while the scope governed its workspace); None when it does not."""
        why = self._why(file, name, patterns, roots, ignore_path_case=ignore_path_case)
        self._reasons[(str(file), name)] = why
        return why

    def _why(self, file: Path, name: str, patterns: Sequence[str], roots: Sequence[str], *,
             ignore_path_case: bool) -> str | None:
        if scope_matches(patterns, self.remotes(), ignore_path_case=ignore_path_case):
            return "remote"
        if roots and self.holds(roots):
            return "root"
        records = [] if self.home is None else seen.records(self.home, file, name)
        if self.holds([record.commit for record in records if record.commit]):
            return "record"
        if scope_matches(patterns, [remote for remote in self.extra if remote],
                         ignore_path_case=ignore_path_case):
            return "episode"
        if self.head is not None and any(self.head.lower() in record.heads for record in records):
            return "episode"
        if (str(file), name) in self.bound:
            return "episode"
        return None

    def matched(self, file: Path, name: str, patterns: Sequence[str], *,
                ignore_path_case: bool = False) -> None:
        """Record in the home that the scope governs the workspace at `root` (its first commit no remote
        outside the scope reaches, its HEAD now and the episode's `head`); nothing without a `root` or a
        `home`, before the workspace's first commit, or when only the episode matched (its header's
        remote, not the workspace's)."""
        if self.root is None or self.home is None or self._reasons.get((str(file), name)) == "episode":
            return  # only what the workspace itself is: an episode's remote says nothing of this folder
        now = read_git(self.root, "rev-parse", "--verify", "--quiet", "HEAD")
        if now is None or not _SHA.match(now):
            return
        heads = [now, *([self.head.lower()] if self.head and _SHA.match(self.head.lower()) else [])]
        known = [record.commit for record in seen.records(self.home, file, name)
                 if record.root == str(self.root) and record.commit]
        # the whole history is listed only until the folder's record holds its own first commit
        own = known[0] if known else self.first_own_commit(patterns, ignore_path_case=ignore_path_case)
        seen.record(self.home, file, name, root=self.root, commit=own, heads=heads)

    def first_own_commit(self, patterns: Sequence[str], *, ignore_path_case: bool = False) -> str | None:
        """The first commit of HEAD's history that no tracking branch of a remote outside the scope
        (`patterns`) reaches; None when every commit is reached by one (nothing of its own yet)."""
        assert self.root is not None
        outside = []
        for name in (read_git(self.root, "remote") or "").splitlines():
            urls = [*(read_git(self.root, "remote", "get-url", "--all", name) or "").splitlines(),
                    *(read_git(self.root, "remote", "get-url", "--push", "--all", name) or "").splitlines()]
            if not scope_matches(patterns, urls, ignore_path_case=ignore_path_case):
                outside.append(f"--remotes={name}/*")
        listed = read_git(self.root, "rev-list", "--reverse", "--topo-order", "HEAD",
                          *(["--not", *outside] if outside else []))
        first = (listed or "").partition("\n")[0].strip()
        return first if _SHA.match(first) else None
