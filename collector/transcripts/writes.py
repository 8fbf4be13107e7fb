"""What an agent's file tools wrote in a past session, as its transcript gives it: each file's text before
and after a call, so that an imported episode holds the agent's edits as a recording does (`file_change`
steps with `origin` `agent`: importer.py).

A transcript gives an edit, not always the file around it:

- Claude Code keeps each file tool's result (`toolUseResult`): an `Edit`'s `originalFile` (the whole file
  before it) with its `oldString`, `newString` and `replaceAll`, a `MultiEdit`'s `edits` on it, a
  `Write`'s `content` (the whole file after it). The text after an edit is made as the tool makes it (each
  old string replaced by its new one, the first or every one), and the `structuredPatch` it reported must
  fit that text (patches.py `replaced`), or the write is not kept;
- Codex keeps `apply_patch`'s patch (chunks of context, removed and added lines, no line numbers) and the
  commit the session started at (`session_meta`'s `git.commit_hash`). A file's text before its first
  patch is its text in that commit, read from the workspace's repository; each patch is applied as Codex
  applies it (`applied`); a file a patch adds is its added lines. A patch Codex did not apply (its output
  does not say `Success.`) wrote nothing.

When the text before an edit is not known (the commit is not in the repository or does not hold the file,
a patch that does not fit the text, an old string the text does not hold), the edit is not kept, and the
importer says how many were not in a `gap`. What the import knows of a file after its first edit is what
the session's edits made of it; a change made to it outside the agent between two of its edits shows as
a write of no origin when Claude Code's next `originalFile` holds it, and is not known to a Codex import
(its next patch then fits or does not). Uncommitted changes at a Codex session's start are not known: a
patch that touches them does not fit, and is not kept.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from collector.sources.agents.patches import Chunk, body_lines, chunks_of, seek
from collector.sources.git.snapshot import blob_text, tree_blobs

Change = Literal["created", "modified", "deleted", "renamed"]
CLAUDE_FILE_TOOLS = ("Edit", "MultiEdit", "Write")
_HEADS = ("*** Add File: ", "*** Update File: ", "*** Delete File: ")
_MOVE = "*** Move to: "
_APPLIED = "Success. Updated the following files"


@dataclass(frozen=True)
class FileWrite:
    """One file one tool call wrote, as much of it as the transcript gives."""

    path: str  # absolute, as the transcript names it
    change: Change
    new_path: str | None = None  # a moved file's new path (Codex's `*** Move to:`)
    before: str | None = None  # the whole text before, when the transcript gives it (Claude Code's)
    after: str | None = None  # the whole text after, when the transcript gives it (a Write's content)
    section: str | None = None  # Codex: the patch's part for the file, to apply to the text before
    commit: str | None = None  # Codex: the commit the session started at, which holds the text before
    report: object = None  # what the tool reported it changed, as patches.chunks_of reads it


def claude_code(tool: str, result: object) -> tuple[FileWrite, ...]:
    """What Claude Code's `tool` wrote, by its `toolUseResult` (nothing for another tool, or a result that
    is not a file tool's)."""
    if tool not in CLAUDE_FILE_TOOLS or not isinstance(result, dict):
        return ()
    path, report = result.get("filePath"), result.get("structuredPatch")
    if not isinstance(path, str) or not os.path.isabs(path):
        return ()
    original = result.get("originalFile", result.get("originalFileContents"))
    before = original if isinstance(original, str) else None
    if tool == "Write":
        content = result.get("content")
        if not isinstance(content, str):
            return ()
        created = result.get("type") == "create"
        return (FileWrite(path, "created" if created else "modified", before=None if created else before,
                          after=content, report=report),)
    if before is None:
        return ()
    edits = [result] if tool == "Edit" else result.get("edits")
    after = _replaced(before, edits if isinstance(edits, list) else [])
    return () if after is None else (FileWrite(path, "modified", before=before, after=after, report=report),)


def _replaced(text: str, edits: list[object]) -> str | None:
    """`text` with each edit's old string replaced by its new one (every one, with `replace_all`), as
    Claude Code's Edit does; None when an edit's old string is not in the text."""
    for edit in edits:
        if not isinstance(edit, dict):
            return None
        old = edit.get("oldString", edit.get("old_string"))
        new = edit.get("newString", edit.get("new_string"))
        every = edit.get("replaceAll", edit.get("replace_all")) is True
        if not isinstance(old, str) or not isinstance(new, str) or not old or old not in text:
            return None
        text = text.replace(old, new) if every else text.replace(old, new, 1)
    return text


