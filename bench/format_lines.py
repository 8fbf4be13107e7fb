"""A format's changed lines as ranged changes (lsp_bridge/capture/sync.py `formatted`): their ranges counted
one by one from the start of the text (before) against in one pass over it (collector/text/narrow.py
`narrowed_spans`, now).

    .venv/bin/python -m bench.format_lines [--rounds 15] [--no-readme]

A Python file of `size` characters whose every `step`-th line a formatter respells (`x=f(a,b)` to
`x = f(a, b)`, a few non-ASCII characters in each line), in utf-16 as an editor counts: the changed lines
found once (linediff.replacements), then each setup times only turning them into ranges. Before timing
both setups must give the same ranges. CPU ms a format, the garbage collector off, medians over the rounds
(each timing both setups, in alternating order).
"""

from __future__ import annotations

import argparse
import gc
import time
from collections.abc import Callable

from bench.live_env import code_during, code_state, load
from bench.report import command_line, machine, median, table, write_section
from collector.text.document import Span
from collector.text.linediff import replacements
from collector.text.narrow import Narrowed, narrowed_span, narrowed_spans

CASES = ((100_000, 50), (100_000, 5), (1_000_000, 50), (1_000_000, 5))  # (characters, every how many lines)
SAMPLE_S = 0.05  # CPU time each setup gets a round, in as many calls as fit


def texts(size: int, step: int) -> tuple[str, str]:
    """A file of about `size` characters and the same with every `step`-th line respelt by a formatter."""
    lines, total, n = [], 0, 0
    while total < size:
        line = f"value_{n}=compute({n},'é{n}')+offset  # line {n}\n"
        lines.append(line)
        total += len(line)
        n += 1
    after = [f"value_{i} = compute({i}, 'é{i}') + offset  # line {i}\n" if i % step == 0 else line
             for i, line in enumerate(lines)]
    return "".join(lines), "".join(after)


def one_by_one(before: str, wheres: list[Narrowed]) -> list[Span]:
    """How `formatted` counted them before: each range from the start of the text."""
    return [narrowed_span(before, where, "utf-16") for where in wheres]


def in_one_pass(before: str, wheres: list[Narrowed]) -> list[Span]:
    return narrowed_spans(before, wheres, "utf-16")


SETUPS: dict[str, Callable[[str, list[Narrowed]], list[Span]]] = {"before": one_by_one, "now": in_one_pass}


def sample(setup: str, before: str, wheres: list[Narrowed], repeat: int) -> float:
    """CPU seconds one format's ranges take."""
    counted = SETUPS[setup]
    gc.collect()
    gc.disable()
    try:
        began = time.process_time()
        for _ in range(repeat):
            counted(before, wheres)
        return (time.process_time() - began) / repeat
    finally:
        gc.enable()


def measure(args: argparse.Namespace) -> str:
    code, loads = code_state(), [load()]
    head = ["file", "lines changed", "before: each from the start, CPU ms", "now: one pass, CPU ms",
            "speed-up"]
    rows: list[list[object]] = []
    for size, step in CASES:
        before, after = texts(size, step)
        wheres = [Narrowed(e.before_start, e.before_end, e.after_end) for e in replacements(before, after)]
        if one_by_one(before, wheres) != in_one_pass(before, wheres):
            raise SystemExit("the ranges counted in one pass are not those counted one by one")
        repeat = {setup: max(1, min(1000, int(SAMPLE_S / max(sample(setup, before, wheres, 1), 1e-7))))
                  for setup in SETUPS}
        times: dict[str, list[float]] = {setup: [] for setup in SETUPS}
        for round_ in range(args.rounds):
            for setup in ("before", "now") if round_ % 2 == 0 else ("now", "before"):
                times[setup].append(sample(setup, before, wheres, repeat[setup]))
        old, new = median(times["before"]), median(times["now"])
        rows.append([f"{len(before):,} characters, {before.count(chr(10)):,} lines", f"{len(wheres):,}",
                     f"{old * 1e3:,.2f}", f"{new * 1e3:,.2f}", f"{old / new:,.0f}x"])
    loads.append(load())
    return "\n".join([
        f"Command: `{command_line()}` ({machine()}; {code_during(code)}); load average {loads[0]} at the "
        f"start, {loads[1]} at the end. {args.rounds} rounds, each timing both setups in alternating "
        f"order for about {SAMPLE_S * 1000:.0f} ms of CPU each, the garbage collector off; medians over the "
        "rounds.",
        "",
        table(head, rows),
    ])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    body = measure(args)
    print(body)
    if not args.no_readme:
        write_section("format-lines", body)


if __name__ == "__main__":
    main()
