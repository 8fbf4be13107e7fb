"""Where each agent reads its hooks, and codetape's hook written into (and taken out of) that file.

- Claude Code reads hooks from `~/.claude/settings.json` (user), `.claude/settings.json` (the project's,
  committed and shared with the team) and `.claude/settings.local.json` (the project's, personal, not
  committed): https://code.claude.com/docs/en/settings, https://code.claude.com/docs/en/hooks. Recording
  is per workspace and personal, so codetape writes the workspace's `.claude/settings.local.json`:
  `{"hooks": {EVENT: [{"matcher": TOOLS, "hooks": [{"type": "command", "command": ..., "timeout": S}]}]}}`.
- Cursor reads `~/.cursor/hooks.json` (user) and `<project>/.cursor/hooks.json` (the project's, committed):
  https://cursor.com/docs/agent/hooks. Its project file is shared, so codetape writes the user's file:
  `{"version": 1, "hooks": {EVENT: [{"command": ...}]}}`; the hook records nothing outside opted-in
  workspaces anyway.
- Codex CLI reads hooks from `hooks.json` or inline `[hooks]` tables of `config.toml` in `~/.codex`
  (`$CODEX_HOME`) and in a project's `.codex/`, the latter only once the project is trusted:
  https://developers.openai.com/codex/hooks, https://developers.openai.com/codex/config-advanced. codetape
  writes the user's `config.toml` (through tomlkit, so every other setting, comment and layout stays):
  `[[hooks.EVENT]]` with `matcher`, then `[[hooks.EVENT.hooks]]` with `type`, `command`, `timeout`.
- Gemini CLI reads hooks from `~/.gemini/settings.json` (user; `$GEMINI_CLI_HOME/.gemini/` when set) and a
  project's `.gemini/settings.json` (committed, shared): https://geminicli.com/docs/hooks/. codetape writes
  the user's file, Claude Code's layout: `{"hooks": {EVENT: [{"matcher": TOOLS, "hooks": [{"type":
  "command", "command": ..., "timeout": MS}]}]}}` (its timeout is in milliseconds). Gemini CLI runs no
  hook, the user's included, in a folder it does not trust (its folder trust).
- opencode runs no hook commands; it loads JavaScript plugins from `~/.config/opencode/plugin/`
  (`$XDG_CONFIG_HOME/opencode/plugin/`) and a project's `.opencode/plugin/`:
  https://opencode.ai/docs/plugins/. codetape writes its own file there, `codetape.js` (OPENCODE_PLUGIN),
  which runs codetape's hook command with a payload on stdin at each plugin event codetape records, and
  waits for it (up to TIMEOUT_S), so a tool's call is recorded before the tool runs. The file is wholly
  codetape's: installing writes it, uninstalling removes it; one of the same name not codetape's is left
  alone.

Nothing is written through a link into the workspace. A repository can commit
`.claude/settings.local.json` as a link to `../../.claude/settings.json`: following it would copy the user's
own Claude settings (tokens, permission rules) into a file of the repository, which the watcher records and
`git add -A` publishes. So in the workspace, a link, a file or folder another user owns, a file with other
names (hard links) or anything but a regular file is refused (`writable`). The user's own files
(`~/.cursor/hooks.json`, `~/.codex/config.toml`) are often links kept by a dotfile manager: codetape reads and
writes the file the link points to, and the link stays.

Each install shows the file's diff first. codetape's entries are the ones whose command runs `agent hook
run --agent NAME`: installing again replaces them, uninstalling removes exactly them (and the event lists
and tables left empty by that; the file itself when nothing else is left in it).
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path

from collector.errors import CodetapeError
from collector.home import Home
from collector.platform.sockets import current_uid
from collector.protocol.spawn import SAFE_PATH

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from typing import Any

    import tomlkit
    from tomlkit.items import AoT, Table

    from collector.sources.agents import codex_trust
    from collector.sources.agents.payloads import Agent

TIMEOUT_S = 10
HOOK_FILE = os.path.realpath(os.path.join(os.path.dirname(__file__), "payloads.py"))  # (not imported)
CLAUDE_TOOLS = "Edit|MultiEdit|Write|NotebookEdit|Bash"
CODEX_TOOLS = "^(Bash|apply_patch)$"
GEMINI_TOOLS = "^(replace|write_file|run_shell_command)$"
OPENCODE_MARK = "// codetape's opencode plugin"
# the plugin: COMMAND (a JSON string) is the hook command; each payload is in payloads.py's opencode shape
OPENCODE_PLUGIN = OPENCODE_MARK + """ (`codetape agent hook install --agent opencode` wrote it;
// `codetape agent hook uninstall --agent opencode` removes it). At each prompt, tool call and result, and
// session start and idle, it runs codetape's hook with what happened as JSON on stdin, and waits for it
// (the hook never blocks: it ends within seconds, always with status 0). It sends no tool output and no
// file content.
import { spawn } from "node:child_process";

const COMMAND = %s;
const TIMEOUT_MS = %d;

function send(payload) {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(COMMAND, { shell: "/bin/sh", stdio: ["pipe", "ignore", "ignore"] });
    } catch {
      resolve();
      return;
    }
    const timer = setTimeout(() => { child.kill("SIGKILL"); resolve(); }, TIMEOUT_MS);
    const done = () => { clearTimeout(timer); resolve(); };
    child.on("error", done);
    child.on("close", done);
    child.stdin.on("error", () => {});
    child.stdin.end(JSON.stringify(payload));
  });
}

