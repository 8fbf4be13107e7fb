"""The organisation's managed policy: a `policy.toml` an administrator installs, which every codetape process
reads and which can only make codetape stricter.

Where: `CODETAPE_POLICY` when set (tests), else /etc/codetape/policy.toml (Linux and other POSIX systems),
/Library/Application Support/codetape/policy.toml (macOS), %ProgramData%\\codetape\\policy.toml (Windows).
It is not the contributor's own `policy.toml` in CODETAPE_HOME (policy/sharing.py): that one speaks for
the person who records, this one for the organisation that deploys codetape.

Trusted only when the user cannot have written it: on POSIX the file and its folder are owned by root
and writable by nobody else (no group or world write bit); a symbolic link is followed and the file it
names is checked. Anything else, an unknown key, or a value out of range is refused (PolicyError), and a
refused policy fails closed: the collector records nothing and `sign` signs nothing while it stands,
each saying why in one line. A missing file is no policy.

What it does (schemas/settings.py ManagedPolicy):
    mandatory_exclude, max_file_bytes, channels   bound every workspace's settings by the same rules
                                                  a `.codetape.toml` changed after you accepted it is
                                                  bound by (policy/stricter.py); a change applies at
                                                  once during an episode, as any stricter setting does
    allowed_purposes, allowed_licences,           required of a share when it is signed (share_problem):
    [consent] mode                                a purpose it lists, a licence (an SPDX expression) its
                                                  entries permit as a receiver's --allow-licence would
    allowed_destinations                          where `codetape upload` (and the collector's background
                                                  upload) may send: upload/destinations.py matches it
    retain_until                                  the latest retention date a share may sign
                                                  (SigningPolicy.retention_problem); the statement also
                                                  records this file's SHA-256 (terms.managed_policy_sha256)
    shared_remotes                                the organisation's shared git remotes: an unlinkable
                                                  signature keeps a workspace's remote only when it names
                                                  one of them (policy/remotes.py, consent/unlinkable.py)
It has no key that opts a workspace in, starts recording or signs.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.errors import PolicyError

if TYPE_CHECKING:
    from schemas.settings import ManagedPolicy, WorkspaceSettings

ENV = "CODETAPE_POLICY"


def managed_path(env: Mapping[str, str] | None = None) -> Path:
    """Where the managed policy is looked for on this machine."""
    env = os.environ if env is None else env
    explicit = env.get(ENV)
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "darwin":
        return Path("/Library/Application Support/codetape/policy.toml")
    if sys.platform == "win32":
        return Path(env.get("ProgramData", r"C:\ProgramData")) / "codetape" / "policy.toml"
    return Path("/etc/codetape/policy.toml")


@dataclass(frozen=True)
class Managed:
    """A managed policy that was accepted: where it was read, its SHA-256, what it says."""

    path: Path
    sha256: str
    policy: ManagedPolicy

    def bound(self, settings: WorkspaceSettings) -> WorkspaceSettings:
        """`settings` made no looser than this policy allows: its channels only, the smaller size cap, its
        mandatory exclusions added (policy/stricter.py's rules, as for a changed `.codetape.toml`)."""
        from collector.policy.stricter import as_fields, from_fields, stricter

        limit = as_fields(settings)
        if self.policy.channels is not None:
            limit["channels"] = list(self.policy.channels)
        if self.policy.max_file_bytes is not None:
            limit["max_file_bytes"] = self.policy.max_file_bytes
        limit["policy"]["mandatory_exclude"] = list(self.policy.mandatory_exclude)
        return stricter(from_fields(limit), settings)

    def requirements(self) -> list[str]:
        """What it requires of a share, one line each (the review and status show them)."""
        return [line for _key, line in self._required()]

    def _required(self) -> list[tuple[str, str]]:
        policy, lines = self.policy, []
        if policy.allowed_purposes is not None:
            lines.append(("purpose", f"purpose one of: {', '.join(policy.allowed_purposes)}"))
        if policy.consent.mode is not None:
            lines.append(("consent", f"consent mode {policy.consent.mode}"))
        if policy.retain_until is not None:
            lines.append(("retain", f"retained until {policy.retain_until.isoformat()} at the latest"))
        if policy.mandatory_exclude:
            lines.append(("exclude", f"excluded: {', '.join(policy.mandatory_exclude)}"))
        if policy.allowed_licences is not None:
            lines.append(("licence", f"licence allowed by: {', '.join(policy.allowed_licences)}"))
        if policy.allowed_destinations is not None:
            lines.append(("destination", f"uploaded only to: {', '.join(policy.allowed_destinations)}"))
        return lines

    def checks(self, share: Share) -> list[ShareCheck]:
        """Each requirement and whether `share` meets it (the review shows them): None where this share
        cannot be checked against it here (a destination when none is configured)."""
        policy, found = self.policy, []
        for key, line in self._required():
            met: bool | None
            if key == "purpose":
                met, has = share.purpose in (policy.allowed_purposes or ()), repr(share.purpose or "(none)")
            elif key == "consent":
                mode = "unlinkable" if share.unlinkable else "attributed"
                met, has = mode == policy.consent.mode, f"{mode} signature"
            elif key == "exclude":
                met, has = not share.excluded, (f"{share.excluded} file(s) still under it" if share.excluded
                                                 else "none of its files under it")
            elif key == "licence":
                met = licence_allowed(share.licence, policy.allowed_licences or [])
                has = repr(share.licence or "(none)")
            elif key == "destination":
                met, has = share.destination_allowed, share.destination or "no destination configured"
            else:  # retain: the date the share would sign (its own, else this policy's)
                limit = policy.retain_until
                met = share.retain_until is not None and limit is not None and share.retain_until <= limit
                has = f"kept until {share.retain_until.isoformat()}" if share.retain_until else "no date"
            found.append(ShareCheck(line, met, has))
        return found

    def to_json(self) -> dict[str, Any]:
        """What `codetape status --json` and `codetape doctor --json` show of it."""
        from schemas.common import plain

        return {"path": str(self.path), "sha256": self.sha256,
                "settings": plain(self.policy), "requires": self.requirements()}


@dataclass(frozen=True)
class Share:
    """What a share would be signed and sent with, as far as the review knows before signing."""

    purpose: str | None = None
    licence: str | None = None
    unlinkable: bool = False
    excluded: int = 0  # files still under a mandatory exclusion
    destination: str | None = None  # the upload destination configured, if any
    destination_allowed: bool | None = None
    retain_until: date | None = None  # the retention date it would sign


@dataclass(frozen=True)
class ShareCheck:
    """One requirement of the managed policy, whether this share meets it (None: not checked here), and
    what the share has."""

    requirement: str
    met: bool | None
    share: str

    def to_json(self) -> dict[str, Any]:
        return {"requirement": self.requirement, "met": self.met, "share": self.share}


def share_problem(managed: Managed | None, purpose: str | None, *, unlinkable: bool = False,
                  licence: str | None = None) -> str | None:
    """Why the managed policy forbids signing a share with this purpose and licence in this consent mode
    (`unlinkable`: the signature cannot be linked to the contributor); None when it does not. Called by
    `sign` and the review (policy/sharing.py SigningPolicy.refusal)."""
    if managed is None:
        return None
    policy, where = managed.policy, managed.path
    if policy.allowed_purposes is not None and purpose not in policy.allowed_purposes:
        named = f"names the purpose {purpose!r}" if purpose else "names no purpose"
        return (f"the managed policy ({where}) allows only the purposes {', '.join(policy.allowed_purposes)} "
                f"and this share {named}; set `purpose` in your policy.toml or [policy] in .codetape.toml")
    if policy.allowed_licences is not None and not licence_allowed(licence, policy.allowed_licences):
        named = f"is offered under {licence!r}" if licence else "names no licence"
        return (f"the managed policy ({where}) allows only the licences {', '.join(policy.allowed_licences)} "
                f"and this share {named}; set `licence` in your policy.toml or [policy] in .codetape.toml")
    if policy.consent.mode == "unlinkable" and not unlinkable:
        return (f"the managed policy ({where}) requires unlinkable consent and this would be an attributed "
                "signature; sign it with `codetape sign --unlinkable` (after `codetape enroll`)")
    if policy.consent.mode == "attributed" and unlinkable:
        return (f"the managed policy ({where}) requires attributed consent and this would be an unlinkable "
                "signature; sign it without --unlinkable (and without [consent] mode = \"unlinkable\" in "
                "config.toml)")
    return None


def licence_allowed(licence: str | None, allowed: list[str]) -> bool:
    """Whether the entries of `allowed` permit the SPDX expression `licence` (policy/spdx.py allowed_by:
    `A OR B` when either is, `A AND B` when both are, `A WITH X` only when that pair is listed)."""
    from collector.policy.spdx import allowed_by

    return licence is not None and allowed_by(licence, frozenset(allowed))


def load_managed(env: Mapping[str, str] | None = None) -> Managed | None:
    """The managed policy in force, None when there is none; PolicyError (one line) when it is refused.
    Without a policy file nothing more is imported (`codetape status` loads no settings model)."""
    path = managed_path(env)
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise PolicyError(f"managed policy {path}: {exc.strerror}; nothing is recorded or signed") from None
    from collector.policy.toml import parse_model
    from schemas.settings import ManagedPolicy

    problem = writable_problem(path)
    if problem is not None:
        raise PolicyError(f"managed policy {path} {problem}; nothing is recorded or signed until an "
                          "administrator fixes it")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(f"managed policy {path} is not UTF-8; nothing is recorded or signed") from None
    try:
        policy = parse_model(text, ManagedPolicy, PolicyError, path)
    except PolicyError as exc:
        raise PolicyError(f"managed policy refused: {exc}; nothing is recorded or signed") from None
    from collector.policy.spdx import allow_entry_problem

    for entry in policy.allowed_licences or ():
        problem = allow_entry_problem(entry)
        if problem is not None:
            raise PolicyError(f"managed policy refused: {path}: allowed_licences: {problem}; nothing is "
                              "recorded or signed")
    return Managed(path, hashlib.sha256(data).hexdigest(), policy)


def writable_problem(path: Path) -> str | None:
    """Why someone but root could have written the file at `path` or swapped it in its folder; None when
    nobody could (always None on Windows, where the folder's ACL is the administrator's to set)."""
    if sys.platform == "win32":
        return None
    target = path.resolve()
    for what, where in (("is", target), ("is in a folder", target.parent)):
        try:
            info = where.stat()
        except OSError as exc:
            return f"cannot be checked ({where}: {exc.strerror})"
        if info.st_uid != 0:
            return f"{what} owned by uid {info.st_uid}, not root"
        if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            return f"{what} writable by group or others (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def stamp(env: Mapping[str, str] | None = None) -> tuple[tuple[int, ...] | None, ...]:
    """What changes when the managed policy or its folder is written, replaced, chmod-ed or given away: the
    collector reads the policy again when this does."""
    path = managed_path(env)
    stamps: list[tuple[int, ...] | None] = []
    for where in (path, path.parent):
        try:
            info = where.stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_mode,
                           info.st_uid))
    return tuple(stamps)


