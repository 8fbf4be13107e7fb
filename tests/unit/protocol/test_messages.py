"""The socket's step messages (collector/protocol/messages.py): a client's structs decode straight back into
equal structs, once; anything else is left to the map reading, never refused here."""

from __future__ import annotations

from collector.protocol.framing import decode_body, encode
from collector.protocol.messages import StepMessage, StepsMessage, decoded
from schemas.steps import ContentChange, EditStep, NoteStep
from schemas.steps.base import Position, Range

EDIT = EditStep(t_ms=0, source="bridge", path="/ws/a.py", version=3, changes=[
    ContentChange(range=Range(start=Position(line=1, character=2), end=Position(line=1, character=4)),
                  text="é😀"), ContentChange(text="whole")])
NOTE = NoteStep(t_ms=0, source="bridge", text="hello")


def body(message: object) -> bytes:
    return encode(message)[4:]  # type: ignore[arg-type]  # a struct or a map: msgspec writes either


def test_a_batch_of_structs_decodes_into_equal_structs() -> None:
    message = decoded(body({"op": "steps", "items": [[17, EDIT], [18, NOTE]]}))
    assert message == StepsMessage(items=[(17, EDIT), (18, NOTE)])
    assert isinstance(message, StepsMessage) and type(message.items[0][1]) is EditStep


def test_one_step_with_or_without_its_time() -> None:
    assert decoded(body({"op": "step", "at": 5, "step": NOTE})) == StepMessage(step=NOTE, at=5)
    assert decoded(body({"op": "step", "step": NOTE})) == StepMessage(step=NOTE)


def test_the_same_bytes_as_the_struct_message() -> None:
    """The client writes a map holding structs; the message struct writes the same bytes."""
    assert body({"op": "steps", "items": [[17, EDIT]]}) == body(StepsMessage(items=[(17, EDIT)]))


def test_what_is_no_step_message_of_structs_is_left_to_the_map_reading() -> None:
    plain_note = {"kind": "note", "source": "bridge", "text": "no t_ms"}  # a JSON client's, an older bridge's
    refused = {"kind": "note", "t_ms": 0, "source": "bridge", "text": 5}
    beside = {"kind": "command", "t_ms": 0, "source": "shell", "command_line": "x", "junit": ["r.xml"]}
    for message in ({"op": "hello", "workspace": "/ws"}, {"op": "status", "id": 1},
                    {"op": "steps", "items": [[1, NOTE], [2, plain_note]]},
                    {"op": "steps", "items": [[1, refused]]}, {"op": "step", "at": 1, "step": beside},
                    {"op": "steps", "items": [NOTE]}, {"op": "steps", "items": [[True, NOTE]]}):
        raw = body(message)
        assert decoded(raw) is None, message
        assert decode_body(raw)["op"] == message["op"]  # what reads it instead


def test_damaged_bytes_are_no_step_message_and_raise_nothing() -> None:
    for raw in (b"\xc1", b"\x81\xa1a" + b"\x91" * 100_000 + b"\xc0", b"\x92\x01\x02", b""):
        assert decoded(raw) is None
