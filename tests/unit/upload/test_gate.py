"""The checks before an upload (collector/upload/gate.py) run side by side in the upload's threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from collector.consent import init_keys
from collector.home import Home
from collector.upload.gate import Cleared, clear
from tests.support.sized_episodes import signed_episode

THREADS = 4


def test_threads_checking_at_once_clear_every_episode_as_one_thread_does(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    home.ensure(home.root)
    init_keys(home)
    paths = [signed_episode(home, 400_000, seed=seed) for seed in range(THREADS * 2)]
    alone = {path: clear(path, home) for path in paths}
    start = threading.Barrier(THREADS)

    def check(offset: int) -> list[Cleared]:
        start.wait()  # every thread decompresses at the same time
        turn = paths[offset:] + paths[:offset]
        return [clear(path, home) for path in turn * 3]

    with ThreadPoolExecutor(THREADS) as pool:
        together = [cleared for done in pool.map(check, range(THREADS)) for cleared in done]
    assert len(together) == THREADS * len(paths) * 3
    assert all(cleared == alone[cleared.path] for cleared in together)
