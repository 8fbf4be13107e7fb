"""What each agent passes its hooks on stdin (one JSON object), as codetape's `agent` step.

What each agent's payloads carry (Claude Code, Codex CLI, Cursor, Gemini CLI, and opencode through
codetape's plugin), where the agents document them, and which versions' real payloads are the fixtures:
tests/fixtures/agents/README.md, beside the fixtures.

Only what the step needs is read: never a file's content, a tool's output or the transcript. What a file
tool reported it changed (Claude Code's `structuredPatch`, one file's part of Codex's `apply_patch`,
each up to MAX_PATCH_CHARS) goes along as `patch`, by the file's path, and is not parsed here (Gemini
CLI's `fileDiff`, a unified diff, is only cut into Claude Code's hunks, their lines untouched): the
collector reads it (collector/sources/agents/patches.py) to tell which lines of its write the tool
changed, and never writes it down. A tool's targets are the paths as the agent named them, made absolute
against its `cwd`; the collector keeps those inside the workspace and not excluded by its policy,
workspace-relative. JSON can spell a lone UTF-16 surrogate (`"\\ud83d"`), which no UTF-8 text holds: each
one in what is read becomes U+FFFD, the replacement character, so the call is still recorded (and such a
path names no file).

This file is also the hook itself: the installed command runs it by path (`PYTHON -P -S THIS_FILE agent
hook run --agent NAME`), so a hook call pays for a bare interpreter and the few standard library modules
it needs (os, the C halves of json and signal, _socket; not the `json`, `re` or `signal` packages, whose
`enum` imports cost more than the rest), not for codetape's package (~160 ms a call before;
bench/hook_cost.py). So it imports only the standard library, and nothing here may import codetape: the
socket's framing and the settings-root walk it shares with the pytest plugin are collector/protocol/wire.py,
loaded by path; the limits it copies are checked equal by tests/unit/sources/test_agent_payloads.py.

The hook must never be in the agent's way. Claude Code reads a hook's stdout (into the conversation, for
`UserPromptSubmit` and `SessionStart`) and blocks on exit status 2; Cursor reads a JSON answer from
stdout; Codex likewise. So: nothing on stdout (the descriptor points at /dev/null from the start), exit
status 0 whatever happens, at most one line on stderr (`codetape: agent hook: ...`), and a hard deadline
(DEADLINE_S) after which the process ends at once. The payload is read up to MAX_PAYLOAD_BYTES; the rest
is drained unread, so the agent's write never fails.

In a folder without a `.codetape.toml` at or above it, nothing is sent. Otherwise one `agent` step goes to
a running collector (never started from here: an agent's hook has no time for that), through the
collector's socket in its framing with a JSON body (as the pytest plugin sends its steps); the collector
decides whether the folder is in an opted-in workspace, keeps only the targets the workspace's policy lets
it write, and redacts the prompt when the episode is sealed. A payload that cannot be read is recorded as
a `gap` (`malformed_input`) in the workspace the hook runs in, so the hole is visible. Each call touches
`run/agent-NAME.called` in codetape's home (`codetape status` tells a hook never called).
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time (its import costs the hook a few ms)
    from typing import Any, BinaryIO, Literal

    Agent = Literal["claude-code", "codex", "cursor", "gemini-cli", "opencode"]


def _by_path(name: str, path: str) -> Any:
    """The module in the file `path`, loaded as `name`, through the import system's own halves."""
    # the hook's start-up: already loaded, these cost nothing (importlib.util imports contextlib)
    import _frozen_importlib
    import _frozen_importlib_external

    spec = _frozen_importlib_external.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:  # (never, for a .py file)
        raise ImportError(f"{path} is no Python module")
    module = _frozen_importlib.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# the collector socket's framing and the settings-root walk, and the opening of the collector's address
# (a Unix socket, or loopback TCP with the per-user secret), shared with the pytest plugin: run by path,
# this file cannot import codetape's package, so it loads those two files by path too
_PACKAGE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WIRE = os.path.join(_PACKAGE, "protocol", "wire.py")
LOOPBACK = os.path.join(_PACKAGE, "platform", "loopback.py")
_WIRE_PROBLEM = ""  # why they could not be loaded (a half-installed codetape): main says it, exit 0
if TYPE_CHECKING:
    from collector.platform import loopback
    from collector.protocol import wire