def managed_status(env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The managed policy as `codetape status` and `codetape doctor` report it: where it is looked for and
    why there (`source`), and whether it is absent, in force or refused (`problem`)."""
    env = os.environ if env is None else env
    path = managed_path(env)
    found: dict[str, Any] = {"path": str(path), "source": ENV if env.get(ENV) else "the system's location",
                             "state": "none", "problem": None}
    try:
        managed = load_managed(env)
    except PolicyError as exc:
        return {**found, "state": "refused", "problem": str(exc)}
    if managed is None:
        return found
    return {**found, **managed.to_json(), "state": "in force"}


def status_lines(found: dict[str, Any]) -> list[str]:
    """`managed_status` for a person: nothing when there is no policy (`--json` says where it looked)."""
    if found["state"] == "none":
        return []
    if found["state"] == "refused":
        return [f"managed policy: REFUSED: {found['problem']}"]
    lines = [f"managed policy: {found['path']} (from {found['source']}, sha256 {found['sha256'][:16]}...)"]
    settings = found["settings"]
    if settings["channels"] is not None:
        lines.append(f"  channels recorded at most: {', '.join(settings['channels'])}")
    if settings["max_file_bytes"] is not None:
        lines.append(f"  files above {settings['max_file_bytes']} bytes recorded without content")
    lines.extend(f"  a share requires: {line}" for line in found["requires"])
    return lines
