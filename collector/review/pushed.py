"""Which of an episode's commits are pushed: reachable from a remote-tracking branch of its repository.

Unlinkable mode hides who made a commit and which episodes are one person's (consent/pseudonyms.py), for
work that has not reached the company's repository. Work that has is there with its message and diff, and
whoever holds the repository finds it by its content whatever the episode calls it; the review and `sign`
say so before signing. The check is git's own: `for-each-ref --contains COMMIT refs/remotes`, as of the
last fetch or push. A repository that cannot be asked (gone, not git) answers nothing, and the warning
then says it could not check.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

from collector.episode import Episode
from schemas.steps import GitStep

TIMEOUT_S = 10.0


def episode_commits(episode: Episode) -> list[str]:
    """The commits the episode made (its `git` steps of `commit`), in order, each once."""
    return list(dict.fromkeys(step.sha for step in episode.steps()
                              if type(step) is GitStep and step.op == "commit" and step.sha))


def pushed_commits(root: Path | None, commits: Iterable[str]) -> list[str] | None:
    """The `commits` a remote-tracking branch of the repository at `root` reaches; None when it cannot be
    asked."""
    if root is None:
        return None
    pushed = []
    for commit in commits:
        command = ["git", "-C", str(root), "for-each-ref", "--count=1", "--contains", commit,
                   "--format=%(refname)", "refs/remotes"]
        try:
            done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S,
                                  check=False)
        except (OSError, subprocess.TimeoutExpired):
            return None
        if done.returncode == 128:  # no repository there (gone, not git): nothing can be said
            return None
        if done.returncode != 0:  # a commit the repository does not have (rewritten since): not pushed
            continue
        if done.stdout.strip():
            pushed.append(commit)
    return pushed


def pushed_warning(pushed: list[str] | None, commits: int) -> str | None:
    """What the review and `sign` say of pushed work in unlinkable mode (None: no commit, none pushed)."""
    if commits == 0:
        return None
    if pushed is None:
        return (f"could not check whether this episode's {commits} commit(s) are pushed: one that is can be "
                "found in the repository by its message and diff, unlinkable or not")
    if not pushed:
        return None
    return (f"{len(pushed)} of this episode's {commits} commit(s) are on a remote branch: whoever holds the "
            "repository finds them by their message and diff, whatever this episode calls them")


def pushed_note(episode: Episode, root: Path | None) -> str | None:
    """The warning for `episode`, whose workspace is `root`."""
    commits = episode_commits(episode)
    return pushed_warning(pushed_commits(root, commits), len(commits)) if commits else None