def codex(patch: str, output: object, cwd: str | None, commit: str | None) -> tuple[FileWrite, ...]:
    """What Codex's `apply_patch` wrote, by its patch, when its `output` says it applied it: each file's
    part, its paths made absolute against `cwd`."""
    if not isinstance(output, str) or _APPLIED not in output:
        return ()
    return tuple(write for write in _sections(patch, cwd, commit) if write is not None)


def _sections(patch: str, cwd: str | None, commit: str | None) -> Iterator[FileWrite | None]:
    head: str | None = None
    lines: list[str] = []
    for line in [*patch.split("\n"), "*** End Patch"]:
        if line.startswith((*_HEADS, "*** End Patch")):
            if head is not None:
                yield _section(head, lines, cwd, commit)
            head, lines = (line, []) if line.startswith(_HEADS) else (None, [])
        elif head is not None:
            lines.append(line)


def _section(head: str, lines: list[str], cwd: str | None, commit: str | None) -> FileWrite | None:
    path = _absolute(head.split(": ", 1)[1], cwd)
    if path is None:
        return None
    if head.startswith(_HEADS[2]):
        return FileWrite(path, "deleted")
    moved = next((line[len(_MOVE):] for line in lines if line.startswith(_MOVE)), None)
    new_path = _absolute(moved, cwd) if moved is not None else None
    section = "\n".join([head, *lines])
    if head.startswith(_HEADS[0]):
        added = [line[1:] for line in lines if line.startswith("+")]
        return FileWrite(path, "created", after="".join(f"{line}\n" for line in added), report=section)
    return FileWrite(path, "renamed" if new_path else "modified", new_path=new_path, section=section,
                     commit=commit, report=section)


def _absolute(path: str | None, cwd: str | None) -> str | None:
    path = (path or "").strip()
    if not path or "\x00" in path:
        return None
    if os.path.isabs(path):
        return path
    return os.path.join(cwd, path) if cwd is not None and os.path.isabs(cwd) else None


def applied(section: str, before: str) -> str | None:
    """`before` with one file's part of a Codex patch applied as Codex applies it; None when it does not
    fit. Each chunk's old lines are looked for from where the chunk before ended (after its `@@ LINE`,
    when it names one; at the end, for a chunk pinned there), compared exactly, then without trailing, then
    without surrounding white space, and replaced by its new lines; a chunk of added lines only goes to
    the end. The text is left ending in a line break, as Codex leaves it."""
    chunks = chunks_of(section)
    if chunks is None:
        return None
    lines = body_lines(before)
    cursor = 0
    found: list[tuple[int, int, list[str]]] = []
    for chunk in chunks:
        place = _place(chunk, lines, cursor)
        if place is None:
            return None
        found.append((place, len(chunk.old), chunk.new))
        cursor = place + len(chunk.old)
    for at, count, new in reversed(found):
        lines[at:at + count] = new
    return "".join(f"{line}\n" for line in lines)


def _place(chunk: Chunk, lines: list[str], cursor: int) -> int | None:
    """Where (0-based) Codex replaces the chunk's old lines, found from `cursor` on."""
    if chunk.context is not None:
        named = seek(lines, [chunk.context], cursor)
        if named is None:
            return None
        cursor = named + 1
    old = chunk.old
    if not old:
        return len(lines)
    if chunk.end_of_file:
        at = len(lines) - len(old)
        if at >= cursor and seek(lines[at:], old, 0) == 0:
            return at
    return seek(lines, old, cursor)


class Commits:
    """The text of files in the commits Codex sessions started at, read from the workspace's repository
    once per commit (its tree's blob ids) and per file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.trees: dict[str, dict[str, str] | str] = {}

    def text(self, commit: str, path: str) -> str | None:
        """`path`'s text in `commit` (None: the repository does not hold the commit, or the commit the
        file, or the file is not UTF-8 text)."""
        try:
            relative = str(Path(path).relative_to(self.root))
        except ValueError:
            return None
        tree = self.trees.get(commit)
        if tree is None:
            tree = self.trees[commit] = tree_blobs(self.root, commit)
        blob = tree.get(relative) if isinstance(tree, dict) else None
        return blob_text(self.root, blob) if blob else None
