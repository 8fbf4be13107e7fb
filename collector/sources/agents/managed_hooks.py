"""Managed settings that make an agent run only its administrator's hooks, and codetape's hook among those.

An administrator can tell an agent to ignore every hook a user installed (codetape's included) and run
only the hooks of its managed settings. Read from files only (an MDM profile or server-managed settings
is not seen here):

- Claude Code: `allowManagedHooksOnly: true` in `managed-settings.json` or a drop-in beside it
  (`managed-settings.d/*.json`, in name order, none starting with `.`), in /etc/claude-code on Linux and
  /Library/Application Support/ClaudeCode on macOS (https://code.claude.com/docs/en/settings). Only the
  `hooks` of those files run then.
- Codex CLI: top-level `allow_managed_hooks_only = true` in /etc/codex/requirements.toml, the only file it
  counts in (openai/codex docs/config.md). Hooks of the managed layers still run, without the user's trust:
  the `[hooks]` of requirements.toml and of the system layer, /etc/codex/config.toml (or hooks.json
  beside it), and of the legacy /etc/codex/managed_config.toml.

codetape's hook in the managed form is its command in one of those files: `codetape agent hook run --agent
NAME` from a system path, with no CODETAPE_HOME (each user's default home). It runs for every user and
every folder, and records nothing until that user opted a workspace in (payloads.py: no `.codetape.toml`
at or above the folder, nothing is sent; `agent hook run` ends at once when the user has no codetape home).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from collector.sources.agents.payloads import Agent

SYSTEM = Path("/")
MANAGED_AGENTS: tuple[Agent, ...] = ("claude-code", "codex")
MAX_BYTES = 1 << 20


class Managed:
    """What an agent's managed settings say of hooks: the file letting only managed hooks run (None: no
    such setting), and the managed files holding codetape's hook, with its commands there. (A plain class,
    not a dataclass or NamedTuple: `status` starts without dataclasses or typing.)"""

    __slots__ = ("agent", "commands", "only", "ours")

    def __init__(self, agent: Agent, only: Path | None, ours: tuple[Path, ...], commands: tuple[str, ...]
                 ) -> None:
        self.agent, self.only, self.ours, self.commands = agent, only, ours, commands

    @property
    def ignores_user_hooks(self) -> bool:
        return self.only is not None


def folder(agent: Agent, system: Path = SYSTEM, platform: str = sys.platform) -> Path:
    """Where `agent`'s managed settings are (under `system`, the file system's root)."""
    if agent == "claude-code":
        return system / ("Library/Application Support/ClaudeCode" if platform == "darwin"
                         else "etc/claude-code")
    return system / "etc/codex"


def managed(agent: Agent, system: Path = SYSTEM, platform: str = sys.platform) -> Managed:
    """What the managed settings of `agent` (claude-code or codex) say of hooks."""
    where = folder(agent, system, platform)
    only: Path | None = None
    found: dict[Path, list[str]] = {}
    if agent == "claude-code":
        drop_ins = where / "managed-settings.d"
        try:
            names = sorted(p.name for p in drop_ins.iterdir()
                           if p.name.endswith(".json") and not p.name.startswith("."))
        except OSError:
            names = []
        for path in [where / "managed-settings.json", *(drop_ins / name for name in names)]:
            data = _parsed(path)
            if data is None:
                continue
            if data.get("allowManagedHooksOnly") is True and only is None:
                only = path
            found[path] = commands_in(data.get("hooks"))
    elif agent == "codex":
        requirements = where / "requirements.toml"
        data = _parsed(requirements)
        if data is not None and data.get("allow_managed_hooks_only") is True:
            only = requirements
        for path in (requirements, where / "config.toml", where / "hooks.json",
                     where / "managed_config.toml"):
            data = _parsed(path)
            if data is not None:
                found[path] = commands_in(data.get("hooks"))
    ours: dict[Path, list[str]] = {}
    if any(found.values()):  # (configs.py only where a managed hook is: not for a plain `status`)
        from collector.sources.agents.configs import is_ours  # deferred: see above

        ours = {path: [c for c in commands if is_ours(c, agent)] for path, commands in found.items()}
    return Managed(agent, only, tuple(path for path, commands in ours.items() if commands),
                   tuple(c for commands in ours.values() for c in commands))


def not_run(found: Managed, where: object = None) -> str | None:
    """Why `agent` does not run codetape's hook installed as the user's (in `where`, when given); None
    when its managed settings let it run, or codetape's hook is managed."""
    if found.only is None or found.ours:
        return None
    setting = "allowManagedHooksOnly" if found.agent == "claude-code" else "allow_managed_hooks_only"
    place = f" in {where}" if where is not None else ""
    return (f"{found.agent}: {found.only} sets {setting}: the agent runs only managed hooks, so it ignores "
            f"codetape's hook{place} and nothing it does is recorded. Ask whoever manages this machine to "
            "add codetape's hook in the managed form (docs/agents.md, Managed hooks)")


def lines(system: Path = SYSTEM, platform: str = sys.platform) -> list[str]:
    """What `codetape status` says of managed settings that keep codetape's user hooks from running."""
    out: list[str] = []
    for agent in MANAGED_AGENTS:
        said = not_run(managed(agent, system, platform))
        if said is not None:
            out.append(said)
    return out


def commands_in(node: object) -> list[str]:
    """Every string under a `command` key of a parsed hook configuration (JSON or TOML), in order."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "command" and isinstance(value, str):
                found.append(value)
            else:
                found.extend(commands_in(value))
    elif isinstance(node, list):
        for item in node:
            found.extend(commands_in(item))
    return found


def _parsed(path: Path) -> dict[str, object] | None:
    """A managed JSON or TOML file as data; None when it is missing or unreadable (the agent ignores a
    file it cannot parse too)."""
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_BYTES)
        text = raw.decode("utf-8")
        data: object = _toml(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _toml(text: str) -> dict[str, object]:
    """tomllib's reading of `text` (its TOMLDecodeError is a ValueError)."""
    import tomllib  # deferred: only when a managed TOML file is there (`status` without one: ~2 ms)

    return tomllib.loads(text)

