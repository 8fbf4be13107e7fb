"""The collector socket's step messages, one type at both ends: `{"op": "step", "at": ms, "step": STEP}` and
`{"op": "steps", "items": [[ms, STEP], ...]}`, each STEP the plain form of a `schemas.steps` struct (`t_ms`
0: the episode places a step when it writes it; the time travels beside it, paths as the client saw them).

A client sends its steps as the structs it built (the bridge: lsp_bridge/steps/translate.py), and the daemon
decodes such a message straight into them, once, at the socket (`decoded`): the schema's checks run in that
one decode, and no map stands between the bytes and the `Step` (a keystroke's didChange: LSP bytes, the LSP
map, the bridge's `EditStep`, these bytes, the collector's `EditStep`, and on to the journal).

What does not decode so (a JSON client's message, a step with no `t_ms` or with what travels beside it
without being a field, such as an agent hook's `patch`; one invalid step in a batch) is read as a map and
admitted step by step (collector/daemon/intake/admit.py `arrive`), as before: nothing is refused here.
"""

from __future__ import annotations

import msgspec

from schemas.compiled import compile_module
from schemas.steps import Step


class StepMessage(msgspec.Struct, tag="step", tag_field="op", frozen=True, forbid_unknown_fields=True):
    """One step, and when it happened (unix epoch ms; None: when it came)."""

    step: Step
    at: int | None = None


class StepsMessage(msgspec.Struct, tag="steps", tag_field="op", frozen=True, forbid_unknown_fields=True):
    """Steps in the order they happened, each with its time (unix epoch ms)."""

    items: list[tuple[int, Step]]


_DECODER = msgspec.msgpack.Decoder(StepMessage | StepsMessage)


def decoded(body: bytes) -> StepMessage | StepsMessage | None:
    """A msgpack message body as its steps, checked against the schema; None when it is no step message
    whose every step decodes (the caller then reads it as a map)."""
    try:
        message: StepMessage | StepsMessage = _DECODER.decode(body)
    except (ValueError, RecursionError):  # msgspec's errors are ValueErrors: not a step message, one step
        return None  # refused, or damaged bytes (which the map reading then names)
    return message


compile_module(__name__)
