"""A loaded machine for a test: processes spinning on the CPU while its body runs."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def busy_loops(count: int = 2) -> Iterator[None]:
    """`count` processes spinning on the CPU (one a core on a two-core machine) while the body runs."""
    loops = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]
    try:
        yield
    finally:
        for loop in loops:
            loop.kill()
            loop.wait()
