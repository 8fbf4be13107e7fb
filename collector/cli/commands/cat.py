"""`codetape cat EPISODE`: every step as one JSON object per line, streamed one chunk at a time."""

from __future__ import annotations

import argparse
import json
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("cat", help="print every step as one JSON object per line", description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.episode.lines import step_line
    from collector.episode.resolve import open_ref
    from collector.home import Home

    episode = open_ref(args.episode, Home.from_env(args.env))
    out = sys.stdout.buffer
    for step in episode.steps():
        out.write(step_line(step))
    out.flush()
    if episode.skipped:
        print(f"codetape: note: skipped {skipped_note(episode.skipped)}", file=sys.stderr)
    return 0


def skipped_note(skipped: dict[str, int]) -> str:
    """'3 steps of kinds this codetape does not know (a 2, b 1)', names escaped for one line."""
    total = sum(skipped.values())
    kinds = ", ".join(f"{json.dumps(kind)} {count}" for kind, count in sorted(skipped.items()))
    return f"{total} step{'s' * (total != 1)} of kinds this codetape does not know ({kinds})"
