"""The HTML report from the review: `codetape report EPISODE -o FILE.html`, run as its own process.

The report is another command's work; the review only runs it on what the reviewer sees (the trimmed
copy) and opens the file in a browser when there is a graphical one (a text-mode browser would take the
terminal from under the review).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import webbrowser
from collections.abc import Mapping
from pathlib import Path

from collector.protocol.spawn import python_command
from collector.review.errors import ReviewError

TIMEOUT_S = 300


def make_report(episode: Path, episode_id: str) -> Path:
    """Write the report of `episode` into a new private directory and return the file's path."""
    out = Path(tempfile.mkdtemp(prefix="codetape-report-")) / f"{episode_id}.html"  # a private (0700) dir
    try:
        done = subprocess.run(python_command("collector", "report", str(episode), "-o", str(out)),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT_S,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        shutil.rmtree(out.parent, ignore_errors=True)
        raise ReviewError(f"codetape report did not finish: {exc}") from None
    if done.returncode != 0:
        shutil.rmtree(out.parent, ignore_errors=True)
        reason = (done.stderr.strip().splitlines() or [f"exit {done.returncode}"])[-1]
        raise ReviewError(f"codetape report failed: {reason}")
    return out


def graphical(env: Mapping[str, str] | None = None) -> bool:
    """Whether a browser can open without taking over this terminal."""
    env = os.environ if env is None else env
    return sys.platform in ("darwin", "win32") or bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def open_report(path: Path) -> bool:
    """Open the report in a graphical browser; False when there is none (the caller names the file)."""
    if not graphical():
        return False
    try:
        return webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:
        return False
