"""LSP params (plain JSON values) to the steps the bridge sends. Pure functions.

Every reader here checks the shape it relies on and raises MalformedMessage with one line naming what
is wrong, so hostile or broken traffic is refused before it touches any state. Positional parts are read
straight into schemas' structs (`Position`, `Range`, `ContentChange`, `Selection`): their constructors
check no constraint, so these readers' checks are what make them valid. Builders take checked values
and return the schema's own step (schemas/steps), the one wire type at the socket: `t_ms` 0 (the
collector places a step when it writes it; its time travels beside it as `at_ms`), `source` `bridge`,
the absolute path (the collector makes it workspace-relative). The framing writes a struct as its plain
map, which the collector decodes straight into the same struct (tests/unit/lsp_bridge/test_translate_wire.py).
"""

from __future__ import annotations

import hashlib
from typing import Any, Literal

from lsp_bridge.errors import MalformedMessage
from schemas import steps as kinds
from schemas.limits import MAX_CHANGES, MAX_DIAGNOSTICS, MAX_POSITION, SHORT_TEXT_MAX, TEXT_MAX
from schemas.steps.base import Position, Range

SOURCE = "bridge"
FileChange = Literal["created", "modified", "deleted", "renamed"]
MAX_STEP_BYTES = 12 * 1024 * 1024  # the collector refuses messages above 16 MiB


# -- readers ---------------------------------------------------------------------------------------

