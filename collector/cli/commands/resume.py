"""`codetape resume [DIR]`: record a paused workspace again; the pause becomes a `gap` step."""

from __future__ import annotations

import argparse
from pathlib import Path

from collector.home import Home
from collector.protocol.client import Client


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("resume", help="resume recording in a paused workspace", description=__doc__)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    workspace = args.dir.expanduser().resolve()
    with Client.connect(Home.from_env(args.env), autostart=True) as client:
        client.request("resume", workspace=str(workspace))
    print(f"recording: {workspace}")
    return 0