else:
    wire = loopback = None
    _loading = WIRE
    try:
        wire = _by_path("codetape_wire", WIRE)
        _loading = LOOPBACK
        loopback = _by_path("codetape_loopback", LOOPBACK)
    except Exception as exc:  # nothing may reach the agent but one line (main)
        _WIRE_PROBLEM = f"cannot load {_loading} ({type(exc).__name__}); reinstall codetape"

AGENTS: tuple[Agent, ...] = ("claude-code", "codex", "cursor", "gemini-cli", "opencode")
MAX_TARGETS = 1000  # schemas.limits.MAX_TARGETS (this file imports no codetape)
SHORT_TEXT_MAX = 64 * 1024  # schemas.limits.SHORT_TEXT_MAX
MAX_PAYLOAD_BYTES = 16 << 20  # a Write's content and its response can make a payload a few MiB
LABEL_MAX = 200  # schemas.limits.LABEL_MAX
MAX_PATCH_CHARS = 1 << 20  # what a tool reported it changed, carried to the collector up to this size
# the lines of an apply_patch that name a file: `*** Update File: PATH` (str methods: `re` costs the hook)
_PATCH_FILE = ("*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: ")
_CONTROL = {**{code: " " for code in range(0x20)}, 0x7F: " "}  # str.translate: each as a space

# the agent's event name -> codetape's
_EVENTS: dict[Agent, dict[str, str]] = {
    "claude-code": {"SessionStart": "session_start", "UserPromptSubmit": "prompt", "PreToolUse": "tool_call",
                    "PostToolUse": "tool_result", "Stop": "stop", "SessionEnd": "session_end"},
    "codex": {"SessionStart": "session_start", "UserPromptSubmit": "prompt", "PreToolUse": "tool_call",
              "PostToolUse": "tool_result", "Stop": "stop", "SessionEnd": "session_end"},
    "cursor": {"beforeSubmitPrompt": "prompt", "beforeShellExecution": "tool_call",
               "afterShellExecution": "tool_result", "afterFileEdit": "tool_result", "stop": "stop"},
    "gemini-cli": {"SessionStart": "session_start", "BeforeAgent": "prompt", "BeforeTool": "tool_call",
                   "AfterTool": "tool_result", "AfterAgent": "stop", "SessionEnd": "session_end"},
    "opencode": {"session.created": "session_start", "chat.message": "prompt",
                 "tool.execute.before": "tool_call", "tool.execute.after": "tool_result",
                 "session.idle": "stop"},
}
# tool_input fields that name the file a tool works on (Claude Code's file tools)
_FILE_FIELDS = ("file_path", "notebook_path", "filePath")  # opencode's: filePath


class PayloadError(ValueError):
    """A hook's input that is not what the agent documents; the message is one line."""


class HookCall:
    """One hook call, as much as codetape records of it (a plain class: dataclasses import inspect)."""

    __slots__ = ("agent", "command_line", "cwd", "detail", "event", "hook", "patch", "prompt", "session",
                 "targets", "tool")

    def __init__(self, agent: Agent, hook: str, event: str, cwd: str | None, session: str | None = None,
                 prompt: str | None = None, tool: str | None = None, targets: tuple[str, ...] = (),
                 command_line: str | None = None, detail: str | None = None,
                 patch: dict[str, Any] | None = None) -> None:
        self.agent, self.hook, self.event, self.cwd = agent, hook, event, cwd
        self.session, self.prompt, self.tool, self.targets = session, prompt, tool, targets
        self.command_line, self.detail, self.patch = command_line, detail, patch

    def fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.__slots__}

    @property
    def origin_detail(self) -> str:
        """The evidence a write this call claims carries: `claude-code:PostToolUse Edit`."""
        return label(f"{self.agent}:{self.hook}" + (f" {self.tool}" if self.tool else ""))


def parse(agent: Agent, data: bytes) -> HookCall:
    """The hook call `data` (the payload the agent wrote to stdin) describes; PayloadError otherwise."""
    if len(data) > MAX_PAYLOAD_BYTES:
        raise PayloadError(f"the payload is {len(data):,} bytes; at most {MAX_PAYLOAD_BYTES:,} are read")
    try:
        payload = wire.loads(data)
    except (ValueError, RecursionError) as exc:
        raise PayloadError(f"the payload is not JSON ({str(exc).splitlines()[0][:120]})") from None
    if not isinstance(payload, dict):
        raise PayloadError("the payload is not a JSON object")
    return from_payload(agent, payload)


