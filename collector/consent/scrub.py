"""One free text as an unlinkable episode keeps it: scrubbed with what the repository knows (issues 67, 85).

    unpushed commit ids   their pseudonyms, wherever they stand (pseudonyms.py)
    identities            every name, e-mail and handle the repository records (its trailers' too):
                          «user» (as the seal masks the developer's own: redact/namemask.py), not next to
                          a letter or digit, in any case
    remotes' owners       «user» where a remote is written: `HOST:OWNER/`, `HOST/OWNER/` (the remote's
                          host), `OWNER/REPO` (the remote's path); never as a bare word, so that an
                          organisation's name stays in every sentence that uses the word
    local branches        a per-episode pseudonym (`branch-` and 8 hex digits): a name of two words or
                          more (`fix/negative-add`) wherever it is written, a one-word one (`wip`) only
                          where git prints a ref (`On branch wip`, `[wip 1a2b3c4]`, `HEAD -> wip`,
                          `checkout wip`, `refs/heads/wip`, ...)
    local tags            a per-episode pseudonym (`tag-` and 8 hex digits), as a branch's, and also where
                          git prints a tag (`tag: NAME`, `refs/tags/NAME`, `describe`'s `NAME-3-g1a2b3c4`,
                          a line that is the name alone, `[new tag]`, `git tag NAME`)
    times of day          cut to their day (wallclock.py)

`Scrub.ref` is a git step's `ref`: a local branch or tag there is its pseudonym, whatever its name.

File text cannot be rewritten freely (the episode must still replay), so `file_text_patterns` gives the
review's span masking (collector/review/spans.py, as `sign --redact` uses it) what to mask there: the
unpushed commit ids (their first 7 digits and the hex digits after), and every spelling of the episode's
instants (wallclock.py), the same forms free text is cut of, masked as spans; `file_text_names` every
identity and the remotes' owners where a remote is written, masked as `«user»` (redact/knownnames.py:
uncounted, as the seal's names are), but on the lines a file on a remote-tracking branch holds at the
same path (an `AUTHORS` file, a pushed `@author` tag), as committed text must still match the company's;
a new file, or a line that is not the pushed one, has them masked.

The names are matched as one regular expression built as a trie (`literal_pattern`), so that a
repository's 10,000 co-authors cost a pass over each text, not 10,000 (bench/trailer_identities.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from collector.consent.pseudonyms import Pseudonyms
from collector.consent.repository import RepositoryKnowledge
from collector.consent.wallclock import Period, day_of_wall_clock, spellings
from collector.redact.knownnames import KeptLines, KnownNames, compiled
from collector.text.literals import literal_pattern

USER = "«user»"
_WORDS = re.compile(r"[/_.-]")  # what separates the words of a branch's name
# where git prints a ref, a one-word branch is named (the group `before`, kept) and what follows it
_REF_AT = (r"(?P<before>branch '?)NAME(?=['\s:]|$)", r"(?P<before>\[)NAME(?=[ \]])",
           r"(?P<before>-> )NAME", r"(?P<before>\]\s+)NAME(?= -> )", r"(?P<before>^[*+]? +)NAME(?=[ \t]*$)",
           r"(?P<before>(?:HEAD -> |, |\())NAME(?=[,)])",
           r"(?P<before>(?:checkout|switch) (?:-[bBcC] )?)NAME",
           r"(?P<before>push (?:-u )?\S+ )NAME", r"(?P<before>refs/heads/)NAME", r"(?P<before>\.\.\.?)NAME")
# and where git prints a tag: `tag: NAME` (--decorate), `refs/tags/NAME`, `describe`'s NAME-3-g1a2b3c4, a
# line of the name alone (`git tag`, `describe` at the tag), `[new tag]`, `git tag [-a] NAME`, `show NAME`
# (NAME_: the name, which may go on with `-`; NAME: which no `-`, `.`, `/` or word character goes on)
_TAG_AT = (*_REF_AT, r"(?P<before>tag: )NAME(?=[,)])", r"(?P<before>refs/tags/)NAME",
           r"(?<![\w./-])(?P<before>)NAME_(?=-\d+-g[0-9a-f]{4,})", r"(?P<before>^[ \t]*)NAME(?=[ \t]*$)",
           r"(?P<before>\[(?:new tag|tag update)\]\s+)NAME", r"(?P<before>tag (?:-[a-zA-Z]+ )*)NAME",
           r"(?P<before>(?:show|describe|reset --hard|rebase(?: -i)?|diff|log) )NAME")
_WORD = "0-9A-Za-z"  # what an identity may not stand next to


class Scrub:
    """The scrubbing of one episode's free texts: its pseudonyms, the repository's knowledge, its period."""

    def __init__(self, names: Pseudonyms, known: RepositoryKnowledge, period: Period | None = None) -> None:
        self.names, self.period = names, period
        people = people_pattern(known.identities)
        self._people = compiled(people) if people is not None else None
        self._owners = [compiled(pattern) for pattern in owner_patterns(known)]
        self._branches = _Refs(known.branches, names.branch, _REF_AT)
        self._tags = _Refs([tag for tag in known.tags if tag not in self._branches.pseudonyms], names.tag,
                           _TAG_AT)

    def text(self, value: str) -> str:
        """`value` scrubbed (see the module's docstring)."""
        value = self.names.text(value)
        value = self._tags.text(self._branches.text(value))
        for owners in self._owners:
            value = owners.sub(lambda m: m.group()[: m.start(1) - m.start()] + USER
                               + m.group()[m.end(1) - m.start():], value)
        if self._people is not None:
            value = self._people.sub(USER, value)
        return day_of_wall_clock(value, self.period)

    def ref(self, value: str) -> str:
        """A git step's `ref` (`refs/heads/NAME`, `refs/tags/NAME` or `NAME`): a local branch's or tag's is
        its pseudonym."""
        for prefix, refs in (("refs/heads/", self._branches), ("refs/tags/", self._tags),
                             ("", self._branches), ("", self._tags)):
            if value.startswith(prefix) and value[len(prefix):] in refs.pseudonyms:
                return prefix + refs.pseudonyms[value[len(prefix):]]
        return self.text(value)


class _Refs:
    """Local refs of one kind (branches, tags) and their pseudonyms: a name of two words or more wherever
    it is written, a one-word one where git prints such a ref (`places`)."""

    def __init__(self, names: Iterable[str], pseudonym: Callable[[str], str], places: Iterable[str]) -> None:
        names = list(names)
        self.pseudonyms = {name: pseudonym(name) for name in names}
        long = [name for name in names if _WORDS.search(name)]
        short = [name for name in names if not _WORDS.search(name)]
        self._long = _literal_regex(long)
        name = rf"(?P<name>{_alternation(short)})" if short else ""
        self._short = [re.compile(where.replace("NAME_", name).replace("NAME", rf"{name}(?![\w/.-])"), re.M)
                       for where in places] if short else []

    def text(self, value: str) -> str:
        if self._long is not None:
            value = self._long.sub(lambda m: self.pseudonyms[m.group()], value)
        for where in self._short:
            value = where.sub(lambda m: m.group("before") + self.pseudonyms[m.group("name")], value)
        return value


def file_text_patterns(known: RepositoryKnowledge, period: Period) -> tuple[str, ...]:
    """The regular expressions the span masking takes to file text (see the module's docstring)."""
    patterns = list(spellings(period).patterns)
    starts = sorted({sha[:7] for sha in known.unpushed if len(sha) >= 7})
    if starts:
        patterns.append(rf"(?:{'|'.join(starts)})[0-9a-f]*")
    return tuple(patterns)


def file_text_names(known: RepositoryKnowledge) -> KnownNames | None:
    """The people and owners file text masks as `«user»`, and where an identity stays: on a line a file on
    a remote-tracking branch holds at that path (None: there is nothing to mask)."""
    people = people_pattern(known.identities)
    patterns = ([] if people is None else [people]) + list(owner_patterns(known))
    if not patterns:
        return None
    kept = KeptLines(known.identities, known.held_lines) if known.identities and known.held_lines else None
    return KnownNames(patterns, kept)


def people_pattern(identities: Iterable[str]) -> str | None:
    """Any of `identities` in any case, not next to a letter or digit (None: there is none)."""
    values = tuple(value for value in identities if value)
    if not values:
        return None
    return rf"(?i)(?<![{_WORD}])(?:{literal_pattern(values, fold=True)})(?![{_WORD}])"


def owner_patterns(known: RepositoryKnowledge) -> tuple[str, ...]:
    """The remotes' owners where a remote is written (each pattern's first group): after the remote's host
    and `:` or `/` (a port, `~` may stand between), and before `/` and the remote's repository."""
    if not known.remotes:
        return ()
    owners = literal_pattern(known.owners, fold=True)
    hosts = literal_pattern([remote.host for remote in known.remotes], fold=True)
    repos = literal_pattern([remote.repo for remote in known.remotes], fold=True)
    return (rf"(?i)(?<![\w.-])(?:www\.)?(?:{hosts})(?::\d+)?[:/]~?({owners})(?![\w.-])",
            rf"(?i)(?<![\w./~-])({owners})/(?:{repos})(?:\.git)?(?![\w-])")


def _literal_regex(values: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    """Any of `values` (the longest that fits), not next to a letter or digit."""
    values = tuple(values)
    if not values:
        return None
    return re.compile(rf"(?<![{_WORD}])(?:{_alternation(values)})(?![{_WORD}])", flags)


def _alternation(values: Iterable[str]) -> str:
    return literal_pattern(values)
