"""codetape's tests. When the environment tells Python not to write bytecode (PYTHONDONTWRITEBYTECODE),
the test process caches it all the same, under the virtualenv's `pycache/` (sys.pycache_prefix), never
beside the sources: otherwise every pytest process (each xdist worker) compiles every module it imports
and rewrites the asserts of every test module again, 9 s of the 16 s a worker takes to collect the tiers.
This process only: the processes tests start get the environment they are given."""

from __future__ import annotations

import sys
from pathlib import Path

if sys.dont_write_bytecode:
    sys.pycache_prefix = str(Path(sys.prefix) / "pycache")
    sys.dont_write_bytecode = False
