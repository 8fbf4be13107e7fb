"""Each export format inside a dataset build against the same format written by `codetape export`, over the
same signed episodes of a `bench.dataset_build` source, in one run (issue 55: a format exported in the
build's pass should cost no more than exporting it on its own).

    .venv/bin/python -m bench.export_inside [--episodes 100] [--formats F,...] [--repeat 3] [--work DIR]
                                            [--no-readme]

For each format: `dataset build --exports F` (local engine, one process, as bench.dataset_build's child
measures it: the build's CPU, its pool's included) less the same build without exports, per episode:
what exporting in the build adds; and `codetape export EPISODES --format F` in a process of its own over
the same episodes, per episode: its whole CPU (start, reading, replay, writing), as a user exporting
them separately pays it. Each is the median of `--repeat` runs, the builds and exports alternating, so a
change in the machine's load falls on both. Then the build with every format at once against the sum of
the separate exports. The peak RSS of each build's process is beside it (bench.dataset_build's child:
VmHWM of the build's process).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.dataset_build import prepare, run_child, subset
from bench.report import command_line, machine, median, python_ms, table, write_section

RATIO_GOAL = 1.0  # inside / outside


def outside(source: Path, fmt: str, out: Path) -> float:
    """CPU seconds of `codetape export` of every episode of `source` in `fmt`, in a process of its own."""
    episodes = sorted(str(path) for path in (source / "episodes").glob("*.ctape"))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run([sys.executable, "-m", "collector", "export", *episodes, "--format", fmt, "-o",
                           str(out)], check=False, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"codetape export --format {fmt} failed: {done.stderr[-2000:]}")
    shutil.rmtree(out, ignore_errors=True)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def inside(source: Path, formats: tuple[str, ...], out: Path) -> dict[str, Any]:
    result = run_child("local", 1, source, out, exports=formats)
    shutil.rmtree(out, ignore_errors=True)
    return result


def measure(source: Path, formats: list[str], repeat: int, scratch: Path) -> list[list[str]]:
    count = len(list((source / "episodes").glob("*.ctape")))
    plain: list[float] = []
    plain_peaks: list[float] = []
    separately = 0.0
    rows = []
    for fmt in formats:
        built: list[float] = []
        alone: list[float] = []
        peaks: list[float] = []
        for _ in range(repeat):
            without = inside(source, (), scratch / "plain")
            plain.append(without["cpu"])
            plain_peaks.append(without["rss_mib"])
            with_it = inside(source, (fmt,), scratch / "built")
            built.append(with_it["cpu"])
            peaks.append(with_it["rss_mib"])
            alone.append(outside(source, fmt, scratch / "export"))
        added = (median(built) - median(plain)) / count
        own = median(alone) / count
        rows.append([fmt, f"{added * 1000:.1f} ms", f"{own * 1000:.1f} ms",
                     f"{added / own:.2f}x" if own > 0 else "-", f"{median(peaks):.0f} MiB"])
        separately += own
    every = [inside(source, tuple(formats), scratch / "every") for _ in range(repeat)]
    added = (median([result["cpu"] for result in every]) - median(plain)) / count
    rows.append([f"**all {len(formats)} together**", f"**{added * 1000:.1f} ms**",
                 f"{separately * 1000:.1f} ms", f"**{added / separately:.2f}x**",
                 f"{median([result['rss_mib'] for result in every]):.0f} MiB"])
    rows.append(["(the build without exports)", f"{median(plain) / count * 1000:.1f} ms", "", "",
                 f"{median(plain_peaks):.0f} MiB"])
    return rows


def main() -> None:
    from collector.dataset.engines.exports import export_formats

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--episodes", type=int, default=100)
    parser.add_argument("--formats", default="", help="comma-separated (default: every format a build "
                        "exports)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--work", type=Path, help="keep the signed source here between runs")
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    formats = [name for name in args.formats.split(",") if name] or export_formats()
    load = "/".join(f"{x:.1f}" for x in os.getloadavg()) + f", bench.report.python_ms {python_ms():.0f} ms"
    with tempfile.TemporaryDirectory(prefix="codetape-bench-export-inside-") as scratch:
        work = args.work or Path(scratch)
        source = prepare(work, max(args.episodes, 100))
        if args.episodes < 100:
            source = subset(source, args.episodes)
        rows = measure(source, formats, args.repeat, Path(scratch))
    body = "\n".join([
        f"Command: `{command_line()}` ({machine()}); load average {load} at the start. {args.episodes} "
        f"episodes; CPU per episode, the median of {args.repeat} runs each.\n",
        table(["format", "CPU in the build, ms (added to a build without exports)",
               "CPU of `codetape export` alone, ms", "in / alone (time ratio)", "build's peak RSS"], rows)])
    print(body)
    if not args.no_readme:
        write_section("export-inside", body)


if __name__ == "__main__":
    main()
