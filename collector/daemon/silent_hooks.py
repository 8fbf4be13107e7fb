"""A `gap` when an agent works in the workspace while codetape's hook for it is known not to run.

codetape's hook is installed for an agent, and the agent is known not to run it, when:

- Codex: codetape's hooks are in the user's `config.toml` and Codex does not run them (not trusted, trusted
  with another command, or turned off: configs.codex_not_run, what `status` and `doctor` say);
- Claude Code or Codex: its managed settings let only managed hooks run, codetape's hook is installed as a
  user's hook (Claude Code: the workspace's `.claude/settings.local.json` or `settings.json`, or the
  user's `~/.claude/settings.json`; Codex: `config.toml`) and not in the managed form (managed_hooks.py).

The agent works in the workspace when its session record was written within ACTIVE_MS before the write
or after it: Codex's newest `sessions/Y/M/D/rollout-*.jsonl` under CODEX_HOME, whose `session_meta` names
the workspace or a folder in it as its `cwd`; Claude Code's newest transcript in
`~/.claude/projects/NAME/` (CLAUDE_CONFIG_DIR in place of ~/.claude), NAME the workspace's path with every
character but a letter or digit turned into `-`, as Claude Code names it (so a session started in a
folder below the workspace is not seen).

The rule: a file write the collector records with no origin (a watcher's change that no agent's call
claimed and that no editor's save explains), while both hold for an agent, is preceded by one `gap` step
(reason `other`) saying that agent's hooks did not run: its prompts and tool calls are missing, and its
writes have no origin. One per agent and session record in an episode. The write itself keeps no origin:
the developer may have written it (the agent's session being open says nothing of who wrote a file), so the
gap marks the hole and leaves the write unattributed. The gap names no path, session or conversation id.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from collector.daemon.own_steps import gap
from collector.sources.agents import codex_trust
from collector.sources.agents.configs import ConfigError, codex_not_run, is_ours
from collector.sources.agents.managed_hooks import SYSTEM, commands_in, managed, not_run
from collector.sources.agents.places import config_path
from schemas.steps import GapStep

if TYPE_CHECKING:
    from collector.sources.agents.payloads import Agent

ACTIVE_MS = 30_000
LOOK_EVERY_S = 2.0  # the hooks' configuration is read again at most this often
NAMES: dict[Agent, str] = {"claude-code": "Claude Code", "codex": "Codex"}


@dataclass(frozen=True)
class Silence:
    agent: Agent
    why: str  # why the agent does not run codetape's hook


class SilentHooks:
    """For one workspace: the `gap` to write before a write with no origin (see the module's docstring)."""

    def __init__(self, root: Path, env: Mapping[str, str], *, system: Path = SYSTEM,
                 platform: str = sys.platform, clock: Callable[[], float] = time.monotonic) -> None:
        self.root = root
        self._env = dict(env)
        self._system = system
        self._platform = platform
        self._clock = clock
        self._looked: float | None = None
        self._silences: list[Silence] = []
        self._told: set[tuple[str, str]] = set()  # (agent, session record) said in this episode

    def gaps(self, at_ms: int) -> list[GapStep]:
        """The `gap` steps to write before a write with no origin at `at_ms` (Unix ms): one per agent whose
        hook is silent while it works here, each said once per session record in an episode."""
        out: list[GapStep] = []
        for silence in self._silent():
            record = self._working(silence.agent, at_ms)
            if record is None or (silence.agent, record) in self._told:
                continue
            self._told.add((silence.agent, record))
            out.append(gap("collector", "other",
                           f"{silence.agent}'s hooks did not run: {NAMES[silence.agent]} worked in this "
                           f"workspace, but {silence.why}; its prompts and tool calls are missing, and its "
                           "writes have no origin"))
        return out

    def episode_ended(self) -> None:
        self._told.clear()

    def _silent(self) -> list[Silence]:
        now = self._clock()
        if self._looked is None or now - self._looked >= LOOK_EVERY_S:
            self._looked = now
            self._silences = [s for s in (self._claude(), self._codex()) if s is not None]
        return self._silences

    def _claude(self) -> Silence | None:
        files = [self.root / ".claude" / "settings.local.json", self.root / ".claude" / "settings.json",
                 self._claude_home() / "settings.json"]
        if not any(_holds_ours(path, "claude-code") for path in files):
            return None
        if not_run(managed("claude-code", self._system, self._platform)) is None:
            return None
        return Silence("claude-code", "its managed settings let only managed hooks run "
                       "(allowManagedHooksOnly) and codetape's hook is not one of them")

    def _codex(self) -> Silence | None:
        where = Path(os.path.realpath(config_path("codex", self.root, self._env)))
        if not _holds_ours(where, "codex"):
            return None
        if not_run(managed("codex", self._system, self._platform)) is not None:
            return Silence("codex", "its managed requirements let only managed hooks run "
                           "(allow_managed_hooks_only) and codetape's hook is not one of them")
        try:
            untrusted = codex_not_run(where.read_text(encoding="utf-8"), where)
        except (OSError, UnicodeDecodeError, ConfigError):
            return None
        if not untrusted:
            return None
        return Silence("codex", "Codex does not run codetape's hooks until you trust them (run `codex` "
                       "and choose \"Trust all and continue\", or /hooks)")

    def _working(self, agent: Agent, at_ms: int) -> str | None:
        """The agent's session record written within ACTIVE_MS of `at_ms`, for this workspace; None."""
        if agent == "codex":
            codex_home = Path(self._env.get("CODEX_HOME") or Path(self._home()) / ".codex")
            newest = codex_trust.last_session(codex_home)
            if newest is None or not _near(newest[0], at_ms):
                return None
            cwd = codex_trust.session_cwd(newest[1])
            return str(newest[1]) if cwd is not None and _inside(cwd, self.root) else None
        folder = self._claude_home() / "projects" / re.sub(r"[^a-zA-Z0-9]", "-", str(self.root))
        try:
            records = [(entry.stat().st_mtime, entry.path) for entry in os.scandir(folder)
                       if entry.name.endswith(".jsonl") and entry.is_file()]
        except OSError:
            return None
        if not records:
            return None
        at, path = max(records)
        return path if _near(at, at_ms) else None

    def _home(self) -> str:
        return self._env.get("HOME") or str(Path.home())

    def _claude_home(self) -> Path:
        return Path(self._env.get("CLAUDE_CONFIG_DIR") or Path(self._home()) / ".claude")


def _holds_ours(path: Path, agent: Agent) -> bool:
    """Whether the JSON or TOML hook configuration at `path` holds codetape's hook for `agent`."""
    try:
        text = path.read_text(encoding="utf-8")
        data: object = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and any(is_ours(c, agent) for c in commands_in(data.get("hooks")))


def _near(written_s: float, at_ms: int) -> bool:
    return written_s * 1000 >= at_ms - ACTIVE_MS


def _inside(cwd: str, root: Path) -> bool:
    real = Path(os.path.realpath(cwd))
    return real == root or root in real.parents
