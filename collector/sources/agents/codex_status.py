"""What `codetape status` says of codetape's hooks in Codex (configs.py installs them): the ones Codex does
not trust (so never runs), and a Codex session started since they were installed that called none. Apart
from configs.py: where Codex has no config.toml, `status` loads no more than places.py to know it."""

from __future__ import annotations

import os
from pathlib import Path

from collector.home import Home
from collector.sources.agents.places import config_path

TYPE_CHECKING = False  # typing is not loaded at a command's start-up (~3 ms)
if TYPE_CHECKING:
    from collector.sources.agents.payloads import Agent


def called_mark(home: Home, agent: Agent) -> Path:
    """The file each call of `agent`'s hook touches: when its hook was last called."""
    return home.run / f"agent-{agent}.called"


def codex_status(home: Home, env: dict[str, str] | None = None) -> list[str]:
    """What `codetape status` says of codetape's hooks in Codex: the ones Codex does not trust (and so
    never runs), and a Codex session started after the hooks were installed (or trusted) in which none
    was called."""
    where = Path(os.path.realpath(config_path("codex", Path("."), env)))
    try:
        text = where.read_text(encoding="utf-8")
        written = where.stat().st_mtime
    except OSError:
        return []
    from datetime import UTC, datetime  # deferred: as codex_trust

    from collector.sources.agents import codex_trust  # deferred: only where Codex's config is read
    from collector.sources.agents.configs import ConfigError, codex_hooks  # deferred: as codex_trust

    try:
        hooks = codex_hooks(text, where)
    except ConfigError as exc:
        return [f"codex: {exc}"]
    if not hooks:
        return []
    out = codex_trust.lines(hooks)
    env = dict(os.environ) if env is None else env
    newest = codex_trust.last_session(where.parent)
    started = codex_trust.session_start(newest[1]) if newest is not None else None
    if newest is not None and started is not None and started > written:
        try:
            called: float | None = called_mark(home, "codex").stat().st_mtime
        except OSError:
            called = None
        if called is None or called < started:
            at = datetime.fromtimestamp(started, UTC).strftime("%Y-%m-%d %H:%M:%SZ")
            out.append(f"codex: a Codex session started {at} ({newest[1].name}) after codetape's hooks were "
                       "installed, and none of them has been called since: nothing of it was recorded")
    return out
