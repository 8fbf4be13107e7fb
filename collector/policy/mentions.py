"""The paths an agent's free text mentions that the workspace may not record, masked.

An ACP tool call's title becomes the agent step's `detail` (`Read notes/private/plan.md`, `Read
~/.aws/credentials`), and an agent's prompt, command line and tool name may name files too: the step's
targets outside the workspace or excluded are dropped, and so is any word of its text that names such a
path, replaced by LEFT_OUT. A word counts as a path when it holds a `/`, starts with `~` or `.`, or ends
in an extension; it is read as the shell would (`~` is the home, a relative path is the workspace's) and
masked when it lies outside the workspace or the policy excludes it. A URL is not a path.
"""

from __future__ import annotations

import os
import re

from collector.policy.recording import Policy

LEFT_OUT = "«path left out»"
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://\S+")
_WORD = re.compile(r"[^\s\"'`()\[\]{}<>,;|=*]+")
_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}\Z")


def masked_mentions(text: str, policy: Policy, home: str | None = None) -> str:
    """`text` with every word naming a path outside the workspace, or excluded in it, replaced by
    LEFT_OUT (`home`: what `~` stands for; default this process's HOME)."""
    if "/" not in text and "." not in text and "~" not in text:
        return text
    urls = [match.span() for match in _URL.finditer(text)]
    out, last = [], 0
    for match in _WORD.finditer(text):
        start = match.start()
        word = match.group().rstrip(".:")
        if not word or any(a <= start < b for a, b in urls) or not _pathish(word):
            continue
        if _left_out(word, policy, home):
            out += [text[last:start], LEFT_OUT]
            last = start + len(word)
    return "".join(out) + text[last:] if out else text


def _pathish(word: str) -> bool:
    return "/" in word or word.startswith(("~", ".")) or bool(_EXTENSION.search(word))


def _left_out(word: str, policy: Policy, home: str | None) -> bool:
    if word.startswith("~"):
        word = os.path.join(home if home is not None else os.path.expanduser("~"), word[1:].lstrip("/"))
    clean = policy.normalize(word)  # a relative word is the workspace's; `../` leaves it
    return clean is None or policy.is_excluded(clean)
