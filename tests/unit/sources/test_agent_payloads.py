"""Each agent's hook payloads (tests/fixtures/agents/: real ones of Claude Code, Codex, Gemini CLI and
codetape's opencode plugin, Cursor's documented ones) read as the `agent` step they describe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from collector.sources.agents.payloads import AGENTS, PayloadError, cut_at_space, parse, to_step
from schemas import step_from_dict

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "agents"

# (agent, fixture) -> the step it makes, written by hand (Cursor's from its documentation's example)
CLAUDE = "f3ebfca1-e55b-4992-801b-5276e12439f6"
CODEX = "01a212d4-76fe-7d91-8afd-0742d16f7bfd"
GEMINI = "e6f48382-93b4-4e04-997d-87a4db0d5385"
OPENCODE = "ses_dec94f877ffe9yqblPek7gEHou"
APP = "/home/dev/project/app.py"
# what the tools reported they changed in app.py, carried to the collector as `patch` (never written down)
CLAUDE_PATCH = {APP: [{"oldStart": 1, "oldLines": 2, "newStart": 1, "newLines": 2,
                       "lines": [" def add(a, b):", "-    return a - b", "+    return a + b"]}]}
CODEX_PATCH = {APP: f"*** Update File: {APP}\n@@\n-    return a - b\n+    return a + b"}
SHELL = "run_shell_command"
EXPECTED: dict[tuple[str, str], dict[str, Any]] = {
    # the real payloads of Claude Code 2.1.332 and Codex 0.169.0 (tests/fixtures/agents/README.md)
    ("claude-code", "UserPromptSubmit"): {"hook": "UserPromptSubmit", "event": "prompt", "session": CLAUDE,
                                          "prompt": "fix add"},
    ("claude-code", "PreToolUse"): {"hook": "PreToolUse", "event": "tool_call", "session": CLAUDE,
                                    "tool": "Edit", "targets": [APP]},
    ("claude-code", "PostToolUse"): {"hook": "PostToolUse", "event": "tool_result", "session": CLAUDE,
                                     "tool": "Edit", "targets": [APP], "patch": CLAUDE_PATCH},
    ("claude-code", "PreToolUse-Bash"): {"hook": "PreToolUse", "event": "tool_call", "session": CLAUDE,
                                         "tool": "Bash", "command_line": "echo ran > out.txt"},
    ("claude-code", "PostToolUse-Bash"): {"hook": "PostToolUse", "event": "tool_result", "session": CLAUDE,
                                          "tool": "Bash", "command_line": "echo ran > out.txt"},
    ("claude-code", "SessionStart"): {"hook": "SessionStart", "event": "session_start", "session": CLAUDE,
                                      "detail": "startup"},
    ("claude-code", "SessionEnd"): {"hook": "SessionEnd", "event": "session_end", "session": CLAUDE,
                                    "detail": "other"},
    ("claude-code", "Stop"): {"hook": "Stop", "event": "stop", "session": CLAUDE},
    ("codex", "UserPromptSubmit"): {"hook": "UserPromptSubmit", "event": "prompt", "session": CODEX,
                                    "prompt": "fix add"},
    ("codex", "PreToolUse-apply_patch"): {"hook": "PreToolUse", "event": "tool_call", "session": CODEX,
                                          "tool": "apply_patch", "targets": [APP], "patch": CODEX_PATCH},
    ("codex", "PostToolUse-apply_patch"): {"hook": "PostToolUse", "event": "tool_result", "session": CODEX,
                                           "tool": "apply_patch", "targets": [APP], "patch": CODEX_PATCH},
    ("codex", "PreToolUse-Bash"): {"hook": "PreToolUse", "event": "tool_call", "session": CODEX,
                                   "tool": "Bash", "command_line": "echo ran > out.txt"},
    ("codex", "PostToolUse-Bash"): {"hook": "PostToolUse", "event": "tool_result", "session": CODEX,
                                    "tool": "Bash", "command_line": "echo ran > out.txt"},
    ("codex", "SessionStart"): {"hook": "SessionStart", "event": "session_start", "session": CODEX,
                                "detail": "startup"},
    ("codex", "Stop"): {"hook": "Stop", "event": "stop", "session": CODEX},
    ("codex", "SessionEnd"): {"hook": "SessionEnd", "event": "session_end", "session": CODEX,
                              "detail": "other"},
    ("cursor", "beforeSubmitPrompt"): {"hook": "beforeSubmitPrompt", "event": "prompt", "session": "conv-123",
                                       "prompt": "Fix the bug in main.ts"},
    ("cursor", "afterFileEdit"): {"hook": "afterFileEdit", "event": "tool_result", "session": "conv-123",
                                  "targets": ["/path/to/main.ts"]},
    ("cursor", "afterShellExecution"): {"hook": "afterShellExecution", "event": "tool_result",
                                        "session": "conv-123", "command_line": "npm install express"},
    ("cursor", "stop"): {"hook": "stop", "event": "stop", "session": "conv-123", "detail": "completed"},
    # the real payloads of Gemini CLI 0.61.0: its `fileDiff` read as Claude Code's hunks
    ("gemini-cli", "SessionStart"): {"hook": "SessionStart", "event": "session_start", "session": GEMINI,
                                     "detail": "startup"},
    ("gemini-cli", "BeforeAgent"): {"hook": "BeforeAgent", "event": "prompt", "session": GEMINI,
                                    "prompt": "fix add"},
    ("gemini-cli", "BeforeTool-replace"): {"hook": "BeforeTool", "event": "tool_call", "session": GEMINI,
                                           "tool": "replace", "targets": [APP]},
    ("gemini-cli", "AfterTool-replace"): {"hook": "AfterTool", "event": "tool_result", "session": GEMINI,
                                          "tool": "replace", "targets": [APP], "patch": CLAUDE_PATCH},
    ("gemini-cli", f"BeforeTool-{SHELL}"): {"hook": "BeforeTool", "event": "tool_call", "session": GEMINI,
                                            "tool": SHELL, "command_line": "echo ran > out.txt"},
    ("gemini-cli", f"AfterTool-{SHELL}"): {"hook": "AfterTool", "event": "tool_result", "session": GEMINI,
                                           "tool": SHELL, "command_line": "echo ran > out.txt"},
    ("gemini-cli", "AfterAgent"): {"hook": "AfterAgent", "event": "stop", "session": GEMINI},
    ("gemini-cli", "SessionEnd"): {"hook": "SessionEnd", "event": "session_end", "session": GEMINI,
                                   "detail": "exit"},
    # what codetape's plugin in opencode 1.18.33 sent (its `diff` read as hunks; the prompt as opencode
    # gave it, `opencode run "fix add"` quoted)
    ("opencode", "session.created"): {"hook": "session.created", "event": "session_start",
                                      "session": OPENCODE},
    ("opencode", "chat.message"): {"hook": "chat.message", "event": "prompt", "session": OPENCODE,
                                   "prompt": '"fix add"'},
    ("opencode", "tool.execute.before-edit"): {"hook": "tool.execute.before", "event": "tool_call",
                                               "session": OPENCODE, "tool": "edit", "targets": [APP]},
    ("opencode", "tool.execute.after-edit"): {"hook": "tool.execute.after", "event": "tool_result",
                                              "session": OPENCODE, "tool": "edit", "targets": [APP],
                                              "patch": CLAUDE_PATCH},
    ("opencode", "tool.execute.before-bash"): {"hook": "tool.execute.before", "event": "tool_call",
                                               "session": OPENCODE, "tool": "bash",
                                               "command_line": "echo ran > out.txt"},
    ("opencode", "tool.execute.after-bash"): {"hook": "tool.execute.after", "event": "tool_result",
                                              "session": OPENCODE, "tool": "bash",
                                              "command_line": "echo ran > out.txt"},
    ("opencode", "session.idle"): {"hook": "session.idle", "event": "stop", "session": OPENCODE},
}


def test_every_fixture_has_its_expected_step() -> None:
    found = {(path.parent.name, path.stem) for path in FIXTURES.glob("*/*.json")}
    assert found == set(EXPECTED)
    assert {agent for agent, _ in found} == set(AGENTS)


@pytest.mark.parametrize(("agent", "name"), sorted(EXPECTED))
def test_each_payload_makes_its_step(agent: str, name: str) -> None:
    data = (FIXTURES / agent / f"{name}.json").read_bytes()
    step = to_step(parse(agent, data))  # type: ignore[arg-type]
    assert step == {"kind": "agent", "agent": agent, **EXPECTED[agent, name]}
    # what the schema makes of it, once the collector made the targets workspace-relative and took the
    # tool's report out
    relative = {**step, "targets": [t.lstrip("/") for t in step.get("targets", [])] or []}
    relative.pop("patch", None)
    assert step_from_dict({**relative, "t_ms": 0, "source": "agent"}).kind == "agent"


def test_nothing_of_a_file_or_a_tool_s_output_is_kept() -> None:
    """Nothing but the tool's own report of its change (`patch`, which the collector reads and never
    writes down: tests/unit/daemon/test_agent_claims.py) goes along."""
    for path in FIXTURES.glob("*/*.json"):
        step = to_step(parse(path.parent.name, path.read_bytes()))  # type: ignore[arg-type]
        step.pop("patch", None)
        text = json.dumps(step)
        for secret_ish in ("file content", "const foo = 2", "added 1 package", "return a", "Fixed add.",
                           "transcript", "toolu_", "call_ct", "structuredPatch", "Wall time", "prompt_id",
                           "ccd06897"):
            assert secret_ish not in text, (path, secret_ish)


def test_origin_detail_names_the_agent_the_hook_and_the_tool() -> None:
    call = parse("claude-code", (FIXTURES / "claude-code" / "PostToolUse.json").read_bytes())
    assert call.origin_detail == "claude-code:PostToolUse Edit"
    assert parse("cursor", (FIXTURES / "cursor" / "afterFileEdit.json").read_bytes()).origin_detail == \
        "cursor:afterFileEdit"


@pytest.mark.parametrize(("data", "message"), [
    (b"{not json", "the payload is not JSON"),
    (b"[1, 2]", "the payload is not a JSON object"),
    (b'{"prompt": "x"}', "the payload has no hook_event_name"),
    (b'{"hook_event_name": "Notification"}', "claude-code hook 'Notification' is not one codetape records"),
    (b'{"hook_event_name": "UserPromptSubmit", "prompt": 3}',
     "the UserPromptSubmit payload has no prompt string"),
    (b"[" * 100_000, "the payload is not JSON"),
])
def test_malformed_payloads_are_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(PayloadError) as caught:
        parse("claude-code", data)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)


@pytest.mark.parametrize(("diff", "hunks"), [
    # a hunk of one line on each side: its header gives no count
    ("--- a.py\n+++ a.py\n@@ -3 +3 @@\n-x = 1\n+x = 2\n",
     [{"oldStart": 3, "oldLines": 1, "newStart": 3, "newLines": 1, "lines": ["-x = 1", "+x = 2"]}]),
    # a new file: no old lines; the file ends without a line break
    ("@@ -0,0 +1,2 @@\n+a\n+b\n\\ No newline at end of file\n",
     [{"oldStart": 0, "oldLines": 0, "newStart": 1, "newLines": 2,
       "lines": ["+a", "+b", "\\ No newline at end of file"]}]),
    ("@@ -x,1 +1 @@\n-a\n+b\n", None),  # a header that cannot be read: nothing is said
    ("--- a.py\n+++ a.py\n", None),  # no hunk
])
def test_a_unified_diff_is_cut_into_hunks(diff: str, hunks: list[dict[str, Any]] | None) -> None:
    gemini = {"hook_event_name": "AfterTool", "tool_name": "replace", "tool_input": {"file_path": "a.py"},
              "tool_response": {"returnDisplay": {"fileDiff": diff}}}
    opencode = {"hook_event_name": "tool.execute.after", "tool_name": "edit",
                "tool_input": {"filePath": "a.py"},
                "tool_response": {"diff": diff}}
    for agent, fields in (("gemini-cli", gemini), ("opencode", opencode)):
        payload = {"session_id": "s", "cwd": "/w", **fields}
        step = to_step(parse(agent, json.dumps(payload).encode()))  # type: ignore[arg-type]
        assert step["targets"] == ["/w/a.py"]
        assert step.get("patch") == (None if hunks is None else {"/w/a.py": hunks})


def test_a_huge_payload_is_refused_without_being_parsed() -> None:
    with pytest.raises(PayloadError, match="bytes; at most"):
        parse("cursor", b"{" + b" " * (16 << 20) + b"}")


def test_a_long_prompt_is_cut_at_a_space_never_inside_a_word() -> None:
    token = "ghp_" + "a" * 36
    prompt = ("word " * 13_100) + token + " tail"  # the token straddles the 64 Ki character limit
    payload = {"hook_event_name": "UserPromptSubmit", "session_id": "s", "cwd": "/w", "prompt": prompt}
    step = to_step(parse("claude-code", json.dumps(payload).encode()))
    assert step["truncated"] is True and len(step["prompt"]) <= 64 * 1024
    assert step["prompt"].endswith("word") and "ghp_" not in step["prompt"]
    assert cut_at_space("short", 10) == ("short", False)
    assert cut_at_space("x" * 20, 10) == ("", True)


def test_relative_targets_are_placed_in_the_agent_s_directory_and_control_characters_leave_labels() -> None:
    payload = {"hook_event_name": "PostToolUse", "session_id": "a\nb", "cwd": "/w", "tool_name": "Edit\x1b",
               "tool_input": {"file_path": "src/a.py"}}
    step = to_step(parse("claude-code", json.dumps(payload).encode()))
    assert step["targets"] == ["/w/src/a.py"] and step["tool"] == "Edit" and step["session"] == "a b"


def test_a_lone_surrogate_becomes_the_replacement_character_everywhere() -> None:
    """JSON may spell half a UTF-16 pair; no UTF-8 text holds one, so the step could not be sent."""
    data = json.dumps({"hook_event_name": "PreToolUse", "session_id": "s", "cwd": "/w\udc80",
                       "tool_name": "Ed\ud83dit", "tool_input": {"file_path": "a\ud83d.py"}}).encode()
    step = to_step(parse("claude-code", data))
    assert step["tool"] == "Ed\ufffdit" and step["targets"] == ["/w\ufffd/a\ufffd.py"]
    json.dumps(step, ensure_ascii=False).encode("utf-8")  # (UTF-8 holds it now)
    with pytest.raises(PayloadError) as unknown:
        parse("claude-code", json.dumps({"hook_event_name": "Nope\ud83d"}).encode())
    assert "Nope\ufffd" in str(unknown.value)


def test_the_hook_file_s_copies_of_codetape_s_limits_are_codetape_s() -> None:
    """payloads.py is run by path and imports no codetape: what it shares with codetape is copied there."""
    from collector.home import Home
    from collector.protocol import stopped
    from collector.protocol.client import socket_address
    from collector.sources.agents import payloads
    from schemas.limits import LABEL_MAX, MAX_TARGETS, SHORT_TEXT_MAX

    assert (payloads.MAX_TARGETS, payloads.SHORT_TEXT_MAX, payloads.LABEL_MAX) == (
        MAX_TARGETS, SHORT_TEXT_MAX, LABEL_MAX)
    home = Home(Path("/h"))
    assert Path(home.root, *payloads.SOCKET) == home.socket
    assert Path(home.root, *payloads.STOPPED) == home.run / stopped.MARKER
    assert payloads.STOPPED_TEXT == stopped.STOPPED
    assert payloads.socket_path("/h") == str(home.socket)
    deep = Home(Path("/" + "d" * payloads.MAX_SOCKET_PATH))  # its run/collector.sock cannot be an address
    assert payloads.socket_path(str(deep.root)) == str(deep.socket) == socket_address(deep.socket)
    long = Path("/" + "x" * (payloads.MAX_SOCKET_PATH - 1))
    assert socket_address(long) == str(long)  # the longest the hook connects to, the client does too


def test_a_hook_says_recording_is_stopped_by_you_after_collector_stop(tmp_path: Path) -> None:
    """Issue 51: with no collector running because the user stopped it, the hook says so (and starts none)."""
    from collector.home import Home
    from collector.protocol.stopped import STOPPED, mark_stopped
    from collector.sources.agents.payloads import _send

    step = {"kind": "agent", "agent": "claude-code", "event": "prompt"}
    assert "collector not running" in str(_send(str(tmp_path), str(tmp_path), 1, step))
    mark_stopped(Home(tmp_path))
    assert _send(str(tmp_path), str(tmp_path), 1, step) == f"not recorded: {STOPPED}"
