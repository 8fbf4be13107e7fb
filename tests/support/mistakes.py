"""What a training session's developer gets wrong, so that its labels have negatives to find: between a
failing test run and the next green one, a line typed (or an AI's inline suggestion for it taken whole)
and deleted again before the real work goes on, and an AI agent's write thrown away (activity.py); the
proportions are below and in docs/architecture.md.

A wrong attempt is the line about to be typed with one of its names another (typist.py `guess`), put on a
line of its own after the caret's, read for a while (a burst of its own: the pause before it and after it
is over 3 s) and deleted with its line (selected from the end of the line before it, Delete), the buffer
then exactly as before it.
"""

from __future__ import annotations

import random

from tests.support.recorder import OpenDoc, Recorder
from tests.support.typist import Typist, indent_of

ATTEMPT = 0.6  # a burst after a failing run starts with a wrong attempt
SUGGESTED = 0.5  # a wrong attempt is an AI's inline suggestion taken whole (else typed by hand)
AGENT_AFTER_FAILURE = 0.4  # after a failing run, an AI agent writes (activity.py `agent`) before the next
AGENT_UNDONE = 1 / 3  # an agent's write between a failing run and the green one is thrown away before the
# next run (the file put back as it was, from outside the editor): a `stepwise` step of the agent's, false
FIXED = 0.5  # a test run after a failing one is green (activity.py)
BREAK = 0.6  # a run after a green one fails at 0.1 + BREAK x the share of the work left (activity.py)


def wrong_attempt(
    rng: random.Random, typist: Typist, recorder: Recorder, doc: OpenDoc, line: str
) -> range | None:
    """Type a wrong `line` after the caret's line and delete it: the indexes of the attempt's steps (its
    deletion not among them), or None when there was none to type."""
    buf = doc.buf
    wrong = typist.guess(line.strip()) if line.strip() else None
    if wrong is None or buf.col != len(buf.current) or not buf.current.strip():
        return None  # (after a line of code: a suggestion's place would start with a line break on a blank
        # line, and its row's completion with it, which a tokenizer merges with the prompt: docs/exports.md)
    before, at = buf.text, (buf.line, buf.col)
    wrong = " " * indent_of(line) + wrong
    recorder.advance(rng.randint(3_500, 12_000))  # thinking it over: a burst of its own
    first = len(recorder.steps)
    if rng.random() < SUGGESTED:
        typist.enter(buf, typist.timing.key())
        typist.indent_to(buf, indent_of(wrong))
        typist.take_inline(buf, wrong[indent_of(wrong) :])
    else:
        typist.type_lines(buf, [wrong])
    recorder.advance(rng.randint(4_000, 15_000))  # reading it, seeing it is wrong
    steps = range(first, len(recorder.steps))
    recorder.emit(buf.replace(*at, buf.line, len(buf.current), ""), "typed")
    buf.move(*at)
    recorder.cursor(doc)
    assert buf.text == before, "a wrong attempt left the buffer changed"
    recorder.advance(rng.randint(3_500, 8_000))
    return steps
