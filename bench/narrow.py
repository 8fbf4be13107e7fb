"""Narrowing a whole-text change (collector/text/narrow.py), as the bridge does it for JupyterLab's notebooks.

    .venv/bin/python -m bench.narrow [--rounds 15] [--no-readme]

A notebook's virtual document of `size` characters (code cells of 40 lines joined as jupyterlab-lsp joins
them, a few non-ASCII characters in each cell), a keystroke typed into its first, middle and last cell,
and the whole text replaced (the worst case: nothing shared). Each row times, in CPU µs a change, what the
bridge's text sync did before (the whole text applied to its copy, `TrackedDocument.apply`) and what it
does now (`lsp_bridge.capture.sync.narrowed_edit`: the shared ends, the range in utf-16; then the
ranged change applied), on one copy changed there and back, the garbage collector off, medians over the
rounds. Both runs on the bridge's
translator thread, after the message was forwarded (lsp_bridge/modes/proxy.py): not on the forwarding
path. Before timing, each narrowed change applied to a copy must give the text after, byte for byte.
"""

from __future__ import annotations

import argparse
import gc
import time
from pathlib import Path

from bench.live_env import code_during, code_state, load
from bench.report import command_line, machine, median, table, write_section
from collector.text.notebook_cells import SEPARATOR as CELL_SEPARATOR
from lsp_bridge.capture.sync import narrowed_edit
from lsp_bridge.documents.tracked import TrackedDocument
from schemas.steps.edit import ContentChange

SIZES = (100_000, 1_000_000, 8_000_000)  # characters
SAMPLE_S = 0.05  # CPU time a row gets per round and setup, in as many calls as fit
CELL_LINES = 40
PATH = ".virtual_documents/big.ipynb"


def virtual(size: int) -> tuple[str, list[int]]:
    """A virtual document of about `size` characters, and where each cell's first line ends."""
    cells, total, n = [], 0, 0
    while total < size:
        lines = [f"value_{n}_{i} = compute({i}, 'é{n}') * {i} + offset  # {i}" for i in range(CELL_LINES)]
        cell = "\n".join(lines)
        cells.append(cell)
        total += len(cell) + len(CELL_SEPARATOR)
        n += 1
    text = CELL_SEPARATOR.join(cells) + "\n"
    ends, at = [], 0
    for cell in cells:
        ends.append(at + cell.index("\n"))
        at += len(cell) + len(CELL_SEPARATOR)
    return text, ends


def changes(size: int) -> list[tuple[str, str, str]]:
    """(what, before, after) for each row of one size."""
    before, ends = virtual(size)
    rows = []
    for name, end in (("first", ends[0]), ("middle", ends[len(ends) // 2]), ("last", ends[-1])):
        rows.append((f"a keystroke in the {name} cell", before, before[:end] + "x" + before[end:]))
    rows.append(("the whole text replaced", before, "y" + before[1:-1].swapcase() + "z"))
    return rows


def document(text: str) -> TrackedDocument:
    return TrackedDocument("file:///w/" + PATH, Path("/w"), PATH, text, "utf-16", version=1)


def check(before: str, after: str) -> None:
    doc = document(before)
    ranged = narrowed_edit(doc, after)
    doc.apply(ranged, ())
    if doc.text != after:
        raise SystemExit("narrowing did not make the text after")


def sample(setup: str, before: str, after: str, repeat: int) -> float:
    """CPU seconds a change: `repeat` times the text after then the text before again, on one copy."""
    doc = document(before)
    doc.text  # noqa: B018  # (settled once, as the bridge's copy is between changes)
    texts = (after, before) * repeat
    gc.collect()
    gc.disable()
    try:
        began = time.process_time()
        if setup == "before":
            for text in texts:
                doc.apply([ContentChange(text=text)], ())
        else:
            for text in texts:
                doc.apply(narrowed_edit(doc, text), ())
        return (time.process_time() - began) / len(texts)
    finally:
        gc.enable()


def measure(args: argparse.Namespace) -> str:
    code, loads = code_state(), [load()]
    head = [
        "document",
        "change",
        "before: whole text applied, CPU µs",
        "now: narrowed and applied, CPU µs",
        "of which narrowing, CPU µs",
        "recorded characters before",
        "now",
    ]
    table_rows: list[list[object]] = []
    for size in SIZES:
        for what, before, after in changes(size):
            check(before, after)
            doc = document(before)
            ranged = narrowed_edit(doc, after)
            repeat = {}
            for setup in ("before", "now"):
                once = sample(setup, before, after, 1)
                repeat[setup] = max(1, min(200, int(SAMPLE_S / max(once, 1e-7))))
            times: dict[str, list[float]] = {"before": [], "now": [], "narrowing": []}
            for round_ in range(args.rounds):
                for setup in ("before", "now") if round_ % 2 == 0 else ("now", "before"):
                    times[setup].append(sample(setup, before, after, repeat[setup]))
                times["narrowing"].append(narrowing(before, after, repeat["now"]))
            table_rows.append(
                [
                    f"{len(before):,} characters",
                    what,
                    *(f"{median(times[k]) * 1e6:,.0f}" for k in ("before", "now", "narrowing")),
                    f"{len(after):,}",
                    f"{len(ranged[0].text):,}",
                ]
            )
    loads.append(load())
    return "\n".join(
        [
            f"Command: `{command_line()}` ({machine()}; {code_during(code)}); load average {loads[0]} at the "
            f"start, {loads[1]} at the end. {args.rounds} rounds, each timing both setups in alternating "
            f"order for about {SAMPLE_S * 1000:.0f} ms of CPU each (the document changed there and back), "
            "the garbage collector off; medians over the rounds.",
            "",
            table(head, table_rows),
        ]
    )


def narrowing(before: str, after: str, repeat: int) -> float:
    """CPU seconds of `narrowed_edit` alone (the shared ends, the range), the copy's text read once
    before the timing."""
    doc = document(before)
    doc.text  # noqa: B018  # (settled once, as the bridge's copy is between changes)
    gc.collect()
    gc.disable()
    try:
        began = time.process_time()
        for _ in range(repeat):
            narrowed_edit(doc, after)
        return (time.process_time() - began) / repeat
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    body = measure(args)
    print(body)
    if not args.no_readme:
        write_section("narrow", body)


if __name__ == "__main__":
    main()
