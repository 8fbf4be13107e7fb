"""An ACP conversation's messages as `agent` steps (lsp_bridge/steps/acp.py), without a process: each
message in the shape the protocol's schema gives it, as Zed's Claude Code adapter sent them
(tests/e2e/agents/test_acp.py runs them for real)."""

from __future__ import annotations

import json
from typing import Any

from lsp_bridge.steps.acp import Conversation, Step
from schemas import step_from_dict
from schemas.steps import step_to_dict


def talk(conversation: Conversation, sender: str, message: dict[str, Any]) -> list[Step]:
    line = json.dumps({"jsonrpc": "2.0", **message}).encode()
    return conversation.client(line) if sender == "client" else conversation.agent(line)


def plain(found: Step) -> dict[str, Any]:
    """A step as it goes to the collector: its plain form, with the `patch` that travels beside it."""
    return {**step_to_dict(found.step), **({} if found.patch is None else {"patch": found.patch})}


def started() -> Conversation:
    conversation = Conversation("/usr/bin/claude-agent-acp")
    talk(conversation, "client", {"id": 0, "method": "initialize", "params": {"protocolVersion": 1}})
    talk(
        conversation,
        "agent",
        {
            "id": 0,
            "result": {
                "protocolVersion": 1,
                "agentInfo": {"name": "@zed-industries/claude-agent-acp", "version": "0.23.1"},
            },
        },
    )
    talk(
        conversation, "client", {"id": 1, "method": "session/new", "params": {"cwd": "/ws", "mcpServers": []}}
    )
    return conversation


EDIT = {
    "toolCallId": "t1",
    "kind": "edit",
    "title": "Edit app.py",
    "locations": [{"path": "/ws/app.py"}],
    "content": [
        {"type": "diff", "path": "/ws/app.py", "oldText": "    return 5", "newText": "    return 55"}
    ],
}
OPTIONS = [
    {"optionId": "yes", "name": "Allow", "kind": "allow_once"},
    {"optionId": "no", "name": "Reject", "kind": "reject_once"},
]


def test_a_session_s_prompt_tool_call_permission_and_answer() -> None:
    conversation = started()
    [start] = talk(conversation, "agent", {"id": 1, "result": {"sessionId": "s1"}})
    assert (start.cwd, plain(start)["event"], plain(start)["detail"]) == (
        "/ws",
        "session_start",
        "@zed-industries/claude-agent-acp 0.23.1",
    )
    [prompt] = talk(
        conversation,
        "client",
        {
            "id": 2,
            "method": "session/prompt",
            "params": {
                "sessionId": "s1",
                "prompt": [
                    {"type": "text", "text": "multiply"},
                    {"type": "image", "data": "x"},
                    {"type": "text", "text": "five"},
                ],
            },
        },
    )
    assert plain(prompt)["prompt"] == "multiply\nfive"
    [call] = talk(
        conversation,
        "agent",
        {
            "method": "session/update",
            "params": {
                "sessionId": "s1",
                "update": {
                    "sessionUpdate": "tool_call",
                    "toolCallId": "t1",
                    "title": "Edit",
                    "kind": "edit",
                    "status": "pending",
                },
            },
        },
    )
    sent = plain(call)
    assert (sent["event"], sent["tool"], sent.get("targets")) == ("tool_call", "edit", None)
    assert (
        talk(
            conversation,
            "agent",
            {
                "method": "session/update",
                "params": {"sessionId": "s1", "update": {"sessionUpdate": "tool_call_update", **EDIT}},
            },
        )
        == []
    )  # what the call says of itself, kept for later
    [asked] = talk(
        conversation,
        "agent",
        {
            "id": 0,
            "method": "session/request_permission",
            "params": {"sessionId": "s1", "toolCall": {"toolCallId": "t1"}, "options": OPTIONS},
        },
    )
    assert (plain(asked)["event"], plain(asked)["targets"], "patch" in plain(asked)) == (
        "permission_request",
        ["/ws/app.py"],
        False,
    )
    [granted] = talk(
        conversation, "client", {"id": 0, "result": {"outcome": {"outcome": "selected", "optionId": "yes"}}}
    )
    assert plain(granted)["detail"] == "allow_once"
    assert plain(granted)["patch"] == {"/ws/app.py": {"old": "    return 5", "new": "    return 55"}}
    [done] = talk(
        conversation,
        "agent",
        {
            "method": "session/update",
            "params": {
                "sessionId": "s1",
                "update": {"sessionUpdate": "tool_call_update", "toolCallId": "t1", "status": "completed"},
            },
        },
    )
    assert (plain(done)["event"], plain(done)["targets"]) == ("tool_result", ["/ws/app.py"])
    [stop] = talk(conversation, "agent", {"id": 2, "result": {"stopReason": "end_turn"}})
    assert (plain(stop)["event"], plain(stop)["detail"]) == ("stop", "end_turn")
    for step in (start, prompt, call, asked, granted, done, stop):  # what the collector stores: valid steps
        relative = {**plain(step), "targets": [t.lstrip("/") for t in plain(step).get("targets", [])]}
        relative.pop("patch", None)
        assert step_from_dict({**relative, "t_ms": 0, "source": "acp"}).kind == "agent"