def from_payload(agent: Agent, payload: dict[str, Any]) -> HookCall:
    hook = payload.get("hook_event_name")
    if not isinstance(hook, str):
        raise PayloadError("the payload has no hook_event_name")
    event = _EVENTS[agent].get(hook)
    if event is None:
        raise PayloadError(f"{agent} hook {label(hook)!r} is not one codetape records")
    call = _cursor(hook, event, payload) if agent == "cursor" else _tool_agent(agent, hook, event, payload)
    return _with(call, **{name: _whole(value) for name, value in call.fields().items()
                          if isinstance(value, str)}, targets=tuple(map(_whole, call.targets)))


def _tool_agent(agent: Agent, hook: str, event: str, payload: dict[str, Any]) -> HookCall:
    """Claude Code's, Codex's, Gemini CLI's and opencode's calls (their payloads are alike)."""
    cwd = _text(payload, "cwd")
    call = HookCall(agent, hook, event, cwd, session=_text(payload, "session_id"))
    match event:
        case "session_start":
            return _with(call, detail=_text(payload, "source"))
        case "session_end":
            return _with(call, detail=_text(payload, "reason"))
        case "prompt":
            return _with(call, prompt=_required(payload, "prompt"))
        case "tool_call" | "tool_result":
            tool = _required(payload, "tool_name")
            tool_input = payload.get("tool_input")
            tool_input = tool_input if isinstance(tool_input, dict) else {}
            command = tool_input.get("command")
            if tool == "apply_patch" and agent == "opencode":
                command = tool_input.get("patchText")  # opencode's apply_patch takes a Codex patch
            if tool == "apply_patch" and isinstance(command, str):  # Codex: the patch names its files
                parts = _sections(command) if len(command) <= MAX_PATCH_CHARS else {}
                patch = {where: part for path, part in parts.items() for where in _absolute([path], cwd)}
                named = _absolute(_patch_files(command), cwd)
                return _with(call, tool=tool, targets=named, patch=patch or None)
            targets = [tool_input[name] for name in _FILE_FIELDS if isinstance(tool_input.get(name), str)]
            line = command if isinstance(command, str) and not targets else None
            named = _absolute(targets, cwd)
            told = _file_diff(payload, named, agent) if agent in ("gemini-cli", "opencode") \
                else _structured_patch(payload, named)
            return _with(call, tool=tool, targets=named, command_line=line, patch=told)
        case _:
            return call


def _cursor(hook: str, event: str, payload: dict[str, Any]) -> HookCall:
    roots = payload.get("workspace_roots")
    root = roots[0] if isinstance(roots, list) and roots and isinstance(roots[0], str) else None
    cwd = _text(payload, "cwd") or root
    call = HookCall("cursor", hook, event, cwd, session=_text(payload, "conversation_id"))
    match hook:
        case "beforeSubmitPrompt":
            return _with(call, prompt=_required(payload, "prompt"))
        case "afterFileEdit":
            return _with(call, targets=_absolute([_required(payload, "file_path")], root or cwd))
        case "beforeShellExecution" | "afterShellExecution":
            return _with(call, command_line=_required(payload, "command"))
        case _:
            return _with(call, detail=_text(payload, "status"))


def to_step(call: HookCall) -> dict[str, Any]:
    """The `agent` step of `call`, its texts cut at a space to what a step holds (`truncated` says so)."""
    step: dict[str, Any] = {"kind": "agent", "agent": call.agent, "hook": call.hook, "event": call.event}
    truncated = False
    for name in ("prompt", "command_line"):
        value = getattr(call, name)
        if value is not None:
            step[name], cut = cut_at_space(value, SHORT_TEXT_MAX)
            truncated = truncated or cut
    for name in ("session", "tool", "detail"):
        value = getattr(call, name)
        if value:
            step[name] = label(value)
    if call.targets:
        step["targets"] = list(call.targets[:MAX_TARGETS])
    if call.patch:
        step["patch"] = call.patch
    if truncated:
        step["truncated"] = True
    return step


def cut_at_space(text: str, limit: int) -> tuple[str, bool]:
    """`text`, or its first `limit` characters cut back to the last space or line break (so no word, and
    no secret, is cut in two: a half secret would no longer look like one to the redaction)."""
    if len(text) <= limit:
        return text, False
    head = text[:limit + 1]
    at = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    return (head[:at] if at > 0 else ""), True


def label(text: str) -> str:
    """A short one-line label: control characters as spaces, at most LABEL_MAX characters."""
    one = _whole(text).translate(_CONTROL).strip() or "?"
    return one[:LABEL_MAX]


