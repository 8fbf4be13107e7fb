"""Whether the first text an episode sees of each file is the file's text in the commit the episode's header
names (`head_at_start`): the step's `head_text` (schemas/steps/base.py), so a reader knows a file's text
at that commit without a snapshot (the zeta2 export's base) and never takes a file changed before the
recording began for it.

The first step to give a file's whole text (an `open`, a `save` with its text, a `file_change` that
creates or modifies it) is compared before it is written, so before redaction: git's blob id of the
text's UTF-8 bytes against the one the commit's tree holds for the path (`git ls-tree -r`, run once per
commit, the listing kept for the next episodes while HEAD stays; read-only, no lock taken). The editor
never waits for it: steps reach the collector after the bridge forwarded them. Without a HEAD, when git
cannot list the commit's tree, or for a path inside a submodule, nothing is said.
"""

from __future__ import annotations

from pathlib import Path

import msgspec

from collector.sources.git.snapshot import blob_id, tree_blobs
from schemas.steps import FileChangeStep, OpenStep, SaveStep, Step
from schemas.steps.base import HeadText


class HeadTrees:
    """The blob ids of one commit's tree below the workspace, listed once (the last commit asked for)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._commit: str | None = None
        self._blobs: dict[str, str] | None = None
        self._links: frozenset[str] = frozenset()

    def compare(self, commit: str, path: str, text: str) -> HeadText | None:
        """`text` against `path`'s file in `commit` (None: not known)."""
        if commit != self._commit:
            listed = tree_blobs(self.root, commit)
            self._commit, self._blobs = commit, None if isinstance(listed, str) else listed
            self._links = frozenset(name for name, blob in (self._blobs or {}).items() if not blob)
        if self._blobs is None:
            return None
        blob = self._blobs.get(path)
        if blob is None:
            parts = path.split("/")
            if any("/".join(parts[:n]) in self._links for n in range(1, len(parts))):
                return None  # in a submodule: its own commit holds it
            return "absent"
        if not blob:
            return None
        return "same" if blob_id(text.encode("utf-8", "surrogatepass"), blob) == blob else "other"


class FirstTexts:
    """One episode's files whose text it has seen, and the comparison of the first with its commit."""

    def __init__(self, commit: str | None, trees: HeadTrees) -> None:
        self.commit = commit
        self.trees = trees
        self.seen: set[str] = set()

    def mark(self, step: Step) -> Step:
        """`step` with its `head_text` when it is the first to give its file's text in the episode."""
        if self.commit is None:
            return step
        match step:
            case OpenStep(text=str() as text) | SaveStep(text=str() as text):
                path = step.path
            case FileChangeStep(change="created" | "modified", text=str() as text):
                path = step.path
            case _:  # on purpose: no text, or a rename's (the file's text before it was another path's)
                return step
        if path in self.seen:
            return step
        self.seen.add(path)
        compared = self.trees.compare(self.commit, path, text)
        return step if compared is None else msgspec.structs.replace(step, head_text=compared)
