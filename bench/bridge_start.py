"""Bridge ready: from process start to the `initialize` answer, observe mode, proxy mode in front of
pylsp, and pylsp alone, medians of N starts (alternating). Issue 14's goals: observe <= 200 ms; proxy
adds <= 50 ms to the server's own start.

    .venv/bin/python -m bench.bridge_start [--runs 15] [--baseline DIR] [--no-readme]

Each start is a fresh process with a scratch CODETAPE_HOME and an opted-in workspace and a live
collector, as an editor starts it; the initialize request is written at once, the clock stops at its
answer. With --baseline DIR (a checkout of another commit), the bridge also runs from that tree
(PYTHONPATH=DIR), alternating with this one.

Also, in the same rounds, what the proxy does before its server starts: from the bridge's exec to its
server's (`sh -c 'date +%s%N > FILE'`, whose own start is a few ms), a figure pylsp's start does not blur.
Proxy mode runs both ways: `codetape bridge -- CMD` (the console script, as editors run it) and
`python -m lsp_bridge -- CMD`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.live_env import code_state, live_codetape
from bench.raw_client import LspProcess
from bench.report import command_line, machine, table, write_section

PYLSP = str(Path(sys.executable).with_name("pylsp"))
CODETAPE = str(Path(sys.executable).with_name("codetape"))  # the console script editors run
MODULE = [sys.executable, "-m", "lsp_bridge"]
SETUPS = {
    "pylsp alone": [PYLSP],
    "observe (python -m lsp_bridge)": MODULE,
    "proxy (python -m lsp_bridge -- pylsp)": [*MODULE, "--", PYLSP],
    "proxy (codetape bridge -- pylsp)": [CODETAPE, "bridge", "--", PYLSP],
}
SPAWNS = {  # what the proxy does before its server starts, each way it is run
    "proxy (python -m lsp_bridge): its exec to the server's exec": MODULE,
    "proxy (codetape bridge): its exec to the server's exec": [CODETAPE, "bridge"],
}


def ready_ms(argv: list[str], env: dict[str, str], ws: Path) -> float:
    start = time.perf_counter()
    server = LspProcess(argv, cwd=ws, env=env)
    try:
        server.request("initialize", {"processId": os.getpid(), "rootUri": ws.as_uri(), "capabilities": {},
                                      "clientInfo": {"name": "bench", "version": "1"}})
        elapsed = (time.perf_counter() - start) * 1000
        server.notify("exit", None)
        server.proc.wait(10)
    finally:
        if server.proc.poll() is None:
            server.proc.kill()
            server.proc.wait()
    return elapsed


def spawn_ms(bridge: list[str], env: dict[str, str], ws: Path) -> float:
    """From the proxy's exec to its language server's exec (the server writes the time and exits)."""
    stamp = ws / ".spawned"
    stamp.unlink(missing_ok=True)
    start = time.time_ns()
    subprocess.run([*bridge, "--", "/bin/sh", "-c", f"date +%s%N > '{stamp}'"],
                   env=env, cwd=ws, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=60, check=False)
    return (int(stamp.read_text()) - start) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="also run the bridge from the codetape tree at DIR")
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    args = parser.parse_args()
    load = os.getloadavg()
    with live_codetape("ct-bench-bridge-start-") as live:
        env, ws = live.env, live.workspace
        trees = {"now": env} if args.baseline is None else {
            "now": env, "baseline": {**env, "PYTHONPATH": str(args.baseline.resolve())}}
        times: dict[tuple[str, str], list[float]] = {}
        for tree_env in trees.values():  # untimed: bytecode written, files in the page cache
            for argv in SETUPS.values():
                ready_ms(argv, tree_env, ws)
        for run in range(args.runs):
            order = list(trees.items()) if run % 2 == 0 else list(trees.items())[::-1]  # alternating
            for setup, argv in SETUPS.items():
                for tree, tree_env in order:
                    if setup == "pylsp alone" and tree == "baseline":
                        continue
                    times.setdefault((setup, tree), []).append(ready_ms(argv, tree_env, ws))
            for spawn, bridge in SPAWNS.items():
                for tree, tree_env in order:
                    times.setdefault((spawn, tree), []).append(spawn_ms(bridge, tree_env, ws))
    alone = statistics.median(times[("pylsp alone", "now")])
    rows = []
    for setup in [*SETUPS, *SPAWNS]:
        now = statistics.median(times[(setup, "now")])
        base = statistics.median(times[(setup, "baseline")]) if (setup, "baseline") in times else None
        added = f"+{now - alone:.0f}" if setup in SETUPS and setup.startswith("proxy") else ""
        rows.append((setup, "" if base is None else f"{base:.0f}", f"{now:.0f}", added))
    head = ["setup", "baseline ms", "now ms", "added to pylsp alone ms"]
    body = (f"Command: `{command_line()}` ({machine()}; {code_state()}; load average {load[0]:.1f} at the "
            f"start, {os.getloadavg()[0]:.1f} at the end; medians of {args.runs} starts each).\n\n"
            + table(head, rows))
    print(body)
    if not args.no_readme:
        write_section("bridge-start", body)


if __name__ == "__main__":
    main()
