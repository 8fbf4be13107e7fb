"""`codetape checkout EPISODE DIR [--step N] [--force]`: write the workspace as it was after step N.

N counts from 0 over the steps `codetape cat` prints; the default is the last step. The files are
restored from the episode's latest keyframe at or before step N and the steps after it are replayed (run
`codetape verify` to check every keyframe against a full replay). DIR must be new or empty: a DIR that
holds anything is refused, naming the files the checkout would replace, unless --force. Every path is
checked before anything is written (see collector/reconstruct/checkout.py), and nothing is written
through a symlink. Links the episode recorded are made again when they cannot lead out of DIR; the
others, and files recorded without content (binary or too large), are listed on stderr and not written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collector.errors import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("checkout", help="write the reconstructed workspace after a step",
                            description=__doc__)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("dir", metavar="DIR", type=Path,
                        help="directory to write into: new or empty (created if missing)")
    parser.add_argument("--step", metavar="N", type=int, help="0-based step index (default: the last step)")
    parser.add_argument("--force", action="store_true",
                        help="write into DIR even if it is not empty, replacing the files the episode has")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.cli.progress import tracked
    from collector.episode.resolve import open_ref, show
    from collector.home import Home
    from collector.reconstruct.checkout import plan_checkout, write_checkout
    from collector.reconstruct.keyframes import workspace_after

    episode = open_ref(args.episode, Home.from_env(args.env))
    stop = args.step
    count = episode.step_count
    if stop is not None and not 0 <= stop < count:
        valid = f"0 to {count - 1}" if count else "it has no steps"
        raise UsageError(f"--step {stop} is out of range ({valid})")
    workspace = workspace_after(episode, stop, lambda steps, total: tracked(steps, total, "reconstructing"))
    plan = plan_checkout(workspace, args.dir, force=args.force)
    written = write_checkout(plan, args.dir)
    for path, reason in plan.omitted:
        why = reason.replace("_", " ")
        print(f"omitted ({why}, recorded without content): {show(path)}", file=sys.stderr)
    for path, target in plan.refused_links:
        why = f"a link to {show(target)}, which could lead out of DIR"
        print(f"not made ({why}): {show(path)}", file=sys.stderr)
    links = len(plan.links)
    made = f" and {links} link{'s' * (links != 1)}" if links else ""
    print(f"wrote {written} file{'s' * (written != 1)}{made} to {show(str(args.dir))}", file=sys.stderr)
    return 0
