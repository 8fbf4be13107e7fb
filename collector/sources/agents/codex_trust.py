"""Whether Codex runs codetape's hooks: its trust in them, and whether they are being called at all.

Codex runs a hook of the user's `config.toml` only once the user trusted it (its "Hooks need review"
prompt at start, or `/hooks`); `codex exec` skips an untrusted hook without a word. Codex keeps that
trust in the same file, one table per hook:

    [hooks.state."/home/me/.codex/config.toml:pre_tool_use:1:0"]
    trusted_hash = "sha256:..."

The key is the file, the event, the matcher group's index among the event's groups and the handler's
index in its group; the hash is Codex's `command_hook_hash` (openai/codex,
codex-rs/hooks/src/engine/discovery.rs, with `version_for_toml` of codex-rs/config): SHA-256 of the
compact JSON, keys sorted, of `{"event_name": LABEL, "matcher": M (when the event takes one), "hooks":
[{"type": "command", "command": C, "timeout": S, "async": false}]}`. A trusted hash that is not the
hook's current one (its command changed: another CODETAPE_HOME, another interpreter) is "modified":
untrusted again.

codetape only reads these entries (`codetape status`, `agent hook install`) and, on uninstall, removes
those of its own hooks. It never writes one: trusting a hook is the user's consent to Codex, not ours.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import tomlkit

# Codex's `hook_event_key_label`
LABELS = {"SessionStart": "session_start", "UserPromptSubmit": "user_prompt_submit",
          "PreToolUse": "pre_tool_use", "PostToolUse": "post_tool_use", "Stop": "stop",
          "SessionEnd": "session_end", "PermissionRequest": "permission_request"}
# events whose matcher Codex ignores (`matcher_pattern_for_event`)
_NO_MATCHER = {"UserPromptSubmit", "Stop", "SessionEnd"}
DEFAULT_TIMEOUT_S = 600
SESSION_END_MAX_S = 3  # Codex clamps a SessionEnd hook's timeout to this

Trust = Literal["trusted", "modified", "untrusted", "disabled"]


@dataclass(frozen=True)
class CodexHook:
    """One handler of codetape's in Codex's config.toml, and what Codex's trust says of it."""

    event: str
    key: str
    current_hash: str
    trusted_hash: str | None
    enabled: bool

    @property
    def trust(self) -> Trust:
        if not self.enabled:
            return "disabled"
        if self.trusted_hash is None:
            return "untrusted"
        return "trusted" if self.trusted_hash == self.current_hash else "modified"


def hook_hash(event: str, matcher: str | None, command: str, timeout: object) -> str:
    """The hash Codex gives a command hook (its `trusted_hash` once trusted)."""
    handler: dict[str, Any] = {"type": "command", "command": command,
                               "timeout": _timeout(event, timeout),
                               "async": False}
    identity: dict[str, Any] = {"event_name": LABELS.get(event, event), "hooks": [handler]}
    if matcher is not None and event not in _NO_MATCHER:
        identity["matcher"] = matcher
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    import hashlib  # (~3 ms, tomlkit's ~8 ms below: `status` without Codex hooks loads neither)

    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def codetape_hooks(data: Mapping[str, Any], where: Path,
                   is_ours: Callable[[object], bool]) -> list[CodexHook]:
    """codetape's handlers in config.toml at `where` (`data`: the file parsed; `is_ours(command)` tells
    them), with the trust Codex keeps for each."""
    hooks = data.get("hooks")
    if not isinstance(hooks, dict):
        return []
    states = _states(hooks, where)
    found: list[CodexHook] = []
    for event, groups in hooks.items():
        if event == "state" or not isinstance(groups, list):
            continue
        for g, group in enumerate(groups):
            handlers = group.get("hooks") if isinstance(group, dict) else None
            if not isinstance(handlers, list):
                continue
            matcher = group.get("matcher")
            for h, handler in enumerate(handlers):
                command = handler.get("command") if isinstance(handler, dict) else None
                if not is_ours(command):
                    continue
                place = (LABELS.get(str(event), str(event)), g, h)
                state = states.get(place, {})
                found.append(CodexHook(
                    event, f"{where}:{place[0]}:{g}:{h}",
                    hook_hash(event, str(matcher) if matcher is not None else None, str(command),
                              handler.get("timeout")),
                    _str(state.get("trusted_hash")), state.get("enabled") is not False))
    return found


