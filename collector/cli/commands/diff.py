"""`codetape diff EPISODE A B`: unified diff of the whole workspace from moment A to moment B.

A and B are step numbers (the state after that step, counted as `codetape cat` prints them), times
from the episode's start (`90s`, `2m`, `1:30`: the state after the last step at or before it), `start`
(before the first step) or `end`. A file the episode first recorded after a moment (opened later, say)
is in that moment's state as it was first recorded, so the diff shows what changed in it, as the HTML
report does.

The output is a patch in git's form (`diff --git` headers; new and deleted files from and to /dev/null
with their modes; a rename the episode recorded as `rename from`/`rename to`): `git apply` (or
`patch -p1`) applies it to the workspace as it was at A and gives the workspace at B:

    codetape diff EPISODE start end > work.patch
    git apply --check work.patch && git apply work.patch

A file whose text on one side the episode never recorded (changed or deleted before it was first seen,
binary, too large) is named on a line of its own that `git apply` passes over, not diffed: the patch
leaves that file as it is.
"""

from __future__ import annotations

import argparse
import sys


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("diff", help="unified diff of the workspace between two steps or times",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("episode", metavar="EPISODE", help="an episode file, or an episode id (prefix)")
    parser.add_argument("a", metavar="A", help="from: a step (12), a time (90s, 2m, 1:30), start or end")
    parser.add_argument("b", metavar="B", help="to: a step, a time, start or end")
    parser.add_argument("-U", "--unified", metavar="N", type=int, default=3,
                        help="lines of context around each change (default 3)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.episode.resolve import open_ref
    from collector.home import Home
    from collector.replay.moment import parse_moment
    from collector.replay.workdiff import diff_states, unified_diff

    a, b = parse_moment(args.a, "A"), parse_moment(args.b, "B")
    episode = open_ref(args.episode, Home.from_env(args.env))
    old, new, renames = diff_states(episode, a, b)
    out = sys.stdout.buffer
    for line in unified_diff(old, new, max(args.unified, 0), renames):
        out.write(line.encode("utf-8", "surrogatepass"))
    out.flush()
    return 0