def _whole(text: str) -> str:
    """`text` with each lone surrogate as U+FFFD (a text UTF-8 can encode, and a path that names nothing)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (json.loads leaves one alone when it has no pair)
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in text)
    return text


def _patch_files(patch: str) -> list[str]:
    """The paths an apply_patch's `*** Add File:`, `Update File:`, `Delete File:`, `Move to:` lines name."""
    return [line[len(head):] for line in patch.split("\n") for head in _PATCH_FILE
            if line.startswith(head) and len(line) > len(head)]


def _structured_patch(payload: dict[str, Any], targets: tuple[str, ...]) -> dict[str, Any] | None:
    """Claude Code's report of an Edit, MultiEdit or Write on its one file: the response's
    `structuredPatch` (hunks with line numbers), by the file's path; None when there is none or it is
    above MAX_PATCH_CHARS."""
    response = payload.get("tool_response")
    hunks = response.get("structuredPatch") if isinstance(response, dict) else None
    if len(targets) != 1 or not isinstance(hunks, list) or not hunks:
        return None
    size = 0
    for hunk in hunks:
        lines = hunk.get("lines") if isinstance(hunk, dict) else None
        size += sum(len(line) for line in lines if isinstance(line, str)) if isinstance(lines, list) else 0
    return {targets[0]: hunks} if size <= MAX_PATCH_CHARS else None


def _file_diff(payload: dict[str, Any], targets: tuple[str, ...], agent: Agent) -> dict[str, Any] | None:
    """Gemini CLI's report of a `replace` or `write_file` on its one file (the response's
    `returnDisplay.fileDiff`), or opencode's of an `edit` or `write` (`diff`), a unified diff, as Claude
    Code's hunks (`oldStart`, `oldLines`, `newStart`, `newLines`, `lines`), by the file's path; None when
    there is none, it is above MAX_PATCH_CHARS, or a hunk's header cannot be read."""
    response = payload.get("tool_response")
    display = response.get("returnDisplay") if isinstance(response, dict) and agent == "gemini-cli" \
        else response
    text = display.get("fileDiff" if agent == "gemini-cli" else "diff") if isinstance(display, dict) else None
    if len(targets) != 1 or not isinstance(text, str) or len(text) > MAX_PATCH_CHARS:
        return None
    hunks: list[dict[str, Any]] = []
    for line in text.split("\n"):
        if line.startswith("@@ -"):
            head = line[3:].split(" @@", 1)[0].split(" ")  # `-1,2 +1,2`
            try:
                (old_start, old_lines), (new_start, new_lines) = (_span(part) for part in head)
            except ValueError:
                return None
            hunks.append({"oldStart": old_start, "oldLines": old_lines, "newStart": new_start,
                          "newLines": new_lines, "lines": []})
        elif hunks and line[:1] in (" ", "-", "+", "\\"):
            hunks[-1]["lines"].append(line)
    return {targets[0]: hunks} if hunks else None


def _span(part: str) -> tuple[int, int]:
    """`-1,2` or `+3` (one line) of a unified diff's hunk header as (first line, count); ValueError else."""
    if part[:1] not in ("-", "+"):
        raise ValueError(part)
    first, _, count = part[1:].partition(",")
    return int(first), int(count) if count else 1


def _sections(patch: str) -> dict[str, str]:
    """A Codex patch's part for each file it adds or updates (from its `*** Add File:` or `*** Update
    File:` line on), by the path it leaves the file at (a moved one's `*** Move to:`), as the patch names
    it (collector/sources/agents/patches.py reads them)."""
    found: dict[str, str] = {}
    path: str | None = None
    lines: list[str] = []
    for line in [*patch.split("\n"), _PATCH_FILE[2]]:
        if line.startswith(_PATCH_FILE[:3]) or line.startswith("*** End Patch"):
            if path is not None and path.strip():
                found[path] = "\n".join(lines)
            path, lines = None, []
            if line.startswith(_PATCH_FILE[:2]):
                path, lines = line.split(": ", 1)[1], [line]
        elif line.startswith(_PATCH_FILE[3]) and path is not None:
            path = line[len(_PATCH_FILE[3]):]
        elif path is not None:
            lines.append(line)
    return found


def _with(call: HookCall, **changes: Any) -> HookCall:
    return HookCall(**{**call.fields(), **changes})


