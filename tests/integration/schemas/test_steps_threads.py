"""Steps converted in two threads at once, each kind for the first time: the process lives.

msgspec compiles a Struct type at its first conversion and, on a Python with the GIL, keeps it on the type
before it is complete (schemas/compiled.py); a thread converting to the same type meanwhile crashed the
whole process with a segmentation fault, as `codetape upload` did with its two upload threads reading
their episodes' steps (issue 36, item 12). Here, in a fresh interpreter that has only imported
schemas.steps, one thread converts a step of every kind and pauses at every Python function msgspec calls
while converting (where the scheduler may switch threads at any time); the other thread converts the same
step meanwhile. Before the types were compiled at import, this crashed on the first step every time."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from schemas.steps import STEP_KINDS, step_to_dict
from tests.fixtures.make_golden import AGENTS, FULL, OFFERS

PROBE = """
import json, sys, threading, time
from schemas.steps import step_from_dict

steps = json.load(sys.stdin)
now = {"step": steps[0]}
paused, finished = threading.Event(), threading.Event()


def pause(frame, event, arg):
    # in the first thread: a Python function msgspec calls from inside a conversion; the other one runs
    if event == "call" and frame.f_back is not None and frame.f_back.f_code.co_name == "step_from_dict":
        paused.set()
        time.sleep(0.01)  # the scenario: this thread held inside a conversion, not a wait


def first():
    sys.setprofile(pause)
    try:
        for step in steps:
            now["step"] = step
            step_from_dict(step)
    finally:
        sys.setprofile(None)
        finished.set()


def second():
    while not finished.is_set():
        if paused.wait(0.01):
            step_from_dict(now["step"])


threads = [threading.Thread(target=first), threading.Thread(target=second)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(len(steps))
"""


def test_two_threads_converting_every_step_kind_for_the_first_time_do_not_crash() -> None:
    one_of_each = list({step.kind: step_to_dict(step) for step in (*FULL, *AGENTS, *OFFERS)}.values())
    assert {step["kind"] for step in one_of_each} == STEP_KINDS
    done = subprocess.run([sys.executable, "-X", "faulthandler", "-c", PROBE], input=json.dumps(one_of_each),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != -signal.SIGSEGV, f"the process crashed converting steps:\n{done.stderr}"
    assert (done.returncode, done.stdout.strip()) == (0, str(len(one_of_each))), done.stderr
