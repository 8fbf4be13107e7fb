"""What the settings in force when an episode is sealed let it hold: what they exclude is dropped.

A setting made stricter while an episode is recorded applies at once (collector/daemon/session.py), and
the seal then drops what it excludes from the steps recorded before: the episode holds what it would hold
had the stricter settings applied from its start. The settings in force are the stricter of the journal
header's (the session rewrites them when it tightens) and, when the workspace is known, what applies
there now (its `.codetape.toml` bounded by what its user accepted, policy/effective.py, and the sharing
policy's mandatory exclusions). A looser file changes nothing here: the steps were admitted under the
header's settings.

    excluded paths    every step about the file goes (exclude.py), renames stay coherent
    channels          steps of a channel no longer recorded go; an agent step loses its command line
                      when commands are not recorded (policy/limits.py, as signing and upload apply it)
    max_file_bytes    a watched file's text above the cap becomes a `too_large` placeholder, as admission
                      makes it

Git's ignore rules are not asked here: they apply from the moment an ignore file changes (the policy
drops its cached answers), and what was recorded before that stays.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec
from msgspec.structs import replace

from collector.errors import CodetapeError
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.policy.limits import Limits
from collector.policy.mentions import masked_mentions
from collector.policy.recording import Policy, ignores_case
from collector.policy.sharing import load_signing_policy
from collector.policy.stricter import stricter
from collector.seal.exclude import exclude_files
from schemas import EpisodeHeader, Step
from schemas.settings import ALL_CHANNELS, WorkspaceSettings
from schemas.steps import AgentStep

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class InForce:
    """The settings an episode is sealed under and the mandatory exclusions on top of them."""

    settings: WorkspaceSettings
    also_exclude: tuple[str, ...] = ()
    ignore_case: bool = False

    def drop(self, steps: Iterator[Step], root: Path) -> Iterator[Step]:
        """`steps` without what these settings exclude (see the module's docstring)."""
        policy = Policy(root, self.settings, also_exclude=self.also_exclude, ignore_case=self.ignore_case)
        limits = Limits(tuple(self.settings.channels), self.settings.max_file_bytes)
        for step in exclude_files(steps, policy.is_excluded):
            kept = limits.kept(step)
            if isinstance(kept, AgentStep):  # the paths its text names that may not be recorded
                kept = _mentions_masked(kept, policy)
            if kept is not None:
                yield kept


def _mentions_masked(step: AgentStep, policy: Policy) -> AgentStep:
    """An agent step with the paths its free text names outside the workspace or excluded masked."""
    changes = {field: masked_mentions(value, policy) for field in ("prompt", "tool", "command_line", "detail")
               if isinstance(value := getattr(step, field), str)}
    changed = {field: value for field, value in changes.items() if value != getattr(step, field)}
    return replace(step, **changed) if changed else step


def header_settings(header: EpisodeHeader) -> WorkspaceSettings:
    """The settings the journal's header says the episode records under (the defaults where it cannot
    say: a header that no longer validates as settings). No channel listed is the header's default, which
    states nothing (a session that records none lists none, and admitted none, so dropping none loses
    nothing)."""
    capture = header.capture
    try:
        return msgspec.convert({"channels": capture.channels or list(ALL_CHANNELS),
                                "exclude": capture.exclude, "max_file_bytes": capture.max_file_bytes},
                               WorkspaceSettings)
    except ValueError:
        log.warning("%s: the header's capture settings are not valid settings; sealed under the defaults",
                    header.episode_id)
        return WorkspaceSettings()


def in_force(header: EpisodeHeader, root: Path | None, home: Home) -> InForce:
    """The settings in force when the episode of `header`, recorded in the workspace at `root` (None:
    not known), is sealed."""
    settings = header_settings(header)
    if root is None:
        return InForce(settings)
    try:
        settings = stricter(settings, effective_settings(root, home).settings)
    except CodetapeError as exc:
        log.warning("%s: sealed under the settings its journal names: %s", root, exc)
    try:
        policy = load_signing_policy(home, root, remotes=[header.workspace.git_remote],
                                     head=header.workspace.head_at_start)
        mandatory = tuple(policy.mandatory_exclude)
    except CodetapeError as exc:
        log.warning("%s: sealed without the sharing policy's mandatory exclusions: %s", root, exc)
        mandatory = ()
    return InForce(settings, mandatory, ignores_case(root))
