"""The HTML report from the review: `codetape report EPISODE -o FILE.html`, run as its own process.

The report is another command's work; the review only runs it on what the reviewer sees (the trimmed
copy) and opens the file in a browser when there is a graphical one (a text-mode browser would take the
terminal from under the review). It passes how many files the reviewer excluded (`excluded_count`), never
which: the page says it is what would be shared, and that many files were excluded. The page holds
unsigned content: `Reports` keeps each one only while the review is open, one at a time.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from collector.protocol.spawn import python_command
from collector.review.errors import ReviewError

if TYPE_CHECKING:
    from collector.review.session import ReviewSession

TIMEOUT_S = 300


def excluded_count(session: ReviewSession) -> int:
    """How many files the review excluded from what would be shared (none before a trim)."""
    return 0 if session.trimmed is None else len(session.trimmed.excluded.paths)


def make_report(episode: Path, episode_id: str, excluded: int | None = None) -> Path:
    """Write the report of `episode` into a new private directory and return the file's path; the caller
    removes the directory (`Reports` does). `excluded`: the page is made in a review, which excluded that
    many files (`excluded_count`)."""
    out = Path(tempfile.mkdtemp(prefix="codetape-report-")) / f"{episode_id}.html"  # a private (0700) dir
    review = [] if excluded is None else ["--review-excluded", str(excluded)]
    try:
        done = subprocess.run(python_command("collector", "report", str(episode), "-o", str(out), *review),
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


class Reports:
    """The review's reports: a new one's folder replaces the last one's, and `close` removes the last.

    Reports are written in a worker thread that can outlive the review's screen: one that finishes after
    `close` removes its own folder."""

    def __init__(self, make: Callable[..., Path] = make_report) -> None:
        self._make = make
        self._lock = threading.Lock()
        self._folder: Path | None = None  # the newest report's
        self._closed = False

    def write(self, episode: Path, episode_id: str, excluded: int | None = None) -> Path:
        """The report of `episode`, in place of the last one; ReviewError once the review has closed.
        `excluded`: how many files the review excluded (`excluded_count`), which the page says."""
        if self._closed:
            raise ReviewError("the review has closed; the report was not written")
        path = self._make(episode, episode_id, *([] if excluded is None else [excluded]))
        with self._lock:
            closed = self._closed
            stale = path.parent if closed else self._folder  # this report's folder, or the one it replaces
            if not closed:
                self._folder = path.parent
        if stale is not None:
            shutil.rmtree(stale, ignore_errors=True)
        if closed:
            raise ReviewError("the review closed while the report was written; it is removed")
        return path

    def close(self) -> None:
        """Remove the last report's folder; no report is kept after this."""
        with self._lock:
            self._closed = True
            folder, self._folder = self._folder, None
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


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
