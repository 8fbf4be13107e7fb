"""`python -m collector.sources.shell SPOOL SHELL_PID PIDFILE`: the shell hook's recorder, as the hook starts
it (shell_hook.py; the command line a shell's hook already holds stays as it was installed)."""

from __future__ import annotations

import sys

from collector.home import Home
from collector.protocol.crashes import stacks_on_crash
from collector.sources.shell.recorder import main

stacks_on_crash(Home.from_env().log)  # its output goes nowhere (collector/protocol/crashes.py)
sys.exit(main(sys.argv[1:]))
