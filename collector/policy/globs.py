"""gitignore-style globs over workspace-relative POSIX paths, for exclusions while recording and sharing."""

from __future__ import annotations

import re


def glob_regex(pattern: str, *, ignore_case: bool = False) -> re.Pattern[str]:
    """A gitignore-style glob as a regex over workspace-relative paths (`*`, `?`, `[..]`, `**`), matching
    letters whatever their case with `ignore_case`."""
    body = pattern.rstrip("/") or pattern
    anchored = "/" in body
    body = body.lstrip("/")
    if not anchored:
        body = "**/" + body
    out: list[str] = []
    i = 0
    while i < len(body):
        at_segment_start = i == 0 or body[i - 1] == "/"
        if at_segment_start and body.startswith("**/", i):
            out.append("(?:[^/]*/)*")
            i += 3
        elif at_segment_start and body.startswith("**", i) and i + 2 == len(body):
            out.append(".*")
            i += 2
        elif body[i] == "*":
            while i < len(body) and body[i] == "*":
                i += 1
            out.append("[^/]*")
        elif body[i] == "?":
            out.append("[^/]")
            i += 1
        elif body[i] == "[" and (end := body.find("]", i + 2)) != -1:
            inner = body[i + 1 : end]
            inner = "^" + inner[1:] if inner.startswith("!") else inner
            out.append("[" + inner.replace("\\", "\\\\") + "]")
            i = end + 1
        elif body[i] == "\\" and i + 1 < len(body):
            out.append(re.escape(body[i + 1]))
            i += 2
        else:
            out.append(re.escape(body[i]))
            i += 1
    return re.compile("".join(out), re.IGNORECASE if ignore_case else 0)


class Globs:
    """A set of globs; a path matches when it or any of its parent directories matches one (whatever the
    case of its letters, with `ignore_case`)."""

    def __init__(self, patterns: tuple[str, ...] | list[str], *, ignore_case: bool = False) -> None:
        self._regexes = [glob_regex(p, ignore_case=ignore_case) for p in patterns]

    def match(self, relpath: str) -> bool:
        parts = relpath.split("/")
        prefixes = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        return any(r.fullmatch(prefix) for r in self._regexes for prefix in prefixes)
