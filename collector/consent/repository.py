"""What the employer's copy of the repository lets it match, read from the contributor's clone when an
episode is signed unlinkably (issues 67 and 85): the cut removes it from every text, whatever the episode
recorded.

    unpushed    every commit id `git rev-list --all --reflog --not --remotes` lists: branches, tags, the
                stash and its older entries, commits reset or amended away; none a remote-tracking
                branch reaches (those are the company's, found by their content anyway)
    identities  every name and e-mail the repository records (authors and committers of every commit,
                the reflog's included; every `Name <e-mail>` of a trailer of their messages,
                `Co-authored-by`, `Signed-off-by` or any `Token: Name <e-mail>`; `.mailmap`), the git
                identity of this process and of the repository's configuration, and the remotes' user
                parts (gitnames.py)
    held_lines  path -> the lines of the file at that path on a remote-tracking branch that hold one of
                the identities (an `AUTHORS` file, an `@author` tag): file text keeps an identity on such
                a line at that path, and nowhere else, as committed text must still match the company's
    branches    the local branches no remote-tracking branch has the name of
    tags        the local tags: those whose commit no remote-tracking branch reaches (one of `unpushed`);
                `with_tags` adds those a recorded episode saw made (consent/local_tags.py)
    remotes     the remotes whose address names an owner (`host:OWNER/REPO`, `host/OWNER/REPO`):
                masked where a remote is written, but for the managed policy's `shared_remotes`'
                owners (`sharing`)

`read_repository(root)` returns None when `root` is not a repository git can read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from collector.policy.remotes import is_shared
from collector.redact.gitnames import git_identity, lines_holding, remote_parts, remotes
from collector.redact.namemask import ANYONE
from collector.workspace.identity import read_git

_MAILMAP = re.compile(r"([^<>#\n]*?)\s*<([^<>\s]+)>")  # `Name <email>` (proper or commit's, each)
# a trailer's `Token: Name <e-mail>` on a line of its own (wherever it stands in the message: an employer
# reads it there whether or not git would call the paragraph trailers); an address with one `@`
_TRAILER = re.compile(r"^[ \t]*[A-Za-z0-9][A-Za-z0-9-]*[ \t]*:[ \t]*([^<>\n:]*?)[ \t]*"
                      r"<([^<>\s@:/]+@[^<>\s@/]+)>[ \t]*,?[ \t]*$", re.MULTILINE)
MIN_IDENTITY = 3  # shorter values (initials) would mask every such word: never masked


@dataclass(frozen=True)
class Remote:
    """A remote whose address names an owner: `host` (lower case), `owner`, `repo` (without `.git`)."""

    host: str
    owner: str
    repo: str
    url: str


@dataclass(frozen=True)
class RepositoryKnowledge:
    """What a holder of the company's repository can match (see the module's docstring)."""

    unpushed: tuple[str, ...] = ()
    identities: tuple[str, ...] = ()
    held_lines: Mapping[str, frozenset[str]] = field(default_factory=dict)
    branches: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    remotes: tuple[Remote, ...] = ()

    def sharing(self, shared_remotes: Sequence[str]) -> RepositoryKnowledge:
        """The knowledge without the remotes whose owner owns one of `shared_remotes` (the managed policy's
        repositories: their owner is the organisation's, in everyone's output)."""
        shared = {parts[1].lower() for url in shared_remotes if (parts := remote_parts(url)) is not None}
        kept = tuple(remote for remote in self.remotes
                     if remote.owner.lower() not in shared and not is_shared(remote.url, shared_remotes))
        return self if kept == self.remotes else replace(self, remotes=kept)

    def with_tags(self, more: Iterable[str]) -> RepositoryKnowledge:
        """The knowledge with `more` local tags (a recorded episode saw them made)."""
        tags = _longest_first({*self.tags, *more})
        return self if tags == self.tags else replace(self, tags=tags)

    @property
    def owners(self) -> tuple[str, ...]:
        """The owners of `remotes`, each once, longest first."""
        return _longest_first(remote.owner for remote in self.remotes)


def read_repository(root: Path, env: Mapping[str, str] | None = None) -> RepositoryKnowledge | None:
    """What the repository at `root` knows (None: git cannot read a repository there)."""
    if not is_repository(root):
        return None
    unpushed = _lines(read_git(root, "rev-list", "--all", "--reflog", "--not", "--remotes"))
    identities = recorded_identities(root, env)
    return RepositoryKnowledge(unpushed=tuple(unpushed), identities=identities,
                               held_lines=lines_holding(root, identities), branches=local_branches(root),
                               tags=unpushed_tags(root, unpushed), remotes=owned_remotes(root))


def is_repository(root: Path) -> bool:
    """Whether git reads a repository at `root`."""
    return read_git(root, "rev-parse", "--git-dir") is not None


def recorded_identities(root: Path, env: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Every name, e-mail and handle the repository and git's configuration record, longest first."""
    said = read_git(root, "log", "--all", "--reflog", "--format=%x00%an%x00%ae%x00%cn%x00%ce%x00%B") or ""
    found: list[str] = []
    for people, body in _records(said):
        found += people
        found += [part for match in _TRAILER.finditer(body) for part in match.groups()]
    mailmap = root / ".mailmap"
    if mailmap.is_file():
        try:
            text = mailmap.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = ""
        found += [part for match in _MAILMAP.finditer(text) for part in match.groups()]
    found += git_identity(root, os.environ if env is None else env, owners=False)
    return identities(found)


