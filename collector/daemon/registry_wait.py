"""A hello or request naming a workspace while `workspaces.json` cannot be read (the file table full,
memory, the device: workspace/registry.py's RegistryUnreadable) waits until it can, the event loop serving
the others meanwhile, REGISTRY_WAIT_S at most: then CollectorError says why nothing was recorded. Whether
the workspace is opted in is never decided from a file that could not be read."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import TypeVar

from collector.errors import CollectorError, RegistryUnreadable

log = logging.getLogger("codetape.collector")
REGISTRY_WAIT_S = 30.0
T = TypeVar("T")


async def once_known(look: Callable[[], T], wait_s: float = REGISTRY_WAIT_S) -> T:
    """`look()`, asked again (20 ms, doubling to 1 s) while it raises RegistryUnreadable."""
    deadline, pause = time.monotonic() + wait_s, 0.02
    while True:
        try:
            return look()
        except RegistryUnreadable as exc:
            if time.monotonic() >= deadline:
                raise CollectorError(f"not recorded: {exc}") from None
            if pause == 0.02:
                log.warning("%s: waiting for it (%g s at most)", exc, wait_s)
        await asyncio.sleep(pause)
        pause = min(2 * pause, 1.0)
