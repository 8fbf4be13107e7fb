"""What the transcript readers (collector/transcripts/) make of real Claude Code and Codex transcripts
(tests/fixtures/transcripts/, written by the pinned binaries) and of what a transcript may hold besides."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collector.sources.agents import payloads
from collector.transcripts import claude_code, codex, lines
from collector.transcripts.lines import Lines
from collector.transcripts.said import READ_FIELDS, Said
from tests.support.transcripts import FIXTURE_BASE, FIXTURES, SECRET

WS = f"{FIXTURE_BASE}/ws"


def said(agent: str, path: Path | None = None) -> list[Said]:
    reader = claude_code if agent == "claude-code" else codex
    return list(reader.said(Lines(path or FIXTURES / f"{agent}.jsonl")))


def events(found: list[Said]) -> list[tuple[str, str | None]]:
    return [(item.payload["hook_event_name"], item.payload.get("tool_name")) for item in found]


def written(tmp_path: Path, entries: list[Any]) -> Path:
    path = tmp_path / "t.jsonl"
    path.write_text("".join((e if isinstance(e, str) else json.dumps(e)) + "\n" for e in entries))
    return path


def test_claude_code_s_transcript_says_what_its_hooks_say() -> None:
    found = said("claude-code")
    assert events(found) == [
        ("SessionStart", None), ("UserPromptSubmit", None), ("PreToolUse", "Read"), ("PostToolUse", "Read"),
        ("PreToolUse", "Edit"), ("PreToolUse", "Bash"), ("PreToolUse", "Read"), ("PostToolUse", "Edit"),
        ("PostToolUse", "Bash"), ("PostToolUse", "Read"), ("Stop", None), ("SessionEnd", None)]
    assert SECRET in found[1].payload["prompt"]
    assert found[4].payload["tool_input"] == {"file_path": f"{WS}/app.py"}  # only what a hook reads
    assert found[7].payload["tool_input"] == {"file_path": f"{WS}/app.py"}  # the result names its call's file
    assert {item.payload["cwd"] for item in found} == {WS}
    assert [item.at for item in found] == sorted(item.at for item in found)


def test_codex_s_transcript_says_what_its_hooks_say() -> None:
    found = said("codex")
    assert events(found) == [
        ("SessionStart", None), ("UserPromptSubmit", None), ("PreToolUse", "Bash"), ("PostToolUse", "Bash"),
        ("PreToolUse", "apply_patch"), ("PreToolUse", "Bash"), ("PreToolUse", "Bash"),
        ("PostToolUse", "apply_patch"), ("PostToolUse", "Bash"), ("PostToolUse", "Bash"), ("Stop", None),
        ("SessionEnd", None)]
    patch = found[4].payload["tool_input"]["command"]
    assert patch.startswith("*** Begin Patch\n*** Update File: ") and "+    return a + b" in patch
    assert found[5].payload["tool_input"] == {"command": "cat /etc/hostname > /dev/null; echo ran > out.txt"}
    # what the hooks' reading makes of it: the targets the patch names
    call = payloads.from_payload("codex", found[4].payload)
    assert call.targets == (f"{WS}/app.py",)


def test_codex_s_prompt_written_twice_is_one_prompt_and_an_argv_shell_is_its_command_line(
        tmp_path: Path) -> None:
    meta = {"timestamp": "2026-01-02T03:04:05.000Z", "type": "session_meta",
            "payload": {"id": "s1", "cwd": "/w", "cli_version": "0.1.2"}}
    asked = {"timestamp": "2026-01-02T03:04:06.000Z", "type": "event_msg",
             "payload": {"type": "user_message", "message": "do it"}}
    item = {"type": "UserMessage", "content": [{"type": "text", "text": "do it"}]}
    again = {"timestamp": "2026-01-02T03:04:06.100Z", "type": "event_msg",
             "payload": {"type": "item_completed", "item": item}}
    shell = {"timestamp": "2026-01-02T03:04:07.000Z", "type": "response_item", "payload": {
        "type": "function_call", "name": "shell", "call_id": "c1",
        "arguments": json.dumps({"command": ["bash", "-lc", "make test"]})}}
    other = {"timestamp": "2026-01-02T03:04:08.000Z", "type": "response_item", "payload": {
        "type": "function_call", "name": "update_plan", "call_id": "c2",
        "arguments": json.dumps({"command": "not a shell", "plan": []})}}
    later = {**asked, "timestamp": "2026-01-02T03:05:00.000Z"}  # asked again a minute on: a new prompt
    found = said("codex", written(tmp_path, [meta, asked, again, shell, other, later]))
    assert events(found) == [("SessionStart", None), ("UserPromptSubmit", None), ("PreToolUse", "Bash"),
                             ("PreToolUse", "update_plan"), ("UserPromptSubmit", None), ("SessionEnd", None)]
    assert found[2].payload["tool_input"] == {"command": "make test"}
    assert found[3].payload["tool_input"] == {}  # another tool's arguments are never read
    assert codex.version_of(meta) == "0.1.2"


def test_what_claude_code_adds_itself_is_no_prompt(tmp_path: Path) -> None:
    base = {"timestamp": "2026-01-02T03:04:05.000Z", "sessionId": "s", "cwd": "/w", "type": "user"}
    found = said("claude-code", written(tmp_path, [
        {**base, "isMeta": True, "message": {"role": "user", "content": "Caveat: the messages below..."}},
        {**base, "message": {"role": "user", "content": "<local-command-stdout>ok</local-command-stdout>"}},
        {**base, "isSidechain": True, "message": {"role": "user", "content": "search the repo"}},
        {**base, "isCompactSummary": True, "message": {"role": "user", "content": "summary of before"}},
        {**base, "message": {"role": "user", "content": [{"type": "text", "text": "and the tests"}]}},
        {**base, "type": "summary", "summary": "not a line read"}]))
    assert [item.payload.get("prompt") for item in found] == [None, "and the tests", None]


def test_a_line_too_long_or_not_json_is_skipped_and_counted(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines, "MAX_LINE_BYTES", 200)
    monkeypatch.setattr(lines, "_CHUNK", 7)
    good = {"timestamp": "2026-01-02T03:04:05.000Z", "sessionId": "s", "cwd": "/w", "type": "user",
            "message": {"role": "user", "content": "hello"}}
    path = written(tmp_path, ["{not json", "[1, 2]", json.dumps({"x": "y" * 500}), good])
    read = Lines(path)
    assert list(read) == [good]
    assert read.skipped == 3


def test_a_tool_call_keeps_only_the_fields_the_hooks_read() -> None:
    assert set(payloads._FILE_FIELDS) | {"command"} == set(READ_FIELDS)
