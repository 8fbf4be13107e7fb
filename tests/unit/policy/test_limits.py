"""The managed policy's channels and size cap as one rule (collector/policy/limits.py): what it keeps of
each step, what it counts as beyond it, what it says, and the header it writes."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import uuid4

from collector.policy.limits import Limits
from schemas import CaptureSettings, EpisodeHeader, Step, WorkspaceIdentity
from schemas.steps import AgentStep, CommandStep, FileChangeStep, NoteStep, OpenStep

POLICY = Limits(("edits", "diagnostics", "tests", "git", "files"), 64)


def steps() -> list[Step]:
    return [
        OpenStep(t_ms=0, source="bridge", path="app.py", text="a = 1\n"),
        FileChangeStep(t_ms=1, source="watcher", path="big.py", change="modified", text="é" * 40),  # 80 bytes
        FileChangeStep(t_ms=2, source="watcher", path="small.py", change="modified", text="x" * 64),
        CommandStep(t_ms=3, source="shell", argv=["make"]),
        AgentStep(t_ms=4, source="agent", agent="codex", hook="PreToolUse", event="tool_call",
                  command_line="make deploy", targets=["app.py"]),
        NoteStep(t_ms=5, source="cli", text="kept"),
    ]


def test_what_the_limits_keep_and_what_they_count_beyond() -> None:
    found = POLICY.beyond(steps())
    assert dict(found.steps) == {"command": 1}
    assert (found.command_lines, found.too_large, found.largest) == (1, 1, 80)
    assert found.says() == ("1 command step (channel commands), 1 agent command line (channel commands), "
                            "1 file text of up to 80 bytes (above 64)")
    assert POLICY.names() == "channels edits, diagnostics, tests, git, files and size cap 64 bytes"
    kept = [POLICY.kept(step) for step in steps()]
    assert [None if step is None else step.kind for step in kept] == [
        "open", "file_change", "file_change", None, "agent", "note"]
    big, small, agent = kept[1], kept[2], kept[4]
    assert isinstance(big, FileChangeStep) and (big.text, big.omitted, big.size) == (None, "too_large", 80)
    assert isinstance(small, FileChangeStep) and small.text == "x" * 64  # at the cap: kept
    assert isinstance(agent, AgentStep) and agent.command_line is None and agent.targets == ["app.py"]


def test_no_cap_and_every_channel_forbid_nothing() -> None:
    assert not Limits().beyond(steps())
    assert not Limits(max_file_bytes=80).beyond(steps())
    assert Limits().names() == "channels (all)"
    assert Limits(max_file_bytes=10).names() == "size cap 10 bytes"


def test_the_header_says_the_channels_both_list_and_the_smaller_cap() -> None:
    capture = CaptureSettings(channels=["edits", "commands", "files"], max_file_bytes=1000)
    start = datetime(2026, 11, 27, tzinfo=UTC)
    header = EpisodeHeader(codetape_version="1", episode_id=uuid4(), capture=capture, started_at=start,
                           workspace=WorkspaceIdentity(root_name="ws"))
    bound = POLICY.header(header)
    assert (bound.capture.channels, bound.capture.max_file_bytes) == (["edits", "files"], 64)
    assert Limits().header(header) is header
