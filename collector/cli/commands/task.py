"""`codetape task start "TEXT"` / `codetape task done [--outcome ...]`: mark a task (done seals)."""

from __future__ import annotations

import argparse
from pathlib import Path

from collector.cli.commands.seal import report
from collector.home import Home
from collector.protocol.client import Client


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("task", help="mark the start or end of a task", description=__doc__)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    start = actions.add_parser("start", help="start a task, with what it is about")
    start.add_argument("statement", help="the task, as you would tell a colleague")
    done = actions.add_parser("done", help="finish the task and seal the episode")
    done.add_argument("--outcome", choices=["pass", "fail", "abandoned"], help="how it ended")
    for action in (start, done):
        action.add_argument("--dir", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    workspace = str(args.dir.expanduser().resolve())
    with Client.connect(Home.from_env(args.env), autostart=True) as client:
        if args.action == "start":
            client.request("task_start", workspace=workspace, statement=args.statement)
            print("task started")
        else:
            report(client.request("task_done", workspace=workspace, outcome=args.outcome))
    return 0
