"""What the settings in force at the seal drop (collector/seal/in_force.py): steps about excluded files
(whatever the case of a secret-ish name), the steps of channels no longer recorded, an agent's command
line where commands are not recorded, and a watched file's text above the cap."""

from __future__ import annotations

from pathlib import Path

import msgspec

from collector.seal.in_force import InForce, header_settings
from schemas import CaptureSettings, EpisodeHeader, Step
from schemas.common import plain
from schemas.settings import WorkspaceSettings
from schemas.steps import AgentStep, CommandStep, FileChangeStep, NoteStep, OpenStep


def steps() -> list[Step]:
    return [
        OpenStep(t_ms=0, source="bridge", path="notes/plan.md", text="the plan\n"),
        OpenStep(t_ms=1, source="bridge", path="KEYS/ID_RSA", text="key\n"),
        OpenStep(t_ms=2, source="bridge", path="app.py", text="a = 1\n"),
        FileChangeStep(t_ms=3, source="watcher", path="big.py", change="modified", text="x" * 200),
        FileChangeStep(t_ms=4, source="watcher", path="notes/plan.md", change="renamed", new_path="plan.md"),
        FileChangeStep(t_ms=5, source="watcher", path="plan.md", change="modified", text="the plan, moved\n"),
        CommandStep(t_ms=6, source="shell", argv=["make"]),
        AgentStep(t_ms=7, source="agent", agent="codex", hook="PreToolUse", event="tool_call",
                  command_line="make deploy", targets=["app.py", "notes/plan.md"]),
        NoteStep(t_ms=8, source="cli", text="kept"),
    ]


def test_what_the_settings_in_force_exclude_is_dropped(tmp_path: Path) -> None:
    settings = WorkspaceSettings(exclude=["notes/"], max_file_bytes=100,
                                 channels=["edits", "diagnostics", "tests", "git", "files"])
    kept = list(InForce(settings).drop(iter(steps()), tmp_path))
    assert [(s.kind, getattr(s, "path", None)) for s in kept] == [
        ("open", "app.py"), ("file_change", "big.py"), ("agent", None), ("note", None)]
    big = kept[1]
    assert isinstance(big, FileChangeStep)
    assert (big.text, big.omitted, big.size) == (None, "too_large", 200)
    agent = kept[2]
    assert isinstance(agent, AgentStep) and agent.command_line is None and agent.targets == ["app.py"]


def test_the_defaults_drop_only_what_is_never_recorded(tmp_path: Path) -> None:
    kept = list(InForce(WorkspaceSettings()).drop(iter(steps()), tmp_path))
    assert [s.t_ms for s in kept] == [0, 2, 3, 4, 5, 6, 7, 8]  # KEYS/ID_RSA goes, whatever the case


def test_the_journal_header_names_the_settings() -> None:
    header = msgspec.convert({
        "codetape_version": "0", "episode_id": "00000000-0000-4000-8000-000000000000",
        "started_at": "2026-01-01T00:00:00Z", "workspace": {"root_name": "ws"},
        "position_encoding": "utf-16",
        "capture": plain(CaptureSettings(channels=["edits"], exclude=["notes/"], max_file_bytes=10))},
        EpisodeHeader)
    settings = header_settings(header)
    assert (settings.channels, settings.exclude, settings.max_file_bytes) == (["edits"], ["notes/"], 10)


def test_a_header_that_lists_no_channel_states_none() -> None:
    header = msgspec.convert({
        "codetape_version": "0", "episode_id": "00000000-0000-4000-8000-000000000000",
        "started_at": "2026-01-01T00:00:00Z", "workspace": {"root_name": "ws"},
        "position_encoding": "utf-16"}, EpisodeHeader)
    assert header_settings(header) == WorkspaceSettings()
