"""`codetape note "TEXT"`: put a marker with free text into the current recording, and say where it went.

It answers in one line (`noted at 12:04 in the recording of attrs (episode 1a2b3c4d)`), or fails with the
reason: the workspace is not opted in, its settings cannot be used, or its recording is paused (a note
then would not be recorded, so none is sent)."""

from __future__ import annotations

import time
from pathlib import Path

from collector.errors import CollectorError
from collector.home import Home
from collector.protocol.client import Client

TYPE_CHECKING = False  # typing (~3 ms) and argparse (cli/quick.py) are not loaded at a command's start-up
if TYPE_CHECKING:
    import argparse
    from typing import Any


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("note", help="add a note to the recording", description=__doc__)
    parser.add_argument("text", help="the note")
    parser.add_argument("--dir", type=Path, default=Path("."), help="the workspace (default: .)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = args.dir.expanduser().resolve()
    with Client.connect(Home.from_env(args.env), autostart=True, as_json=True) as client:
        before = recording_of(client.request("status").get("workspaces", []), path)
        if before is not None and before.get("paused"):
            raise CollectorError(paused(before))
        client.request("note", workspace=str(path), text=args.text)
        after = recording_of(client.request("status").get("workspaces", []), path)
    print(noted(after, time.localtime()))
    return 0


def recording_of(workspaces: list[dict[str, Any]], path: Path) -> dict[str, Any] | None:
    """The collector's status of the workspace holding `path` (the innermost), if it has one."""
    holding = [ws for ws in workspaces if isinstance(ws.get("root"), str) and path.is_relative_to(ws["root"])]
    return max(holding, key=lambda ws: len(ws["root"]), default=None)


def paused(workspace: dict[str, Any]) -> str:
    root = workspace["root"]
    return f"recording is paused in {root}: the note was not recorded (run: codetape resume {root})"


def noted(workspace: dict[str, Any] | None, at: time.struct_time) -> str:
    """`noted at 12:04 in the recording of attrs (episode 1a2b3c4d)`: the note's time (local) and where it
    went. A struct_time, not a datetime: datetime costs the command's start-up ~1.5 ms."""
    said = f"noted at {time.strftime('%H:%M', at)}"
    if workspace is None:
        return said
    said += f" in the recording of {Path(workspace['root']).name}"
    episode = workspace.get("episode")
    return said + (f" (episode {episode[:8]})" if isinstance(episode, str) else "")
