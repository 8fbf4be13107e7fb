"""A scripted model on loopback, for driving the real Claude Code, Codex CLI and Gemini CLI in tests.

It speaks just enough of three APIs: Anthropic's Messages API (`POST /v1/messages`, streamed as server-sent
events: Claude Code with `ANTHROPIC_BASE_URL` pointing here), OpenAI's Responses API (`POST
/v1/responses`, streamed: Codex with a custom `model_providers` entry, `wire_api = "responses"`) and the
Gemini API (`POST /v1beta/models/MODEL:streamGenerateContent?alt=sse`, one server-sent event holding the
whole answer: Gemini CLI with `GOOGLE_GEMINI_BASE_URL` pointing here).

A script is a list of answers; each answer a list of actions (`Read`, `Edit`, `Bash`, `Text`). The answer
a request gets is the number of the script's answers already in its conversation (each tool call the
server made carries its answer's number in its id), so a client that retries or asks twice gets the same
answer again. Requests that are not the scripted conversation (Claude Code's title and quota requests:
no `Bash` tool offered) get a short text. Every request is kept in `requests`, for the test to look at.

Each action becomes the tool the client offers for it: Claude Code's `Read`, `Edit`, `Bash`; Codex's
`apply_patch` (as a freeform tool or a function, whichever it offers) and its shell tool
(`shell_command`, `exec_command` or `shell`); Gemini CLI's `read_file`, `replace`, `run_shell_command`
(function calls, each with its id, which Gemini CLI sends back in its function response).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Read:
    path: Path


@dataclass(frozen=True)
class Edit:
    path: Path
    old: str
    new: str


@dataclass(frozen=True)
class Bash:
    command: str


@dataclass(frozen=True)
class Text:
    text: str
    # the answer's number said in its text (`[ct3x0]`), so that a conversation the developer goes on with
    # after this answer (a next prompt) gets the script's next answer, not this one again
    numbered: bool = False

    def said(self, n: int, k: int) -> str:
        return f"{self.text} [ct{n}x{k}]" if self.numbered else self.text


Action = Read | Edit | Bash | Text


@dataclass(frozen=True)
class Gate:
    """Answer number `answer` is held: the server creates `asked` when the request for it arrives and sends
    the answer once `go` exists (the test's editor says when, to put its save just before the agent's
    write)."""

    answer: int
    asked: Path
    go: Path
    limit_s: float = 120.0

    def hold(self, n: int) -> None:
        if n != self.answer:
            return
        self.asked.touch()
        deadline = time.monotonic() + self.limit_s
        while not self.go.exists():
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.go} was not created within {self.limit_s:.0f} s")
            time.sleep(0.002)
_ID = re.compile(r"ct(\d+)x(\d+)")


@dataclass
class ScriptedModel:
    """The server (start with `with`); `url` is its base (`http://127.0.0.1:PORT`)."""

    script: list[list[Action]]
    requests: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    gate: Gate | None = None
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> ScriptedModel:
        model = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                model.requests.append({"GET": self.path})
                body = json.dumps({"models": [], "data": []}).encode()
                self._send(200, "application/json", body)

            def do_HEAD(self) -> None:
                self._send(200, "text/plain", b"")

            def do_POST(self) -> None:
                size = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(size)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    body = {}
                model.requests.append({"POST": self.path, "body": body})
                try:
                    if self.path.split("?")[0].endswith("/messages/count_tokens"):
                        self._send(200, "application/json", b'{"input_tokens": 10}')
                    elif self.path.split("?")[0].endswith("/messages"):
                        self._anthropic(body)
                    elif self.path.split("?")[0].endswith("/responses"):
                        self._openai(body)
                    elif self.path.split("?")[0].endswith((":streamGenerateContent", ":generateContent")):
                        self._gemini(body, stream=":stream" in self.path)
                    elif self.path.split("?")[0].endswith(":countTokens"):
                        self._send(200, "application/json", b'{"totalTokens": 10}')
                    else:
                        self._send(404, "application/json", b'{"error": {"message": "not scripted"}}')
                except Exception as exc:  # the test reads these; the client sees a 500
                    model.errors.append(f"{type(exc).__name__}: {exc}")
                    self._send(500, "application/json", json.dumps({"error": {"message": str(exc)}}).encode())

            def _send(self, status: int, kind: str, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _stream(self, events: Iterator[tuple[str, dict[str, Any]]]) -> None:
                body = b"".join(f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
                                for name, data in events)
                self._send(200, "text/event-stream", body)

            def _anthropic(self, body: dict[str, Any]) -> None:
                tools = {t.get("name") for t in body.get("tools") or [] if isinstance(t, dict)}
                if "Bash" in tools:
                    n = _answer_number(json.dumps(body.get("messages")))
                    if model.gate is not None:
                        model.gate.hold(n)
                    blocks = model._claude_blocks(n)
                    stop = "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"
                else:
                    blocks, stop = [{"type": "text", "text": "Scripted"}], "end_turn"
                message = {"id": f"msg_{len(model.requests)}", "type": "message", "role": "assistant",
                           "model": body.get("model", "scripted"), "content": [], "stop_reason": None,
                           "stop_sequence": None, "usage": {"input_tokens": 10, "output_tokens": 1}}
                if not body.get("stream"):
                    full = {**message, "content": blocks, "stop_reason": stop}
                    self._send(200, "application/json", json.dumps(full).encode())
                    return
                self._stream(_anthropic_events(message, blocks, stop))

            def _openai(self, body: dict[str, Any]) -> None:
                tools = {str(t.get("name")): t for t in body.get("tools") or [] if isinstance(t, dict)}
                n = _answer_number(json.dumps(body.get("input")))
                if "bash" in tools and "edit" in tools:  # opencode's tools
                    items = model._opencode_items(n)
                elif "apply_patch" in tools or "shell_command" in tools or "exec_command" in tools \
                        or "shell" in tools:
                    if model.gate is not None:
                        model.gate.hold(n)
                    items = model._codex_items(n, tools)
                else:  # not the scripted conversation (opencode's title request): a short text
                    items = [{"type": "message", "id": "msg_title", "role": "assistant",
                              "status": "completed",
                              "content": [{"type": "output_text", "text": "Scripted", "annotations": []}]}]
                self._stream(_openai_events(f"resp_{len(model.requests)}", items))

            def _gemini(self, body: dict[str, Any], *, stream: bool) -> None:
                tools = {str(d.get("name")) for t in body.get("tools") or [] if isinstance(t, dict)
                         for d in t.get("functionDeclarations") or [] if isinstance(d, dict)}
                if "run_shell_command" in tools:
                    parts = model._gemini_parts(_answer_number(json.dumps(body.get("contents"))))
                else:  # not the scripted conversation: a short text
                    parts = [{"text": "Scripted"}]
                answer = {"candidates": [{"content": {"role": "model", "parts": parts},
                                          "finishReason": "STOP", "index": 0}],
                          "usageMetadata": {"promptTokenCount": 10, "candidatesTokenCount": 10,
                                            "totalTokenCount": 20},
                          "modelVersion": "scripted", "responseId": f"resp_{len(model.requests)}"}
                if not stream:
                    self._send(200, "application/json", json.dumps(answer).encode())
                    return
                self._send(200, "text/event-stream", f"data: {json.dumps(answer)}\r\n\r\n".encode())

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *_: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _actions(self, n: int) -> list[Action]:
        return self.script[n] if n < len(self.script) else [Text("Done.")]

    def _claude_blocks(self, n: int) -> list[dict[str, Any]]:
        blocks: list[dict[str, Any]] = []
        for k, action in enumerate(self._actions(n)):
            tool_id = f"toolu_ct{n}x{k}"
            if isinstance(action, Text):
                blocks.append({"type": "text", "text": action.said(n, k)})
            elif isinstance(action, Read):
                blocks.append({"type": "tool_use", "id": tool_id, "name": "Read",
                               "input": {"file_path": str(action.path)}})
            elif isinstance(action, Edit):
                blocks.append({"type": "tool_use", "id": tool_id, "name": "Edit",
                               "input": {"file_path": str(action.path), "old_string": action.old,
                                         "new_string": action.new}})
            else:
                blocks.append({"type": "tool_use", "id": tool_id, "name": "Bash",
                               "input": {"command": action.command, "description": "Run a command"}})
        return blocks

    def _codex_items(self, n: int, tools: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for k, action in enumerate(self._actions(n)):
            call_id = f"call_ct{n}x{k}"
            if isinstance(action, Text):
                items.append({"type": "message", "id": f"msg_ct{n}x{k}", "role": "assistant",
                              "status": "completed",
                              "content": [{"type": "output_text", "text": action.said(n, k),
                                           "annotations": []}]})
            elif isinstance(action, Read):
                items.append(_codex_shell(tools, call_id, f"cat {_sh(str(action.path))}"))
            elif isinstance(action, Edit):
                items.append(_codex_patch(tools, call_id, action))
            else:
                items.append(_codex_shell(tools, call_id, action.command))
        return items


    def _gemini_parts(self, n: int) -> list[dict[str, Any]]:
        parts: list[dict[str, Any]] = []
        for k, action in enumerate(self._actions(n)):
            call_id = f"call_ct{n}x{k}"
            if isinstance(action, Text):
                parts.append({"text": action.said(n, k)})
            elif isinstance(action, Read):
                parts.append({"functionCall": {"id": call_id, "name": "read_file",
                                               "args": {"file_path": str(action.path)}}})
            elif isinstance(action, Edit):
                parts.append({"functionCall": {"id": call_id, "name": "replace",
                                               "args": {"file_path": str(action.path),
                                                        "old_string": action.old, "new_string": action.new,
                                                        "instruction": "Make the scripted change"}}})
            else:
                parts.append({"functionCall": {"id": call_id, "name": "run_shell_command",
                                               "args": {"command": action.command,
                                                        "description": "Run a command"}}})
        return parts


    def _opencode_items(self, n: int) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for k, action in enumerate(self._actions(n)):
            call_id = f"call_ct{n}x{k}"
            if isinstance(action, Text):
                items.append({"type": "message", "id": f"msg_ct{n}x{k}", "role": "assistant",
                              "status": "completed",
                              "content": [{"type": "output_text", "text": action.said(n, k),
                                           "annotations": []}]})
                continue
            if isinstance(action, Read):
                name, args = "read", {"filePath": str(action.path)}
            elif isinstance(action, Edit):
                name, args = "edit", {"filePath": str(action.path), "oldString": action.old,
                                      "newString": action.new}
            else:
                name, args = "bash", {"command": action.command, "description": "Run a command"}
            items.append({"type": "function_call", "id": f"fc_{call_id}", "call_id": call_id, "name": name,
                          "arguments": json.dumps(args), "status": "completed"})
        return items


def _answer_number(conversation: str) -> int:
    """The number of scripted answers already in a conversation (0 for its first request)."""
    seen = [int(m.group(1)) for m in _ID.finditer(conversation)]
    return max(seen) + 1 if seen else 0


def _sh(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def _codex_shell(tools: dict[str, dict[str, Any]], call_id: str, command: str) -> dict[str, Any]:
    args: dict[str, object]
    if "shell_command" in tools:
        name, args = "shell_command", {"command": command}
    elif "exec_command" in tools:
        name, args = "exec_command", {"cmd": command}
    elif "shell" in tools:
        name, args = "shell", {"command": ["bash", "-lc", command]}
    else:
        raise ValueError(f"no shell tool offered (tools: {sorted(tools)})")
    return {"type": "function_call", "id": f"fc_{call_id}", "call_id": call_id, "name": name,
            "arguments": json.dumps(args), "status": "completed"}


def _codex_patch(tools: dict[str, dict[str, Any]], call_id: str, edit: Edit) -> dict[str, Any]:
    old = [f"-{line}" for line in edit.old.splitlines()]
    new = [f"+{line}" for line in edit.new.splitlines()]
    patch = "\n".join(["*** Begin Patch", f"*** Update File: {edit.path}", "@@", *old, *new, "*** End Patch"])
    tool = tools.get("apply_patch")
    if tool is None:
        raise ValueError(f"no apply_patch tool offered (tools: {sorted(tools)})")
    if tool.get("type") == "custom":
        return {"type": "custom_tool_call", "id": f"ctc_{call_id}", "call_id": call_id, "name": "apply_patch",
                "input": patch, "status": "completed"}
    return {"type": "function_call", "id": f"fc_{call_id}", "call_id": call_id, "name": "apply_patch",
            "arguments": json.dumps({"input": patch}), "status": "completed"}


def _anthropic_events(message: dict[str, Any], blocks: list[dict[str, Any]],
                      stop: str) -> Iterator[tuple[str, dict[str, Any]]]:
    yield "message_start", {"type": "message_start", "message": message}
    for index, block in enumerate(blocks):
        if block["type"] == "text":
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {"type": "text", "text": ""}}
            yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                          "delta": {"type": "text_delta", "text": block["text"]}}
        else:
            yield "content_block_start", {"type": "content_block_start", "index": index,
                                          "content_block": {**block, "input": {}}}
            yield "content_block_delta", {"type": "content_block_delta", "index": index,
                                          "delta": {"type": "input_json_delta",
                                                    "partial_json": json.dumps(block["input"])}}
        yield "content_block_stop", {"type": "content_block_stop", "index": index}
    yield "message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                            "usage": {"output_tokens": 10}}
    yield "message_stop", {"type": "message_stop"}


def _openai_events(response_id: str, items: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    response = {"id": response_id, "object": "response", "status": "in_progress", "output": []}
    yield "response.created", {"type": "response.created", "response": response}
    for index, item in enumerate(items):
        yield "response.output_item.added", {"type": "response.output_item.added", "output_index": index,
                                             "item": item}
        if item["type"] == "message":
            yield "response.output_text.delta", {"type": "response.output_text.delta", "output_index": index,
                                                 "item_id": item["id"], "content_index": 0,
                                                 "delta": item["content"][0]["text"]}
        yield "response.output_item.done", {"type": "response.output_item.done", "output_index": index,
                                            "item": item}
    usage = {"input_tokens": 10, "input_tokens_details": {"cached_tokens": 0}, "output_tokens": 10,
             "output_tokens_details": {"reasoning_tokens": 0}, "total_tokens": 20}
    done = {**response, "status": "completed", "output": items, "usage": usage}
    yield "response.completed", {"type": "response.completed", "response": done}
