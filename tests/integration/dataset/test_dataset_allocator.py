"""Arrow's allocator in a build's processes (collector/dataset/engines/allocator.py): importing the dataset
package leaves the environment alone; the workers the local engine starts allocate with jemalloc."""

from __future__ import annotations

import os
import subprocess
import sys

import pyarrow as pa
import pytest

from collector.dataset.engines import workers as pool
from collector.dataset.engines.allocator import POOL_VARIABLE, arrow_environment


def backend() -> str:
    return pa.default_memory_pool().backend_name


def test_the_users_choice_wins() -> None:
    assert arrow_environment({}) == {POOL_VARIABLE: "jemalloc"}
    assert arrow_environment({POOL_VARIABLE: "system"}) == {}


def test_importing_the_dataset_package_leaves_the_environment_alone() -> None:
    env = {name: value for name, value in os.environ.items() if name != POOL_VARIABLE}
    code = ("import os, pkgutil, importlib, collector.dataset as d\n"
            "for m in pkgutil.walk_packages(d.__path__, 'collector.dataset.'):\n"
            "    if not m.name.rpartition('.')[2].startswith('ray'): importlib.import_module(m.name)\n"
            f"print(os.environ.get({POOL_VARIABLE!r}))")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "None"


def test_a_worker_allocates_with_what_it_was_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(POOL_VARIABLE, raising=False)
    given, bare = pool.Workers(1, environment=arrow_environment(os.environ)), pool.Workers(1)
    try:
        assert given.each(backend) == ["jemalloc"]
        assert bare.each(backend) == ["mimalloc"]  # Arrow's default on this platform: the variable did it
    finally:
        given.close()
        bare.close()
