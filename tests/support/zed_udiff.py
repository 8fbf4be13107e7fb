"""A Python port of how Zed applies an `ExampleSpec`'s `edit_history` when its edit-prediction CLI loads an
example (zed-industries/zed: crates/edit_prediction_cli/src/load_project.rs `apply_edit_history`, which
calls crates/edit_prediction/src/udiff.rs `apply_diff`, whose parsing and hunk resolution are
crates/zeta_prompt/src/udiff.rs), so the zeta2 tests load rows the way Zed does without building Zed.

Ported, each under its Rust name: `DiffLine::parse` (`parse_line`, with `parse_header_path` and
`eat_required_whitespace`), `DiffParser::next` (`events`), `find_context_candidates`,
`disambiguate_by_line_number`, `resolve_hunk_edits_in_buffer` and `apply_diff` (`apply_diff`, over a
dict of file texts for the project's buffers). Offsets count characters where Zed counts UTF-8 bytes: the
same positions, since every offset is into the same text. `language::text_diff`, which only splits a
hunk's edit into smaller ones, is left out: the text it leaves is the same. A file created or deleted by a
diff (`/dev/null`) is as Zed's `FileStatus`; renames are not ported (codetape writes none).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

NO_NEWLINE = "\\ No newline"


class ZedDiffError(Exception):
    """What Zed's loader would fail with (`Failed to match context`, `Context is not unique enough`, ...)."""


@dataclass
class Edit:
    start: int
    end: int
    text: str


@dataclass
class Hunk:
    context: str = ""
    edits: list[Edit] = field(default_factory=list)
    start_line: int | None = None

    def is_empty(self) -> bool:
        return not self.context and not self.edits


def rust_lines(text: str) -> list[str]:
    """Rust's `str::lines`: split at `\\n`, a `\\r` before it dropped, no empty last line."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]


def _eat_required_whitespace(header: str) -> str | None:
    trimmed = header.lstrip(" \t\n\r\f")
    return None if len(trimmed) == len(header) else trimmed


def _parse_header_path(prefix: str, header: str) -> str:
    if '"' not in header and "\\" not in header:
        parts = header.split()
        path = parts[0] if parts else header
        return path[len(prefix):] if path.startswith(prefix) else path
    path, in_quote, strip, chars, n = "", False, prefix, header, 0
    while n < len(chars):
        char = chars[n]
        n += 1
        if char == '"':
            in_quote = not in_quote
        elif char == "\\":
            if n >= len(chars):
                break
            path += chars[n]
            n += 1
        elif char in " \t\n\r\f" and not in_quote:
            break
        else:
            path += char
        if strip is not None and path == strip:
            strip, path = None, ""
    return path


def parse_line(line: str) -> tuple[str, object]:
    """`DiffLine::parse`: (kind, value), kind one of old_path, new_path, hunk_header, context, deletion,
    addition, no_newline, garbage."""
    if line.startswith(NO_NEWLINE):
        return "no_newline", None
    if line.startswith("---") and (rest := _eat_required_whitespace(line[3:])) is not None:
        return "old_path", _parse_header_path("a/", rest)
    if line.startswith("+++") and (rest := _eat_required_whitespace(line[3:])) is not None:
        return "new_path", _parse_header_path("b/", rest)
    if line.startswith("@@") and (rest := _eat_required_whitespace(line[2:])) is not None:
        if rest.startswith("..."):
            return "hunk_header", None
        tokens = rest.split()
        if len(tokens) < 2 or not tokens[0].startswith("-") or not tokens[1].startswith("+"):
            return "garbage", line
        old_start = tokens[0][1:].split(",", 1)[0]
        if not old_start.isdigit():
            return "garbage", line
        return "hunk_header", max(int(old_start) - 1, 0)  # start_line_old, 0-based
    if line.startswith("-"):
        return "deletion", line[1:]
    if line == "":
        return "context", ""
    if line.startswith(" "):
        return "context", line[1:]
    if line.startswith("+"):
        return "addition", line[1:]
    return "garbage", line


def events(diff: str) -> Iterator[tuple[str, str, Hunk | None, str]]:
    """`DiffParser::next`: ("hunk", path, hunk, status) and ("file_end", "", None, "") in order; status is
    Zed's FileStatus (created, deleted, modified)."""
    lines = [(line, parse_line(line)) for line in rust_lines(diff)]
    current: list[str] | None = None  # [old path, new path]
    hunk, pending_start = Hunk(), None
    processed_no_newline, last_op = False, "none"
    n = 0
    while True:
        kind = lines[n][1][0] if n < len(lines) else None
        hunk_done = kind in ("old_path", "garbage", None, "hunk_header")
        file_done = kind in ("old_path", "garbage", None)
        if hunk_done and current is not None and not hunk.is_empty():
            status = "created" if current[0] == "/dev/null" else "deleted" if current[1] == "/dev/null" \
                else "modified"
            hunk.start_line, pending_start = pending_start, None
            processed_no_newline, last_op = False, "none"
            yield "hunk", current[1] if status == "created" else current[0], hunk, status
            hunk = Hunk()
        if file_done and current is not None:
            current = None
            yield "file_end", "", None, ""
        if n >= len(lines):
            return
        _line, (kind, value) = lines[n]
        if kind == "old_path":
            current = [str(value), ""]
        elif kind == "new_path":
            if current is not None:
                current[1] = str(value)
        elif kind == "hunk_header":
            if value is not None:
                pending_start = int(str(value))
        elif kind == "context" and current is not None:
            hunk.context += f"{value}\n"
            last_op = "context"
        elif kind == "deletion" and current is not None:
            start, end = len(hunk.context), len(hunk.context) + len(str(value)) + 1
            if hunk.edits and hunk.edits[-1].end == start:
                hunk.edits[-1].end = end
            else:
                hunk.edits.append(Edit(start, end, ""))
            hunk.context += f"{value}\n"
            last_op = "deletion"
        elif kind == "addition" and current is not None:
            at = len(hunk.context)
            if hunk.edits and hunk.edits[-1].end == at:
                hunk.edits[-1].text += f"{value}\n"
            else:
                hunk.edits.append(Edit(at, at, f"{value}\n"))
            last_op = "addition"
        elif kind == "no_newline" and not processed_no_newline:
            processed_no_newline = True
            if last_op == "addition":
                if hunk.edits:
                    hunk.edits[-1].text = hunk.edits[-1].text[:-1]
            elif last_op == "deletion":
                hunk.context = hunk.context[:-1]
                if hunk.edits:
                    hunk.edits[-1].end -= 1
            else:
                hunk.context = hunk.context[:-1]
        n += 1


