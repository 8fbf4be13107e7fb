"""Steps a client sends as the structs it built (collector/protocol/messages.py) reach the episode through
the one decode at the socket and the same policy as maps: paths made relative, excluded files dropped, and
a batch holding one step the schema refuses still keeps the others."""

from __future__ import annotations

from pathlib import Path

from collector.protocol.clock import now_ms
from schemas.steps import ContentChange, EditStep, NoteStep, OpenStep
from tests.support.collector_harness import episode_steps, opt_in, running, settle


def test_struct_steps_are_recorded_as_maps_are(tmp_path: Path) -> None:
    ws = opt_in(tmp_path / "ws", 'exclude = ["private/"]\n', home=tmp_path / "h")
    opened = OpenStep(t_ms=0, source="bridge", path=str(ws / "a.py"), text="a = 1\n", language_id="python")
    edited = EditStep(t_ms=0, source="bridge", path=str(ws / "a.py"), version=2,
                      changes=[ContentChange(text="a = 2\n")])
    hidden = OpenStep(t_ms=0, source="bridge", path=str(ws / "private" / "plan.md"), text="secret plan")
    refused = {"kind": "note", "t_ms": 0, "source": "bridge", "text": 5}  # the schema wants a string
    with running(tmp_path / "h") as daemon, daemon.client() as client:
        assert client.hello(ws, "bridge")["recording"]
        at = now_ms()
        client.send_steps([(at, opened), (at + 1, edited), (at + 2, hidden)])
        client.send_steps([(at + 3, NoteStep(t_ms=0, source="bridge", text="kept")), (at + 4, refused)])
        settle(client)
        sealed = client.request("seal", workspace=str(ws))
    steps = episode_steps(Path(sealed["path"]))
    assert [(s["kind"], s.get("path")) for s in steps] == [
        ("open", "a.py"), ("edit", "a.py"), ("note", None), ("gap", None)]
    assert steps[1]["changes"] == [{"text": "a = 2\n"}] and steps[2]["text"] == "kept"
    assert steps[3]["reason"] == "malformed_input" and "'note'" in steps[3]["detail"]
    assert [s["t_ms"] for s in steps] == sorted(s["t_ms"] for s in steps)
