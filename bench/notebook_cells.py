"""A notebook's cells told at the seal (collector/seal/cells.py): its cost per edit, and how many it tells.

    .venv/bin/python -m bench.notebook_cells [--rounds 5] [--no-readme]

A generated JupyterLab session on a notebook of `cells` code cells of 20 lines, every one holding two blank
lines in a row (PEP 8 between a statement and a definition) and a markdown cell above each fifth: keystrokes
as jupyterlab-lsp sends them (the whole virtual document, narrowed as the bridge narrows it), typed at the
end of one cell for a while and then another (a line break every 12 keys), saved every `every` keystrokes
(JupyterLab autosaves every 2 minutes: a few hundred keys) or never. Each row times `align_cells` over the
session's steps, CPU per edit (the garbage collector off, medians over the rounds), and counts the edits
it told in the cell they were typed in, told wrong (must be 0), or left without a cell and why.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time

from bench.live_env import code_during, code_state, load
from bench.report import command_line, machine, median, table, write_section
from collector.seal.cells import align_cells
from collector.text.narrow import narrowed, narrowed_span
from collector.text.notebook_cells import virtual_text
from schemas import Step
from schemas import steps as kinds
from schemas.steps.base import Position, Range

KEYS = 3_000
VIRTUAL = ".virtual_documents/nb.ipynb"
Cells = list[tuple[str, str]]


def notebook(count: int) -> Cells:
    cells: Cells = []
    for n in range(count):
        if n % 5 == 0:
            cells.append(("markdown", f"## Part {n // 5}"))
        lines = [f"value_{n}_{i} = compute({i}, 'é{n}') * {i}" for i in range(14)]
        body = ["def f():", *("    " + line for line in lines[7:])]
        cells.append(("code", "\n".join([*lines[:7], "", "", *body])))
    return cells


def ipynb(cells: Cells) -> str:
    return json.dumps({"cells": [{"cell_type": kind, "metadata": {}, "source": source,
                                  **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                                 for kind, source in cells], "metadata": {}, "nbformat": 4,
                       "nbformat_minor": 5}, indent=1) + "\n"


def session(count: int, every: int | None, seed: int = 7) -> tuple[list[Step], list[int]]:
    """The steps of a session and, for each edit, the cell it was typed in."""
    rng = random.Random(seed)
    cells = notebook(count)
    code = [n for n, (kind, _) in enumerate(cells) if kind == "code"]
    t = 0
    steps: list[Step] = [kinds.FileChangeStep(t_ms=t, source="watcher", path="nb.ipynb", change="created",
                                              text=ipynb(cells)),
                         kinds.OpenStep(t_ms=t, source="bridge", path=VIRTUAL, text=virtual_text(cells))]
    truth, cell = [], rng.choice(code)
    for key in range(1, KEYS + 1):
        if key % 60 == 0:
            cell = rng.choice(code)
        before = virtual_text(cells)
        kind, source = cells[cell]
        cells[cell] = (kind, source + ("\n" if key % 12 == 0 else rng.choice("abcxyz =()0123")))
        after = virtual_text(cells)
        change = narrowed(before, after)
        sl, sc, el, ec = narrowed_span(before, change, "utf-16")
        t += 1
        steps.append(kinds.EditStep(t_ms=t, source="bridge", path=VIRTUAL, changes=[kinds.ContentChange(
            range=Range(start=Position(line=sl, character=sc), end=Position(line=el, character=ec)),
            text=after[change.start:change.after_end])]))
        truth.append(cell)
        if every is not None and key % every == 0:
            steps += [kinds.SaveStep(t_ms=t, source="bridge", path=VIRTUAL),
                      kinds.FileChangeStep(t_ms=t, source="watcher", path="nb.ipynb", change="modified",
                                           text=ipynb(cells))]
    return steps, truth


def measure(args: argparse.Namespace) -> str:
    code, loads = code_state(), [load()]
    rows: list[list[object]] = []
    for count in (20, 100):
        for every in (600, 100, None):
            steps, truth = session(count, every)
            times = []
            for _ in range(args.rounds):
                gc.collect()
                gc.disable()
                try:
                    began = time.process_time()
                    out = list(align_cells(iter(steps), "utf-16"))
                    times.append(time.process_time() - began)
                finally:
                    gc.enable()
            edits = [step for step in out if isinstance(step, kinds.EditStep)]
            pairs = list(zip(edits, truth, strict=True))
            told = sum(edit.cell == cell for edit, cell in pairs)
            wrong = sum(edit.cell is not None and edit.cell != cell for edit, cell in pairs)
            why = {reason: sum(edit.cell_unknown == reason for edit in edits)
                   for reason in ("ambiguous", "unaligned")}
            rows.append([f"{count} code cells, {len(virtual_text(notebook(count))):,} characters",
                         f"every {every} keys" if every else "never", f"{len(edits):,}",
                         f"{median(times) / len(edits) * 1e6:,.0f}", f"{told:,}", f"{wrong:,}",
                         f"{why['ambiguous']:,}", f"{why['unaligned']:,}"])
    loads.append(load())
    head = ["notebook (at the start)", "saved", "edits", "CPU µs an edit", "told in their cell", "told wrong",
            "ambiguous", "unaligned"]
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; {code_during(code)}); load average {loads[0]} at the "
        f"start, {loads[1]} at the end. {args.rounds} rounds, the garbage collector off; medians over the "
        "rounds.", "", table(head, rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    body = measure(args)
    print(body)
    if not args.no_readme:
        write_section("notebook-cells", body)


if __name__ == "__main__":
    main()