export const Codetape = async ({ directory }) => {
  const base = (name, session) => ({ hook_event_name: name, session_id: session, cwd: directory });
  return {
    "chat.message": async (input, output) => {
      const text = (output.parts || []).filter((part) => part.type === "text" && !part.synthetic)
        .map((part) => part.text).join("\\n");
      await send({ ...base("chat.message", input.sessionID), prompt: text });
    },
    "tool.execute.before": async (input, output) => {
      await send({ ...base("tool.execute.before", input.sessionID), tool_name: input.tool,
                   tool_input: output.args || {} });
    },
    "tool.execute.after": async (input, output) => {
      const metadata = (output && output.metadata) || {};
      const diff = typeof metadata.diff === "string" ? metadata.diff : undefined;
      await send({ ...base("tool.execute.after", input.sessionID), tool_name: input.tool,
                   tool_input: input.args || {}, tool_response: { diff } });
    },
    event: async ({ event }) => {
      if (event.type === "session.created" || event.type === "session.idle") {
        await send(base(event.type, event.properties.sessionID));
      }
    },
  };
};
"""
# event -> the matcher codetape's hook uses (None: the event takes none)
EVENTS: dict[Agent, dict[str, str | None]] = {
    "claude-code": {"SessionStart": None, "UserPromptSubmit": None, "PreToolUse": CLAUDE_TOOLS,
                    "PostToolUse": CLAUDE_TOOLS, "Stop": None, "SessionEnd": None},
    "codex": {"SessionStart": None, "UserPromptSubmit": None, "PreToolUse": CODEX_TOOLS,
              "PostToolUse": CODEX_TOOLS, "Stop": None, "SessionEnd": None},
    "cursor": {"beforeSubmitPrompt": None, "afterFileEdit": None, "afterShellExecution": None, "stop": None},
    "gemini-cli": {"SessionStart": None, "BeforeAgent": None, "BeforeTool": GEMINI_TOOLS,
                   "AfterTool": GEMINI_TOOLS, "AfterAgent": None, "SessionEnd": None},
}


class ConfigError(CodetapeError):
    """An agent's configuration file codetape cannot edit without losing what is in it."""


def writable(agent: Agent, where: Path, workspace: Path, uid: int | None = None) -> Path:
    """The file codetape reads and writes for `where` (config_path's): in the workspace `where` itself,
    ConfigError when it or a folder on the way to it from the workspace is a link or not `uid`'s (default:
    this process's user), or it is not a regular file of one name; outside it, the file a link points to."""
    if agent != "claude-code":
        return Path(os.path.realpath(where))
    uid = current_uid() if uid is None else uid
    inside = where.relative_to(workspace)
    for depth in range(1, len(inside.parts) + 1):
        path = workspace.joinpath(*inside.parts[:depth])
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            break
        what = "folder" if depth < len(inside.parts) else "file"
        if stat.S_ISLNK(info.st_mode):
            raise ConfigError(f"{path} is a link (to {os.readlink(path)}); codetape writes no {what} of the "
                              f"workspace through a link: remove it, then install again")
        if info.st_uid != uid:
            raise ConfigError(f"{path} belongs to another user (uid {info.st_uid}); codetape writes no "
                              f"{what} of the workspace that is not yours")
        if what == "file" and not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path} is not a regular file; fix it first")
        if what == "file" and info.st_nlink > 1:
            raise ConfigError(f"{path} has {info.st_nlink - 1} other name(s) (hard links); codetape "
                              "writes no file of the workspace that is also elsewhere: remove it, then "
                              "install again")
    return where


