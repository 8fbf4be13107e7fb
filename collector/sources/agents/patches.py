"""What an agent's tool said it changed in a file, as the runs of lines it replaced there.

The hook carries (payloads.py, `patch`, never journalled) what the tool reported of each file it wrote:

- Claude Code's `Edit`, `MultiEdit` and `Write` answer with `tool_response.structuredPatch`: jsdiff hunks
  (`oldStart`, `oldLines`, `newStart`, `newLines`, `lines` each marked ` `, `-`, `+`, or `\\` for "No
  newline at end of file"), line numbers 1-based;
- Codex's `apply_patch` input is its patch text; one file's part of it (from its `*** Add File:` or
  `*** Update File:` line on) has chunks that carry no line numbers: each `@@` (optionally naming a line
  the chunk follows, `@@ def f():`) starts one, whose context (` `) and removed (`-`) lines Codex looks
  for in the file from where the chunk before ended, and replaces with its context and added (`+`) lines
  (`*** End of File` pins the chunk to the end).

`replaced` finds those lines in the file as the watcher read it after the write (a Codex chunk where its
new lines are and where Codex, looking for its old lines from the chunk before on, would have put them,
when there is one such place; a Claude Code hunk where it says) and gives the runs of lines the tool
replaced, `(old first, old count, new first, new count)`, 1-based (a run's first line is where its
lines are, or would be when it has none; the lines a run put back as they were at its start or end are
not in it), and the characters it inserted (linediff.inserted_chars over
each run's old and new lines). None when the report does not fit that text (another write came in
between, a line break other than LF or CRLF, a pure deletion Codex gives no place for, a chunk that
fits two places): then nothing is said.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from collector.text.linediff import inserted_chars

MAX_LINES = 200_000  # lines of a file looked through
MAX_RUNS = 10_000  # schemas.steps.file_change.MAX_RUNS
_END_OF_FILE = "*** End of File"
_FILE_HEADS = ("*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: ")

Run = tuple[int, int, int, int]


@dataclass(frozen=True)
class Chunk:
    lines: tuple[tuple[str, str], ...]  # (mark: " ", "-" or "+", the line without its break)
    new_start: int | None = None  # 1-based, as the tool said (Claude Code); None: to be found (Codex)
    old_start: int | None = None
    context: str | None = None  # Codex's `@@ LINE`: the chunk comes after that line
    end_of_file: bool = False

    @property
    def old(self) -> list[str]:
        return [text for mark, text in self.lines if mark != "+"]

    @property
    def new(self) -> list[str]:
        return [text for mark, text in self.lines if mark != "-"]


@dataclass(frozen=True)
class Replaced:
    runs: list[Run]
    chars: int


def chunks_of(reported: object) -> list[Chunk] | None:
    """The chunks of what the hook carried for one file: a list is Claude Code's structuredPatch, a string
    one file's part of a Codex patch, a map the `old` and `new` texts of a diff an ACP agent proposed
    (`codetape acp`); None for anything else (or an empty report: it says nothing)."""
    if isinstance(reported, list):
        return _structured(reported)
    if isinstance(reported, str):
        return _codex(reported)
    if isinstance(reported, dict):
        return _texts(reported.get("old"), reported.get("new"))
    return None


def _texts(old: object, new: object) -> list[Chunk] | None:
    """An ACP diff's texts (`old` None: a new file) as one chunk to be found in the file as a Codex chunk
    is (an agent may send the whole file, or only the part it replaces: Zed's Claude Code adapter sends
    an Edit's strings), its lines marked by difflib's line matching (bounded)."""
    if not isinstance(new, str) or not (old is None or isinstance(old, str)):
        return None
    before, after = ([] if old is None else body_lines(old)), body_lines(new)
    if len(before) + len(after) > MAX_LINES or not after:
        return None
    lines: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag == "equal":
            lines += [(" ", line) for line in after[j1:j2]]
        else:
            lines += [("-", line) for line in before[i1:i2]] + [("+", line) for line in after[j1:j2]]
    return [Chunk(tuple(lines))] if any(mark != " " for mark, _ in lines) else None


def _structured(hunks: list[object]) -> list[Chunk] | None:
    chunks = []
    for hunk in hunks:
        if not isinstance(hunk, dict):
            return None
        lines, new_start, old_start = hunk.get("lines"), hunk.get("newStart"), hunk.get("oldStart")
        if not (isinstance(lines, list) and _number(new_start) and _number(old_start)):
            return None
        marked = []
        for line in lines:
            if not isinstance(line, str) or not line or line[0] not in " -+\\":
                return None
            if line[0] != "\\":
                marked.append((line[0], line[1:]))
        chunks.append(Chunk(tuple(marked), new_start=new_start, old_start=old_start))
    return chunks or None


def _codex(section: str) -> list[Chunk] | None:
    lines = section.split("\n")
    if not lines or not lines[0].startswith(_FILE_HEADS[:2]):
        return None
    if lines[0].startswith(_FILE_HEADS[0]):  # a new file: every line added
        added = [line[1:] for line in lines[1:] if line.startswith("+")]
        return [Chunk(tuple(("+", line) for line in added), new_start=1, old_start=1)]
    chunks: list[Chunk] = []
    current: list[tuple[str, str]] | None = None
    context: str | None = None
    for line in lines[1:]:
        if line.startswith(_FILE_HEADS[3]) or line.startswith("*** End Patch"):
            continue
        if line.startswith("@@"):
            if current:
                chunks.append(Chunk(tuple(current), context=context))
            current, context = [], (line[3:] if line.startswith("@@ ") and line[3:] else None)
        elif line == _END_OF_FILE:
            if current:
                chunks.append(Chunk(tuple(current), context=context, end_of_file=True))
            current, context = None, None
        elif line[:1] in (" ", "-", "+"):
            if current is None:  # Codex takes a first chunk without its `@@`
                current = []
            current.append((line[0], line[1:]))
        elif line == "" and current is not None:  # an empty context line whose space was trimmed
            current.append((" ", ""))
    if current:
        chunks.append(Chunk(tuple(current), context=context))
    while chunks and chunks[-1].lines and chunks[-1].lines[-1] == (" ", ""):  # the section's last break
        last = chunks[-1]
        chunks[-1] = Chunk(last.lines[:-1], context=last.context, end_of_file=last.end_of_file)
    return chunks or None


def replaced(chunks: list[Chunk], after: str) -> Replaced | None:
    """The runs of lines `chunks` replaced to leave `after`, and the characters they inserted; None when
    they do not fit `after`."""
    if after.count("\r") != after.count("\r\n"):  # a CR alone ends a line for the replay, not for the tool
        return None
    body = body_lines(after)
    if len(body) > MAX_LINES:
        return None
    runs: list[Run] = []
    chars, delta, cursor = 0, 0, 0
    for chunk in chunks:
        at = _place(chunk, body, cursor)
        if at is None:
            return None
        if chunk.old_start is not None and chunk.new and chunk.old and at - delta != chunk.old_start - 1:
            return None
        old_at, new_at = at - delta, at
        run: list[list[str]] | None = None
        for mark, text in chunk.lines:
            if mark == " ":
                if run is not None:
                    chars += _close(runs, run, old_at, new_at)
                    old_at, new_at, run = old_at + len(run[0]), new_at + len(run[1]), None
                old_at, new_at = old_at + 1, new_at + 1
                continue
            run = run if run is not None else [[], []]
            run[0 if mark == "-" else 1].append(text)
        if run is not None:
            chars += _close(runs, run, old_at, new_at)
            new_at += len(run[1])
        delta += len(chunk.new) - len(chunk.old)
        cursor = at + len(chunk.new)
        if len(runs) > MAX_RUNS:
            return None
    return Replaced(runs, chars) if runs else None


def body_lines(text: str) -> list[str]:
    """The lines the tools count (no empty one past the last line break)."""
    lines = text.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def _close(runs: list[Run], run: list[list[str]], old_at: int, new_at: int) -> int:
    """Add the run of lines the tool replaced, less the lines it put back as they were at its start and end
    (Codex's `-b=2 +LIMIT = 10 +b=2` replaces no `b=2`: that line was already in the file)."""
    old, new = run
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old, new = old[start:len(old) - end], new[start:len(new) - end]
    if old or new:
        runs.append((old_at + start + 1, len(old), new_at + start + 1, len(new)))
    return inserted_chars("".join(f"{line}\n" for line in old), "".join(f"{line}\n" for line in new))


def _place(chunk: Chunk, body: list[str], cursor: int) -> int | None:
    """Where (0-based) the chunk's new lines start in `body`, found from `cursor` on."""
    new = chunk.new
    if chunk.new_start is not None:  # Claude Code's: where it says (a hunk of no new lines: before it)
        at = chunk.new_start - (1 if new else 0)
        return at if 0 <= at <= len(body) and _fits(body, at, new) else None
    if not new:
        return None  # a deletion without context: Codex gives no place
    if not chunk.old:  # only added lines: Codex puts them at the end of the file
        at = len(body) - len(new)
        return at if at >= cursor and _fits(body, at, new) else None
    if chunk.context is not None:
        found = seek(body, [chunk.context], cursor)
        if found is not None:
            cursor = found + 1
    if chunk.end_of_file:  # pinned to the end
        at = len(body) - len(new)
        return at if at >= cursor and _fits(body, at, new) else None
    found = None
    for at in range(cursor, len(body) - len(new) + 1):
        # a place where its new lines are, and where Codex would have found its old lines had the file
        # held them there; two such places: which one it was, nothing tells
        before = body[:at] + chunk.old + body[at + len(new):]
        if _fits(body, at, new) and seek(before, chunk.old, cursor) == at:
            if found is not None:
                return None
            found = at
    return found


def _fits(body: list[str], at: int, lines: list[str]) -> bool:
    return all(_same(body[at + i], line) for i, line in enumerate(lines)) if at + len(lines) <= len(body) \
        else False


def _same(have: str, line: str) -> bool:
    return have == line or have.rstrip("\r") == line.rstrip("\r") or have.strip() == line.strip()


def seek(body: list[str], pattern: list[str], cursor: int) -> int | None:
    """The first place from `cursor` where `pattern` is, compared as Codex does (exactly, then without
    trailing, then without any surrounding white space)."""
    for compare in (str.__eq__, lambda a, b: a.rstrip() == b.rstrip(), lambda a, b: a.strip() == b.strip()):
        for at in range(cursor, len(body) - len(pattern) + 1):
            if all(compare(body[at + i], line) for i, line in enumerate(pattern)):
                return at
    return None


def _number(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0



def unapplied(chunks: list[Chunk], after: str) -> str | None:
    """`after` with each chunk's new lines (its context and added lines) put back as its old ones, found
    from the chunk before on (a Claude Code hunk where it says, else where its lines are): the text the
    tool's change leaves out. None when a chunk's new lines are not in `after` (nor `after` lines as the
    tools count them), or a chunk has none (a pure deletion tells no place)."""
    if after.count("\r") != after.count("\r\n"):
        return None
    body = body_lines(after)
    if len(body) > MAX_LINES:
        return None
    cursor = 0
    for chunk in chunks:
        new, old = chunk.new, chunk.old
        if not new:
            return None
        at = None
        if chunk.new_start is not None and cursor < chunk.new_start and _fits(body, chunk.new_start - 1, new):
            at = chunk.new_start - 1  # where a Claude Code hunk says
        if at is None:
            at = seek(body, new, cursor)
        if at is None:
            return None
        eol = "\r" if body[at:at + len(new)] and body[at].endswith("\r") else ""
        body[at:at + len(new)] = [line.rstrip("\r") + eol for line in old]
        cursor = at + len(old)
    text = "\n".join(body)
    return text + "\n" if after.endswith("\n") and body else text


def changes_nothing(chunks: list[Chunk]) -> bool:
    """Whether the chunks replace no line (their old and new lines the same)."""
    return all(chunk.old == chunk.new for chunk in chunks)
