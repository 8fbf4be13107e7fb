"""Arrow's allocator in a build's processes: jemalloc, told to give memory back as soon as it is free.

Arrow's default allocator (mimalloc) keeps freed memory for reuse, so a build's RSS would creep up by a
few hundred MiB after its first writes; jemalloc with its decay at 0 (`frugal_memory`) stays flat. Arrow
reads its choice from ARROW_DEFAULT_MEMORY_POOL once, when pyarrow is imported (the Parquet and IPC
writers allocate from that pool whatever `pyarrow.set_memory_pool` says), so each process that builds
gets the variable before it imports pyarrow: `codetape dataset` itself, the local engine's workers
(workers.py) and the processes of the local Ray (ray_local.py). A choice of the user's own wins.
This module does not import pyarrow, so a process can read it first.
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Mapping

POOL_VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"
_M_MMAP_THRESHOLD = -3  # mallopt's parameter (malloc.h)


def arrow_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """The variables to add to `environ` before a process imports pyarrow to build: jemalloc as Arrow's
    allocator, unless `environ` names one."""
    return {} if POOL_VARIABLE in environ else {POOL_VARIABLE: "jemalloc"}


def frugal_memory() -> None:
    """Have the allocators give memory back as soon as it is free, not keep it for the next episode:
    Arrow's jemalloc, and glibc's malloc for blocks of 128 KiB or more (it otherwise raises that threshold
    as such blocks are freed, then keeps what the next large file text takes: a worker crept up by 70 MB
    over a few such episodes). Once per process is enough; again costs nothing."""
    # pyarrow (~0.1 s) in the worker that reads episodes, not in every module that imports this one
    import pyarrow as pa

    if pa.default_memory_pool().backend_name == "jemalloc":
        pa.jemalloc_set_decay_ms(0)
    try:
        mallopt = ctypes.CDLL(None).mallopt  # glibc's; elsewhere there is none, and nothing to do
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, 128 << 10)


def give_back() -> bool:
    """Return the C heap's free pages to the system (glibc's `malloc_trim`), after a pass that filled
    SQLite's page caches and made millions of short-lived objects: glibc keeps the blocks freed in the middle
    of its heap for reuse, so the process stays as big as the pass was (at a million episodes the known
    episodes' and the split's passes left ~45 MiB that nothing held, under the new episodes' pass that comes
    next: issue 107). False where there is no glibc (nothing to do)."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return False
    trim(0)
    return True


_frozen = False


def freeze_loaded() -> None:
    """Set what the process holds before its first episode (the modules loaded: pyarrow's, duckdb's,
    codetape's) out of the cyclic garbage collector's way for good (`gc.freeze`, after one collection, so no
    garbage is set aside): each full collection an episode's replay and its exports start then looks only
    at what the build made since, not at hundreds of thousands of objects that live as long as the
    process. Once per process (a build's, a worker's: never a library caller's, whose objects it would
    keep); again does nothing."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.collect()
        gc.freeze()
