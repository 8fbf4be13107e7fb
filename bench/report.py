"""Small helpers shared by the benchmark scripts: medians, Markdown tables, README sections."""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path

# `python -m bench check` points this at a scratch copy, so a check run never rewrites the real tables
README = Path(os.environ.get("CODETAPE_BENCH_README") or Path(__file__).with_name("README.md"))


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def table(head: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A Markdown table; numbers are expected to be formatted already."""
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    return (f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, "
            f"{os.cpu_count()} CPUs (shared with other work)")


def python_ms() -> float:
    """How fast this machine runs Python now: the fastest of 5 runs of a fixed pure-Python loop (formatting,
    dict and list work, as codetape's readers do), in ms. Figures from two machines compare only scaled by
    it, and then roughly."""
    def loop() -> int:
        seen: dict[str, int] = {}
        for i in range(200_000):
            key = f"{i % 997}:{i & 255}"
            seen[key] = seen.get(key, 0) + len(key)
        return sum(sorted(seen.values())[:10])

    best = float("inf")
    for _ in range(5):
        began = time.perf_counter()
        loop()
        best = min(best, time.perf_counter() - began)
    return best * 1000


def command_line() -> str:
    return " ".join([".venv/bin/python -m", f"bench.{Path(sys.argv[0]).stem}", *sys.argv[1:]])


def write_section(name: str, body: str, readme: Path = README) -> None:
    """Replace the text between `<!-- name:start -->` and `<!-- name:end -->` in the README."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = readme.read_text("utf-8") if readme.exists() else ""
    if start not in text or end not in text:
        raise SystemExit(f"{readme} has no {start} ... {end} markers; add them where the table belongs")
    before, rest = text.split(start, 1)
    after = rest.split(end, 1)[1]
    readme.write_text(f"{before}{start}\n{body.strip()}\n{end}{after}", "utf-8")
