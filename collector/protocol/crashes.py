"""A native crash leaves the Python stack of every thread: faulthandler, on in every codetape process.

A segmentation fault or an abort in native code (a C extension, the interpreter) ends a process with no
Python traceback, and with nothing at all when its output was still buffered. faulthandler's handlers
(SIGSEGV, SIGFPE, SIGABRT, SIGBUS, SIGILL) first write where each thread was, then let the signal end the
process as it would have. Each codetape process turns it on as it starts, writing where that process's
output is read:

    codetape CMD, python -m collector    stderr; the detached collector's stderr is its log
                                         (run/collector.log), and the background upload's is read into that
                                         log line by line
    python -m collector.seal.ahead       stderr: the collector's
    python -m collector.sources.shell    run/collector.log (the shell hook sends its output nowhere)
    codetape bridge, python -m lsp_bridge   stderr (the editor's log of the server), or the --log file
    the dataset build's worker processes   stderr: the build's

Loaded before proxy mode's language server starts: nothing is imported here but faulthandler itself.
"""

from __future__ import annotations

import faulthandler
import os
import sys

TYPE_CHECKING = False  # typing itself is not loaded before proxy mode's server starts
if TYPE_CHECKING:
    from pathlib import Path
    from typing import TextIO

_LOGS: list[TextIO] = []  # the log files written to, open for as long as the process runs


def stacks_on_crash(log: Path | None = None) -> bool:
    """Turn faulthandler on for every thread, writing into `log` (appended to, created private) or else
    to stderr. False when there is nowhere to write (no stderr, a log that cannot be opened): the process
    runs on without it."""
    try:
        if log is None:
            out = sys.stderr
        else:
            fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            out = os.fdopen(fd, "a", encoding="utf-8")
            _LOGS.append(out)
        faulthandler.enable(out, all_threads=True)
    except (OSError, ValueError, RuntimeError, AttributeError):  # no file, no descriptor, stderr None
        return False
    return True
