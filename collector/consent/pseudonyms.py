"""Per-episode pseudonyms, for unlinkable mode: what would join an episode to its author or to her other
episodes is replaced by a value that means something only inside the episode.

A commit id is a hash over the author, her e-mail, the second and the time zone, and the commit that ends
one episode is where the next starts: an employer holding the repository and the staff list recovers the
author of an unpushed commit by trying every member, second and zone, and chains one person's episodes by
their ids. `Pseudonyms` replaces each commit id the episode knows (its git steps' `sha`, `parents`, `old`,
`new`, the header's `head_at_start`), and every unpushed commit its repository holds (`unpushed`:
consent/repository.py), by an HMAC-SHA256 of it under a key drawn for this episode and never kept, as
many hex digits as the id had; an abbreviated id (7 digits or more) that begins a known id, in every free
text (schemas/text_fields.py) and wherever it stands in it (`git describe`'s `v1.0-1-g93b3a6a`, glued to
other hex digits), by the same prefix of its pseudonym. Inside the episode the same commit always has the
same pseudonym, so `git` steps still say which commit is whose parent; nobody, the contributor included,
can turn a pseudonym back into the id. Agent conversation ids get the same treatment (`agent_session`), so
a conversation that goes on across a seal does not join two episodes; local branches and tags too
(`branch`, `tag`).
Blob and tree ids stay: they are the content's.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

KEY_BYTES = 32
_HEX_RUN = re.compile(r"[0-9a-f]{7,}")  # a run of hex digits, whatever stands around it
_HEX = re.compile(r"[0-9a-f]+")
_MIN_ABBREVIATED = 7  # git's shortest abbreviation by default


class Pseudonyms:
    """The pseudonyms of one episode: `known` are the full commit ids it holds (or abbreviated ones, when
    that is all it has); `key` the per-episode secret (default: drawn now, and forgotten with this object)."""

    def __init__(self, known: Iterable[str], key: bytes | None = None,
                 unpushed: Iterable[str] = ()) -> None:
        self._key = key if key is not None else secrets.token_bytes(KEY_BYTES)
        ids = sorted({value for value in (*known, *unpushed)
                      if len(value) >= _MIN_ABBREVIATED and _HEX.fullmatch(value)}, key=len, reverse=True)
        self._full: dict[str, str] = {}
        self._starts: dict[str, list[str]] = {}  # the first 7 digits of each id -> the ids
        for value in ids:  # an abbreviated id of a full one takes the full one's pseudonym
            start = value[:_MIN_ABBREVIATED]
            full = next((f for f in self._starts.get(start, ()) if f.startswith(value)), None)
            mine = self._full[full][: len(value)] if full else self._digest("commit", value, len(value))
            self._full[value] = mine
            self._starts.setdefault(start, []).append(value)
        self._by_prefix: dict[str, str] = {}

    def commit(self, value: str) -> str:
        """The pseudonym of a commit id (full or abbreviated) as long as it, consistent for this episode."""
        known = self._lookup(value)
        return known if known is not None else self._digest("commit", value, len(value))

    def commit_or_none(self, value: str | None) -> str | None:
        return None if value is None else self.commit(value)

    def text(self, text: str) -> str:
        """`text` with every abbreviation of a known commit id (7 digits or more of its beginning), wherever
        it stands (`v1.0-1-g93b3a6a`, `0.1.dev3+g50579ee`, glued to other hex digits), replaced by the same
        beginning of its pseudonym; other hex (a blob id, a checksum) stays. Each run of hex digits is
        searched at every position for the first 7 digits of a known id, then as far as it agrees."""
        if not self._full or not _HEX_RUN.search(text):
            return text
        return _HEX_RUN.sub(lambda m: self._run(m.group()), text)

    def _run(self, run: str) -> str:
        out: list[str] = []
        at = done = 0
        while at + _MIN_ABBREVIATED <= len(run):
            ids = self._starts.get(run[at:at + _MIN_ABBREVIATED])
            if not ids:
                at += 1
                continue
            value = max(ids, key=lambda full: _agreeing(run, at, full))
            length = _agreeing(run, at, value)
            out += [run[done:at], self._full[value][:length]]
            at = done = at + length
        return "".join(out) + run[done:] if out else run

    def branch(self, name: str) -> str:
        """A local branch's name as a pseudonym of this episode (`branch-` and 8 hex digits)."""
        return "branch-" + self._digest("branch", name, 8)

    def tag(self, name: str) -> str:
        """A local tag's name as a pseudonym of this episode (`tag-` and 8 hex digits)."""
        return "tag-" + self._digest("tag", name, 8)

    def agent_session(self, value: str) -> str:
        """An agent's conversation id as a pseudonym of this episode: the same conversation, the same
        value, inside the episode only."""
        return "s-" + self._digest("agent-session", value, 16)

    def _lookup(self, value: str) -> str | None:
        if value in self._full:
            return self._full[value]
        if len(value) < _MIN_ABBREVIATED:
            return None
        if value not in self._by_prefix:
            starts = self._starts.get(value[:_MIN_ABBREVIATED], ())
            full = next((f for f in starts if f.startswith(value)), None)
            if full is None:
                return None
            self._by_prefix[value] = self._full[full][: len(value)]
        return self._by_prefix[value]

    def _digest(self, purpose: str, value: str, length: int) -> str:
        """`length` (at most 64) hex digits of an HMAC-SHA256 of `value` under this episode's key."""
        message = f"codetape/pseudonym/v1/{purpose}\0{value}".encode("utf-8", "surrogatepass")
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()[:length]


def _agreeing(run: str, at: int, full: str) -> int:
    """How many digits of `run` from `at` agree with the id `full`."""
    length = 0
    for mine, theirs in zip(run[at:], full, strict=False):
        if mine != theirs:
            break
        length += 1
    return length
