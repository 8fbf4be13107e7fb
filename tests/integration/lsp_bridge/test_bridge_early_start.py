"""Proxy mode's language server starts before argparse, typing and the bridge load, as `codetape bridge`
and as `python -m lsp_bridge` (collector/cli/main.py, lsp_bridge/server.py): seen in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Runs an entry point with an audit hook that notes, at each process the bridge starts (Popen or
# posix_spawn), which of the modules the early start keeps off were loaded; `--spool-steps 0` then stops
# the bridge after parsing.
PROBE = """
import json, runpy, sys
starts = []
def hook(event, args):
    if event in ("subprocess.Popen", "os.posix_spawn"):
        loaded = [m for m in ("argparse", "typing", "subprocess", "lsp_bridge.main") if m in sys.modules]
        starts.append([args[1][-1], loaded])
sys.addaudithook(hook)
argv = ["--spool-steps", "0", "--", sys.executable, "-c", "pass", "the-server"]
try:
    if sys.argv[1] == "codetape":
        from collector.cli.main import main
        code = main(["bridge", *argv])
    else:
        sys.argv = ["lsp_bridge", *argv]
        runpy.run_module("lsp_bridge", run_name="__main__")
except SystemExit as exc:
    code = exc.code
print(json.dumps([code, starts]))
"""


@pytest.mark.parametrize("entry", ["codetape", "python -m lsp_bridge"])
def test_the_server_starts_once_before_argparse_and_the_bridge_load(entry: str) -> None:
    done = subprocess.run([sys.executable, "-c", PROBE, entry], capture_output=True, text=True, timeout=60,
                          check=True)
    code, starts = json.loads(done.stdout)
    assert code == 1 and starts == [["the-server", []]], done.stderr
