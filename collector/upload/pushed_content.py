"""Work pushed after signing found by its content, as the employer finds it: an amend, a rebase, a
cherry-pick or a squash gives new commit ids and blob ids but keeps the message and most of the lines.

At signing (`take`) the episode's origin keeps, beside its ids (pushed_since.py): a hash of each unpushed
commit's normalised message and its word count, hashed shingles of the lines each adds and of what each
file's final text adds to the text a remote-tracking branch held (fingerprints.py), and the
remote-tracking tips. Each upload run (`find`) reads the commits that reached a remote-tracking branch
since (`git log --remotes --not TIPS`, as of the last fetch, no network) and matches when a pushed
commit has the same normalised message of 4 words or more, or the same message and at least one of the
episode's shingles; or when pushed commits' added lines hold at least THRESHOLD of the episode's
shingles. docs/unlinkable.md gives the rule, bench/pushed_content.py its false holds and its cost.
"""

from __future__ import annotations

import difflib
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from collector.upload.fingerprints import (
    Commit,
    every_shingle,
    message_hash,
    normalise_message,
    read_commits,
    shingle_hashes,
    words,
)

THRESHOLD = 0.5
MESSAGE_WORDS = 4
TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Fingerprints:
    """What an episode's unpushed work looks like by content (hashes only), and the remote-tracking tips
    when it was signed."""

    messages: list[tuple[str, int]] = field(default_factory=list)  # (hash of the normalised message, words)
    shingles: list[str] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"messages": [list(item) for item in self.messages], "shingles": self.shingles,
                "tips": self.tips}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Fingerprints | None:
        """Read back; None for an origin kept before fingerprints were (nothing to compare since when)."""
        if "tips" not in data:
            return None
        return Fingerprints([(str(digest), int(count)) for digest, count in data["messages"]],
                            [str(item) for item in data["shingles"]], [str(tip) for tip in data["tips"]])


@dataclass(frozen=True)
class Match:
    """A pushed commit that matched, and by what: its message, its lines (`lines` of the episode's `of`
    shingles), or both."""

    commit: str
    message: bool
    lines: int = 0
    of: int = 0

    def said(self) -> str:
        what = [f"{self.lines} of {self.of} line shingles"] if self.lines else []
        said = " and ".join(["its message", *what]) if self.message else what[0]
        return f"commit {self.commit[:12]} ({said})"


def _git(root: str, *args: str, given: str | None = None) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(["git", "--no-optional-locks", "-C", root, *args],
                              input=None if given is None else given.encode("utf-8", "surrogateescape"),
                              capture_output=True, timeout=TIMEOUT_S, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def remote_tips(root: str) -> list[str] | None:
    """The commits the remote-tracking branches point at; None when git cannot be asked."""
    done = _git(root, "for-each-ref", "--format=%(objectname)", "refs/remotes")
    if done is None or done.returncode != 0:
        return None
    return sorted(set(done.stdout.decode("ascii", "replace").split()))


def _base(root: str) -> str | None:
    """The remote-tracking branch whose text a file's final text is compared with: HEAD's upstream, else
    origin's HEAD, else the first."""
    for name in ("@{upstream}", "refs/remotes/origin/HEAD"):
        done = _git(root, "rev-parse", "--verify", "-q", "--end-of-options", name)
        if done is not None and done.returncode == 0:
            return name
    done = _git(root, "for-each-ref", "--count=1", "--format=%(refname)", "refs/remotes")
    name = "" if done is None or done.returncode != 0 else done.stdout.decode("utf-8", "replace").strip()
    return name or None


def base_texts(root: str, paths: Sequence[str]) -> dict[str, str]:
    """Each path's text on the base remote-tracking branch (`_base`), where it has one (one `cat-file`)."""
    base = _base(root)
    if base is None or not paths:
        return {}
    done = _git(root, "cat-file", "--batch", given="".join(f"{base}:{path}\n" for path in paths))
    if done is None or done.returncode != 0:
        return {}
    texts, out, at = {}, done.stdout, 0
    for path in paths:
        end = out.index(b"\n", at)
        head = out[at:end].split()
        at = end + 1
        if len(head) == 3 and head[1] == b"blob":
            size = int(head[2])
            texts[path] = out[at:at + size].decode("utf-8", "surrogateescape")
            at += size + 1
    return texts


def added_lines(before: str, after: str) -> list[str]:
    """The lines `after` has that `before` does not, in order (difflib's view of the change)."""
    old, new = before.splitlines(), after.splitlines()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    return [line for tag, _i1, _i2, j1, j2 in matcher.get_opcodes() if tag in ("replace", "insert")
            for line in new[j1:j2]]


def take(root: str, commits: Sequence[str], texts: Mapping[str, str]) -> Fingerprints | None:
    """At signing: the fingerprints of the unpushed `commits` and of the final `texts` (path -> text, those
    no remote-tracking branch holds); None when the repository cannot be asked."""
    tips = remote_tips(root)
    read = read_commits(root, ["--no-walk=unsorted", "--end-of-options", *commits]) if commits else []
    if tips is None or read is None:
        return None
    messages = {(message_hash(normal), words(normal))
                for normal in (normalise_message(commit.message) for commit in read) if normal}
    shingles = {shingle for commit in read for added in commit.added.values()
                for shingle in shingle_hashes(added)}
    bases = base_texts(root, sorted(texts))
    for path, text in texts.items():
        shingles |= shingle_hashes(added_lines(bases.get(path, ""), text))
    return Fingerprints(sorted(messages), sorted(shingles), tips)


def pushed_since_tips(root: str, tips: Sequence[str]) -> list[Commit] | None:
    """The commits that reached a remote-tracking branch since `tips` (as of the last fetch)."""
    return read_commits(root, ["--ignore-missing", "--remotes", "--not", *tips])


def compare(kept: Fingerprints, pushed: Sequence[Commit], threshold: float = THRESHOLD) -> list[Match]:
    """The pushed commits that match the episode's fingerprints (pure: bench/pushed_content.py measures it
    on its own)."""
    messages = dict(kept.messages)
    mine = set(kept.shingles)
    found: list[Match] = []
    matched: set[str] = set()
    best: tuple[int, str] = (0, "")
    for commit in pushed:
        theirs = set[str]().union(*(every_shingle(added) for added in commit.added.values()))
        common = mine & theirs
        matched |= common
        best = max(best, (len(common), commit.sha))
        count = messages.get(message_hash(normalise_message(commit.message)))
        if count is not None and (count >= MESSAGE_WORDS or common):
            found.append(Match(commit.sha, True, len(common), len(mine)))
    shared = bool(mine) and best[0] > 0 and len(matched) >= threshold * len(mine)
    if shared and not any(match.commit == best[1] for match in found):
        found.append(Match(best[1], False, len(matched), len(mine)))
    return found


def find(root: str, kept: Fingerprints) -> list[Match] | None:
    """Each upload run: what of the commits pushed since signing matches; None when git cannot be asked."""
    pushed = pushed_since_tips(root, kept.tips)
    return None if pushed is None else compare(kept, pushed)