def _records(said: str) -> Iterable[tuple[list[str], str]]:
    """(author and committer names and e-mails, message) of each commit `git log` printed with the format
    `%x00%an%x00%ae%x00%cn%x00%ce%x00%B`."""
    fields = said.split("\0")
    for at in range(1, len(fields) - 4, 5):  # fields[0] is what stands before the first record
        yield fields[at : at + 4], fields[at + 4]


def identities(values: Iterable[str]) -> tuple[str, ...]:
    """`values` stripped, without duplicates, stock names or initials, longest first."""
    kept = {value.strip() for value in values}
    wanted = (value for value in kept if len(value) >= MIN_IDENTITY and value.lower() not in ANYONE)
    return _longest_first(wanted)


def local_branches(root: Path) -> tuple[str, ...]:
    """The local branches whose name no remote-tracking branch has (`origin/NAME`)."""
    local = _lines(read_git(root, "for-each-ref", "--format=%(refname:short)", "refs/heads"))
    tracking = _lines(read_git(root, "for-each-ref", "--format=%(refname:short)", "refs/remotes"))
    remote = {name.split("/", 1)[1] for name in tracking if "/" in name}
    return _longest_first(name for name in local if name not in remote)


def unpushed_tags(root: Path, unpushed: Iterable[str]) -> tuple[str, ...]:
    """The tags whose commit (an annotated tag's, peeled) is one of `unpushed`."""
    mine = set(unpushed)
    said = _lines(read_git(root, "for-each-ref", "refs/tags",
                           "--format=%(refname:lstrip=2)%00%(objectname)%00%(*objectname)"))
    return _longest_first(name for name, _, rest in (line.partition("\0") for line in said)
                          if (rest.partition("\0")[2] or rest.partition("\0")[0]) in mine)


def all_tags(root: Path) -> tuple[str, ...]:
    """Every tag the repository holds."""
    return tuple(_lines(read_git(root, "for-each-ref", "--format=%(refname:lstrip=2)", "refs/tags")))


def owned_remotes(root: Path) -> tuple[Remote, ...]:
    """The remotes (and push addresses) whose address names an owner, each once."""
    found: dict[tuple[str, str, str], Remote] = {}
    for url in remotes(root).values():
        parts = remote_parts(url)
        if parts is not None and parts[1].lower() not in ANYONE:
            found.setdefault((parts[0], parts[1].lower(), parts[2].lower()), Remote(*parts, url=url.strip()))
    return tuple(found.values())


def _longest_first(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(values), key=lambda v: (-len(v), v)))


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