def forget_trust(doc: tomlkit.TOMLDocument, where: Path, ours: list[CodexHook]) -> None:
    """Take the trust entries of `ours` (codetape's handlers, as they stood) out of the parsed file, and
    `[hooks.state]` when nothing else is left in it."""
    # tomlkit only to edit Codex's config (start-up: `status` reads it with tomllib)
    from tomlkit.items import Table

    hooks = doc.get("hooks")
    state = hooks.get("state") if isinstance(hooks, Table) else None
    if not isinstance(state, Table):
        return
    spots = {spot(hook.key) for hook in ours}
    for key in list(state.keys()):
        parsed = parse_key(key, where)
        if parsed is not None and parsed in spots:
            del state[key]
    if not state:
        assert isinstance(hooks, Table)
        del hooks["state"]


def lines(hooks: list[CodexHook]) -> list[str]:
    """What the user must know (and do) about Codex's trust in codetape's hooks; [] when all are trusted."""
    waiting = [hook for hook in hooks if hook.trust in ("untrusted", "modified")]
    disabled = [hook for hook in hooks if hook.trust == "disabled"]
    out: list[str] = []
    if waiting:
        changed = sum(hook.trust == "modified" for hook in waiting)
        why = (f" ({changed} trusted before with another command, untrusted again)" if changed else "")
        events = ", ".join(dict.fromkeys(hook.event for hook in waiting))
        out.append(f"codex: {len(waiting)} of codetape's {len(hooks)} hooks are not trusted by Codex{why}, "
                   f"so Codex skips them ({events}) and records nothing; `codex exec` skips them without a "
                   "word. To trust them: run `codex` in a terminal and choose \"Trust all and continue\" "
                   "when it says \"Hooks need review\" (or type /hooks there). codetape never trusts them "
                   "for you.")
    if disabled:
        events = ", ".join(dict.fromkeys(hook.event for hook in disabled))
        out.append(f"codex: {len(disabled)} of codetape's hooks are turned off in Codex ({events}): "
                   "turn them on with /hooks in `codex`")
    return out


def session_start(path: Path) -> float | None:
    """When the Codex session of a rollout file started (its first line's `timestamp`), as a Unix time."""
    try:
        first = _first_line(path)
        return datetime.fromisoformat(str(first["timestamp"]).replace("Z", "+00:00")).timestamp()
    except (OSError, ValueError, KeyError, TypeError):
        return None


def session_cwd(path: Path) -> str | None:
    """The folder the Codex session of a rollout file works in (its `session_meta` line's `cwd`)."""
    try:
        first = _first_line(path)
        cwd = first["payload"]["cwd"] if first.get("type") == "session_meta" else None
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return cwd if isinstance(cwd, str) else None


def _first_line(path: Path) -> Any:
    with path.open("rb") as file:
        return json.loads(file.readline(1 << 20))


def last_session(codex_home: Path) -> tuple[float, Path] | None:
    """When Codex last wrote a session (the newest `sessions/YYYY/MM/DD/rollout-*.jsonl`), and which."""
    folder = codex_home / "sessions"
    for _ in range(3):  # year, month, day: the newest of each
        try:
            names = sorted((e.name for e in os.scandir(folder) if e.is_dir()), reverse=True)
        except OSError:
            return None
        if not names:
            return None
        folder = folder / names[0]
    newest: tuple[float, Path] | None = None
    try:
        for entry in os.scandir(folder):
            if entry.name.startswith("rollout-") and entry.is_file():
                at = entry.stat().st_mtime
                if newest is None or at > newest[0]:
                    newest = (at, Path(entry.path))
    except OSError:
        return None
    return newest


def _states(hooks: dict[str, Any], where: Path) -> dict[tuple[str, int, int], dict[str, Any]]:
    state = hooks.get("state")
    if not isinstance(state, dict):
        return {}
    found: dict[tuple[str, int, int], dict[str, Any]] = {}
    for key, value in state.items():
        parsed = parse_key(key, where)
        if parsed is not None and isinstance(value, dict):
            found[parsed] = value
    return found


def parse_key(key: str, where: Path) -> tuple[str, int, int] | None:
    """(event label, group, handler) of a `hooks.state` key naming the file at `where` (through any link:
    Codex names the file by the path it opened), else None."""
    parts = key.rsplit(":", 3)
    if len(parts) != 4 or not parts[2].isdigit() or not parts[3].isdigit():
        return None
    path = parts[0]
    if path != str(where) and os.path.realpath(path) != os.path.realpath(where):
        return None
    return parts[1], int(parts[2]), int(parts[3])


def spot(key: str) -> tuple[str, int, int]:
    _, label, g, h = key.rsplit(":", 3)
    return label, int(g), int(h)


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _timeout(event: str, timeout: object) -> int:
    """The timeout Codex hashes: the handler's (600 s when unset, at least 1), SessionEnd's at most 3 s."""
    seconds = max(1, timeout if isinstance(timeout, int) else DEFAULT_TIMEOUT_S)
    return min(seconds, SESSION_END_MAX_S) if event == "SessionEnd" else seconds
