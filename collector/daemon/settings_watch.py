"""What one workspace's settings ask of its recording, read again whenever their files change.

The settings are `.codetape.toml` as the user accepted it (policy/effective.py), the registry, the sharing
policy (`policy.toml`, `[policy]`: its mandatory exclusions) and the managed policy (policy/managed.py).
`look` reads them again when one of those files changed since the last look: while they cannot be used
(invalid, gone, no longer the user's alone) `problem` says why and the session records nothing, counting
what came (`dropped`); `look` returns the hole (`Unusable`) once they can be used again, for the session's
`gap`. `stricter_than` says what the settings last read make stricter than those an episode records under.

An editor that saves `.codetape.toml` in place (truncates it, then writes: VS Code, Vim's `backupcopy=yes`)
leaves it empty or half written for a moment, and an empty file is valid settings (what the user accepted
bounds them: no snapshot, say). Once settings were read, a change to the file's content alone that can be
used is read again at a later look while the file is settling: written less than QUIET_MS ago, or emptied
less than EMPTY_SETTLE_MS ago; the last good reading applies meanwhile. A file that stays empty applies as
it is. A file that cannot be used (invalid, gone, given away, writable by others) stops recording at once,
and the registry or the policies changing are read at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from collector.errors import PolicyError, RegistryUnreadable, SettingsError
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
_Stat = tuple[int, int, int, int, int, int] | None  # st_: mtime_ns, ctime_ns, size, ino, mode, uid
# .codetape.toml, the registry, policy.toml, the managed policy, the repository's remotes (.git/config:
# which scopes govern it, policy/reach.py)
_Key = tuple[_Stat, _Stat, _Stat, object, _Stat]
QUIET_MS = 100  # .codetape.toml written less long ago may be half written: read at a later look
EMPTY_SETTLE_MS = 2000  # ...and emptied less long ago, an editor's truncate that its write follows


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
        self.scope: str | None = None  # the managed policy's scopes governing it, by name
        self.wanted: Wanted | None = None  # the settings last read that can be used
        self._key: _Key | None = None
        self._compared: object = None  # the settings read that `stricter_than` compared last
        self._unusable_since = 0
        self._dropped = 0

    def dropped(self) -> None:
        """A step came while the settings could not be used."""
        self._dropped += 1

    def look(self) -> Unusable | None:
        """Read the settings again when their files changed since the last look; the hole that ended when
        they can be used again after a problem."""
        key: _Key = (_stat(self.root / SETTINGS_FILE), _stat(self.home.root / REGISTRY_FILE),
                     _stat(self.home.root / POLICY_FILE), managed_stamp(),
                     _stat(self.root / ".git" / "config"))
        if key == self._key:
            return None
        problem = settings_problem(self.root)
        note: str | None = None
        withheld: tuple[str, ...] = ()
        scope: str | None = None
        if problem is None:
            try:
                effective = effective_settings(self.root, self.home)
                wanted = (effective.settings, self._excludes())
            except SettingsError as exc:
                problem = str(exc)
            except RegistryUnreadable:
                return None  # the key is not kept: the next look reads them again
            else:
                if self._settling(key):
                    return None  # the key is not kept: the next look reads the file again
                self.wanted = wanted
                note, withheld, scope = effective.note(), effective.withheld, effective.scope
        self._key = key
        self.note, self.withheld, self.scope = note, withheld, scope
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

    def _settling(self, key: _Key) -> bool:
        """Whether the settings file, read as usable, may be half written and the last good reading is
        kept: only its content changed since the last reading, less than QUIET_MS ago (EMPTY_SETTLE_MS
        when empty)."""
        last, now = self._key, key[0]
        if self.wanted is None or last is None or now is None or key[1:] != last[1:]:
            return False
        was = last[0]
        if was is not None and (now[0], now[2], now[3]) == (was[0], was[2], was[3]):
            return False  # the same content: chmod-ed or given away
        age = abs(self._clock() - now[0] // 1_000_000)
        return age < QUIET_MS or (now[2] == 0 and age < EMPTY_SETTLE_MS)

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
