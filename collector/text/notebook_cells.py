"""A notebook's cells in its virtual document: where they are, as the `.ipynb` has them, and which cell a
change lies in.

jupyterlab-lsp's virtual document of a notebook is one block per cell, a code cell's code (a markdown or
raw cell's: none) ended with one line break, the blocks joined with two more (`VirtualDocument.value`,
`blankLinesBetweenCells = 2`, in @jupyterlab/lsp and jupyterlab-lsp's `src/virtual/document.ts`): cells
are separated by SEPARATOR, three line breaks, and the document ends with one. A segmentation says where:
the offsets of its separators, in order, one fewer than the notebook has cells.

The text alone does not tell it: a cell may hold two blank lines in a row (a cell formatted to PEP 8) or
start with a blank line. The `.ipynb` does, at a save (`aligned`: its cells' lines against the document's);
between two saves a segmentation is carried through each change (`moves`), which may leave more than
one: a line break typed between two cells is the first cell's last or the next one's first, the same text
either way, until a later text or save tells them apart.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator, Sequence

from collector.text.linediff import shared_prefix, shared_suffix

SEPARATOR = "\n\n\n"
Segmentation = tuple[int, ...]  # the offsets of the separators, ascending, not overlapping
MAGIC = "get_ipython()"  # what jupyterlab-lsp's IPython overrides put in a line they rewrite
MAX_PLACES = 4096  # places one change could sit at (a run of repeated characters) looked at, at most
MAX_NEW = 64  # segmentations a change's new separators may give, at most


def notebook_cells(text: str) -> list[tuple[str, str]] | None:
    """The cells of an `.ipynb`'s text as (cell type, source); None when it is not a notebook's JSON."""
    try:
        notebook = json.loads(text)
    except (ValueError, RecursionError):
        return None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        return None
    found = []
    for cell in cells:
        if not isinstance(cell, dict):
            return None
        kind, source = cell.get("cell_type"), cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(kind, str) or not isinstance(source, str):
            return None
        found.append((kind, source))
    return found


def virtual_text(cells: Sequence[tuple[str, str]]) -> str:
    """The virtual document jupyterlab-lsp makes of these cells (no IPython magic rewritten)."""
    return SEPARATOR.join(source if kind == "code" else "" for kind, source in cells) + "\n"


def aligned(doc: str, cells: Sequence[tuple[str, str]]) -> Segmentation | None:
    """The segmentation that lays `cells` (a save's) over the virtual document `doc`, line by line; None
    when there is none, or more than one.

    A markdown or raw cell is one empty line; a code cell its source's lines, each the same in `doc` or
    rewritten by an IPython override (a line holding `get_ipython()`); a cell starting with a `%%` cell magic
    (its code rewritten or extracted whole) any one line or more. Two empty lines separate cells."""
    if not cells or not doc.endswith("\n"):
        return None
    lines = doc[:-1].split("\n")
    # for each cell, each line it may start at and the line the cell before started at (AMBIGUOUS: two
    # ways lead there); then the end of the last cell, which must be the document's
    layers: list[dict[int, int]] = [{0: -1}]
    for index, (kind, source) in enumerate(cells):
        last = index == len(cells) - 1
        following: dict[int, int] = {}
        for first in layers[-1]:
            for end in _ends(lines, first, kind, source):  # the line after the cell's last
                if last and end != len(lines):
                    continue
                if not last:
                    if not (end + 2 < len(lines) and lines[end] == lines[end + 1] == ""):
                        continue
                    end += 2
                following[end] = AMBIGUOUS if end in following else first
        if not following:
            return None
        layers.append(following)
    firsts, at = [], len(lines)
    for layer in reversed(layers[1:]):
        at = layer[at]
        if at == AMBIGUOUS:
            return None
        firsts.append(at)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    # the line break ending a cell's last line, two lines above the next cell's first
    return tuple(starts[first - 2] - 1 for first in reversed(firsts[:-1]))


AMBIGUOUS = -2


def _ends(lines: list[str], first: int, kind: str, source: str) -> Iterator[int]:
    """Where a cell starting at line `first` may end (the line after its last)."""
    if kind != "code":
        if first < len(lines) and lines[first] == "":
            yield first + 1
        return
    if source.startswith("%%"):
        yield from range(first + 1, len(lines) + 1)
        return
    own = source.split("\n")
    end = first + len(own)
    if end > len(lines):
        return
    for mine, theirs in zip(own, lines[first:end], strict=True):
        if mine != theirs and MAGIC not in theirs:
            return
    yield end


def moves(src: str, dst: str, start: int, removed: int, inserted: int,
          segmentations: frozenset[Segmentation]) -> dict[Segmentation, set[int | None]] | None:
    """What each of `segmentations` of `src` may become when `src[start:start + removed]` is replaced by
    `dst[start:start + inserted]` (which turns `src` into `dst`), each with the cell the change lies in
    (`cell_between`); None when there are too many to follow.

    The change may sit anywhere it makes the same text (`places`); wherever it does, a separator before or
    after it stays, one inside what it removed goes (cells deleted or joined), one cut by it rules that
    place out, and a separator inside what it inserted may be new (cells added or split) or not."""
    if removed == inserted and src[start:start + removed] == dst[start:start + inserted]:
        return {seps: {None} for seps in segmentations}
    found: dict[Segmentation, set[int | None]] = {}
    content = len(dst) - 1 if dst.endswith("\n") else len(dst)  # (a separator ends before the last break)
    low, high = places(src, dst, start, removed, inserted)
    if high - low > MAX_PLACES:
        return None
    shift = inserted - removed
    if dst.find(SEPARATOR, low, min(high + inserted, content)) < 0:  # no new separator at any place
        left = set()
        for seps in segmentations:  # (the common case: no separator near any place, all places alike)
            first = bisect.bisect_right(seps, low - len(SEPARATOR))
            if first != bisect.bisect_left(seps, high + removed):
                left.add(seps)
                continue
            tail = tuple(map(shift.__add__, seps[first:])) if shift else seps[first:]
            found.setdefault(seps[:first] + tail, set()).add(first)
        segmentations = frozenset(left)
    for at in range(low, high + 1) if segmentations else ():
        new = _new_separators(dst, at, min(at + inserted, content))
        if new is None:
            return None
        for seps in segmentations:
            first = bisect.bisect_right(seps, at - len(SEPARATOR))
            after = bisect.bisect_left(seps, at + removed)
            if first < after and (seps[first] < at or seps[after - 1] + len(SEPARATOR) > at + removed):
                continue  # a separator cut by the change
            head, tail = seps[:first], tuple(map(shift.__add__, seps[after:])) if shift else seps[after:]
            for added in new:
                became = head + added + tail
                cells = found.setdefault(became, set())
                cells.add(cell_between(src, seps, dst, became, first, after - first, len(added)))
        if len(found) > MAX_NEW:
            return None
    return found


def places(src: str, dst: str, start: int, removed: int, inserted: int) -> tuple[int, int]:
    """The first and last place the change could sit at making the same text (a line break typed in a run
    of them sits at any of theirs)."""
    right = _shared(src, dst, start, start, 1)  # characters shared after `start`
    left = _shared(src, dst, start + removed, start + inserted, -1)  # before each end
    return start - min(left, start), start + min(right, len(src) - removed - start)


def _shared(a: str, b: str, i: int, j: int, way: int) -> int:
    """How many characters `a` from `i` and `b` from `j` share, going right (`way` 1) or left (-1)."""
    window, seen = 64, 0
    while True:
        if way > 0:
            x, y = a[i + seen : i + seen + window], b[j + seen : j + seen + window]
            same = shared_prefix(x, y)
        else:
            x = a[max(0, i - seen - window) : i - seen]
            y = b[max(0, j - seen - window) : j - seen]
            same = shared_suffix(x, y)
        seen += same
        if same < window or not x or not y or seen > MAX_PLACES:
            return seen
        window *= 2


def _new_separators(dst: str, begin: int, end: int) -> list[Segmentation] | None:
    """Every set of separators, none overlapping, that lie within `dst[begin:end]` (none among them too)."""
    at = dst.find(SEPARATOR, begin, end)
    if at < 0:
        return [()]
    spots = []
    while at >= 0:
        spots.append(at)
        at = dst.find(SEPARATOR, at + 1, end)
    chosen: list[Segmentation] = [()]
    for spot in spots:
        chosen += [(*seps, spot) for seps in chosen if not seps or seps[-1] + len(SEPARATOR) <= spot]
        if len(chosen) > MAX_NEW:
            return None
    return chosen


def cell_between(src: str, seps: Segmentation, dst: str, became: Segmentation, first: int, gone: int,
                 added: int) -> int | None:
    """The cell where the cells of `src` (split at `seps`) and of `dst` (at `became`) first differ, after
    the cells they end with alike: the `gone` separators of `seps` from its `first` gave way to `added` new
    ones (so a cell added is the new one, a cell deleted that one); None when none differs."""
    if gone == added == 0:
        return first
    before = _cells(src, seps, first, first + gone)
    after = _cells(dst, became, first, first + added)
    shared = min(len(before), len(after))
    tail = 0
    while tail < shared and before[-1 - tail] == after[-1 - tail]:
        tail += 1
    head = 0
    while head < shared - tail and before[head] == after[head]:
        head += 1
    if head == shared - tail and len(before) == len(after):
        return None
    return first + head


def _cells(text: str, seps: Segmentation, first: int, last: int) -> list[str]:
    """The cells `first` to `last` of `text` split at `seps`."""
    begin = seps[first - 1] + len(SEPARATOR) if first else 0
    cells = []
    for index in range(first, last + 1):
        end = seps[index] if index < len(seps) else (len(text) - 1 if text.endswith("\n") else len(text))
        cells.append(text[begin:end])
        begin = end + len(SEPARATOR)
    return cells


def cell_at(seps: Segmentation, offset: int) -> int:
    """The cell holding `offset` (a separator's line breaks: the cell after it)."""
    return bisect.bisect_right(seps, offset - len(SEPARATOR))


def separated(text: str, seps: Segmentation) -> list[str]:
    """The cells of `text` split at `seps`."""
    return _cells(text, seps, 0, len(seps))