def _text(payload: dict[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value else None


def _required(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str):
        raise PayloadError(f"the {payload.get('hook_event_name')} payload has no {key} string")
    return value


def _absolute(paths: list[str], cwd: str | None) -> tuple[str, ...]:
    """Each path made absolute against `cwd` (a relative one without `cwd` is left out: it names nothing
    codetape can place), in order, without repeats."""
    out: dict[str, None] = {}
    for path in paths:
        path = path.strip()
        if not path or "\x00" in path:
            continue
        if os.path.isabs(path):
            out[path] = None
        elif cwd is not None and os.path.isabs(cwd):
            out[os.path.join(cwd, path)] = None
    return tuple(out)


# -- the hook's run ----------------------------------------------------------------------------------------

DEADLINE_S = 3.0
CONNECT_TIMEOUT_S = 0.5
SOURCE = "agent"
SOCKET = ("run", "collector.sock")  # collector.home.Home.socket, under CODETAPE_HOME
STOPPED = ("run", "stopped")  # collector/protocol/stopped.py: the user stopped recording
STOPPED_TEXT = ("recording is stopped: you ran `codetape collector stop`; "
                "`codetape resume` (or `codetape collector`) records again")  # protocol/stopped.py's STOPPED
MAX_SOCKET_PATH = 103 if sys.platform == "darwin" else 107  # an AF_UNIX address (collector.platform.sockets)


def guard(deadline_s: float = DEADLINE_S) -> None:
    """Nothing on stdout from here on, and the process gone (status 0) after `deadline_s`."""
    import _signal  # signal's C half: the module imports enum

    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, 1)
        os.close(null)
    except OSError:
        pass
    _signal.signal(_signal.SIGALRM, lambda *_: os._exit(0))
    _signal.setitimer(_signal.ITIMER_REAL, deadline_s)


def read_payload(stream: BinaryIO) -> bytes:
    """Up to MAX_PAYLOAD_BYTES + 1 bytes of `stream`; what is beyond is read and thrown away."""
    data = stream.read(MAX_PAYLOAD_BYTES + 1)
    if len(data) > MAX_PAYLOAD_BYTES:
        while stream.read(1 << 20):
            pass
    return data


def mark_called(agent: str, home: str) -> None:
    """Touch `run/agent-AGENT.called` under the home (when its run folder exists): `codetape status` tells
    a hook Codex never calls (an untrusted one) from one that is called."""
    path = os.path.join(home, "run", f"agent-{agent}.called")
    try:
        os.utime(path)
    except FileNotFoundError:
        try:  # noqa: SIM105 (contextlib is not imported: its import costs the hook)
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        except OSError:
            pass
    except OSError:
        pass


def record(agent: Agent, data: bytes, home: str, *, at_ms: int | None = None,
           cwd: str | None = None) -> str | None:
    """Send the step of one hook call; returns the one line to say when it could not be, else None (also
    when nothing is to be recorded: no workspace there, or the collector records none)."""
    # the hook's start-up (module docstring): each module only where it is used
    import time

    at = int(time.time() * 1000) if at_ms is None else at_ms
    here = cwd or os.getcwd()
    try:
        call = parse(agent, data)
    except PayloadError as exc:
        if wire.settings_root(here) is None:
            return str(exc)
        detail = f"a {agent} hook payload was not recorded: {exc}"
        problem = _send(home, here, at, {"kind": "gap", "reason": "malformed_input", "detail": detail})
        return f"{exc}" + (f"; {problem}" if problem else "")
    where = call.cwd if call.cwd and os.path.isabs(call.cwd) else here
    if wire.settings_root(where) is None:
        return None
    return _send(home, where, at, _step(call))


def _step(call: HookCall) -> dict[str, Any]:
    """The call's step, its targets through their real folders (so a link in the agent's path to the
    workspace does not put them outside it)."""
    step = to_step(call)
    if "targets" in step:
        step["targets"] = [_real(t) for t in step["targets"]]
    if "patch" in step:
        step["patch"] = {_real(path): part for path, part in step["patch"].items()}
    return step


def _real(path: str) -> str:
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))


