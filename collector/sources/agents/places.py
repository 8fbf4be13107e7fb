"""Where each agent reads the hooks codetape installs (configs.py writes them there and says why each
file). Apart from configs.py so that `codetape status` finds where Codex's config.toml would be without
loading configs.py (its constants, the plugin's text: ~1 ms of the command's start)."""

from __future__ import annotations

import os
from pathlib import Path

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from collector.sources.agents.payloads import Agent


def config_path(agent: Agent, workspace: Path, env: dict[str, str] | None = None) -> Path:
    """The file codetape's hook for `agent` goes into."""
    env = dict(os.environ) if env is None else env
    home = Path(env.get("HOME") or Path.home())
    if agent == "claude-code":
        return workspace / ".claude" / "settings.local.json"
    if agent == "cursor":
        return home / ".cursor" / "hooks.json"
    if agent == "gemini-cli":
        return Path(env.get("GEMINI_CLI_HOME") or home) / ".gemini" / "settings.json"
    if agent == "opencode":
        return Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "opencode" / "plugin" / "codetape.js"
    return Path(env.get("CODEX_HOME") or home / ".codex") / "config.toml"
