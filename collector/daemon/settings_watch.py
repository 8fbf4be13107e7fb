"""What one workspace's settings ask of its recording, read again whenever their files change.

The settings are `.codetape.toml` as the user accepted it (policy/effective.py), the registry, the sharing
policy (`policy.toml`, `[policy]`: its mandatory exclusions) and the managed policy (policy/managed.py).
`look` reads them again when one of those files changed since the last look: while they cannot be used
(invalid, gone, no longer the user's alone) `problem` says why and the session records nothing, counting
what came (`dropped`); `look` returns the hole (`Unusable`) once they can be used again, for the session's
`gap`. `stricter_than` says what the settings last read make stricter than those an episode records under.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from collector.errors import PolicyError, SettingsError
from collector.home import Home
from collector.policy.effective import effective_settings
from collector.policy.managed import stamp as managed_stamp
from collector.policy.sharing import POLICY_FILE, load_signing_policy
from collector.policy.stricter import stricter, tightens
from collector.workspace.registry import FILE as REGISTRY_FILE
from collector.workspace.trust import settings_problem
from schemas.settings import SETTINGS_FILE, WorkspaceSettings

log = logging.getLogger("codetape.collector")
Wanted = tuple[WorkspaceSettings, tuple[str, ...]]  # the settings and the globs excluded on top of them
_Stat = tuple[int, int, int, int, int, int] | None


@dataclass(frozen=True, slots=True)
class Unusable:
    """A time the settings could not be used, now over: since when (unix ms) and the steps dropped in it."""

    since: int
    dropped: int


@dataclass(frozen=True, slots=True)
class Tightening:
    """What applies at once during an episode: the stricter settings, the exclusions, the fields named."""

    settings: WorkspaceSettings
    excludes: tuple[str, ...]
    fields: tuple[str, ...]


class SettingsWatch:
    """The settings of one workspace as last read, and whether they can be used. Not thread-safe: the
    session calls it under its lock."""

    def __init__(self, root: Path, home: Home, own_state: tuple[str, ...], *,
                 clock: Callable[[], int]) -> None:
        self.root = root
        self.home = home
        self._own_state = own_state
        self._clock = clock
        self.problem: str | None = None  # why nothing is recorded now: the settings cannot be used
        self.note: str | None = None  # what `status` says while the file loosens what was accepted
        self.withheld: tuple[str, ...] = ()  # ...and what it loosens, one line each
        self.wanted: Wanted | None = None  # the settings last read that can be used
        self._key: tuple[object, ...] | None = None
        self._compared: object = None  # the settings read that `stricter_than` compared last
        self._unusable_since = 0
        self._dropped = 0

    def dropped(self) -> None:
        """A step came while the settings could not be used."""
        self._dropped += 1

    def look(self) -> Unusable | None:
        """Read the settings again when their files changed since the last look; the hole that ended when
        they can be used again after a problem."""
        key = (_stat(self.root / SETTINGS_FILE), _stat(self.home.root / REGISTRY_FILE),
               _stat(self.home.root / POLICY_FILE), managed_stamp())
        if key == self._key:
            return None
        self._key = key
        problem = settings_problem(self.root)
        note: str | None = None
        withheld: tuple[str, ...] = ()
        if problem is None:
            try:
                effective = effective_settings(self.root, self.home)
                self.wanted = (effective.settings, self._excludes())
            except SettingsError as exc:
                problem = str(exc)
            else:
                note, withheld = effective.note(), effective.withheld
        self.note, self.withheld = note, withheld
        return self._set_problem(problem)

    def stricter_than(self, applied: Wanted) -> Tightening | None:
        """What the settings last read make stricter than `applied` (None: nothing, or compared already)."""
        if self.problem is not None or self.wanted is None or self.wanted is self._compared:
            return None
        self._compared = self.wanted  # read again only when a settings file changed
        (settings, excludes), (wanted, wanted_excludes) = applied, self.wanted
        # a snapshot is taken when an episode opens: "none" applies to the next one
        fields = [field for field in tightens(settings, wanted) if field != "snapshot"]
        added = tuple(glob for glob in wanted_excludes if glob not in excludes)
        if not fields and not added:
            return None
        if added and "[policy] mandatory_exclude" not in fields:
            fields.append(f"mandatory_exclude ({POLICY_FILE})")
        return Tightening(stricter(wanted, settings), excludes + added, tuple(fields))

    def _excludes(self) -> tuple[str, ...]:
        """Never recorded on top of the workspace's own rules: codetape's state, the sharing policy's
        mandatory exclusions (`[policy]` in .codetape.toml, CODETAPE_HOME/policy.toml)."""
        try:
            mandatory = load_signing_policy(self.home, self.root).mandatory_exclude
        except PolicyError as exc:
            raise SettingsError(f"{self.root}: cannot record without its sharing policy: {exc}") from None
        return self._own_state + mandatory

    def _set_problem(self, problem: str | None) -> Unusable | None:
        was, self.problem = self.problem, problem
        if problem is not None:
            if was is None:
                self._unusable_since, self._dropped = self._clock(), 0
            if problem != was:
                log.warning("%s: not recording: %s", self.root, problem)
            return None
        if was is None:
            return None
        log.info("%s: recording again: %s can be used", self.root, SETTINGS_FILE)
        dropped, self._dropped = self._dropped, 0
        return Unusable(self._unusable_since, dropped)


def _stat(path: Path) -> _Stat:
    """What changes when a file is written, replaced, chmod-ed or given away (None: it cannot be stat-ed)."""
    try:
        info = path.lstat()
    except OSError:
        return None
    return (info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_mode, info.st_uid)
