"""`codetape seal [DIR]`: end the workspace's current episode now; it then waits for review."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from collector.home import Home
from collector.protocol.client import Client


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
    with Client.connect(Home.from_env(args.env), autostart=True) as client:
        result = client.request("seal", workspace=str(args.dir.expanduser().resolve()))
    if args.json:
        print(json.dumps(result))
    else:
        report(result)
    return 0
