"""`codetape report EPISODE [-o FILE.html]`: one self-contained HTML page about an episode.

The page shows the episode's summary, a timeline chart of its activity by kind, every file with its
diff from start to end, and the step list with a search box. It loads nothing from the network: open
it in any browser, offline, or attach it to a review. Without -o it is written to `<episode id>.html`
in the current directory; `-o -` writes it to standard output.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collector.errors import UsageError
from collector.text.sizes import byte_size


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("report", help="write a self-contained HTML report of an episode",
                            description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("-o", "--output", metavar="FILE.html",
                        help="where to write the page (default: <episode id>.html; -: standard output)")
    parser.add_argument("--review-excluded", metavar="N", type=count, default=None,
                        help="the page is made in a review (codetape review passes this): it says it is what "
                             "would be shared, and that N files were excluded from it")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.progress import tracked
    from collector.episode.resolve import open_ref, show
    from collector.home import Home
    from collector.policy.config import load_config
    from collector.report import report_bytes, write_report

    home = Home.from_env(args.env)
    episode = open_ref(args.episode, home)
    idle_ms = load_config(home).stats.idle_minutes * 60_000  # active time as `codetape stats` counts it
    steps = tracked(episode.steps(), episode.step_count, "reading")
    if args.output == "-":
        sys.stdout.buffer.write(report_bytes(episode, steps, review_excluded=args.review_excluded,
                                             idle_ms=idle_ms))
        sys.stdout.flush()
        return 0
    output = Path(args.output or f"{episode.header.episode_id}.html")
    check_destination(output)
    size = write_report(episode, output, steps, review_excluded=args.review_excluded, idle_ms=idle_ms)
    print(f"wrote {show(str(output))} ({byte_size(size)}): open it in a browser", file=sys.stderr)
    return 0


def count(text: str) -> int:
    """A number of files: 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of files (0, 1, 2 ...)")
    return value


def check_destination(output: Path) -> None:
    """Refuse, before the work, a destination that cannot take the page."""
    from collector.episode.resolve import show

    if output.is_dir():
        raise UsageError(f"{show(str(output))} is a directory: give a file name, e.g. -o "
                         f"{show(str(output / 'report.html'))}")
    parent = output.parent
    if not parent.is_dir():
        raise UsageError(f"cannot write {show(str(output))}: directory {show(str(parent))} does not exist")
