"""What a launcher (`codetape run`, the shell hook, the VS Code extension) adds to the environment of the
commands it starts, so that any pytest among them, whatever interpreter runs it, records its tests: the
plugin's folder first on `PYTHONPATH` (pytest loads `codetape_pytest` through the `pytest11` entry point
there; an interpreter that never imports pytest is unaffected) and the collector's socket.

The plugin sends only from a folder with workspace settings, and the collector records only a workspace
the user opted in. What it does not reach: a pytest started with `PYTEST_DISABLE_PLUGIN_AUTOLOAD`, with
`python -I` or `-E`, or by a tool that drops `PYTHONPATH` (tox does unless told `pass_env`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from collector.home import Home

# collector/sources/pytest_path/, where it was installed: a hooked shell and the editors hold this path
PLUGIN_DIR = Path(__file__).resolve().parents[1] / "pytest_path"
# the plugin's own names for them (codetape_pytest imports pytest, which codetape's commands must not need:
# a codetape installed without the test tools runs `status` and `hook` too); a test keeps them equal
SOCKET_ENV = "CODETAPE_COLLECTOR_SOCKET"
WAIT_ENV = "CODETAPE_COLLECTOR_WAIT_S"


def pytest_env(home: Home, environ: Mapping[str, str], *, starting_s: float = 0.0) -> dict[str, str]:
    """The variables to set, given the environment the command would otherwise get; `starting_s`: the
    launcher is starting the collector, so a pytest that finds nobody listening waits up to that long."""
    env = {"PYTHONPATH": python_path(environ.get("PYTHONPATH")), SOCKET_ENV: str(home.socket)}
    if starting_s > 0:
        env[WAIT_ENV] = f"{starting_s:g}"
    return env


def python_path(current: str | None) -> str:
    """`PYTHONPATH` with the plugin's folder first (once), the rest as it was, byte for byte."""
    folder = str(PLUGIN_DIR)
    if not current:
        return folder
    if current == folder or current.startswith(folder + os.pathsep):
        return current
    return folder + os.pathsep + current
