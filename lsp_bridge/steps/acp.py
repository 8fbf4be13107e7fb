"""What `codetape acp` records of an Agent Client Protocol conversation: its messages as `agent` steps.

ACP (https://agentclientprotocol.com) is JSON-RPC 2.0 over the agent's stdio, one message a line. The
client (an editor: Zed, a JetBrains IDE, Neovim, Emacs) asks (`initialize`, `session/new`,
`session/load`, `session/prompt`), the agent streams `session/update` notifications and asks the client
in turn (`session/request_permission`, `fs/write_text_file`, `terminal/create`). Read here, each as an
`agent` step with `agent` `acp` and the method as its `hook`:

- the answer to `session/new` (or a `session/load`): `session_start`, `detail` the agent's name and
  version from its `initialize` answer (`agentInfo`);
- `session/prompt`: `prompt`, the text of its text blocks (other blocks: images, resources, are not
  read); its answer: `stop`, `detail` the stop reason;
- a `tool_call` update: `tool_call`, `tool` its kind (`edit`, `execute`, ...; else its title), `targets`
  the paths it names (its `locations`, the paths of its `diff` contents), a shell's `command_line` (an
  `execute` call's `rawInput.command`), `detail` its title; a `tool_call_update` to `completed` or
  `failed`: `tool_result`, with what the call said of itself until then;
- `session/request_permission`: `permission_request` for its tool call; the client's answer:
  `permission`, `detail` the kind of the option chosen (`allow_once`, `allow_always`, `reject_once`,
  `reject_always`) or `cancelled`: the developer's acceptance or rejection;
- `fs/write_text_file`: `tool_call` on its path (the client writes it: an agent's write), its answer
  `tool_result`; `terminal/create`: `tool_call` with its command line.

A diff the agent proposes in a tool call (`{"type": "diff", "path", "oldText", "newText"}`) goes to the
collector with the permission granted for it and with the call's result as `patch` (the collector finds
which lines it changed in the file written, collector/sources/agents/patches.py, and never writes the
diff down), so the write the file watcher sees carries `origin: agent` and the lines the agent changed.
Nothing else of a message is kept: no agent message, thought, plan or file content.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from schemas.limits import LABEL_MAX, MAX_TARGETS, SHORT_TEXT_MAX
from schemas.steps import AgentStep
from schemas.steps.agent import AgentEvent

SOURCE = "acp"  # the steps' source: the connection's (lsp_bridge/main.py records ACP as `acp`)

MAX_LINE = 16 << 20  # a message line longer than this is not read (it is forwarded all the same)
MAX_DIFF_CHARS = 1 << 20  # a proposed diff's texts carried to the collector up to this size
MAX_CALLS = 10_000  # tool calls remembered per proxy
_CONTROL = {**{code: " " for code in range(0x20)}, 0x7F: " "}


@dataclass
class _Call:
    title: str | None = None
    kind: str | None = None
    paths: list[str] = field(default_factory=list)
    command: str | None = None
    diffs: dict[str, dict[str, str | None]] = field(default_factory=dict)  # path -> {"old", "new"}


@dataclass
class Step:
    """A step for the workspace holding `cwd` (the session's folder), or None when no session is known;
    `patch`, a permission's diffs, travels beside it to the collector (it is no field of the step)."""

    cwd: str | None
    step: AgentStep
    patch: dict[str, dict[str, str | None]] | None = None


class Conversation:
    """Both directions of one proxy's traffic, message by message (`client`, `agent`), into steps."""

    def __init__(self, agent_command: str) -> None:
        self.agent_name = os.path.basename(agent_command)
        self._asked: dict[tuple[str, object], tuple[str, dict[str, Any]]] = {}  # (who asked, id) -> request
        self._cwd: dict[str, str] = {}  # session id -> its folder
        self._calls: dict[tuple[str, str], _Call] = {}

    def client(self, line: bytes) -> list[Step]:
        """A line the client sent the agent."""
        return self._message("client", line)

    def agent(self, line: bytes) -> list[Step]:
        """A line the agent sent the client."""
        return self._message("agent", line)

    def _message(self, sender: str, line: bytes) -> list[Step]:
        if len(line) > MAX_LINE or not line.strip():
            return []
        try:
            message = json.loads(line)
        except (ValueError, RecursionError):
            return []
        if not isinstance(message, dict):
            return []
        method, params = message.get("method"), message.get("params")
        params = params if isinstance(params, dict) else {}
        if isinstance(method, str):
            if "id" in message:
                self._asked[sender, _key(message["id"])] = (method, params)
                if len(self._asked) > MAX_CALLS:
                    self._asked.pop(next(iter(self._asked)))
            return self._request(sender, method, params)
        if "id" in message:  # an answer to what the other side asked
            other = "agent" if sender == "client" else "client"
            asked = self._asked.pop((other, _key(message["id"])), None)
            result = message.get("result")
            if asked is not None:
                return self._answer(
                    asked[0], asked[1], result if isinstance(result, dict) else {}, "error" in message
                )
        return []

    def _request(self, sender: str, method: str, params: dict[str, Any]) -> list[Step]:
        session = _text(params.get("sessionId"))
        if sender == "client" and method == "session/load" and session and _text(params.get("cwd")):
            self._cwd[session] = str(params["cwd"])
            return [self._step(session, method, "session_start", detail=self._agent_label())]
        if sender == "client" and method == "session/prompt" and session:
            blocks = params.get("prompt")
            text = (
                "\n".join(
                    b["text"]
                    for b in blocks
                    if isinstance(b, dict) and b.get("type") == "text" and isinstance(b.get("text"), str)
                )
                if isinstance(blocks, list)
                else ""
            )
            prompt, cut = _cut(text)
            return [self._step(session, method, "prompt", prompt=prompt, truncated=cut or None)]
        if sender != "agent" or not session:
            return []
        if method == "session/update":
            return self._update(session, params.get("update"))
        if method == "session/request_permission":
            call = self._call(session, params.get("toolCall"))
            return [self._call_step(session, method, "permission_request", call)]
        if method == "fs/write_text_file" and _text(params.get("path")):
            return [
                self._step(
                    session, method, "tool_call", tool="write_text_file", targets=[str(params["path"])]
                )
            ]
        if method == "terminal/create" and _text(params.get("command")):
            args = _list(params.get("args"))
            line = " ".join([str(params["command"]), *(str(a) for a in args)])
            return [self._step(session, method, "tool_call", tool="terminal", command_line=_cut(line)[0])]
        return []

    def _answer(self, method: str, params: dict[str, Any], result: dict[str, Any], error: bool) -> list[Step]:
        session = _text(params.get("sessionId"))
        if method == "initialize":
            info = result.get("agentInfo")
            if isinstance(info, dict) and _text(info.get("name")):
                version = f" {info['version']}" if _text(info.get("version")) else ""
                self.agent_name = f"{info['name']}{version}"
            return []
        if method == "session/new" and _text(result.get("sessionId")) and _text(params.get("cwd")):
            self._cwd[result["sessionId"]] = str(params["cwd"])
            return [self._step(result["sessionId"], method, "session_start", detail=self._agent_label())]
        if not session:
            return []
        if method == "session/prompt":
            reason = "error" if error else _text(result.get("stopReason"))
            return [self._step(session, method, "stop", detail=reason)]
        if method == "session/request_permission":
            call = self._call(session, params.get("toolCall"))
            outcome = result.get("outcome")
            chosen = outcome.get("optionId") if isinstance(outcome, dict) else None
            options = _list(params.get("options"))
            kind = next(
                (
                    o.get("kind")
                    for o in options
                    if isinstance(o, dict) and o.get("optionId") == chosen and isinstance(o.get("kind"), str)
                ),
                None,
            )
            decision = (
                "cancelled" if error or not isinstance(outcome, dict) or chosen is None else kind or "?"
            )
            allowed = decision.startswith("allow")
            return [self._call_step(session, method, "permission", call, detail=decision, patch=allowed)]
        if method == "fs/write_text_file" and _text(params.get("path")):
            return [
                self._step(
                    session, method, "tool_result", tool="write_text_file", targets=[str(params["path"])]
                )
            ]
        return []

    def _update(self, session: str, update: object) -> list[Step]:
        if not isinstance(update, dict):
            return []
        kind = update.get("sessionUpdate")
        if kind not in ("tool_call", "tool_call_update"):
            return []
        call = self._call(session, update)
        if kind == "tool_call":
            return [self._call_step(session, "session/update", "tool_call", call)]
        if update.get("status") in ("completed", "failed"):
            done = update.get("status") == "completed"
            return [
                self._call_step(
                    session,
                    "session/update",
                    "tool_result",
                    call,
                    patch=done,
                    detail=None if done else "failed",
                )
            ]
        return []

    def _call(self, session: str, update: object) -> _Call:
        """The tool call `update` names, with what it says now added to what was said of it before."""
        update = update if isinstance(update, dict) else {}
        key = (session, str(update.get("toolCallId")))
        call = self._calls.get(key)
        if call is None:
            if len(self._calls) >= MAX_CALLS:
                self._calls.pop(next(iter(self._calls)))
            call = self._calls[key] = _Call()
        call.title = _text(update.get("title")) or call.title
        call.kind = _text(update.get("kind")) or call.kind
        raw = update.get("rawInput")
        if call.kind == "execute" and isinstance(raw, dict) and _text(raw.get("command")):
            call.command = str(raw["command"])
        for location in update.get("locations") or []:
            if (
                isinstance(location, dict)
                and _text(location.get("path"))
                and location["path"] not in call.paths
            ):
                call.paths.append(location["path"])
        for content in update.get("content") or []:
            if isinstance(content, dict) and content.get("type") == "diff" and _text(content.get("path")):
                path, old, new = content["path"], content.get("oldText"), content.get("newText")
                if path not in call.paths:
                    call.paths.append(path)
                if (
                    isinstance(new, str)
                    and (old is None or isinstance(old, str))
                    and len(new) + len(old or "") <= MAX_DIFF_CHARS
                ):
                    call.diffs[path] = {"old": old, "new": new}
        return call

    def _call_step(
        self,
        session: str,
        method: str,
        event: AgentEvent,
        call: _Call,
        *,
        detail: str | None = None,
        patch: bool = False,
    ) -> Step:
        fields: dict[str, Any] = {"tool": call.kind or call.title, "detail": detail or call.title}
        if call.paths:
            fields["targets"] = call.paths[:MAX_TARGETS]
        elif call.command is not None:
            fields["command_line"] = _cut(call.command)[0]
        found = self._step(session, method, event, **fields)
        if patch and call.diffs:
            found.patch = dict(call.diffs)
        return found

    def _step(self, session: str, method: str, event: AgentEvent, **fields: Any) -> Step:
        """The `agent` step (`t_ms` 0, as the bridge's: lsp_bridge/steps/translate.py). Built from values read
        here (labels cut and cleaned, texts cut), unchecked as every struct a constructor makes: a value
        the schema refuses (a target path longer than a path may be) makes the collector read the message
        as maps and refuse that step as it always did (collector/daemon/intake/admit.py)."""
        kept: dict[str, Any] = {
            name: _label(value) if name in ("tool", "detail") else value
            for name, value in fields.items()
            if value is not None
        }
        step = AgentStep(t_ms=0, source=SOURCE, agent="acp", hook=method, event=event,
                         session=_label(session), **kept)
        return Step(self._cwd.get(session), step)

    def _agent_label(self) -> str:
        return _label(self.agent_name)


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _key(value: object) -> object:
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else repr(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _label(text: str) -> str:
    """A short one-line label: control characters as spaces, lone surrogates as U+FFFD, at most LABEL_MAX."""
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    return (text.translate(_CONTROL).strip() or "?")[:LABEL_MAX]


def _cut(text: str) -> tuple[str, bool]:
    """`text`, or its first SHORT_TEXT_MAX characters cut back to the last white space (no word, and so
    no secret, cut in two: the redaction at sealing still sees it whole)."""
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if len(text) <= SHORT_TEXT_MAX:
        return text, False
    head = text[: SHORT_TEXT_MAX + 1]
    at = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    return (head[:at] if at > 0 else ""), True
