"""codetape's tests. When the environment tells Python not to write bytecode (PYTHONDONTWRITEBYTECODE),
the tests cache it all the same, under the virtualenv's `pycache/` (sys.pycache_prefix here,
PYTHONPYCACHEPREFIX for the processes they start), never beside the sources: otherwise every pytest
process (each xdist worker) compiles every module it imports and rewrites the asserts of every test module
again (9 s of the 16 s a worker took to collect the tiers), and every `codetape` process a test starts
compiles codetape again (0.44 s for `codetape status` on a fresh checkout, 0.09 s cached). Interpreters
older than 3.8 have no PYTHONPYCACHEPREFIX: the old Pythons test_pytest_anywhere runs write their bytecode
of the pytest plugin beside it (collector/sources/pytest_path/__pycache__, ignored by git), as they do
on a developer's machine."""

from __future__ import annotations

import os
import sys
from pathlib import Path

if sys.dont_write_bytecode:
    sys.pycache_prefix = str(Path(sys.prefix) / "pycache")
    sys.dont_write_bytecode = False
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = sys.pycache_prefix