def find_context_candidates(text: str, hunk: Hunk) -> list[int]:
    """`find_context_candidates`: where the context occurs; failing that, a context ending in a newline
    the text lacks matches at the very end (the hunk trimmed to it)."""
    candidates = _match_indices(text, hunk.context)
    if candidates:
        return candidates
    if hunk.context.endswith("\n"):
        hunk.context = hunk.context[:-1]
        new_len = len(hunk.context)
        if hunk.context:
            found = [at for at in _match_indices(text, hunk.context) if at + new_len == len(text)]
            if found:
                for edit in hunk.edits:
                    phantom = edit.end > new_len
                    edit.start, edit.end = min(edit.start, new_len), min(edit.end, new_len)
                    if phantom and edit.text.endswith("\n"):
                        edit.text = edit.text[:-1]
                return found
        hunk.context += "\n"
    return []


def _match_indices(text: str, pattern: str) -> list[int]:
    """Rust's `match_indices`: non-overlapping, left to right."""
    found, at = [], text.find(pattern)
    while at >= 0:
        found.append(at)
        at = text.find(pattern, at + max(len(pattern), 1))
    return found


def disambiguate_by_line_number(candidates: list[int], expected_line: int | None, text: str) -> int | None:
    """`disambiguate_by_line_number`: the one candidate, or among several the one on the hunk's line."""
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    if expected_line is None:
        return None
    return next((at for at in candidates if text.count("\n", 0, at) == expected_line), None)


def resolve_hunk_edits_in_buffer(hunk: Hunk, text: str, status: str) -> list[Edit]:
    """`resolve_hunk_edits_in_buffer`: the hunk's edits at their place in `text`."""
    if status == "created" or not hunk.context:
        offset = 0
    else:
        candidates = find_context_candidates(text, hunk)
        found = disambiguate_by_line_number(candidates, hunk.start_line, text)
        if found is None:
            raise ZedDiffError(("Failed to match context" if not candidates else
                                "Context is not unique enough") + f":\n{hunk.context}")
        offset = found
    for edit in hunk.edits:
        if edit.end > len(text):
            raise ZedDiffError(f"Edit range {edit.start}..{edit.end} exceeds buffer length")
    return [Edit(offset + edit.start, offset + edit.end, edit.text) for edit in hunk.edits]


def apply_diff(diff: str, files: dict[str, str]) -> dict[str, str]:
    """`apply_diff` over `files` (path -> text, the project's buffers, changed in place and returned): each
    file section's hunks resolved against the buffer as the section began, applied at its end."""
    current: str | None = None
    edits: list[Edit] = []
    for kind, path, hunk, status in events(diff):
        if kind == "hunk":
            assert hunk is not None
            if status == "deleted":
                files.pop(path, None)
                continue
            if current is None:
                if status == "created":
                    files.setdefault(path, "")
                elif path not in files:
                    raise ZedDiffError(f"no such path: {path}")
                current = path
            edits.extend(resolve_hunk_edits_in_buffer(hunk, files[current], status))
        else:
            if current is None:
                raise ZedDiffError("Got a FileEnd event before an Hunk event")
            text = files[current]
            for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
                text = text[:edit.start] + edit.text + text[edit.end:]
            files[current], current, edits = text, None, []
    return files
