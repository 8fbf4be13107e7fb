"""Finding secrets in one text with both the rules and the values already known, and replacing them."""

from __future__ import annotations

import re

from collector.redact.knownnames import KeptLines, KnownNames
from collector.redact.namemask import NameMask
from collector.redact.placeholders import Registry, Secret
from collector.redact.scanning.ruleset import RuleSet
from collector.redact.scanning.scanner import Finding, candidate, outside_placeholders, resolve, scan_allowing

KNOWN_PRIORITY = -2
ESCAPED_BREAK = "\\n"
MEMO_CHARS = 4 * 1024 * 1024  # characters of texts whose findings `find` remembers (then it starts over)
MEMO_TEXT = 64 * 1024  # a longer text is not remembered
_ESCAPE = re.compile(r"\\([nrt'\"\\])")
_READ = {"n": "\n", "r": "\r", "t": "\t", "'": "'", '"': '"', "\\": "\\"}


def read_escapes(text: str) -> str:
    """`text` with the escapes of a string literal read: `\\n` as a line break, `\\"` as a quote."""
    return _ESCAPE.sub(lambda m: _READ[m.group(1)], text)


class TextRedactor:
    """The rules plus the episode's registry: every value found gets its one placeholder. With `names`,
    the developer's local names (namemask.py) are found too, where no secret is, with their own fixed
    placeholders (or, `KnownNames`, the people and owners a repository knows: knownnames.py). With `kept`,
    the redactor of a file's text (`at`) leaves its values where they stand on the lines it keeps at that
    path (knownnames.py `KeptLines`)."""

    def __init__(self, rules: RuleSet, registry: Registry, names: NameMask | KnownNames | None = None,
                 kept: KeptLines | None = None, lines: frozenset[str] | None = None) -> None:
        self.rules = rules
        self.registry = registry
        self.names = names if names else None
        self.kept = kept
        self._lines = lines  # the lines `kept` keeps at this redactor's path (None: everywhere else)
        self._at: dict[str, TextRedactor] = {}
        # text -> (the registry's version, what `find` found in it)
        self._memo: dict[str, tuple[int, list[tuple[int, int, Secret]]]] = {}
        self._memo_chars = 0

    def at(self, path: str) -> TextRedactor:
        """The redactor of the text of the file at `path`: this one, but for the values `kept` keeps on
        some of that file's lines (one redactor per such path, sharing the rules and the registry)."""
        if self.kept is None or self._lines is not None:
            return self
        lines = self.kept.at(path)
        if lines is None:
            return self
        if path not in self._at:
            self._at[path] = TextRedactor(self.rules, self.registry, self.names, self.kept, lines)
        return self._at[path]

    def keeps(self, text: str, start: int, end: int) -> bool:
        """Whether `text[start:end]` stays as it is: a kept value on a line kept at this redactor's path."""
        return self._lines is not None and self.kept is not None and self.kept.keeps(self._lines, text, start,
                                                                                    end)

    def scan(self, text: str, *, changed: tuple[int, int] | None = None) -> list[Finding]:
        """Rule findings and known values in `text`, without overlaps, in order (nothing registered).
        `changed`: only that part of `text` changed since it was scanned last (see `scanner.scan`)."""
        return self.scan_allowing(text, changed=changed)[0]

    def scan_allowing(self, text: str, *,
                      changed: tuple[int, int] | None = None) -> tuple[list[Finding], list[Finding]]:
        """What `scan` returns, and the findings the allow-list let through (remembered for the summary)."""
        found, let = self._secrets(text, changed)
        if self._lines is not None:
            found = [f for f in found if not self.keeps(text, f.start, f.end)]
        if self.names is None:
            return found, let
        names = [f for f in self.names.find(text) if all(f.end <= g.start or f.start >= g.end for g in found)
                 and not self.keeps(text, f.start, f.end)]
        return (sorted([*found, *names], key=lambda f: f.start) if names else found), let

    def _secrets(self, text: str, changed: tuple[int, int] | None) -> tuple[list[Finding], list[Finding]]:
        """The rules' findings and the known values in `text`, resolved; the findings allowed."""
        found, allowed = scan_allowing(text, self.rules, changed=changed)
        for item in allowed:
            self.registry.allow(item.finding.rule, item.finding.value, item.entry)
        let = [item.finding for item in allowed]
        known = list(self.registry.known_in(text))
        if let:  # what was found of an allowed value while it was typed is not a secret either
            known = [(start, end, secret) for start, end, secret in known
                     if not any(f.start <= start and end <= f.end and secret.value in f.value for f in let)]
        if not known:
            return found, let
        cands = [candidate(f, 0) for f in found]
        cands.extend(candidate(Finding(secret.rule, start, end, text[start:end]), KNOWN_PRIORITY)
                     for start, end, secret in known)
        # a known value is never found inside a placeholder (`redacted`, a rule's name) either
        return outside_placeholders(text, resolve(cands)), let

    def known(self, finding: Finding) -> Secret | None:
        """The secret a finding already has: a local name's fixed one, or its value's registered one."""
        fixed = self.names.secret(finding.rule) if self.names is not None else None
        return fixed if fixed is not None else self.registry.get(finding.value)

    def secret(self, finding: Finding, *, growable: bool = False) -> Secret:
        """The finding's secret, registered on first sight (a local name's: its fixed one)."""
        fixed = self.names.secret(finding.rule) if self.names is not None else None
        if fixed is not None:
            return fixed
        return self.registry.secret_for(finding.rule, finding.value,
                                        prefix=self.rules.prefix(finding.rule, finding.value),
                                        growable=growable)

    def find(self, text: str) -> list[tuple[int, int, Secret]]:
        """Spans of `text` holding secrets, with their (registered) secrets. A text holding a string
        literal with escaped line breaks (a test failure's `repr`, JSON) is also read with its escapes
        read, so that a name and its value on the next line are seen as such; what is found there is
        registered, and found in `text` as a known value.

        The same text (a diagnostic or a test's name, repeated step after step) is scanned once while the
        registry does not change: with the same known values the scan finds the same, and registers
        nothing new (a call that registered something is not remembered)."""
        version = self.registry.version
        memo = self._memo.get(text)
        if memo is not None and memo[0] == version:
            return list(memo[1])
        if ESCAPED_BREAK in text:
            for f in self.scan(read_escapes(text)):
                self.secret(f)
        spans = [(f.start, f.end, self.secret(f)) for f in self.scan(text)]
        if self.registry.version == version and len(text) <= MEMO_TEXT:
            if self._memo_chars + len(text) > MEMO_CHARS:
                self._memo.clear()
                self._memo_chars = 0
            if text not in self._memo:
                self._memo_chars += len(text)
            self._memo[text] = (version, list(spans))
        return spans

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by its placeholder."""
        spans = self.find(text)
        if not spans:
            return text
        out, last = [], 0
        for start, end, secret in spans:
            out.append(text[last:start])
            out.append(secret.placeholder)
            last = end
        out.append(text[last:])
        return "".join(out)
