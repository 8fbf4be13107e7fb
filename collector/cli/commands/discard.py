"""`codetape discard EPISODE [--yes]`: delete an unsigned episode (and its redaction summary) for good.

Nothing of it is shared. It asks first (on a terminal); --yes answers for you, and without a terminal
nothing is deleted unless --yes is given. A signed episode is refused: it stays, and `codetape revoke`
withdraws it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collector.errors import UsageError
from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("discard", help="delete an unsigned episode", description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("--yes", action="store_true", help="do not ask: delete it")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.episode.resolve import resolve_episode
    from collector.review.choices import check_discardable, discard_episode

    path = resolve_episode(args.episode, Home.from_env(args.env))
    check_discardable(path)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"not discarded: this deletes {path} for good; run it again with --yes")
        sys.stderr.write(f"delete {describe(path)} for good? nothing of it is shared [y/N] ")
        sys.stderr.flush()
        if sys.stdin.readline().strip().lower() not in ("y", "yes"):
            print(f"not discarded: {path}")
            return 0
    discard_episode(path)
    print(f"discarded {path}")
    return 0


def describe(path: Path) -> str:
    """The episode as the question names it: its file, steps and when it was recorded."""
    from collector.episode import open_episode
    from collector.errors import EpisodeError

    try:
        episode = open_episode(path)
    except EpisodeError:
        return str(path)
    started = episode.header.started_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"{path} ({episode.step_count:,} steps, recorded {started})"
