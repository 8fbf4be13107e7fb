"""Step chunks: columnar encoding of up to a few thousand steps (see schemas/EPISODE_FORMAT.md).

Pure functions, so they can be tested and benchmarked without files. `encode_chunk` reads the step
structs (schemas.steps) as they are; decoding gives plain step dicts, or what `make_edit` makes of an
edit's values (the reader makes EditSteps). Edits, the bulk of any episode, are split into columns with
ranges stored relative to a per-document caret; everything else is stored as a map (its plain form) with
its path interned. An edit's origin and its notebook cell (or why it has none) are sparse columns: only
the edits that have one cost anything.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from collector.errors import EpisodeError
from collector.text.positions import caret_after
from schemas.limits import MAX_CHANGES, MAX_POSITION

if TYPE_CHECKING:  # schemas.common loads msgspec, schemas.steps the step structs, which outlines need not
    from schemas.common import PositionEncoding
    from schemas.steps import Step

T = TypeVar("T")
# what makes an edit of its values: (t_ms, source, path, version, [(span or None, text)], origin, cell),
# where origin is None or an (origin, origin_detail) pair from the chunk's `O` table, either part maybe None,
# and cell None, the int the chunk's `cc` column gives or the reason (a str) its `cu` column gives
MakeEdit = Callable[[Any, Any, Any, Any, list[tuple[Any, str]], Any, Any], T]
GENERIC, EDIT = 0, 1
MAX_CHUNK_STEPS = 65_536


class _Interner:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.index: dict[str, int] = {}

    def __call__(self, value: str) -> int:
        found = self.index.get(value)
        if found is None:
            found = self.index[value] = len(self.items)
            self.items.append(value)
        return found


def encode_chunk(steps: Sequence[Step | dict[str, Any]], encoding: PositionEncoding) -> dict[str, Any]:
    """Columns for a non-empty list of steps in time order; a plain dict is a step of a kind this codetape
    does not know (a newer writer's), stored as its map."""
    from schemas.steps import EditStep, step_to_dict  # here: outlines read columns without the structs

    paths, sources = _Interner(), _Interner()
    origins: dict[tuple[Any, Any], int] = {}
    origin_at: list[int] = []  # edit number since the previous entry's, index into `origins`; flat
    last_origin = 0
    cell_at: list[int] = []  # edit number since the previous entry's, the edit's cell; flat
    last_cell = 0
    unknown_at: list[int | str] = []  # edit number since the previous entry's, why the edit has no cell
    last_unknown = 0
    kinds, dts, source_ids = bytearray(), [], bytearray()
    generic: list[dict[str, Any]] = []
    ep: list[int] = []
    ev: list[int | None] = []
    en: list[int] = []
    cf: list[int] = []
    cols: list[int] = []
    lengths: list[int] = []
    texts: list[str] = []
    carets: dict[int, tuple[int, int]] = {}
    versions: dict[int, int] = {}
    t0 = previous_t = _t_ms(steps[0])
    for step in steps:
        if type(step) is not EditStep:
            plain = step if type(step) is dict else step_to_dict(step)  # type: ignore[arg-type]
            dts.append(plain["t_ms"] - previous_t)
            previous_t = plain["t_ms"]
            source_ids.append(sources(plain["source"]))
            kinds.append(GENERIC)
            entry = {k: v for k, v in plain.items() if k not in ("t_ms", "source", "path")}
            if "path" in plain:
                entry["p"] = paths(plain["path"])
            generic.append(entry)
            continue
        dts.append(step.t_ms - previous_t)
        previous_t = step.t_ms
        source_ids.append(sources(step.source))
        kinds.append(EDIT)
        origin = step.origin, step.origin_detail
        if origin != (None, None):
            edit_no = len(ep)
            origin_at += (edit_no - last_origin, origins.setdefault(origin, len(origins)))
            last_origin = edit_no
        if step.cell is not None:
            edit_no = len(ep)
            cell_at += (edit_no - last_cell, step.cell)
            last_cell = edit_no
        if step.cell_unknown is not None:
            edit_no = len(ep)
            unknown_at += (edit_no - last_unknown, step.cell_unknown)
            last_unknown = edit_no
        path = paths(step.path)
        ep.append(path)
        version = step.version
        ev.append(None if version is None else version - versions.get(path, 0))
        if version is not None:
            versions[path] = version
        en.append(len(step.changes))
        line, char = carets.get(path, (0, 0))
        for change in step.changes:
            text = change.text
            rng = change.range
            if rng is None:
                cf.append(len(lengths))
                line, char = caret_after(0, 0, text, encoding)
            else:
                sl, sc = rng.start.line, rng.start.character
                el, ec = rng.end.line, rng.end.character
                dl = sl - line
                cols += (dl, sc - char if dl == 0 else sc, el - sl, ec - sc if el == sl else ec)
                line, char = caret_after(sl, sc, text, encoding)
            lengths.append(len(text))
            texts.append(text)
        carets[path] = (line, char)
    chunk = {
        "n": len(steps), "t0": t0, "k": bytes(kinds), "dt": dts,
        "S": sources.items, "s": bytes(source_ids), "P": paths.items, "g": generic,
        "ep": ep, "ev": ev, "en": en, "cf": cf, "c": cols, "cl": lengths, "ct": "".join(texts),
    }
    if origin_at:
        chunk["O"] = [list(pair) for pair in origins]
        chunk["eo"] = origin_at
    if cell_at:
        chunk["cc"] = cell_at
    if unknown_at:
        chunk["cu"] = unknown_at
    return chunk


def _t_ms(step: Step | dict[str, Any]) -> int:
    t_ms: int = step["t_ms"] if type(step) is dict else step.t_ms  # type: ignore[union-attr]
    return t_ms


def decode_chunk(chunk: Any, encoding: PositionEncoding) -> list[dict[str, Any]]:
    """Step dicts from one chunk's columns; raises EpisodeError naming the inconsistency."""
    return list(iter_chunk(chunk, encoding, edit_dict))


def edit_dict(t_ms: Any, source: Any, path: Any, version: Any,
              changes: list[tuple[Any, str]], origin: Any = None, cell: Any = None) -> dict[str, Any]:
    """An edit step's plain dict, from its values as the columns give them (`changes`: (span or None, text),
    a span as (start line, start character, end line, end character); `origin`: None or (origin, detail);
    `cell`: None, the notebook cell, or why the edit has none)."""
    step = {"kind": "edit", "t_ms": t_ms, "source": source, "path": path}
    if version is not None:
        step["version"] = version
    step["changes"] = plain_changes(changes)
    if origin is not None:
        if origin[0] is not None:
            step["origin"] = origin[0]
        if origin[1] is not None:
            step["origin_detail"] = origin[1]
    if cell is not None:
        step["cell_unknown" if type(cell) is str else "cell"] = cell
    return step


def plain_changes(changes: list[tuple[Any, str]]) -> list[dict[str, Any]]:
    """An edit's changes in their plain form (what EditStep's `changes` dump to)."""
    plain: list[dict[str, Any]] = []
    for span, text in changes:
        if span is None:
            plain.append({"text": text})
        else:
            sl, sc, el, ec = span
            plain.append({"range": {"start": {"line": sl, "character": sc},
                                    "end": {"line": el, "character": ec}}, "text": text})
    return plain


def iter_chunk(chunk: Any, encoding: PositionEncoding,
               make_edit: MakeEdit[T]) -> Iterator[dict[str, Any] | T]:
    """Like decode_chunk, one step at a time: only one decoded step is in memory beside the columns. An
    edit is what `make_edit` makes of its values: `edit_dict` makes its plain dict; the reader makes
    EditSteps directly (collector/episode/edit_structs.py)."""
    try:
        yield from _decode(chunk, encoding, make_edit)
    except EpisodeError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise EpisodeError(f"step chunk is malformed ({type(exc).__name__}: {exc})") from None


def _decode(chunk: Any, encoding: PositionEncoding, make_edit: MakeEdit[T]) -> Iterator[dict[str, Any] | T]:
    if not isinstance(chunk, dict):
        raise EpisodeError("step chunk is not a map")
    n = chunk["n"]
    kinds, dts, source_ids = chunk["k"], chunk["dt"], chunk["s"]
    sources, paths = chunk["S"], chunk["P"]
    counts = (len(kinds), len(dts), len(source_ids))
    if not (isinstance(n, int) and 0 < n <= MAX_CHUNK_STEPS and counts == (n, n, n)):
        raise EpisodeError("step chunk columns disagree on the step count")
    full = iter(chunk["cf"])  # ascending, as the encoder writes it
    next_full = next(full, None)
    cols, lengths, text = chunk["c"], chunk["cl"], chunk["ct"]
    if not isinstance(text, str) or sum(lengths) != len(text):
        raise EpisodeError("step chunk text column does not match its lengths")
    generic = iter(chunk["g"])
    edits = iter(zip(chunk["ep"], chunk["ev"], chunk["en"], strict=True))
    origins, origin_at = _origins(chunk)
    next_origin = next(origin_at, None)
    cell_at = _cells(chunk)
    next_cell = next(cell_at, None)
    unknown_at = _unknown(chunk)
    next_unknown = next(unknown_at, None)
    edit_no = 0
    carets: dict[int, tuple[int, int]] = {}
    versions: dict[int, int] = {}
    t = chunk["t0"]
    change_no = col = offset = 0
    for kind, dt, source_id in zip(kinds, dts, source_ids, strict=True):
        if not isinstance(dt, int) or dt < 0:
            raise EpisodeError("step times go backwards")
        t += dt
        source = sources[source_id]
        if kind == GENERIC:
            entry = dict(_next(generic))
            if "p" in entry:
                entry["path"] = paths[entry.pop("p")]
            yield {"kind": entry.pop("kind", None), "t_ms": t, "source": source, **entry}
            continue
        if kind != EDIT:
            raise EpisodeError(f"unknown step encoding {kind}")
        found: Any = next(edits, _MISSING)
        if found is _MISSING:
            raise EpisodeError(_FEWER)
        path, dver, count = found
        if not isinstance(count, int) or not 0 < count <= MAX_CHANGES:
            raise EpisodeError(f"an edit step in the chunk declares {count!r} changes "
                               f"(1 to {MAX_CHANGES} allowed)")
        path_name, version = paths[path], None
        if dver is not None:
            versions[path] = version = versions.get(path, 0) + dver
        line, char = carets.get(path, (0, 0))
        changes: list[tuple[Any, str]] = []
        for _ in range(count):
            size = lengths[change_no]
            change_text = text[offset : offset + size]
            offset += size
            if change_no == next_full:
                next_full = next(full, None)
                changes.append((None, change_text))
                line, char = caret_after(0, 0, change_text, encoding)
            else:
                dl, dc, del_, dec = cols[col : col + 4]
                col += 4
                sl = line + dl
                sc = char + dc if dl == 0 else dc
                el, ec = sl + del_, sc + dec if del_ == 0 else dec
                changes.append(((sl, sc, el, ec), change_text))
                if change_text.isascii() and "\n" not in change_text and "\r" not in change_text:
                    line, char = sl, sc + len(change_text)  # typing: caret_after's answer, without its search
                else:
                    line, char = caret_after(sl, sc, change_text, encoding)
            change_no += 1
        carets[path] = (line, char)
        origin = None
        if edit_no == next_origin:
            origin = origins[next(origin_at)]
            next_origin = next(origin_at, None)
            if next_origin is not None:
                next_origin += edit_no
        cell = None
        if edit_no == next_cell:
            cell = next(cell_at)
            next_cell = next(cell_at, None)
            if next_cell is not None:
                next_cell += edit_no
        if edit_no == next_unknown:
            cell = next(unknown_at)
            next_unknown = next(unknown_at, None)
            if next_unknown is not None:
                next_unknown += edit_no
        edit_no += 1
        yield make_edit(t, source, path_name, version, changes, origin, cell)
    leftover = next(generic, None), next(edits, None), next_full, next_origin, next_cell, next_unknown
    if leftover != (None, None, None, None, None, None) or change_no != len(lengths):
        raise EpisodeError("step chunk has entries left over")


def _origins(chunk: dict[Any, Any]) -> tuple[list[tuple[Any, Any]], Iterator[Any]]:
    """The chunk's origin table as (origin, detail) pairs, and its `eo` column: the first edit's number,
    then (index into the table, the next edit's number minus this one's) ... ending with an index."""
    table, flat = chunk.get("O"), chunk.get("eo")
    if table is None and flat is None:
        return [], iter(())
    if not isinstance(table, list) or not isinstance(flat, list) or len(flat) % 2:
        raise EpisodeError("step chunk origin columns are malformed")
    pairs = []
    for pair in table:
        if not isinstance(pair, list) or len(pair) != 2:
            raise EpisodeError("step chunk origin table holds something else than pairs")
        pairs.append((pair[0], pair[1]))
    for position, value in enumerate(flat):
        if type(value) is not int or value < (1 if position % 2 == 0 and position else 0) or \
                (position % 2 and value >= len(pairs)):
            raise EpisodeError("step chunk origin column holds a bad entry")
    return pairs, iter(flat)


def _cells(chunk: dict[Any, Any]) -> Iterator[Any]:
    """The chunk's `cc` column: the first edit's number, then (its cell, the next edit's number minus this
    one's) ... ending with a cell."""
    flat = chunk.get("cc")
    if flat is None:
        return iter(())
    if not isinstance(flat, list) or len(flat) % 2:
        raise EpisodeError("step chunk cell column is malformed")
    for position, value in enumerate(flat):
        if type(value) is not int or value < (1 if position % 2 == 0 and position else 0) or \
                value > MAX_POSITION:
            raise EpisodeError("step chunk cell column holds a bad entry")
    return iter(flat)


def _unknown(chunk: dict[Any, Any]) -> Iterator[Any]:
    """The chunk's `cu` column: the first edit's number, then (why it has no cell, the next edit's number
    minus this one's) ... ending with a reason; an edit has a cell or a reason, never both."""
    flat = chunk.get("cu")
    if flat is None:
        return iter(())
    if not isinstance(flat, list) or len(flat) % 2:
        raise EpisodeError("step chunk cell reason column is malformed")
    for position, value in enumerate(flat):
        if position % 2:
            if type(value) is not str or len(value) > 32:
                raise EpisodeError("step chunk cell reason column holds a bad entry")
        elif type(value) is not int or value < (1 if position else 0) or value > MAX_POSITION:
            raise EpisodeError("step chunk cell reason column holds a bad entry")
    return iter(flat)


def _next(entries: Iterator[Any]) -> Any:
    entry = next(entries, _MISSING)
    if entry is _MISSING:
        raise EpisodeError(_FEWER)
    return entry


_MISSING = object()
_FEWER = "step chunk has fewer entries than its kind column says"