def test_a_refusal_a_cancelled_request_a_shell_and_a_client_s_write() -> None:
    conversation = started()
    talk(conversation, "agent", {"id": 1, "result": {"sessionId": "s1"}})
    talk(
        conversation,
        "agent",
        {
            "id": 5,
            "method": "session/request_permission",
            "params": {"sessionId": "s1", "toolCall": EDIT, "options": OPTIONS},
        },
    )
    [refused] = talk(
        conversation, "client", {"id": 5, "result": {"outcome": {"outcome": "selected", "optionId": "no"}}}
    )
    assert plain(refused)["detail"] == "reject_once" and "patch" not in plain(refused)
    talk(
        conversation,
        "agent",
        {
            "id": 6,
            "method": "session/request_permission",
            "params": {"sessionId": "s1", "toolCall": EDIT, "options": OPTIONS},
        },
    )
    [cancelled] = talk(conversation, "client", {"id": 6, "result": {"outcome": {"outcome": "cancelled"}}})
    assert plain(cancelled)["detail"] == "cancelled"
    [shell] = talk(
        conversation,
        "agent",
        {
            "method": "session/update",
            "params": {
                "sessionId": "s1",
                "update": {
                    "sessionUpdate": "tool_call",
                    "toolCallId": "t2",
                    "title": "`make`",
                    "kind": "execute",
                    "rawInput": {"command": "make test"},
                },
            },
        },
    )
    assert (plain(shell)["tool"], plain(shell)["command_line"]) == ("execute", "make test")
    [write] = talk(
        conversation,
        "agent",
        {
            "id": 7,
            "method": "fs/write_text_file",
            "params": {"sessionId": "s1", "path": "/ws/b.py", "content": "secret = 1\n"},
        },
    )
    assert (plain(write)["event"], plain(write)["targets"]) == ("tool_call", ["/ws/b.py"])
    assert "secret" not in json.dumps(plain(write))  # the content the client writes is the watcher's to see
    [wrote] = talk(conversation, "client", {"id": 7, "result": None})
    assert plain(wrote)["event"] == "tool_result"


def test_what_is_not_a_message_or_not_recorded_is_passed_over() -> None:
    conversation = started()
    for line in (b"", b"not json", b"[1, 2]", b'{"method": 3}', b"{" * 100_000):
        assert conversation.client(line) == [] and conversation.agent(line) == []
    # a prompt of a session never made (a session loaded elsewhere): nothing to place it in
    [orphan] = talk(
        conversation,
        "client",
        {
            "id": 9,
            "method": "session/prompt",
            "params": {"sessionId": "other", "prompt": [{"type": "text", "text": "hi"}]},
        },
    )
    assert orphan.cwd is None
    assert (
        talk(
            conversation,
            "agent",
            {
                "method": "session/update",
                "params": {
                    "sessionId": "s1",
                    "update": {
                        "sessionUpdate": "agent_message_chunk",
                        "content": {"type": "text", "text": "thinking"},
                    },
                },
            },
        )
        == []
    )