def obj(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MalformedMessage(f"{what} is not an object")
    return value


def string(value: Any, what: str, *, limit: int = TEXT_MAX) -> str:
    if not isinstance(value, str):
        raise MalformedMessage(f"{what} is not a string")
    if len(value) > limit:
        raise MalformedMessage(f"{what} is longer than {limit} characters")
    return value


def integer(value: Any, what: str, *, low: int = -(2**53), high: int = 2**53) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise MalformedMessage(f"{what} is not an integer in [{low}, {high}]")
    return value


def optional_int(value: Any, what: str) -> int | None:
    return None if value is None else integer(value, what)


def position(value: Any, what: str = "position") -> Position:
    item = obj(value, what)
    return Position(line=integer(item.get("line"), f"{what}.line", low=0, high=MAX_POSITION),
                    character=integer(item.get("character"), f"{what}.character", low=0, high=MAX_POSITION))


def range_(value: Any, what: str = "range") -> Range:
    item = obj(value, what)
    return Range(start=position(item.get("start"), f"{what}.start"),
                 end=position(item.get("end"), f"{what}.end"))


def span(where: Range) -> tuple[int, int, int, int]:
    """A range as four ints (start line and character, end line and character): ordered as places in the
    text are, and the form collector's Document applies."""
    return where.start.line, where.start.character, where.end.line, where.end.character


def point(line: int, character: int) -> Range:
    """The empty range at a place (a caret)."""
    where = Position(line=line, character=character)
    return Range(start=where, end=where)


def document_uri(params: Any) -> str:
    """`params.textDocument.uri`."""
    return string(obj(obj(params, "params").get("textDocument"), "textDocument").get("uri"), "uri",
                  limit=8192)


def document_version(params: dict[str, Any]) -> int | None:
    return optional_int(obj(params.get("textDocument"), "textDocument").get("version"), "version")


def content_changes(params: dict[str, Any]) -> list[kinds.ContentChange]:
    """`params.contentChanges` of didChange: ranged (incremental) or whole-document changes."""
    raw = params.get("contentChanges")
    if not isinstance(raw, list) or not raw:
        raise MalformedMessage("contentChanges is not a non-empty list")
    if len(raw) > MAX_CHANGES:
        raise MalformedMessage(f"more than {MAX_CHANGES} content changes")
    changes = []
    for index, item in enumerate(raw):
        change = obj(item, f"contentChanges[{index}]")
        text = string(change.get("text"), f"contentChanges[{index}].text")
        where = change.get("range")
        changes.append(kinds.ContentChange(
            range=None if where is None else range_(where, f"contentChanges[{index}].range"), text=text))
    return changes


def file_uris(params: Any, key: str) -> list[str]:
    """`params.files[*][key]` of workspace/didCreateFiles, didDeleteFiles (uri), didRenameFiles."""
    files = obj(params, "params").get("files")
    if not isinstance(files, list):
        raise MalformedMessage("files is not a list")
    return [string(obj(item, "file").get(key), f"file.{key}", limit=8192) for item in files]


# -- builders --------------------------------------------------------------------------------------

def too_large(*texts: str) -> bool:
    """Whether texts together exceed what one step may carry (UTF-8 is measured only when it may)."""
    chars = sum(len(text) for text in texts)
    if chars * 4 <= MAX_STEP_BYTES:
        return False
    return sum(len(text.encode("utf-8", "surrogatepass")) for text in texts) > MAX_STEP_BYTES


def open_step(path: str, language_id: str, version: int | None, text: str) -> kinds.OpenStep:
    return kinds.OpenStep(t_ms=0, source=SOURCE, path=path, language_id=language_id[:128], version=version,
                          text=text)


def edit_step(path: str, version: int | None, changes: list[kinds.ContentChange],
              origin: tuple[kinds.EditOrigin, str] | None = None, cell: int | None = None) -> kinds.EditStep:
    if origin is None:
        return kinds.EditStep(t_ms=0, source=SOURCE, path=path, version=version, changes=changes, cell=cell)
    return kinds.EditStep(t_ms=0, source=SOURCE, path=path, version=version, changes=changes,
                          origin=origin[0], origin_detail=origin[1], cell=cell)


def close_step(path: str) -> kinds.CloseStep:
    return kinds.CloseStep(t_ms=0, source=SOURCE, path=path)


def save_step(path: str, sha256: str | None, text: str | None = None) -> kinds.SaveStep:
    return kinds.SaveStep(t_ms=0, source=SOURCE, path=path, sha256=sha256, text=text)


def file_content(data: bytes | None, *, max_bytes: int) -> dict[str, Any]:
    """The content fields of a file_change step for the bytes on disk (None: unreadable, no content)."""
    if data is None:
        return {}
    if len(data) > max_bytes:
        return {"size": len(data), "omitted": "too_large"}
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = "\0"
    if "\0" in text:
        return {"size": len(data), "omitted": "binary"}
    return {"text": text, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}


def file_change_step(path: str, change: FileChange, *, new_path: str | None = None,
                     content: dict[str, Any] | None = None) -> kinds.FileChangeStep:
    """`content`: file_content's fields (text, sha256, size, omitted)."""
    return kinds.FileChangeStep(t_ms=0, source=SOURCE, path=path, change=change, new_path=new_path,
                                **(content or {}))


def diagnostic_items(raw: Any) -> list[tuple[Range, dict[str, Any]]]:
    """LSP Diagnostic objects as (range, the other kept fields); long text is cut, not refused."""
    if not isinstance(raw, list):
        raise MalformedMessage("diagnostics is not a list")
    items = []
    for index, value in enumerate(raw[:MAX_DIAGNOSTICS]):
        item = obj(value, f"diagnostics[{index}]")
        where = range_(item.get("range"), f"diagnostics[{index}].range")
        message = item.get("message")
        if isinstance(message, dict):  # MarkupContent (LSP 3.18)
            message = message.get("value")
        kept: dict[str, Any] = {"message": string(message, f"diagnostics[{index}].message")[:SHORT_TEXT_MAX]}
        severity = item.get("severity")
        if isinstance(severity, int) and not isinstance(severity, bool) and 1 <= severity <= 4:
            kept["severity"] = severity
        code = item.get("code")
        if isinstance(code, str):
            kept["code"] = code[:SHORT_TEXT_MAX]
        elif isinstance(code, int) and not isinstance(code, bool):
            kept["code"] = code
        source = item.get("source")
        if isinstance(source, str):
            kept["source"] = source[:256]
        items.append((where, kept))
    return items


def diagnostics_step(path: str, origin: str, version: int | None,
                     items: list[tuple[Range, dict[str, Any]]]) -> kinds.DiagnosticsStep:
    return kinds.DiagnosticsStep(t_ms=0, source=SOURCE, path=path, origin=origin[:256], version=version,
                                 items=[kinds.Diagnostic(range=where, **kept) for where, kept in items])


def cursor_step(path: str, selections: list[kinds.Selection]) -> kinds.CursorStep:
    return kinds.CursorStep(t_ms=0, source=SOURCE, path=path, selections=selections)


def command_step(command_line: str, cwd: str, exit_code: int | None, duration_ms: int) -> kinds.CommandStep:
    return kinds.CommandStep(t_ms=0, source=SOURCE, command_line=command_line[:SHORT_TEXT_MAX], cwd=cwd,
                             exit_code=exit_code, duration_ms=duration_ms)


def note_step(text: str) -> kinds.NoteStep:
    return kinds.NoteStep(t_ms=0, source=SOURCE, text=text[:SHORT_TEXT_MAX])


def gap_step(reason: kinds.GapReason, detail: str, *, lost: int | None = None,
             state: list[kinds.FileState] | None = None, source: str = SOURCE) -> kinds.GapStep:
    return kinds.GapStep(t_ms=0, source=source, reason=reason, detail=detail[:SHORT_TEXT_MAX],
                         lost_steps=lost or None, state=state or None)


def step_size(step: kinds.Step) -> int:
    """A cheap upper-bound estimate of a step's size, for bounding queues (by type: a struct has only its
    kind's attributes, and a missing one costs an exception)."""
    size = 256
    if type(step) is kinds.EditStep:  # the keystroke's: first
        for change in step.changes:
            size += 96 + len(change.text)
    elif isinstance(step, (kinds.OpenStep, kinds.SaveStep, kinds.FileChangeStep, kinds.NoteStep)):
        size += len(step.text or "")
    elif isinstance(step, (kinds.CommandStep, kinds.AgentStep)):
        size += len(step.command_line or "")
    elif isinstance(step, (kinds.DiagnosticsStep, kinds.OfferStep)):
        size += 160 * len(step.items)
    elif isinstance(step, kinds.CursorStep):
        size += 96 * len(step.selections)
    elif isinstance(step, kinds.GapStep):
        for state in step.state or ():
            size += 64 + len(state.text or "")
    return size
