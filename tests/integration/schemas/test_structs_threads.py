"""Every msgspec Struct type codetape defines, converted in two threads at once for the first time in a
process: the process lives.

msgspec compiles a Struct type at its first conversion and, on a Python with the GIL, keeps it on the type
before it is complete (schemas/compiled.py); a second thread converting to it meanwhile crashed the
process with a segmentation fault (issue 51: `ConsentStatement` in the upload's threads). Here each module
that defines Struct types is imported alone in a fresh interpreter; then, for each of its types, one
thread converts a sample reaching every nested field (tests/support/struct_samples.py) and pauses at
every Python function msgspec calls while converting, while the other converts the same sample. Before
every module compiled its types as it was imported, 30 of the 85 types crashed the process.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

import msgspec

from tests.support.struct_samples import product_structs, sample

PROBE = """
import importlib, json, sys, threading, time
import msgspec

module, samples = sys.argv[1], json.load(sys.stdin)
importlib.import_module(module)  # what a process does first: import, then convert (maybe in threads)
kinds = {name: getattr(sys.modules[module], name) for name in samples}


def convert_one(kind, data):
    return msgspec.json.decode(data, type=kind)


def probe(name):
    kind, data = kinds[name], json.dumps(samples[name]).encode()
    paused, finished = threading.Event(), threading.Event()

    def pause(frame, event, arg):  # a Python function called from inside the conversion: let the other run
        if event == "call" and frame.f_back is not None and frame.f_back.f_code.co_name == "convert_one":
            paused.set()
            time.sleep(0.01)  # the scenario: this thread held inside a conversion, not a wait

    def first():
        sys.setprofile(pause)
        try:
            convert_one(kind, data)
        finally:
            sys.setprofile(None)
            finished.set()

    def second():
        while not finished.is_set():
            if paused.wait(0.01):
                convert_one(kind, data)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


for name in samples:
    print(name, flush=True)  # the last name printed is the type that crashed
    probe(name)
print("done")
"""


def test_every_struct_type_survives_its_first_conversion_in_two_threads() -> None:
    by_module: dict[str, dict[str, object]] = defaultdict(dict)
    for kind in product_structs():
        data = sample(kind)
        msgspec.json.decode(json.dumps(data).encode(), type=kind)  # valid: it reaches every field
        by_module[kind.__module__][kind.__qualname__] = data

    def run(module: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", PROBE, module],
                              input=json.dumps(by_module[module]), capture_output=True, text=True,
                              timeout=120, check=False)
        return module, done

    crashed = []
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        for module, done in pool.map(run, sorted(by_module)):
            printed = done.stdout.split()
            if done.returncode == -signal.SIGSEGV:
                crashed.append(f"{module}.{printed[-1] if printed else '?'}")
                continue
            assert (done.returncode, printed[-1:]) == (0, ["done"]), f"{module}:\n{done.stderr}"
    count = sum(len(types) for types in by_module.values())
    assert not crashed, f"{len(crashed)} of {count} types' first conversion crashed: {', '.join(crashed)}"