def _send(home: str, where: str, at: int, step: dict[str, Any]) -> str | None:
    """hello (the collector finds the opted-in workspace holding `where`), then the step if it records."""
    # the hook's start-up: the C half of socket, not the `socket` package (enum)
    import _socket

    address = socket_path(home)
    if not loopback.is_endpoint(address) and len(os.fsencode(address)) > MAX_SOCKET_PATH:
        return f"not recorded: socket path {address} is too long; set CODETAPE_HOME to a shorter directory"
    problem = _unsafe(os.path.dirname(address))
    if problem is not None:
        return f"not recorded: {problem}"
    try:
        sock = loopback.connect(address, CONNECT_TIMEOUT_S)
    except loopback.NotProven as exc:
        return f"not recorded: {exc}"
    except OSError as exc:
        if os.path.exists(os.path.join(os.path.realpath(os.path.expanduser(home)), *STOPPED)):
            return f"not recorded: {STOPPED_TEXT}"
        return f"not recorded: collector not running at {address} ({exc.strerror or exc})"
    try:
        sock.settimeout(DEADLINE_S)
        # hello and the step at once (the collector drops a step of a connection whose hello found no
        # workspace it records), then the end of what is sent: one round trip, not two
        wire.write(sock, {"op": "hello", "id": 1, "workspace": where, "source": SOURCE, "pid": os.getpid(),
                      "client": None, "position_encoding": None}, {"op": "step", "at": at, "step": step})
        sock.shutdown(_socket.SHUT_WR)
        reply = wire.read(sock)
        while sock.recv(65536):  # to the end: the collector has read everything sent
            pass
        if reply.get("id") != 1:
            return "not recorded: the collector did not answer"
        if not reply.get("ok", True):
            return f"not recorded: {reply.get('error')}"
        return None
    except OSError as exc:
        return f"not recorded: {exc.strerror or exc}"
    finally:
        sock.close()


def socket_path(home: str) -> str:
    """The collector's socket for CODETAPE_HOME `home` (collector.home.Home.socket): in its run folder, or
    in /tmp/codetape-UID/ when that path is too long for an address; on loopback TCP (Windows, or
    CODETAPE_COLLECTOR_TRANSPORT=tcp) the endpoint file in its run folder."""
    root = os.path.realpath(os.path.expanduser(home))  # as Home.from_env resolves it
    if loopback.uses_tcp(os.environ):
        return os.path.join(root, "run", loopback.ENDPOINT_NAME)
    inside = os.path.join(root, *SOCKET)
    if len(os.fsencode(inside)) <= MAX_SOCKET_PATH or sys.platform == "win32":
        return inside
    # only for a home whose socket path is too long (rare): the hook's start-up
    import hashlib

    digest = hashlib.sha256(os.fsencode(root)).hexdigest()[:16]
    return os.path.join("/tmp", f"codetape-{os.getuid()}", f"{digest}.sock")


def _unsafe(run: str) -> str | None:
    """Why the home's run folder is not safe to send to (another user's, or writable by others)."""
    try:
        info = os.stat(run)
    except OSError:
        return None  # no collector ever ran there: connecting says so
    if sys.platform == "win32":  # no owner nor mode bits there (collector/platform/files.py)
        return None
    if info.st_uid != os.getuid() or info.st_mode & 0o022:
        return f"{run} is not yours alone (owner uid {info.st_uid}, mode {info.st_mode & 0o777:o})"
    return None


def main(agent: Agent, home: str) -> int:
    """The hook's whole run: always status 0, at most one line on stderr."""
    guard()
    mark_called(agent, home)
    try:
        if agent not in AGENTS:
            raise PayloadError(f"unknown agent {agent!r}")
        data = read_payload(sys.stdin.buffer)  # (read first: the agent's write never fails)
        problem = _WIRE_PROBLEM or record(agent, data, home)
    except Exception as exc:  # nothing may reach the agent but one line
        problem = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
    if problem:
        try:
            sys.stderr.write(f"codetape: agent hook: {problem.splitlines()[0][:300]}\n")
            sys.stderr.flush()
        except OSError:
            pass
    return 0


def _cli(argv: list[str]) -> int:
    """`PYTHON -P -S payloads.py [agent hook run] --agent NAME`, CODETAPE_HOME in the environment."""
    args = argv[argv.index("--agent"):] if "--agent" in argv else []  # main checks the agent's name
    home = os.environ.get("CODETAPE_HOME")
    if len(args) != 2 or not home:
        sys.stderr.write("codetape: agent hook: run as `CODETAPE_HOME=DIR payloads.py --agent NAME`\n")
        return 0
    return main(args[1], os.path.abspath(os.path.expanduser(home)))  # type: ignore[arg-type]


if __name__ == "__main__":
    sys.exit(_cli(sys.argv[1:]))
