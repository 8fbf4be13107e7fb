"""The developer's local names masked in any text: workspace and home paths, login and host names.

    the workspace root  ->  .         /home/alice/app/src/x.py   ->  ./src/x.py
    the home directory  ->  ~         /home/alice/.venv/bin/python  ->  ~/.venv/bin/python
    the login name      ->  «user»    /tmp/pytest-of-alice/ ; alice@example.org
    the git identity    ->  «user»    Author: Alice Liddell <a.liddell@acme.example> (gitnames.py)
    the host name       ->  «host»    alice@alice-laptop ; Linux alice-laptop 6.1.0

Where a name counts as written (so that `a` or `dev` as a login does not mask every `a` and `dev`):
- A path (the workspace root, tried first, then the home; each as given, resolved, and the root also
  under the home as given) where it is written as a path: not continuing a name before it (a letter,
  digit, `_`, `-`, `.`, `~` or `/`, though `scheme://` may come before) nor after it (a letter, digit,
  `_`, `-`, or a `.` that one follows). `/home/al` is not masked in `/home/alice`.
- A login or host name of at least MIN_WORD characters as a whole word anywhere: not next to a letter
  or digit, so `_`, `-`, `.`, `/` and `@` end a word (`pytest-of-alice`, `alice@example.org`). A host
  name counts as given, in lower case and in upper case; its first label (`alice-laptop` of
  `alice-laptop.example.org`) counts as the name too.
- A shorter name only where it names something: as a whole word next to `@` (`dev@vm`), or ending a
  component of an absolute path after the path's first component: the whole component or its last word
  after `-` (`/srv/dev/`, `/tmp/pytest-of-dev/`; never `/dev/null`, `/srv/dev-tools/`).
- Names every machine has (`ANYONE`: `root`, `user`, `runner`, `ubuntu`, `localhost`, ...) identify
  nobody and are never masked (a home directory is, whatever its name). Nothing inside a placeholder
  (`«...»`) is masked.

`NameMask.find` returns these spans as findings; the text redactor (text.py) adds them to the secrets it
finds, so every channel, and every buffer with its positions, is masked by the one pass that redacts.
In an editor buffer a span once masked stays masked while the text around it changes, as a secret's
does (buffer.py): typing `2` after `/home/alice` shows `~2`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from collector.redact.localnames import LocalNames
from collector.redact.placeholders import Secret
from collector.redact.scanning.scanner import Finding

WORKSPACE, HOME, USER, HOST = "local-workspace", "local-home", "local-user", "local-host"
PLACEHOLDERS = {WORKSPACE: ".", HOME: "~", USER: "«user»", HOST: "«host»"}
MIN_WORD = 4  # shorter names are masked only where they name something (see the module's docstring)
ANYONE = frozenset({  # stock account and host names: in anyone's output, they identify nobody
    "root", "user", "admin", "administrator", "guest", "test", "nobody", "node", "runner", "build", "builder",
    "docker", "jenkins", "vagrant", "vscode", "codespace", "jovyan", "ubuntu", "debian", "fedora", "centos",
    "alpine", "raspberrypi", "localhost", "localhost.localdomain", "localdomain", "ip6-localhost",
    "ip6-loopback", "(none)"})
_PATH_CHARS = frozenset("_-.~/")  # with letters and digits: what continues a path's name
_PLACEHOLDER = re.compile(r"«[^«»\n]{1,80}»")
_TOKEN_END = frozenset(" \t\r\n\"'`=:,;()[]{}<>|&")  # what ends a path written in text
TOKEN_REACH = 4096  # how far back from a short name the start of its path is looked for


class _Literals:
    """Finding any of a few strings, the longest that fits at each place (`fits` says), overlapping ones
    too. The strings
    are searched as one alternation of literals (no look-around, so the regex engine's fast paths apply:
    about 100 MB/s for a few unrelated names, far more for paths sharing a `/` prefix)."""

    def __init__(self, strings: Iterable[str]) -> None:
        self.ordered = sorted(set(strings), key=lambda value: (-len(value), value))
        self.pattern = re.compile("|".join(map(re.escape, self.ordered))) if self.ordered else None

    def find(self, text: str, fits: Callable[[str, int, int], bool]) -> Iterator[tuple[int, int, str]]:
        if self.pattern is None:
            return
        at = 0
        while (m := self.pattern.search(text, at)) is not None:
            start, value = m.start(), m.group()
            if not fits(text, start, m.end()):  # a shorter one may fit here (`/home/al` in `/home/al/appx`)
                value = next((v for v in self.ordered if len(v) < len(m.group()) and text.startswith(v, start)
                              and fits(text, start, start + len(v))), "")
            if value:
                yield start, start + len(value), value  # overlapping ones too: the caller resolves
            at = start + 1


class NameMask:
    """The spans of a text that hold the developer's local names, for one workspace (None: only the
    home, login and host names)."""

    def __init__(self, names: LocalNames, workspace: Path | str | None = None) -> None:
        self.secrets = {rule: Secret(rule, placeholder, rule, fixed=True)
                        for rule, placeholder in PLACEHOLDERS.items()}
        paths: dict[str, str] = {}  # path -> rule
        for path in workspace_forms(workspace, names.homes):
            paths.setdefault(path, WORKSPACE)
        for path in names.homes:
            paths.setdefault(path, HOME)
        self._paths = {path: rule for path, rule in paths.items() if len(path.rstrip("/")) > 1}
        self._path_literals = _Literals(self._paths)
        # names masked as words -> rule; a shorter name written with what makes it name
        # something (`/dev`, `-dev`, `dev@`, `@dev`) -> (rule, characters before and after the name)
        self._names: dict[str, str] = {}
        self._short: dict[str, tuple[str, int, int]] = {}
        hosts = [*names.hosts, *(host.split(".", 1)[0] for host in names.hosts)]
        for rule, values in ((USER, [*names.logins, *names.git]),
                             (HOST, [*hosts, *map(str.lower, hosts), *map(str.upper, hosts)])):
            for name in values:
                if not name or name.lower() in ANYONE:
                    continue
                if len(name) >= MIN_WORD:
                    self._names.setdefault(name, rule)
                    continue
                for written, before, after in ((f"/{name}", 1, 0), (f"-{name}", 1, 0), (f"@{name}", 1, 0),
                                               (f"{name}@", 0, 1)):
                    self._short.setdefault(written, (rule, before, after))
        self._name_literals = _Literals(self._names)
        self._short_literals = _Literals(self._short)

    def __bool__(self) -> bool:
        return bool(self._paths or self._names or self._short)

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
        if "/" in text:
            for start, end, value in self._path_literals.find(text, _written_as_path):
                paths[start] = end
                yield Finding(self._paths[value], start, end, value)
        words = [Finding(self._names[value], start, end, value)
                 for start, end, value in self._name_literals.find(text, _whole_word)]
        if self._short:
            def names_something(text: str, start: int, end: int) -> bool:
                _, before, after = self._short[text[start:end]]
                return _names_something(text, start + before, end - after, paths)

            for start, end, written in self._short_literals.find(text, names_something):
                rule, before, after = self._short[written]
                name = written[before : len(written) - after]
                words.append(Finding(rule, start + before, end - after, name))
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


def _written_as_path(text: str, start: int, end: int) -> bool:
    """Nothing before `[start, end)` continues a name into it (but `scheme://` may), nothing after it does
    (a `.` may end a sentence)."""
    if start and (text[start - 1].isalnum() or text[start - 1] in _PATH_CHARS) \
            and not (start >= 3 and text.startswith("://", start - 3)):
        return False
    if end < len(text):
        after = text[end]
        if after.isalnum() or after in "_-":
            return False
        if after == "." and end + 1 < len(text) and (text[end + 1].isalnum() or text[end + 1] in "_-"):
            return False
    return True


def _whole_word(text: str, start: int, end: int) -> bool:
    """No letter or digit right before or after `[start, end)`."""
    return not (start and text[start - 1].isalnum()) and not (end < len(text) and text[end].isalnum())


def _names_something(text: str, start: int, end: int, paths: dict[int, int]) -> bool:
    """The name at `[start, end)` is a whole word next to `@`, or ends a path component (the whole
    component, or its last word after `-`) of an absolute path after the path's first component. A path
    that begins with a masked path (`paths`: start -> end) begins after it (`~/dev` is relative)."""
    if not _whole_word(text, start, end):
        return False
    if text[start - 1 : start] == "@" or text[end : end + 1] == "@":
        return True
    if end < len(text) and text[end] != "/" and text[end] not in _TOKEN_END:
        return False
    at = start
    floor = max(0, start - TOKEN_REACH)
    while at > floor and text[at - 1] not in _TOKEN_END:
        at -= 1
    if at in paths:
        return False if paths[at] > start else "/" in text[paths[at] + 1 : start]
    return text[at : at + 1] == "/" and "/" in text[at + 1 : start]


def _overlaps(f: Finding, spans: list[tuple[int, int]]) -> bool:
    return any(f.start < b and a < f.end for a, b in spans)
