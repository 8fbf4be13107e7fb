"""A seeded debugging session: a failing test, a wrong guess or two taken back, the fix, the tests green.

The developer (tests/support/typist.py, keystroke by keystroke, with an AI's inline suggestions now and
then, no typos: every burst of the fix stays) has a task and a failing test of `clamp`; they type a guess
under its first `return`, save, run the tests (still failing), select the guess and delete it; after the
last guess they type the fix, save and run the tests green. The recorder (tests/support/recorder.py) gives
the steps an editor and the pytest plugin would. `reverts` are the steps that took a guess back: every
burst before the last of them, after the first failing run, inserted only text a revert removed.

    python -m tests.support.debugging --seed 1     # print the steps
"""

from __future__ import annotations

import argparse
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from schemas import ClientInfo, EpisodeHeader, Step, WorkspaceIdentity
from tests.support.recorder import Recorder
from tests.support.timing import Timing
from tests.support.typist import Habits, Typist

PATH = "src/clamp.py"
TEXT = "def clamp(value, low, high):\n    if value < low:\n        return low\n    return value\n"
GUESSES = [["    if value > low:", "        return high"], ["    if value >= high:", "        return low"],
           ["    value = min(value, low)"]]
FIX = ["    if value > high:", "        return high"]
STATEMENT = "Fix clamp: values above the limit are returned as they are"
FAILING = {"nodeid": "tests/test_clamp.py::test_high", "outcome": "failed",
           "summary": "AssertionError: assert 12 == 10"}


@dataclass
class Debugging:
    header: EpisodeHeader
    steps: list[Step]
    reverts: list[int]  # the steps that deleted a guess
    expected: str  # the file's text at the end


def _tests(failing: bool) -> dict[str, Any]:
    high = FAILING if failing else {"nodeid": FAILING["nodeid"], "outcome": "passed"}
    return {"kind": "test_run", "source": "pytest", "args": ["-q", "tests/test_clamp.py"],
            "exit_status": int(failing),
            "tests": [high, {"nodeid": "tests/test_clamp.py::test_low", "outcome": "passed"}]}


def debugging(seed: int) -> Debugging:
    rng = random.Random(f"debugging:{seed}")
    recorder = Recorder(rng, "file:///home/dev/work/clamp", training=True)
    timing = Timing(rng)
    typist = Typist(rng, timing, Habits(typo=0.0, retype_word=0.0, paste=0.0, inline=0.2), recorder.advance,
                    recorder.emit, recorder.offer)
    recorder.custom({"kind": "task", "source": "cli", "action": "start", "statement": STATEMENT})
    recorder.advance(timing.choose())
    doc = recorder.open(PATH, TEXT)
    recorder.active = doc
    reverts = []
    for guess in rng.sample(GUESSES, rng.randint(1, 2)):
        recorder.advance(rng.randint(4000, 9000))
        recorder.custom(_tests(failing=True))
        recorder.advance(rng.randint(4000, 20_000))
        doc.buf.move(2, len(doc.buf.lines[2]))
        recorder.cursor(doc)
        typist.type_lines(doc.buf, guess)
        recorder.save_all()
        recorder.advance(rng.randint(4000, 9000))
        recorder.custom(_tests(failing=True))
        recorder.advance(rng.randint(4000, 20_000))
        last = 2 + len(guess)  # select from the end of `return low` to the guess's end, then Delete
        recorder.emit(doc.buf.replace(2, len(doc.buf.lines[2]), last, len(doc.buf.lines[last]), ""))
        reverts.append(len(recorder.steps) - 1)
        recorder.advance(rng.randint(4000, 9000))
    typist.type_lines(doc.buf, FIX)
    recorder.save_all()
    recorder.advance(rng.randint(4000, 9000))
    recorder.custom(_tests(failing=False))
    recorder.advance(rng.randint(1000, 5000))
    recorder.custom({"kind": "task", "source": "cli", "action": "done", "outcome": "pass"})
    started = datetime(2026, 4, 1, 9, 0, tzinfo=UTC) + timedelta(days=seed % 365)
    header = EpisodeHeader(
        codetape_version="0.1.0", episode_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        started_at=started, position_encoding="utf-16", workspace=WorkspaceIdentity(root_name="clamp"),
        client=ClientInfo(name="Visual Studio Code", version="1.95.3"))
    return Debugging(header, recorder.steps, reverts, doc.buf.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    session = debugging(parser.parse_args().seed)
    for index, step in enumerate(session.steps):
        print(index, step.kind, getattr(step, "changes", ""))
    print(session.expected)


if __name__ == "__main__":
    main()
