"""Edit steps made from a chunk's columns as `EditStep`s directly, not through a plain dict that msgspec
then converts: most steps are edits, and the dict and its conversion were half of reading one.

The values come from an untrusted file, so each is checked here as the schema would check it (types,
ranges, the source's pattern, the path's length). Any value in doubt makes the edit's plain dict
instead, which the reader validates as every other step: the schema's refusal then names what is wrong,
in the words it always has, and a value these checks are stricter about than the schema still reads.
"""

from __future__ import annotations

import re
from typing import Any, get_args

import msgspec

from collector.episode.chunk import edit_dict
from schemas.limits import MAX_MILLIS, MAX_POSITION, PATH_MAX, TEXT_MAX
from schemas.steps import ContentChange, EditStep
from schemas.steps.base import SOURCE_PATTERN, Position, Range
from schemas.steps.edit import ORIGIN_DETAIL_PATTERN, CellUnknown, EditOrigin

_SOURCE = re.compile(SOURCE_PATTERN)  # as msgspec checks `Source`
_ORIGINS = frozenset(get_args(EditOrigin))
_UNKNOWN = frozenset(get_args(CellUnknown))
_DETAIL = re.compile(ORIGIN_DETAIL_PATTERN)


class EditMaker:
    """`chunk.iter_chunk`'s maker of edits (see its `make_edit`): an EditStep when every value holds, else
    the plain dict. One per reading (it remembers the sources it has checked)."""

    def __init__(self) -> None:
        self._sources: dict[Any, bool] = {}

    def __call__(self, t_ms: Any, source: Any, path: Any, version: Any,
                 changes: list[tuple[Any, str]], origin: Any = None, cell: Any = None
                 ) -> EditStep | dict[str, Any]:
        if cell is not None:
            return self._with_cell(t_ms, source, path, version, changes, origin, cell)
        if origin is not None:
            return self._with_origin(t_ms, source, path, version, changes, origin)
        made = self._changes(changes)
        good_source = self._sources.get(source)
        if good_source is None:
            good_source = self._sources[source] = type(source) is str and _SOURCE.search(source) is not None
        if made is None or not good_source or type(t_ms) is not int or not 0 <= t_ms <= MAX_MILLIS or \
                type(path) is not str or not 0 < len(path) <= PATH_MAX or \
                (version is not None and type(version) is not int):
            return edit_dict(t_ms, source, path, version, changes)
        return EditStep(t_ms=t_ms, source=source, path=path, version=version, changes=made)

    def _with_origin(self, t_ms: Any, source: Any, path: Any, version: Any, changes: list[tuple[Any, str]],
                     origin: tuple[Any, Any]) -> EditStep | dict[str, Any]:
        """An edit with an origin (few have one): its values checked as any edit's, then its origin."""
        step = self(t_ms, source, path, version, changes)
        name, detail = origin
        good_name = name is None or (type(name) is str and name in _ORIGINS)
        good_detail = detail is None or (type(detail) is str and _DETAIL.search(detail) is not None)
        if not (isinstance(step, EditStep) and good_name and good_detail):
            return edit_dict(t_ms, source, path, version, changes, origin)
        return msgspec.structs.replace(step, origin=name, origin_detail=detail)

    def _with_cell(self, t_ms: Any, source: Any, path: Any, version: Any, changes: list[tuple[Any, str]],
                   origin: Any, cell: Any) -> EditStep | dict[str, Any]:
        """An edit of a notebook's virtual document: its values checked as any edit's, then its cell (or why
        it has none, a str)."""
        step = self(t_ms, source, path, version, changes, origin)
        if isinstance(step, EditStep) and type(cell) is str and cell in _UNKNOWN:
            return msgspec.structs.replace(step, cell_unknown=cell)
        if not (isinstance(step, EditStep) and type(cell) is int and 0 <= cell <= MAX_POSITION):
            return edit_dict(t_ms, source, path, version, changes, origin, cell)
        return msgspec.structs.replace(step, cell=cell)

    @staticmethod
    def _changes(changes: list[tuple[Any, str]]) -> list[ContentChange] | None:
        made = []
        for span, text in changes:
            if len(text) > TEXT_MAX:
                return None
            if span is None:
                made.append(ContentChange(text=text))
                continue
            sl, sc, el, ec = span
            if not (type(sl) is int and type(sc) is int and type(el) is int and type(ec) is int and
                    0 <= sl <= MAX_POSITION and 0 <= sc <= MAX_POSITION and 0 <= el <= MAX_POSITION and
                    0 <= ec <= MAX_POSITION):
                return None
            start = Position(line=sl, character=sc)
            end = start if el == sl and ec == sc else Position(line=el, character=ec)
            made.append(ContentChange(range=Range(start=start, end=end), text=text))
        return made
