"""One free text as an unlinkable episode keeps it: scrubbed with what the repository knows (issue 67).

    unpushed commit ids   their pseudonyms, wherever they stand (pseudonyms.py)
    identities            every name, e-mail and handle the repository records: «user» (as the seal
                          masks the developer's own: redact/namemask.py), not next to a letter or digit,
                          in any case
    local branches        a per-episode pseudonym (`branch-` and 8 hex digits): a name of two words or
                          more (`fix/negative-add`) wherever it is written, a one-word one (`wip`) only
                          where git prints a ref (`On branch wip`, `[wip 1a2b3c4]`, `HEAD -> wip`,
                          `checkout wip`, `refs/heads/wip`, ...)
    times of day          cut to their day (wallclock.py)

`Scrub.ref` is a git step's `ref`: a local branch there is its pseudonym, whatever its name.

File text cannot be rewritten freely (the episode must still replay), so `file_text_patterns` gives the
review's span masking (collector/review/spans.py, as `sign --redact` uses it) what to mask there: the
identities no file on a remote-tracking branch holds, the unpushed commit ids (their first 7 digits and
the hex digits after), and every spelling of the episode's instants (wallclock.py), the same forms free
text is cut of: file text and file names are masked of them as spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from collector.consent.pseudonyms import Pseudonyms
from collector.consent.repository import RepositoryKnowledge
from collector.consent.wallclock import Period, day_of_wall_clock, spellings

USER = "«user»"
_WORDS = re.compile(r"[/_.-]")  # what separates the words of a branch's name
# where git prints a ref, a one-word branch is named (the group `before`, kept) and what follows it
_REF_AT = (r"(?P<before>branch '?)NAME(?=['\s:]|$)", r"(?P<before>\[)NAME(?=[ \]])",
           r"(?P<before>-> )NAME", r"(?P<before>\]\s+)NAME(?= -> )", r"(?P<before>^[*+]? +)NAME(?=[ \t]*$)",
           r"(?P<before>(?:HEAD -> |, |\())NAME(?=[,)])",
           r"(?P<before>(?:checkout|switch) (?:-[bBcC] )?)NAME",
           r"(?P<before>push (?:-u )?\S+ )NAME", r"(?P<before>refs/heads/)NAME", r"(?P<before>\.\.\.?)NAME")


class Scrub:
    """The scrubbing of one episode's free texts: its pseudonyms, the repository's knowledge, its period."""

    def __init__(self, names: Pseudonyms, known: RepositoryKnowledge, period: Period | None = None) -> None:
        self.names, self.period = names, period
        self._people = _literal_regex(known.identities, re.IGNORECASE)
        self._branches = {name: names.branch(name) for name in known.branches}
        long = [name for name in known.branches if _WORDS.search(name)]
        short = [name for name in known.branches if not _WORDS.search(name)]
        self._long = _literal_regex(long)
        self._short = [re.compile(where.replace("NAME", rf"(?P<name>{_alternation(short)})(?![\w/.-])"), re.M)
                       for where in _REF_AT] if short else []

    def text(self, value: str) -> str:
        """`value` scrubbed (see the module's docstring)."""
        value = self.names.text(value)
        if self._long is not None:
            value = self._long.sub(lambda m: self._branches[m.group()], value)
        for where in self._short:
            value = where.sub(lambda m: m.group("before") + self._branches[m.group("name")], value)
        if self._people is not None:
            value = self._people.sub(USER, value)
        return day_of_wall_clock(value, self.period)

    def ref(self, value: str) -> str:
        """A git step's `ref` (`refs/heads/NAME` or `NAME`): a local branch's is its pseudonym."""
        prefix = "refs/heads/" if value.startswith("refs/heads/") else ""
        name = value[len(prefix):]
        if name in self._branches:
            return prefix + self._branches[name]
        return self.text(value)


def file_text_patterns(known: RepositoryKnowledge, period: Period) -> tuple[str, ...]:
    """The regular expressions the span masking takes to file text (see the module's docstring)."""
    patterns = list(spellings(period).patterns)
    people = [value for value in known.identities if value not in known.held]
    if people:
        patterns.append(rf"(?i)(?<![0-9A-Za-z])(?:{_alternation(people)})(?![0-9A-Za-z])")
    starts = sorted({sha[:7] for sha in known.unpushed if len(sha) >= 7})
    if starts:
        patterns.append(rf"(?:{'|'.join(starts)})[0-9a-f]*")
    return tuple(patterns)


def _literal_regex(values: Iterable[str], flags: int = 0) -> re.Pattern[str] | None:
    """Any of `values` (longest first), not next to a letter or digit."""
    if not values:
        return None
    return re.compile(rf"(?<![0-9A-Za-z])(?:{_alternation(values)})(?![0-9A-Za-z])", flags)


def _alternation(values: Iterable[str]) -> str:
    return "|".join(map(re.escape, sorted(set(values), key=lambda v: (-len(v), v))))
