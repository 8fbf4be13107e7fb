"""`codetape resume [DIR]`: record a paused workspace again (the pause becomes a `gap` step), and record
again after `codetape collector stop` (the collector starts; editors, shells and agents record again)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from collector.home import Home
from collector.protocol.client import Client
from collector.protocol.stopped import AGAIN, clear_stopped


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("resume", help="resume recording (a paused workspace, or after collector stop)",
                            description=__doc__)
    parser.add_argument("dir", nargs="?", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.workspace.find import find_workspace

    workspace = args.dir.expanduser().resolve()
    home = Home.from_env(args.env)
    stopped = clear_stopped(home)
    root = find_workspace(workspace, home)
    with Client.connect(home, autostart=True) as client:
        if root is not None or not stopped:
            client.request("resume", workspace=str(workspace))
    if stopped:
        print(AGAIN, file=sys.stderr)
    if root is not None or not stopped:
        print(f"recording: {workspace}")
    return 0
