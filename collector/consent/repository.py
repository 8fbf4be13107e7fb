"""What the employer's copy of the repository lets it match, read from the contributor's clone when an
episode is signed unlinkably (issue 67): the cut removes it from every text, whatever the episode recorded.

    unpushed    every commit id `git rev-list --all --reflog --not --remotes` lists: branches, tags, the
                stash and its older entries, commits reset or amended away; none a remote-tracking
                branch reaches (those are the company's, found by their content anyway)
    identities  every name and e-mail the repository records (authors and committers of every commit,
                the reflog's included; `.mailmap`), the git identity of this process and of the
                repository's configuration, and the remotes' handles (gitnames.py)
    held        the identities a file on a remote-tracking branch holds (an `AUTHORS` file): file text
                keeps those, as committed text must still match the company's
    branches    the local branches no remote-tracking branch has the name of

`read_repository(root)` returns None when `root` is not a repository git can read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from collector.redact.gitnames import git_identity, held_by_repository
from collector.redact.namemask import ANYONE
from collector.workspace.identity import read_git

_MAILMAP = re.compile(r"([^<>#\n]*?)\s*<([^<>\s]+)>")  # `Name <email>` (proper or commit's, each)
MIN_IDENTITY = 3  # shorter values (initials) would mask every such word: never masked


@dataclass(frozen=True)
class RepositoryKnowledge:
    """What a holder of the company's repository can match (see the module's docstring)."""

    unpushed: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    held: frozenset[str] = frozenset()
    branches: tuple[str, ...] = ()


def read_repository(root: Path, env: Mapping[str, str] | None = None) -> RepositoryKnowledge | None:
    """What the repository at `root` knows (None: git cannot read a repository there)."""
    if read_git(root, "rev-parse", "--git-dir") is None:
        return None
    unpushed = _lines(read_git(root, "rev-list", "--all", "--reflog", "--not", "--remotes"))
    identities = recorded_identities(root, env)
    return RepositoryKnowledge(unpushed=tuple(unpushed), identities=identities,
                               held=held_by_repository(root, identities), branches=local_branches(root))


def recorded_identities(root: Path, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every name, e-mail and handle the repository and git's configuration record, longest first."""
    found = _lines(read_git(root, "log", "--all", "--reflog", "--format=%an%n%ae%n%cn%n%ce"))
    mailmap = root / ".mailmap"
    if mailmap.is_file():
        try:
            text = mailmap.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        found += [part for match in _MAILMAP.finditer(text) for part in match.groups()]
    found += git_identity(root, os.environ if env is None else env)
    return identities(found)


def identities(values: Iterable[str]) -> tuple[str, ...]:
    """`values` stripped, without duplicates, stock names or initials, longest first."""
    kept = {value.strip() for value in values}
    wanted = (value for value in kept if len(value) >= MIN_IDENTITY and value.lower() not in ANYONE)
    return tuple(sorted(wanted, key=lambda v: (-len(v), v)))


def local_branches(root: Path) -> tuple[str, ...]:
    """The local branches whose name no remote-tracking branch has (`origin/NAME`)."""
    local = _lines(read_git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads"))
    tracking = _lines(read_git(root, "for-each-ref", "--format=%(refname:short)", "refs/remotes"))
    remote = {name.split("/", 1)[1] for name in tracking if "/" in name}
    return tuple(sorted((name for name in local if name not in remote), key=lambda v: (-len(v), v)))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