def emptied(agent: Agent) -> str:
    """What a file reached through a link holds once nothing but codetape's hook was in it (the link's
    target stays, so the link does)."""
    return "" if agent in ("codex", "opencode") else '{\n  "version": 1\n}\n' if agent == "cursor" else "{}\n"


def hook_command(agent: Agent, home: Home, python: str | None = None) -> str:
    """The shell command the agent runs: this interpreter, bound to this CODETAPE_HOME, running the hook
    file by path without site-packages (`-S`: it imports only the standard library; payloads.py), so a
    call costs little more than the interpreter's start. The same home and interpreter give the same
    command, byte for byte (Codex's trust in the hook is tied to it)."""
    import shlex  # deferred: `status` loads this module and quotes no command

    argv = [python or sys.executable, SAFE_PATH, "-S", HOOK_FILE, "agent", "hook", "run", "--agent", agent]
    return f"CODETAPE_HOME={shlex.quote(str(home.root))} {shlex.join(argv)}"


def is_ours(command: object, agent: Agent) -> bool:
    """Whether a hook command is codetape's: the file's, or `-m collector agent hook run` (installed
    before the hook ran by path; installing again replaces it)."""
    return isinstance(command, str) and re.search(rf"\bagent hook run --agent {re.escape(agent)}$",
                                                  command.strip()) is not None


def installed(agent: Agent, text: str | None, command: str, where: Path) -> str:
    """The file's text with codetape's hook in it (replacing any earlier one of codetape's)."""
    import tomlkit  # (~6 ms: `status` reads these files with tomllib only)

    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read

    if agent == "opencode":
        if text is not None and text.strip() and not text.startswith(OPENCODE_MARK):
            raise ConfigError(f"{where} is not codetape's plugin; move it away, then install again")
        return OPENCODE_PLUGIN % (json.dumps(command), TIMEOUT_S * 1000)
    if agent == "codex":
        if text is not None and _holds(_data(text, where), command):
            return text  # as codetape would write it already
        appended = _codex_appended(text or "", command, where)
        if appended is not None:
            return appended
        doc = _toml(text, where)
        hooks = _toml_hooks(doc, where, create=True)
        assert hooks is not None
        for event, matcher in EVENTS[agent].items():
            groups = _without_ours_toml(hooks.get(event), agent, where)
            table = tomlkit.table()
            if matcher is not None:
                table["matcher"] = matcher
            handler = tomlkit.table()
            # Codex cuts a SessionEnd hook's timeout to 3 s (and says so at every start): ask no more
            timeout = codex_trust.SESSION_END_MAX_S if event == "SessionEnd" else TIMEOUT_S
            handler.update({"type": "command", "command": command, "timeout": timeout})
            handlers = tomlkit.aot()
            handlers.append(handler)
            table["hooks"] = handlers
            groups.append(table)
            hooks[event] = groups
        return tomlkit.dumps(doc)
    data = _json(text, where)
    if agent == "cursor":
        data.setdefault("version", 1)
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise ConfigError(f"{where}: `hooks` is not an object; fix it by hand first")
    for event, matcher in EVENTS[agent].items():
        entries = _without_ours_json(hooks.get(event), agent, where, event)
        if agent == "cursor":
            entries.append({"command": command})
        else:
            group: dict[str, Any] = {"matcher": matcher} if matcher is not None else {}
            timeout = TIMEOUT_S * 1000 if agent == "gemini-cli" else TIMEOUT_S  # Gemini CLI's: milliseconds
            group["hooks"] = [{"type": "command", "command": command, "timeout": timeout}]
            entries.append(group)
        hooks[event] = entries
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def uninstalled(agent: Agent, text: str, where: Path) -> str | None:
    """The file's text without codetape's hook; None when nothing else is left in it."""
    # tomlkit only to write a config (start-up: `status` reads with tomllib)
    import tomlkit

    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read

    if agent == "opencode":
        if text.strip() and not text.startswith(OPENCODE_MARK):
            raise ConfigError(f"{where} is not codetape's plugin; codetape leaves it alone")
        return None
    if agent == "codex":
        data = _data(text, where)
        cut = _codex_cut(text, data, where)
        if cut is not None:
            return cut if cut.strip() else None
        doc = _toml(text, where)
        hooks = _toml_hooks(doc, where, create=False)
        if hooks is not None:
            # Codex's trust in codetape's hooks goes with them (its keys are their places in the file)
            codex_trust.forget_trust(doc, where, codex_trust.codetape_hooks(data, where,
                                                                          lambda c: is_ours(c, "codex")))
            for event in list(hooks):
                if event in EVENTS[agent]:
                    groups = _without_ours_toml(hooks[event], agent, where)
                    if groups:
                        hooks[event] = groups
                    else:
                        del hooks[event]
            if not hooks:
                del doc["hooks"]
        out = tomlkit.dumps(doc).rstrip("\n")  # tomlkit put a blank line before the tables it added
        return out + "\n" if out.strip() else None
    data = _json(text, where)
    hooks = data.get("hooks")
    if isinstance(hooks, dict):
        for event in list(hooks):
            if event in EVENTS[agent]:
                entries = _without_ours_json(hooks[event], agent, where, event)
                if entries:
                    hooks[event] = entries
                else:
                    del hooks[event]
        if not hooks:
            del data["hooks"]
    if data in ({}, {"version": 1}):
        return None
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def plugin_command(text: str) -> str | None:
    """The hook command codetape's opencode plugin `text` runs (None when it is not codetape's)."""
    if not text.startswith(OPENCODE_MARK):
        return None
    for line in text.splitlines():
        if line.startswith("const COMMAND = ") and line.endswith(";"):
            try:
                command = json.loads(line[len("const COMMAND = "):-1])
            except ValueError:
                return None
            return command if isinstance(command, str) else None
    return None


