"""`codetape seal [DIR]`: end the workspace's current episode now; it then waits for review."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from collector.home import Home
from collector.protocol.client import Client
from collector.timer import when_slow

SAY_AFTER_S = 1.0  # a seal that takes longer says what it is doing, rather than hang silently


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("seal", help="seal the current episode of a workspace", description=__doc__)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.add_argument("--json", action="store_true",
                        help="print the result as JSON (null: nothing recorded)")
    parser.set_defaults(func=run)


def report(result: dict[str, Any] | None) -> None:
    """Print a seal result the way `seal` and `task done` show it."""
    if result is None:
        print("nothing recorded")
        return
    print(f"sealed {result['episode']}: {result['path']} ({result['steps']} steps, {result['files']} files)")
    print(f"review it: codetape review {result['episode'][:8]}")


def run(args: argparse.Namespace) -> int:
    workspace = args.dir.expanduser().resolve()
    line = f"sealing the episode of {workspace}: redacting secrets, writing it ..."
    with Client.connect(Home.from_env(args.env), autostart=True) as client, \
            when_slow(SAY_AFTER_S, lambda: print(line, file=sys.stderr, flush=True)):
        result = client.request("seal", workspace=str(workspace))
    if args.json:
        print(json.dumps(result))
    else:
        report(result)
    return 0
