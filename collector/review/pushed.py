"""Which of an episode's commits are pushed: reachable from a remote-tracking branch of its repository.

Unlinkable mode hides who made a commit and which episodes are one person's (consent/pseudonyms.py), for
work that has not reached the company's repository. Work that has is there with its message and diff, and
whoever holds the repository finds it by its content whatever the episode calls it; the review and `sign`
say so before signing, and that work pushed at any time later names its author too: the upload looks
again before an episode leaves (upload/pushed_since.py). The check is git's own: `for-each-ref
--contains COMMIT refs/remotes`, as of the last fetch or push. A repository that cannot be asked (gone,
not git) answers nothing, and the warning then says it could not check.
"""

from __future__ import annotations

from pathlib import Path

from collector.episode import Episode
from collector.upload.pushed_since import episode_commits, pushed_commits

__all__ = ["LATER", "episode_commits", "pushed_commits", "pushed_note", "pushed_warning"]

LATER = ("work of this episode pushed at any time later (its commits, its files' text) names you to "
         "whoever holds the repository: before it leaves, each upload looks again (as of the last fetch) and "
         "holds it for you to send anyway or withdraw")


def pushed_warning(pushed: list[str] | None, commits: int) -> str:
    """What the review and `sign` say of pushed work in unlinkable mode: what is pushed already, or that
    work pushed later names its author."""
    if commits == 0:
        return LATER
    if pushed is None:
        return (f"could not check whether this episode's {commits} commit(s) are pushed: one that is can be "
                "found in the repository by its message and diff, unlinkable or not; " + LATER)
    if not pushed:
        return LATER
    return (f"{len(pushed)} of this episode's {commits} commit(s) are on a remote branch: whoever holds the "
            "repository finds them by their message and diff, whatever this episode calls them; " + LATER)


def pushed_note(episode: Episode, root: Path | None) -> str:
    """The warning for `episode`, whose workspace is `root`."""
    commits = episode_commits(episode)
    return pushed_warning(pushed_commits(root, commits) if commits else [], len(commits))