def codex_trust_lines(text: str | None, where: Path) -> list[str]:
    """What Codex's trust in codetape's hooks of the config.toml `text` means for the user."""
    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read

    hooks = codex_hooks(text, where)
    return codex_trust.lines(hooks) or [f"codex: Codex trusts codetape's {len(hooks)} hooks"]


def codex_not_run(text: str | None, where: Path) -> list[str]:
    """Why Codex does not run codetape's hooks of the config.toml `text` (not trusted, or turned off);
    [] when it runs them all: what `agent hook install`, `status` and `doctor` say, and the collector
    reads (daemon/silent_hooks.py)."""
    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read

    return codex_trust.lines(codex_hooks(text, where))


def codex_hooks(text: str | None, where: Path) -> list[codex_trust.CodexHook]:
    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read

    return codex_trust.codetape_hooks(_data(text, where), where, lambda c: is_ours(c, "codex"))


def diff(where: Path, before: str | None, after: str | None) -> str:
    """A unified diff of the file's change (`/dev/null` for a file created or removed)."""
    # difflib only to show an install's change (start-up: `status`)
    import difflib

    return "".join(difflib.unified_diff(
        (before or "").splitlines(keepends=True), (after or "").splitlines(keepends=True),
        fromfile=str(where) if before is not None else "/dev/null",
        tofile=str(where) if after is not None else "/dev/null"))


# -- JSON (Claude Code, Cursor, Gemini CLI) ------------------------------------------------------------------

def _json(text: str | None, where: Path) -> dict[str, Any]:
    if text is None or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{where} is not valid JSON ({str(exc).splitlines()[0]}); fix it first") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{where} does not hold a JSON object; fix it first")
    return data


