"""Tags only this clone holds, as recorded episodes saw them made (issue 85, item 3).

A tag whose commit no remote-tracking branch reaches is local by what the repository says
(repository.py `unpushed_tags`). A tag at a pushed commit may be the contributor's own as well
(`git tag pre-refactor-backup` before a rebase): `git describe --tags` then prints it in every episode of
hers and in nobody else's. Git keeps no record of where a tag came from, so the episodes do: a tag is
local when an episode saw it made (`git tag NAME` in a command, a `tag` git step naming a new ref that
no fetch of the same moment brought) and no fetch since brought a tag of that name (a `fetch` or `pull`
git step naming `refs/tags/NAME`, or a fetch's `* [new tag]  NAME -> NAME` in a command's output).

`local_tags(episode, root, home)` is what an unlinkable signing masks (as per-episode pseudonyms:
consent/scrub.py): the episode's own evidence, and the tags of the repository at `root` that an episode
this home signed unlinkably before saw made. `remember_tags(episode, home)` adds the episode's after it
is signed: a ledger of their SHA-256 beside the enrolment (`unlinkable-tags`), which never leaves the
machine. A tag made in no recorded episode at a pushed commit stays (docs/unlinkable.md says so).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator

from collector.consent.ledger import digest, read_ledger, write_ledger
from collector.episode import Episode
from collector.home import Home
from schemas import steps as kinds

LEDGER = "unlinkable-tags"
_TAGS = "refs/tags/"
_SEGMENTS = re.compile(r"&&|\|\||[;|\n]")
_FETCHED = re.compile(r"^\s*[*t+]\s+\[(?:new tag|tag update)\]\s+(\S+)\s+->\s+(\S+)", re.MULTILINE)
_GIT_VALUED = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--exec-path"})
_TAG_VALUED = frozenset({"-m", "-F", "-u", "--message", "--file", "--local-user", "--cleanup", "--sort",
                         "--format", "--color", "--column", "--contains", "--no-contains", "--merged",
                         "--no-merged", "--points-at", "-e"})
_NOT_MADE = frozenset({"-l", "--list", "-d", "--delete", "-v", "--verify"})
Event = tuple[bool, str]  # (made, the tag's name): made, or brought by a fetch


def events(episode: Episode) -> Iterator[Event]:
    """In the order of the steps: each tag the episode saw made (True) or a fetch bring (False)."""
    steps = list(episode.steps())
    fetching = {step.t_ms for step in steps if type(step) is kinds.GitStep and step.op in ("fetch", "pull")}
    for step in steps:
        if type(step) is kinds.CommandStep:
            yield from ((True, name) for name in made_by(step.command_line or ""))
            if step.output_tail:
                yield from ((False, match.group(2)) for match in _FETCHED.finditer(step.output_tail))
        elif type(step) is kinds.GitStep and step.ref is not None and step.ref.startswith(_TAGS):
            name = step.ref[len(_TAGS):]
            if step.op in ("fetch", "pull"):
                yield False, name
            elif step.op == "tag" and step.new is not None:  # a new or moved tag: a fetch's, or hers
                yield step.t_ms not in fetching, name


def made_by(command_line: str) -> list[str]:
    """The tags a shell command line makes with `git tag` (`git tag NAME`, `git tag -a NAME -m ...`)."""
    made = []
    for segment in _SEGMENTS.split(command_line):
        try:
            words = shlex.split(segment)
        except ValueError:
            words = segment.split()
        at = next((n for n, word in enumerate(words) if word == "git" or word.endswith("/git")), None)
        if at is None:
            continue
        rest = words[at + 1:]
        while rest and rest[0].startswith("-"):  # git's own options (`-C DIR`, `-c key=value`)
            rest = rest[2:] if rest[0] in _GIT_VALUED else rest[1:]
        if rest[:1] != ["tag"]:
            continue
        name = _tag_name(rest[1:])
        if name is not None:
            made.append(name)
    return made


def _tag_name(args: list[str]) -> str | None:
    """The name `git tag ARGS` makes (None: it lists, deletes or verifies)."""
    positional = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _NOT_MADE or (arg.startswith("-") and not arg.startswith(("--", "-m", "-F", "-u", "-e"))
                                  and set(arg[1:]) & set("ldvn")):
            return None  # lists (`-l`, `-n`), deletes or verifies
        elif arg in _TAG_VALUED:
            skip = True
        elif arg.startswith("-"):
            continue  # -a, -s, -f, --annotate, --message=..., -mMSG
        else:
            positional.append(arg)
    return positional[0] if positional else None


def local_tags(episode: Episode, tags: Iterable[str], home: Home) -> set[str]:
    """The tags an unlinkable signing of `episode` masks beside the repository's unpushed ones: those it
    saw made and no fetch after brought, and those of `tags` (the repository's) that an episode this home
    signed unlinkably before saw made, unless this episode saw a fetch bring them first."""
    known = read_ledger(home, LEDGER)
    local = {name for name in tags if digest(name) in known}
    for made, name in events(episode):
        if made:
            local.add(name)
        else:
            local.discard(name)
    return local


def remember_tags(episode: Episode, home: Home) -> None:
    """After `episode` was signed unlinkably: the ledger with the tags it saw made, and without those it
    saw a fetch bring after."""
    known = read_ledger(home, LEDGER)
    changed = set(known)
    for made, name in events(episode):
        (changed.add if made else changed.discard)(digest(name))
    if changed != known:
        write_ledger(home, LEDGER, changed)
