"""Unpushed text that an earlier unlinkable episode of this home also held (issue 67, item 5).

Unlinkable mode removes what names a contributor or joins her episodes by an id, a name or a time; it
cannot remove the content. Episodes that go on with the same unpushed work hold the same text, and a
receiver links them by it. So the review and `sign` say so when an episode's files hold unpushed lines
that an episode this home signed unlinkably before held too.

A file's line is unpushed when the file's text on no remote-tracking branch of the episode's repository
holds it (git's `cat-file` at each remote branch's tip, as of the last fetch). Only lines of MIN_LINE
characters or more count (an `import os` or a closing brace is everyone's). After each unlinkable
signing, `remember` adds the SHA-256 of each such line to a ledger in this home (`unlinkable-texts`,
beside the enrolment; it never leaves the machine); `continued_note` compares with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from collector.consent.ledger import digest, read_ledger, write_ledger
from collector.episode import Episode
from collector.home import Home
from collector.workspace.identity import read_git
from schemas import steps as kinds

MIN_LINE = 24  # characters (stripped) a line needs to say something of its own
LEDGER = "unlinkable-texts"


def file_texts_by_path(episode: Episode) -> Iterator[tuple[str, str]]:
    """(path, text) of every whole file text the episode records (opens, saves, file changes, snapshots)."""
    for step in episode.steps():
        if isinstance(step, kinds.OpenStep | kinds.SaveStep | kinds.FileChangeStep):
            if step.text is not None:
                yield step.path, step.text
        elif type(step) is kinds.GapStep:
            yield from ((file.path, file.text) for file in step.state or () if file.text is not None)


def unpushed_lines(episode: Episode, root: Path) -> set[str]:
    """The lines (stripped, MIN_LINE characters or more) of the episode's file texts that no remote-tracking
    branch of the repository at `root` holds in the same file."""
    tips = (read_git(root, "for-each-ref", "--format=%(refname)", "refs/remotes") or "").split()
    mine: dict[str, set[str]] = {}
    for path, text in file_texts_by_path(episode):
        mine.setdefault(path, set()).update(line.strip() for line in text.splitlines()
                                            if len(line.strip()) >= MIN_LINE)
    lines: set[str] = set()
    for path, held in mine.items():
        pushed = {line.strip() for tip in tips
                  for line in (read_git(root, "cat-file", "-p", f"{tip}:{path}") or "").splitlines()}
        lines |= held - pushed
    return lines


def _digests(lines: set[str]) -> set[str]:
    return {digest(line) for line in lines}


def continued_note(episode: Episode, root: Path | None, home: Home) -> str | None:
    """What the review and `sign` say when the episode's unpushed text was in an earlier unlinkable
    episode of this home (None: it was not, or there is no repository to tell what is pushed)."""
    if root is None:
        return None
    lines = unpushed_lines(episode, root)
    shared = len(_digests(lines) & read_ledger(home, LEDGER))
    if not shared:
        return None
    return (f"{shared} unpushed line(s) of this episode's files were in an episode you signed unlinkably "
            "before: a receiver links the two by that text")


def remember(episode: Episode, root: Path | None, home: Home) -> None:
    """Add the episode's unpushed lines to this home's ledger (after it was signed unlinkably)."""
    if root is None:
        return
    known = read_ledger(home, LEDGER)
    new = _digests(unpushed_lines(episode, root)) - known
    if new:
        write_ledger(home, LEDGER, known | new)