def _without_ours_json(entries: object, agent: Agent, where: Path, event: str) -> list[Any]:
    """An event's entries without codetape's (Cursor: a command each; Claude Code: matcher groups, each
    losing codetape's handlers, and going when none is left)."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        raise ConfigError(f"{where}: hooks.{event} is not a list; fix it first")
    kept: list[Any] = []
    for entry in entries:
        if agent == "cursor":
            if not (isinstance(entry, dict) and is_ours(entry.get("command"), agent)):
                kept.append(entry)
            continue
        handlers = entry.get("hooks") if isinstance(entry, dict) else None
        if not isinstance(handlers, list):
            kept.append(entry)
            continue
        mine = [h for h in handlers if isinstance(h, dict) and is_ours(h.get("command"), agent)]
        if not mine:
            kept.append(entry)
        elif len(mine) < len(handlers):
            kept.append({**entry, "hooks": [h for h in handlers if h not in mine]})
    return kept


# -- TOML (Codex) -------------------------------------------------------------------------------------------

def _toml(text: str | None, where: Path) -> tomlkit.TOMLDocument:
    # tomlkit only to write a config (start-up: `status` reads with tomllib)
    import tomlkit
    import tomlkit.exceptions

    try:
        return tomlkit.parse(text or "")
    except tomlkit.exceptions.ParseError as exc:
        raise ConfigError(f"{where} is not valid TOML ({exc}); fix it first") from None


def _data(text: str | None, where: Path) -> dict[str, Any]:
    """The TOML `text` as plain data (tomllib: it reads any valid layout, tables out of order included)."""
    import tomllib  # deferred: only where a config is read (`status` without one: ~2 ms)

    try:
        return tomllib.loads(text or "")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML ({exc}); fix it first") from None


def _holds(data: dict[str, Any], command: str) -> bool:
    """Whether the parsed config.toml holds codetape's hook (`command`) for every event, as installed."""
    hooks = data.get("hooks")
    if not isinstance(hooks, dict):
        return False
    for event, matcher in EVENTS["codex"].items():
        groups = hooks.get(event)
        if not isinstance(groups, list) or not any(_holds_group(group, matcher, command) for group in groups):
            return False
    return True


def _holds_group(group: object, matcher: str | None, command: str) -> bool:
    handlers = group.get("hooks") if isinstance(group, dict) else None
    return (isinstance(group, dict) and group.get("matcher") == matcher and isinstance(handlers, list)
            and any(isinstance(h, dict) and h.get("command") == command for h in handlers))


def _toml_hooks(doc: tomlkit.TOMLDocument, where: Path, *, create: bool) -> Table | None:
    # tomlkit only to write a config (start-up: `status` reads with tomllib)
    import tomlkit
    from tomlkit.items import Table

    hooks = doc.get("hooks")
    if hooks is None:
        if not create:
            return None
        hooks = tomlkit.table(is_super_table=True)
        doc["hooks"] = hooks
    if not isinstance(hooks, Table):
        raise ConfigError(f"{where}: [hooks] is not a table; fix it first")
    return hooks


def _without_ours_toml(groups: object, agent: Agent, where: Path) -> AoT:
    # tomlkit only to write a config (start-up: `status` reads with tomllib)
    import tomlkit
    from tomlkit.items import AoT

    kept = tomlkit.aot()
    if groups is None:
        return kept
    if not isinstance(groups, AoT):
        raise ConfigError(f"{where}: a [hooks] event is not an array of tables; fix it first")
    for group in groups:
        handlers = group.get("hooks")
        if not isinstance(handlers, AoT):
            kept.append(group)
            continue
        mine = [h for h in handlers if is_ours(h.get("command"), agent)]
        if not mine:
            kept.append(group)
        elif len(mine) < len(handlers):
            rest = tomlkit.aot()
            for handler in handlers:
                if handler not in mine:
                    rest.append(handler)
            group["hooks"] = rest
            kept.append(group)
    return kept


# -- Codex's config.toml as text: what install appends, uninstall takes out, byte for byte -----------------
#
# tomlkit moves blank lines around the tables it edits (5 more per install and uninstall when the
# developer's own hooks share the event tables), so codetape edits the file as text where it can: install
# appends one `[[hooks.EVENT]]` group per event at the end (TOML lets an array of tables go on anywhere),
# each after one blank line; uninstall takes out exactly those groups, the blank line before each, and the
# `[hooks.state."KEY"]` tables Codex wrote for them (with the blank line before each). Where the text cannot
# hold that (an event's hooks written as an inline array, a group holding others' handlers too), tomlkit
# edits it instead.

# matched through re's cache: compiled when used, not at `status`'s start-up
_HEADER = r"^[ \t]*(\[\[?)[ \t]*([^\]]+?)[ \t]*\]\]?[ \t]*(?:#.*)?$"


