"""What one call of an AI agent's codetape hook costs: wall time from exec to exit of the command
`codetape agent hook install` writes, median of N runs, side by side with a bare `python -c pass` and
with the command installed before (`python -P -m collector agent hook run`). Issue 41's goal: <= 30 ms.

    .venv/bin/python -m bench.hook_cost [--runs 31] [--no-readme]

Each command gets a real Claude Code payload on stdin (tests/fixtures/agents/claude-code/), the way the
agent runs it: `sh -c COMMAND` with CODETAPE_HOME set, in a live codetape's opted-in workspace whose
collector records every step sent (and in a folder no workspace holds, where nothing is sent). The
commands alternate run by run, so a change of the machine's load touches them alike.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.live_env import code_state, live_codetape
from bench.report import command_line, machine, table, write_section
from collector.home import Home
from collector.sources.agents.configs import hook_command

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "agents" / "claude-code"


def once(command: str, payload: bytes, env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(["sh", "-c", command], input=payload, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=31)
    parser.add_argument("--no-readme", action="store_true", help="print only, leave bench/README.md alone")
    args = parser.parse_args()
    load = os.getloadavg()
    with live_codetape("ct-bench-hook-") as live, tempfile.TemporaryDirectory() as elsewhere:
        home = Home(live.home.resolve())
        now = hook_command("claude-code", home)
        before = (f"CODETAPE_HOME={shlex.quote(str(home.root))} "
                  f"{shlex.join([sys.executable, '-P', '-m', 'collector', 'agent', 'hook', 'run'])} "
                  "--agent claude-code")
        python = shlex.quote(sys.executable)
        cases: list[tuple[str, str, str, Path]] = []
        ws = live.workspace
        for name, fixture in (("PostToolUse Edit", "PostToolUse.json"),
                              ("UserPromptSubmit", "UserPromptSubmit.json")):
            cases += [
                ("`python -c pass`", f"{python} -c pass", fixture, ws),
                (f"hook, {name}, opted-in workspace (now)", now, fixture, ws),
                (f"hook, {name}, opted-in workspace (before: `-m collector`)", before, fixture, ws),
            ]
        cases += [("hook, UserPromptSubmit, no workspace (now)", now, "UserPromptSubmit.json",
                   Path(elsewhere))]
        payloads = {}
        for _, _, fixture, cwd in cases:
            text = (FIXTURES / fixture).read_text().replace("/home/dev/project", str(cwd))
            payloads[fixture, cwd] = text.encode()
        env = {**live.env, "CODETAPE_HOME": str(home.root)}
        for _, command, fixture, cwd in cases:  # untimed: bytecode written, files in the page cache
            once(command, payloads[fixture, cwd], env, cwd)
        steps_before = live.steps_recorded()
        times: dict[str, list[float]] = {label: [] for label, *_ in cases}
        for _ in range(args.runs):
            for label, command, fixture, cwd in cases:
                times[label].append(once(command, payloads[fixture, cwd], env, cwd))
        sent = live.steps_recorded() - steps_before
        rows = []
        seen: set[str] = set()
        for label, *_ in cases:
            if label in seen:
                continue
            seen.add(label)
            values = sorted(times[label])
            rows.append((label, f"{statistics.median(values):.1f}", f"{values[len(values) // 10]:.1f}",
                         f"{values[(len(values) * 9) // 10]:.1f}"))
            print(label, rows[-1][1:], flush=True)
        body = (f"Command: `{command_line()}` ({machine()}; {code_state()}; load average "
                f"{load[0]:.1f} at the start, {os.getloadavg()[0]:.1f} at the end). The command installed "
                f"now: `{now.replace(str(home.root), 'HOME').replace(sys.executable, 'PYTHON')}`. Steps the "
                f"collector recorded from the timed calls: {sent}.\n\n"
                + table(["call", f"median ms ({args.runs} runs)", "p10 ms", "p90 ms"], rows))
        print(body)
        if not args.no_readme:
            write_section("hook-cost", body)


if __name__ == "__main__":
    main()
