"""The settings a workspace records under: its `.codetape.toml`, bounded by the content its user accepted.

A repository may ship or change `.codetape.toml` (a clone, a `git pull`). What the file says that would
record or let through more than the content the user accepted on this machine (`codetape init`,
`codetape trust`; kept in the registry, workspace/registry.py) does not apply: the stricter of both does
(policy/stricter.py), so a changed file is used only for what makes recording stricter. A workspace whose
user accepted no content yet (registered by an older codetape, or opted in with a file that loosens the
defaults) is bounded by the defaults, an empty file's settings. The organisation's managed policy
(policy/managed.py) bounds the result by the same rules: its top-level keys, and those of every `[[scope]]`
governing the workspace (by its remotes or history, policy/reach.py); a refused one is a
PolicyError here, so nothing is recorded under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from collector.errors import SettingsError
from collector.home import Home
from collector.policy.managed import load_managed
from collector.policy.reach import Reach
from collector.policy.recording import read_settings
from collector.policy.stricter import loosened, stricter
from collector.policy.toml import parse_model
from collector.workspace.registry import Registry
from schemas.settings import SETTINGS_FILE, WorkspaceSettings


@dataclass(frozen=True)
class Effective:
    """What applies in one workspace, and what its settings file says that does not."""

    root: Path
    settings: WorkspaceSettings
    withheld: tuple[str, ...] = ()  # what the file loosens beyond the accepted content, one line each
    accepted_before: bool = True  # whether the user ever accepted a content of the file
    scope: str | None = None  # the managed policy's scopes governing it, by name (the editors show it)

    def note(self) -> str | None:
        """What `codetape status` and the editors say while something in the file does not apply."""
        if not self.withheld:
            return None
        since = "changed since you accepted them" if self.accepted_before else "not accepted yet"
        return (f"settings {since} ({SETTINGS_FILE}): using the stricter of both; "
                f"accept with `codetape trust {self.root}`")


def accepted_settings(text: str | None, root: Path) -> WorkspaceSettings:
    """The content the user accepted, as settings (the defaults when none, or when it no longer validates)."""
    if text is None:
        return WorkspaceSettings()
    try:
        return parse_model(text, WorkspaceSettings, SettingsError, root / SETTINGS_FILE)
    except SettingsError:
        return WorkspaceSettings()


def effective_settings(root: Path, home: Home) -> Effective:
    """The settings that apply in the workspace at `root` for the user of `home`; SettingsError when the file
    is missing or invalid (`file:line: what`)."""
    text, current = read_settings(root)
    managed = load_managed(reach=Reach(root, home))
    scope = " and ".join(ref.name for ref in managed.scopes) if managed is not None else ""
    accepted = Registry(home).accepted(root)
    if accepted == text:
        return Effective(root, current if managed is None else managed.bound(current), scope=scope or None)
    bound = accepted_settings(accepted, root)
    settings = stricter(bound, current)
    return Effective(root, settings if managed is None else managed.bound(settings),
                     tuple(loosened(bound, current)), accepted_before=accepted is not None,
                     scope=scope or None)
