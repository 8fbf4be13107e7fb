"""What reading codetape's models costs a fresh process: import, build and one conversion, for the models
pydantic held before issue 42 (header, consent statement, settings, the bridge's messages) and msgspec
holds now. Wall ms from exec to exit, median of N runs, each snippet alternating run by run with the
same snippet run from another tree (`--baseline DIR`: PYTHONPATH=DIR, this interpreter).

    .venv/bin/python -m bench.model_import [--runs 21] --baseline DIR

Each snippet names only what both trees have (the golden signed episode, `parse_model`, the notification
table), so the rows compare one job done by each model library.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bench.live_env import code_state
from bench.report import command_line, machine, table

GOLDEN = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "episodes" / "signed-v1.ctape"
SNIPPETS: list[tuple[str, str]] = [
    ("python -c pass (floor)", "pass"),
    ("read a signed episode's header and consent statement",
     "from collector.episode import open_episode\n"
     "from collector.consent.statement import parse_statement, unpack_payload\n"
     f"parse_statement(unpack_payload(open_episode({str(GOLDEN)!r}).consent)[1])"),
    ("validate a .codetape.toml",
     "from pathlib import Path\nfrom collector.errors import SettingsError\n"
     "from collector.policy.toml import parse_model\nfrom schemas.settings import WorkspaceSettings\n"
     "parse_model('exclude = [\"build/**\"]\\n[policy]\\nallowed_licences = [\"MIT\"]\\n',\n"
     "            WorkspaceSettings, SettingsError, Path('.codetape.toml'))"),
    ("the bridge's first codetape/cursor notification (the extension's path)",
     "from lsp_bridge.capture.extensions import Extensions\n"
     "class EditorCapture: recorder = workspaces = None\n"
     "Extensions(EditorCapture()).handle('codetape/cursor', {'uri': 'file:///w/a.py', 'selections': 7}, 0)"),
]


def once(code: str, env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-P", "-c", code], env=env, capture_output=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"snippet failed: {done.stderr.decode()[-400:]}")
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--baseline", type=Path, required=True, help="the codetape tree to compare with")
    args = parser.parse_args()
    here = Path(__file__).resolve().parents[1]
    load = os.getloadavg()
    envs = [{**os.environ, "PYTHONPATH": str(args.baseline.resolve())},
            {**os.environ, "PYTHONPATH": str(here)}]
    rows = []
    for label, code in SNIPPETS:
        for env in envs:  # untimed: bytecode written, files in the page cache
            once(code, env)
        times: list[list[float]] = [[], []]
        for _ in range(args.runs):
            for n, env in enumerate(envs):
                times[n].append(once(code, env))
        before, after = (statistics.median(t) for t in times)
        rows.append((label, f"{before:.0f}", f"{after:.0f}", f"{before / after:.2f}x"))
        print(f"{label}: {before:.0f} / {after:.0f}", flush=True)
    print(f"Command: `{command_line()}` ({machine()}; {code_state()}; load average {load[0]:.1f} at the "
          f"start, {os.getloadavg()[0]:.1f} at the end).\n")
    print(table(["snippet (fresh process)", f"baseline {args.baseline.name} ms", "now ms", "speed-up"], rows))


if __name__ == "__main__":
    main()
