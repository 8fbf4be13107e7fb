"""The developer's local names masked in any text: workspace and home paths, login and host names.

    the workspace root  ->  .         /home/alice/app/src/x.py   ->  ./src/x.py
    the home directory  ->  ~         /home/alice/.venv/bin/python  ->  ~/.venv/bin/python
    the login name      ->  «user»    /tmp/pytest-of-alice/ ; alice@example.org
    the host name       ->  «host»    alice@alice-laptop ; Linux alice-laptop 6.1.0

Where a name counts as written (so that `a` or `dev` as a login does not mask every `a` and `dev`):
- A path (the workspace root, tried first, then the home; each as given, resolved, and the root also
  under the home as given) where it is written as a path: not continuing a name before it (a letter,
  digit, `_`, `-`, `.`, `~` or `/`, though `scheme://` may come before) nor after it (a letter, digit,
  `_`, `-`, or a `.` that one follows). `/home/al` is not masked in `/home/alice`.
- A login or host name of at least MIN_WORD characters that is not a stock name (`STOCK`: `root`,
  `user`, `ubuntu`, ...) as a whole word anywhere: not next to a letter or digit, so `_`, `-`, `.`, `/`
  and `@` end a word (`pytest-of-alice`, `alice@example.org`). Host names ignore case; a host name's first
  label (`alice-laptop` of `alice-laptop.example.org`) counts as the name too.
- A shorter or stock name only where it names something: as a whole word in an absolute path after the
  path's first component (`/tmp/pytest-of-dev/`, `/srv/dev/`, never `/dev/null`), or next to `@` (`dev@vm`).
- `localhost` and its kin are never masked; nothing inside a placeholder (`«...»`) is.

`NameMask.find` returns these spans as findings; the text redactor (text.py) adds them to the secrets it
finds, so every channel, and every buffer with its positions, is masked by the one pass that redacts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from collector.redact.localnames import LocalNames
from collector.redact.placeholders import Secret
from collector.redact.scanner import Finding

WORKSPACE, HOME, USER, HOST = "local-workspace", "local-home", "local-user", "local-host"
PLACEHOLDERS = {WORKSPACE: ".", HOME: "~", USER: "«user»", HOST: "«host»"}
MIN_WORD = 4  # shorter names are masked only where they name something (see the module's docstring)
STOCK = frozenset({"root", "user", "admin", "guest", "test", "node", "runner", "build", "docker", "jenkins",
                   "vagrant", "nobody", "vscode", "jovyan", "ubuntu", "debian", "fedora", "centos", "alpine",
                   "raspberrypi"})
NEVER = frozenset({"localhost", "localhost.localdomain", "localdomain", "ip6-localhost", "ip6-loopback",
                   "(none)"})
_NOT_BEFORE_PATH = r"(?:(?<=://)|(?<![\w.~/-]))"
_NOT_AFTER_PATH = r"(?![\w-]|\.[\w-])"
_WORD_START, _WORD_END = r"(?<![^\W_])", r"(?![^\W_])"  # no letter or digit next to it
_PLACEHOLDER = re.compile(r"«[^«»\n]{1,80}»")
_TOKEN_END = frozenset(" \t\r\n\"'`=:,;()[]{}<>|&")  # what ends a path written in text
TOKEN_REACH = 4096  # how far back from a short name the start of its path is looked for


@dataclass(frozen=True)
class _Words:
    rule: str
    pattern: re.Pattern[str]
    named: bool  # only where it names something: in a path past its first component, or next to `@`


class NameMask:
    """The spans of a text that hold the developer's local names, for one workspace (None: only the
    home, login and host names)."""

    def __init__(self, names: LocalNames, workspace: Path | str | None = None) -> None:
        self.secrets = {rule: Secret(rule, placeholder, rule, fixed=True)
                        for rule, placeholder in PLACEHOLDERS.items()}
        self._paths: dict[str, str] = {}  # path -> rule
        for path in workspace_forms(workspace, names.homes):
            self._paths.setdefault(path, WORKSPACE)
        for path in names.homes:
            self._paths.setdefault(path, HOME)
        self._paths = {path: rule for path, rule in self._paths.items() if len(path.rstrip("/")) > 1}
        ordered = sorted(self._paths, key=lambda path: (-len(path), path))
        alternatives = "|".join(map(re.escape, ordered))
        pattern = f"{_NOT_BEFORE_PATH}(?:{alternatives}){_NOT_AFTER_PATH}"
        self._path_re = re.compile(pattern) if ordered else None
        hosts = [*names.hosts, *(host.split(".", 1)[0] for host in names.hosts)]
        self._words = [*_words(USER, names.logins, 0), *_words(HOST, hosts, re.IGNORECASE)]

    def __bool__(self) -> bool:
        return bool(self._path_re is not None or self._words)

    def secret(self, rule: str) -> Secret | None:
        """The fixed secret (its placeholder) of a name rule; None for any other rule."""
        return self.secrets.get(rule)

    def find(self, text: str) -> list[Finding]:
        """The spans of `text` to mask, in order, without overlaps."""
        found = list(self._candidates(text))
        if not found:
            return []
        if "«" in text:
            held = [(m.start(), m.end()) for m in _PLACEHOLDER.finditer(text)]
            found = [f for f in found if not _overlaps(f, held)]
        accepted: list[Finding] = []
        for f in found:  # paths first, then longer names first
            if all(f.end <= a.start or f.start >= a.end for a in accepted):
                accepted.append(f)
        accepted.sort(key=lambda f: f.start)
        return accepted

    def mask(self, text: str) -> str:
        """`text` with every span `find` returns replaced by its placeholder."""
        out, last = [], 0
        for f in self.find(text):
            out += [text[last:f.start], PLACEHOLDERS[f.rule]]
            last = f.end
        return "".join(out) + text[last:] if out else text

    def _candidates(self, text: str) -> Iterator[Finding]:
        paths: dict[int, int] = {}  # where a masked path starts -> where it ends
        if self._path_re is not None and "/" in text:
            for m in self._path_re.finditer(text):
                paths[m.start()] = m.end()
                yield Finding(self._paths[m.group()], m.start(), m.end(), m.group())
        words: list[Finding] = []
        for w in self._words:
            for m in w.pattern.finditer(text):
                if not w.named or _names_something(text, m.start(), m.end(), paths):
                    words.append(Finding(w.rule, m.start(), m.end(), m.group()))
        words.sort(key=lambda f: (f.start - f.end, f.start))
        yield from words


def workspace_forms(workspace: Path | str | None, homes: Iterable[str]) -> list[str]:
    """The workspace root as given, resolved, and under each home as given (when it lies in that home)."""
    if workspace is None:
        return []
    given = os.path.normpath(str(workspace))
    real = os.path.realpath(given)
    forms = [given, real]
    for home in homes:
        inside = os.path.relpath(real, os.path.realpath(home))
        if inside != ".." and not inside.startswith("../"):
            forms.append(os.path.normpath(os.path.join(home, inside)))
    return list(dict.fromkeys(form for form in forms if os.path.isabs(form)))


def _words(rule: str, names: Iterable[str], flags: int) -> list[_Words]:
    """One pattern for the names masked as words anywhere, one for those masked only where they name
    something."""
    loose: list[str] = []
    named: list[str] = []
    for name in dict.fromkeys(names):
        if not name or name.lower() in NEVER:
            continue
        (named if len(name) < MIN_WORD or name.lower() in STOCK else loose).append(name)
    out = []
    for group, only_named in ((loose, False), (named, True)):
        if group:
            alternatives = "|".join(re.escape(name) for name in sorted(group, key=lambda n: (-len(n), n)))
            out.append(_Words(rule, re.compile(f"{_WORD_START}(?:{alternatives}){_WORD_END}", flags),
                              only_named))
    return out


def _names_something(text: str, start: int, end: int, paths: dict[int, int]) -> bool:
    """The word at `[start, end)` is next to `@`, or in an absolute path after its first component. A
    path that begins with a masked path (`paths`: start -> end) begins after it (`~/dev` is relative)."""
    if text[start - 1 : start] == "@" or text[end : end + 1] == "@":
        return True
    at = start
    floor = max(0, start - TOKEN_REACH)
    while at > floor and text[at - 1] not in _TOKEN_END:
        at -= 1
    if at in paths:
        return False if paths[at] > start else "/" in text[paths[at] + 1 : start]
    return text[at : at + 1] == "/" and "/" in text[at + 1 : start]


def _overlaps(f: Finding, spans: list[tuple[int, int]]) -> bool:
    return any(f.start < b and a < f.end for a, b in spans)
