"""`codetape pause [DIR]`: stop recording a workspace until `codetape resume` (the hole is marked)."""

from __future__ import annotations

import argparse
from pathlib import Path

from collector.home import Home
from collector.protocol.client import Client


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("pause", help="pause recording in a workspace", description=__doc__)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    workspace = args.dir.expanduser().resolve()
    with Client.connect(Home.from_env(args.env), autostart=True) as client:
        client.request("pause", workspace=str(workspace))
    print(f"paused: {workspace} (codetape resume to record again)")
    return 0
