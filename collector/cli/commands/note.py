"""`codetape note "TEXT"`: put a marker with free text into the current recording."""

from __future__ import annotations

import argparse
from pathlib import Path

from collector.home import Home
from collector.protocol.client import Client


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("note", help="add a note to the recording", description=__doc__)
    parser.add_argument("text", help="the note")
    parser.add_argument("--dir", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    with Client.connect(Home.from_env(args.env), autostart=True) as client:
        client.request("note", workspace=str(args.dir.expanduser().resolve()), text=args.text)
    return 0
