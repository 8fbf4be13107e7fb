"""`codetape discard EPISODE`: delete an unsigned episode (and its redaction summary) for good.

Nothing of it is shared. A signed episode is refused: it stays, and `codetape revoke` withdraws it.
"""

from __future__ import annotations

import argparse

from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("discard", help="delete an unsigned episode", description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.episode.resolve import resolve_episode
    from collector.review.choices import discard_episode

    path = resolve_episode(args.episode, Home.from_env(args.env))
    discard_episode(path)
    print(f"discarded {path}")
    return 0
