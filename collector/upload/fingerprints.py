"""Content fingerprints of work, as the employer would match it: a commit's normalised message and hashed
shingles of the lines it adds, so that an amend, a rebase, a cherry-pick or a squash (new ids, new blobs)
still matches the work an unlinkable episode holds (pushed_since.py compares them; docs/unlinkable.md
gives the rule and the threshold measured in bench/pushed_content.py).

A message is normalised by dropping its trailers (`Signed-off-by: ...`, `Co-authored-by: ...` in its last
paragraph, and the `(cherry picked from commit ...)` line) and folding whitespace and case. Lines are
normalised by folding whitespace; blank ones are left out. Where a file's added lines count 3 or more
non-blank ones, each run of 3 consecutive ones is a shingle; below that, each line of 12 or more non-blank
characters is one on its own. What is kept is a hash of each (`shingle_hashes`), never the text. The
pushed side (`every_shingle`) gives both kinds of every file, so that a small fix squashed into a larger
commit still matches its single lines.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

RUN = 3
MIN_CHARS = 12
HASH_HEX = 16
TIMEOUT_S = 60.0
TRAILER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\s")
CHERRY = re.compile(r"^\(cherry picked from commit [0-9a-f]+\)$")
SPACE = re.compile(r"\s+")
START, PART = "\x1ecodetape-commit\x1f", "\x1f"


def normalise_message(message: str) -> str:
    """`message` without its trailers, whitespace and case folded: what a rewritten commit keeps."""
    lines = [line.strip() for line in message.strip().splitlines()]
    lines = [line for line in lines if not CHERRY.match(line)]
    while lines and not lines[-1]:
        lines.pop()
    last = max((index for index, line in enumerate(lines) if not line), default=-1) + 1
    if last > 0 and lines[last:] and all(TRAILER.match(line) for line in lines[last:]):
        lines = lines[:last]
    return SPACE.sub(" ", " ".join(lines)).strip().casefold()


def message_hash(normalised: str) -> str:
    return hashlib.sha256(b"message\0" + normalised.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_HEX]


def words(normalised: str) -> int:
    return len(normalised.split())


def normalise_line(line: str) -> str:
    return SPACE.sub(" ", line).strip()


def _hash(kind: str, lines: Sequence[str]) -> str:
    text = kind + "\0" + "\n".join(lines)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:HASH_HEX]


def _runs(lines: Sequence[str]) -> set[str]:
    return {_hash("run", lines[index:index + RUN]) for index in range(len(lines) - RUN + 1)}


def _singles(lines: Sequence[str]) -> set[str]:
    return {_hash("line", [line]) for line in lines if len(line.replace(" ", "")) >= MIN_CHARS}


def _kept(added: Iterable[str]) -> list[str]:
    return [line for line in map(normalise_line, added) if line]


def shingle_hashes(added: Iterable[str]) -> set[str]:
    """The shingles of one file's added lines, as an episode keeps them: runs of 3 where there are 3 or
    more non-blank lines, else each long line."""
    lines = _kept(added)
    return _runs(lines) if len(lines) >= RUN else _singles(lines)


def every_shingle(added: Iterable[str]) -> set[str]:
    """Both kinds of shingle of one file's added lines, as the pushed side is searched."""
    lines = _kept(added)
    return _runs(lines) | _singles(lines)


@dataclass(frozen=True)
class Commit:
    """A commit as `git log -p` gives it: its id, its message and the lines it adds, by file."""

    sha: str
    message: str
    added: dict[str, list[str]] = field(default_factory=dict)


def read_commits(root: str, args: Sequence[str]) -> list[Commit] | None:
    """The commits `git log ARGS` lists in the repository at `root`, with the lines each adds (merges add
    none); None when git cannot be asked."""
    command = ["git", "--no-optional-locks", "-C", root, "-c", "core.quotePath=false", "log", "-p", "-U0",
               "--no-color", "--no-ext-diff", "--no-renames", "--diff-filter=AMCT",
               f"--format={START}%H{PART}%B{PART}", *args]
    try:
        done = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    return parse_log(done.stdout.decode("utf-8", "surrogateescape"))


def parse_log(text: str) -> list[Commit]:
    """`read_commits`'s output, parsed."""
    commits = []
    for block in text.split(START)[1:]:
        sha, message, patch = [*block.split(PART, 2), "", ""][:3]
        added: dict[str, list[str]] = {}
        lines: list[str] | None = None
        header = False
        for line in patch.splitlines():
            if line.startswith("diff --git "):
                lines, header = None, True
            elif header and line.startswith("+++ "):
                path = line[4:].removeprefix("b/")
                lines = None if path == "/dev/null" else added.setdefault(path, [])
            elif line.startswith("@@"):
                header = False
            elif not header and lines is not None and line.startswith("+"):
                lines.append(line[1:])
        commits.append(Commit(sha.strip(), message, added))
    return commits
