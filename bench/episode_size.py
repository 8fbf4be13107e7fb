"""Bytes per step: codetape's .ctape against the raw LSP traffic of the same sessions.

For each profile and seed, one generated session (tests/support/sessions.py) is measured as
  (a) a codetape episode (write_episode_file, default zstd level 19),
  (b) the raw LSP wire: Content-Length framed JSON-RPC, both directions, uncompressed,
  (c) the same messages as JSONL with millisecond timestamps, zstd -3,
  (d) the same JSONL at zstd -19,
  (e) the same JSONL gzip -9,
all divided by the session's step count. Medians per profile go to stdout and to bench/README.md,
with a breakdown of where codetape's bytes go in the median edit-heavy session.

    .venv/bin/python -m bench.episode_size [--seeds 5] [--no-readme]
"""

from __future__ import annotations

import argparse
import tempfile
from dataclasses import dataclass
from pathlib import Path

import msgpack

from bench.report import command_line, machine, median, table, write_section
from collector.episode import write_episode_file
from collector.episode.chunk import encode_chunk
from collector.episode.writer import CHUNK_STEPS
from tests.support import wire
from tests.support.sessions import PROFILES, Session, generate

SIZE_TARGET = 8.0  # bytes per step, median edit-heavy session
RATIO_TARGET = 0.8  # of raw LSP JSONL at zstd -19


@dataclass(frozen=True)
class Sizes:
    name: str
    steps: int
    hours: float
    edits: float  # share of steps that are edits
    ctape: float
    wire: float
    zstd3: float
    zstd19: float
    gzip9: float


def measure(session: Session, workdir: Path) -> Sizes:
    n = len(session.steps)
    path = workdir / "session.ctape"
    write_episode_file(path, session.header, session.steps)
    log = wire.jsonl(session.wire, session.epoch_ms)
    return Sizes(session.name, n, session.duration_s / 3600, sum(s.kind == "edit" for s in session.steps) / n,
                 path.stat().st_size / n, wire.wire_bytes(session.wire) / n, len(wire.zstd(log, 3)) / n,
                 len(wire.zstd(log, 19)) / n, len(wire.gzip9(log)) / n)


def breakdown(session: Session) -> list[tuple[str, float]]:
    """Bytes per step of each chunk column compressed on its own (zstd -19); generic steps by kind."""
    totals: dict[str, int] = {}
    for first in range(0, len(session.steps), CHUNK_STEPS):
        chunk = encode_chunk(session.steps[first : first + CHUNK_STEPS], session.header.position_encoding)
        columns = {key: value for key, value in chunk.items() if key != "g"}
        for entry in chunk["g"]:
            columns.setdefault(f"g:{entry['kind']}", []).append(entry)
        for key, value in columns.items():
            size = len(wire.zstd(msgpack.packb(value, use_bin_type=True), 19))
            totals[key] = totals.get(key, 0) + size
    return sorted(((key, size / len(session.steps)) for key, size in totals.items()), key=lambda kv: -kv[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=5, help="sessions per profile (seeds 1..N)")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    args = parser.parse_args()
    results: dict[str, list[Sizes]] = {}
    median_session: Session | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for profile in PROFILES:
            sessions = []
            for seed in range(1, args.seeds + 1):
                session = generate(seed, profile)
                sizes = measure(session, Path(tmp))
                print(f"{sizes.name}: {sizes.steps} steps, {sizes.hours:.1f} h, ctape {sizes.ctape:.2f} "
                      f"B/step, jsonl zstd-19 {sizes.zstd19:.2f} B/step", flush=True)
                sessions.append((sizes, session))
            results[profile] = [sizes for sizes, _ in sessions]
            if profile == "edit-heavy":
                ranked = sorted(sessions, key=lambda pair: pair[0].ctape)
                median_session = ranked[len(ranked) // 2][1]
    body = render(results, median_session, args.seeds)
    print(body)
    if not args.no_readme:
        write_section("episode-size", body)


def render(results: dict[str, list[Sizes]], median_session: Session | None, seeds: int) -> str:
    rows = []
    for profile, runs in results.items():
        def med(field: str, runs: list[Sizes] = runs) -> float:
            return median([getattr(r, field) for r in runs])
        rows.append([profile, len(runs), f"{med('steps'):.0f}", f"{med('hours'):.1f}", f"{med('edits'):.0%}",
                     f"**{med('ctape'):.2f}**", f"{med('wire'):.1f}", f"{med('zstd3'):.2f}",
                     f"{med('zstd19'):.2f}", f"{med('gzip9'):.2f}",
                     f"{median([r.ctape / r.zstd19 for r in runs]):.2f}"])
    head = ["profile", "sessions", "steps", "hours", "edits", "(a) .ctape", "(b) LSP wire",
            "(c) JSONL zstd-3", "(d) JSONL zstd-19", "(e) JSONL gzip-9", "(a)/(d)"]
    detail = [[r.name, r.steps, f"{r.hours:.1f}", f"{r.ctape:.2f}", f"{r.wire:.1f}", f"{r.zstd3:.2f}",
               f"{r.zstd19:.2f}", f"{r.gzip9:.2f}"] for runs in results.values() for r in runs]
    heavy = results.get("edit-heavy", [])
    verdict = ""
    if heavy:
        size = median([r.ctape for r in heavy])
        ratio = median([r.ctape / r.zstd19 for r in heavy])
        verdict = (f"\nTargets (median edit-heavy session): <= {SIZE_TARGET:g} B/step: "
                   f"{'met' if size <= SIZE_TARGET else 'MISSED'} ({size:.2f}); <= {RATIO_TARGET:g}x of (d): "
                   f"{'met' if ratio <= RATIO_TARGET else 'MISSED'} ({ratio:.2f}x).\n")
    parts = [f"Command: `{command_line()}` ({machine()}). Bytes per step, medians over seeds 1..{seeds}.\n",
             table(head, rows), verdict, "<details><summary>Every session</summary>\n",
             table(["session", "steps", "hours", "(a)", "(b)", "(c)", "(d)", "(e)"], detail),
             "\n</details>\n"]
    if median_session is not None:
        cols = breakdown(median_session)
        together = sum(size for _, size in cols)
        parts += [f"Where the bytes go in the median edit-heavy session ({median_session.name}): each "
                  "chunk column msgpack-packed and compressed on its own at zstd -19, summed over chunks, "
                  f"per step; together {together:.2f} B/step, against (a) which also holds the header, "
                  "frame overheads and the trailer. `g:KIND` are generic steps of that kind.\n",
                  table(["column", "B/step"], [[f"`{key}`", f"{size:.3f}"] for key, size in cols[:14]])]
    return "\n".join(parts)


if __name__ == "__main__":
    main()