def _codex_block(command: str) -> str:
    # tomlkit only to write a config (start-up: `status` reads with tomllib)
    import tomlkit

    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read

    quoted = tomlkit.string(command).as_string()
    out: list[str] = []
    for event, matcher in EVENTS["codex"].items():
        timeout = codex_trust.SESSION_END_MAX_S if event == "SessionEnd" else TIMEOUT_S
        group = f"[[hooks.{event}]]\n"
        if matcher is not None:
            group += f"matcher = {tomlkit.string(matcher).as_string()}\n"
        out.append(f"\n{group}[[hooks.{event}.hooks]]\ntype = \"command\"\ncommand = {quoted}\n"
                   f"timeout = {timeout}\n")
    return "".join(out)


def _codex_appended(text: str, command: str, where: Path) -> str | None:
    """`text` without codetape's groups, then codetape's appended; None when the text cannot hold them."""
    import tomllib  # deferred: only where a config is read (`status` without one: ~2 ms)

    base = _codex_cut(text, _data(text, where), where, keep_trust=True) if text else ""
    if base is None:
        return None
    after = base + ("" if not base or base.endswith("\n") else "\n") + _codex_block(command)
    try:
        tomllib.loads(after)
    except tomllib.TOMLDecodeError:
        return None
    return after


def _codex_cut(text: str, data: dict[str, Any], where: Path, *, keep_trust: bool = False) -> str | None:
    """`text` without codetape's groups (and, unless `keep_trust`, Codex's trust entries of them), each
    with the blank line before it; None when a group of codetape's holds another handler too."""
    import tomllib  # deferred: only where a config is read (`status` without one: ~2 ms)

    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read

    ours = codex_trust.codetape_hooks(data, where, lambda c: is_ours(c, "codex"))
    spots = {codex_trust.spot(hook.key) for hook in ours}
    lines = text.splitlines(keepends=True)
    heads = [i for i, line in enumerate(lines) if re.match(_HEADER, line)]
    sections = [(start, heads[n + 1] if n + 1 < len(heads) else len(lines)) for n, start in enumerate(heads)]
    drop: set[int] = set()
    counts: dict[str, int] = {}
    n = 0
    while n < len(sections):
        start, end = sections[n]
        match = re.match(_HEADER, lines[start])
        assert match is not None
        name = match.group(2).strip()
        if match.group(1) == "[[" and name.startswith("hooks.") and name.count(".") == 1:
            event = name.split(".", 1)[1]
            group = counts.get(event, 0)
            counts[event] = group + 1
            members = [n]
            while n + len(members) < len(sections):
                inner = re.match(_HEADER, lines[sections[n + len(members)][0]])
                if inner is None or inner.group(2).strip() != f"{name}.hooks":
                    break
                members.append(n + len(members))
            handlers = []
            for m in members[1:]:
                body = "".join(lines[sections[m][0] + 1:sections[m][1]])
                try:
                    handlers.append(tomllib.loads(body).get("command"))
                except tomllib.TOMLDecodeError:
                    handlers.append(None)
            mine = [is_ours(c, "codex") for c in handlers]
            if any(mine) and not all(mine):
                return None
            if mine and all(mine):
                drop.update(range(start, sections[members[-1]][1]))
                _drop_blank_before(lines, start, drop)
            n += len(members)
            continue
        if not keep_trust and name.startswith("hooks.state."):
            key = _state_key(name)
            if key is not None and codex_trust.parse_key(key, where) in spots:
                drop.update(range(start, end))
                _drop_blank_before(lines, start, drop)
        n += 1
    if not drop and not ours:
        return text
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def _drop_blank_before(lines: list[str], start: int, drop: set[int]) -> None:
    before = start - 1
    while before in drop:
        before -= 1
    if before >= 0 and not lines[before].strip() and (before - 1 < 0 or before - 1 not in drop):
        drop.add(before)


def _state_key(name: str) -> str | None:
    """KEY of a `hooks.state."KEY"` table name."""
    import tomllib  # deferred: only where a config is read (`status` without one: ~2 ms)

    try:
        state = tomllib.loads(f"[{name}]\n").get("hooks", {}).get("state", {})
    except tomllib.TOMLDecodeError:
        return None
    return next(iter(state), None) if isinstance(state, dict) and len(state) == 1 else None
