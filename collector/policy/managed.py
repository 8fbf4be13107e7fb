"""The organisation's managed policy: a `policy.toml` an administrator installs, which every codetape process
reads and which can only make codetape stricter.

Where: /etc/codetape/policy.toml (Linux and other POSIX systems), /Library/Application
Support/codetape/policy.toml (macOS), codetape\\policy.toml in the ProgramData known folder (Windows: asked
of the system, never taken from the environment, platform/folders.py), always read when it exists.
`CODETAPE_POLICY` can only add a policy: the file it names binds beside the system's (the stricter of
both, `stricter_policy`), and a named file that is missing, unreadable or empty is refused, never "no
policy", so that nothing an unprivileged user sets lifts the organisation's; `status` and `doctor` show it
set as a problem, and, on Windows, a `ProgramData` variable that differs from the known folder.
It is not the contributor's own `policy.toml` in CODETAPE_HOME (policy/sharing.py): that one speaks for
the person who records, this one for the organisation that deploys codetape.

Trusted only when the user cannot have written it: on POSIX the file and its folder are owned by root
and writable by nobody else (no group or world write bit); a symbolic link is followed and the file it
names is checked. Anything else, an unknown key, or a value out of range is refused (PolicyError), and a
refused policy fails closed: the collector records nothing and `sign` signs nothing while it stands,
each saying why in one line. A missing system file is no policy.

What it does (schemas/settings.py ManagedPolicy):
    mandatory_exclude, max_file_bytes, channels   bound every workspace's settings by the same rules
                                                  a `.codetape.toml` changed after you accepted it is
                                                  bound by (policy/stricter.py); a change applies at
                                                  once during an episode, as any stricter setting does;
                                                  an episode sealed before is kept to the channels and
                                                  the cap when signed (limits), and one signed before
                                                  is refused at upload (limits_problem), as one under
                                                  an exclusion is
    allowed_purposes, allowed_licences,           required of a share when it is signed (share_problem):
    [consent] mode                                a purpose it lists, a licence (an SPDX expression) its
                                                  entries permit as a receiver's --allow-licence would
    [consent] min_members                         the k of members the issuer's record must count for an
                                                  unlinkable episode's month before it leaves this machine
                                                  (the larger of this and config.toml's: upload/members.py)
    allowed_destinations                          where `codetape upload` (and the collector's background
                                                  upload) may send: upload/destinations.py matches it
    [relay] required, gateway_key, gateway        unlinkable episodes leave only through an Oblivious
                                                  HTTP relay, sealed for that gateway key (or the
                                                  descriptor's) when named (upload/routes.py); with no
                                                  relay configured they wait, one line in `status`
    retain_until                                  the latest retention date a share may sign
                                                  (SigningPolicy.retention_problem); the statement also
                                                  records this file's SHA-256 (terms.managed_policy_sha256)
    shared_remotes                                the organisation's shared git remotes: an unlinkable
                                                  signature keeps a workspace's remote only when it names
                                                  one of them (policy/remotes.py, consent/unlinkable.py)
It has no key that opts a workspace in, starts recording or signs.

Scoped (issue 95): a file may hold `[[scope]]` sections (schemas/settings.py PolicyScope), each naming the
repositories it governs by remote (policy/remotes.py scope_matches: `HOST/PATH`, `HOST/*`, `HOST/OWNER/*`,
whatever form the remote's URL takes) and holding the keys above; its top-level keys bind every workspace.
Files in policy.d beside the system's policy.toml (one per organisation) hold only `[[scope]]` sections
and are trusted as it is. `load_managed(remotes=...)` is the policy governing one repository: the
top-level keys and every scope naming one of its remotes, the stricter of each key (`stricter_policy`;
different consent modes refused for that repository); without `remotes`, the top-level keys alone.
`load_managed(reach=...)` matches by the repository's history too (issue 106, policy/reach.py: a scope's
`roots`, the commit the home recorded when the scope first governed it), so a remote renamed or removed,
a move, a symlink or a copy with its `.git` does not lift a scope.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from collector.errors import PolicyError
from collector.policy import managed_places
from collector.policy.managed_places import ENV, FOLDER

if TYPE_CHECKING:
    from collector.policy.limits import Limits
    from collector.policy.reach import Reach
    from schemas import Step
    from schemas.settings import ManagedPolicy, PolicyKeys, PolicyScope, WorkspaceSettings

@dataclass(frozen=True)
class ScopeRef:
    """A `[[scope]]` that governs a repository: its file, its name for a person, and the file's SHA-256."""

    path: Path
    name: str
    sha256: str

    @property
    def where(self) -> str:
        return f"{self.path}, scope {self.name}"

    def to_json(self) -> dict[str, Any]:
        return {"file": str(self.path), "scope": self.name, "sha256": self.sha256}


@dataclass(frozen=True)
class Managed:
    """A managed policy that was accepted: where it was read (`path`, and `added`, the file
    `CODETAPE_POLICY` added), the SHA-256 of its top-level file (of both files' bytes, the system's first,
    when there are two; None when only a `[[scope]]` of a file in policy.d governs), the `[[scope]]`
    sections that govern the repository it was asked for (`scopes`), what it says (the stricter of all)."""

    path: Path
    sha256: str | None
    policy: ManagedPolicy
    added: Path | None = None
    scopes: tuple[ScopeRef, ...] = ()
    top_says: bool = True  # whether its top-level keys say anything (else only its scopes are named)

    @property
    def where(self) -> str:
        """Its file, or both, and each scope that governs, for a person."""
        top = [] if self.sha256 is None or (self.scopes and not self.top_says) else [
            str(self.path) if self.added in (None, self.path) else f"{self.path} and {self.added}"]
        return " and ".join([*top, *(scope.where for scope in self.scopes)])

    @property
    def scope_sha256(self) -> str | None:
        """The SHA-256 of the file whose `[[scope]]` governs (of their digests, in order, when scopes of
        several files do); None when none does. What a statement records (terms.managed_scope_sha256): the
        files governing this episode, never the set of files installed on the machine."""
        digests = list(dict.fromkeys(scope.sha256 for scope in self.scopes))
        if len(digests) <= 1:
            return digests[0] if digests else None
        return _sha256(b"".join(bytes.fromhex(digest) for digest in digests))

    def governing(self) -> list[str]:
        """What governs, for a person, one line each: the top-level file (when its keys say anything) and
        each scope, with the SHA-256 of its file."""
        top = [] if self.sha256 is None or (self.scopes and not self.top_says) else [
            f"{self.path if self.added in (None, self.path) else f'{self.path} and {self.added}'} "
            f"(sha256 {self.sha256})"]
        return [*top, *(f"{scope.where} (sha256 {scope.sha256})" for scope in self.scopes)]

    def bound(self, settings: WorkspaceSettings) -> WorkspaceSettings:
        """`settings` made no looser than this policy allows: its channels only, the smaller size cap, its
        mandatory exclusions added (policy/stricter.py's rules, as for a changed `.codetape.toml`)."""
        # the settings' structs only when a policy binds a workspace (start-up: `status`)
        from collector.policy.stricter import as_fields, from_fields, stricter

        limit = as_fields(settings)
        if self.policy.channels is not None:
            limit["channels"] = list(self.policy.channels)
        if self.policy.max_file_bytes is not None:
            limit["max_file_bytes"] = self.policy.max_file_bytes
        limit["policy"]["mandatory_exclude"] = list(self.policy.mandatory_exclude)
        return stricter(from_fields(limit), settings)

    def limits(self) -> Limits | None:
        """The channels and size cap it lets an episode hold (policy/limits.py), None when it sets neither:
        signing applies them to an episode sealed before they were set, the upload gate checks them."""
        # the step kinds only when an episode is bound by it
        from collector.policy.limits import Limits

        policy = self.policy
        if policy.channels is None and policy.max_file_bytes is None:
            return None
        if policy.channels is None:
            return Limits(max_file_bytes=policy.max_file_bytes)
        return Limits(tuple(policy.channels), policy.max_file_bytes)

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
            lines.append(("destination", f"uploaded only to: {allowed_places(policy.allowed_destinations)}"))
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
        # only for `status --json` and `doctor --json`
        from schemas.common import plain

        settings = plain(self.policy)
        settings.pop("scope", None)
        return {"path": str(self.path), "added": None if self.added is None else str(self.added),
                "where": self.where, "sha256": self.sha256, "settings": settings,
                "scopes": [scope.to_json() for scope in self.scopes], "scope_sha256": self.scope_sha256,
                "governing": self.governing(), "requires": self.requirements()}


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
    policy, where = managed.policy, managed.where
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


def limits_problem(managed: Managed | None, steps: Iterable[Step]) -> str | None:
    """Why the managed policy's channels or size cap forbid an episode holding `steps` (a step of a channel
    it does not list, a file text above its cap); None when they do not, or it sets neither. Called by
    `sign` and by the upload gate, for an episode sealed, or signed, before the policy said so."""
    limits = None if managed is None else managed.limits()
    if managed is None or limits is None:
        return None
    beyond = limits.beyond(steps)
    if not beyond:
        return None
    return (f"the managed policy ({managed.where}) allows at most {limits.names()}, and it holds "
            f"{beyond.says()}")


def licence_allowed(licence: str | None, allowed: list[str]) -> bool:
    """Whether the entries of `allowed` permit the SPDX expression `licence` (policy/spdx.py allowed_by:
    `A OR B` when either is, `A AND B` when both are, `A WITH X` only when that pair is listed)."""
    # license-expression only when a licence is checked
    from collector.policy.spdx import allowed_by

    return licence is not None and allowed_by(licence, frozenset(allowed))


Remotes = Sequence[str] | Callable[[], Sequence[str]]


def load_managed(env: Mapping[str, str] | None = None, *, remotes: Remotes | None = None,
                 reach: Reach | None = None) -> Managed | None:
    """The managed policy in force, None when there is none; PolicyError (one line) when it is refused.
    The system's file is read when it exists; the file `CODETAPE_POLICY` names must exist, be readable and
    hold something, and binds beside it (the stricter of both); so does every file in policy.d beside the
    system's (`dropped_paths`), each holding only `[[scope]]` sections.

    `remotes`: the remotes of the repository asked about (or what finds them, called only when a scope is
    installed): the `[[scope]]` sections of every file that name one of them bind beside the top-level keys
    (the stricter of each key; PolicyError when they require different consent modes). `reach`: the
    repository asked about, its remotes and history (policy/reach.py): a scope governs it when one of its
    remotes matches, its history holds one of the scope's `roots` or a commit the home recorded for the
    scope; each scope that governs is recorded in the home. Neither: the repository is not asked about,
    and only the top-level keys, which bind every workspace, are returned. Without a policy file nothing
    more is imported (`codetape status` loads no settings model)."""
    top, files = _installed(env)
    if (remotes is None and reach is None) or not any(file.policy.scope for file in files):
        return top
    # only when a scope is installed and a repository asked about
    from collector.policy.remotes import scope_matches

    def governs(file: _File, index: int, scope: PolicyScope) -> bool:
        if reach is not None:
            return reach.governs(file.path, scope_name(scope, index), scope.remotes, scope.roots,
                                 ignore_path_case=scope.ignore_path_case) is not None
        found = remotes() if callable(remotes) else remotes
        return scope_matches(scope.remotes, found or (), ignore_path_case=scope.ignore_path_case)

    governing = [(file, index, scope) for file in files for index, scope in enumerate(file.policy.scope)
                 if governs(file, index, scope)]
    if not governing:
        return top
    found = _governed(top, env, governing)
    if reach is not None:
        for file, index, scope in governing:
            reach.matched(file.path, scope_name(scope, index), scope.remotes,
                          ignore_path_case=scope.ignore_path_case)
    return found


def each_scope(env: Mapping[str, str] | None = None) -> list[tuple[Path, str, list[str], Managed]]:
    """Every installed `[[scope]]` (its file, its name for a person, the remotes it names) with the policy
    governing the repositories it names: the top-level keys and its own, the stricter of each key
    (PolicyError when they require different consent modes). `codetape policy annex` writes one annex for
    each."""
    top, files = _installed(env)
    return [(file.path, scope_name(scope, index), list(scope.remotes),
             _governed(top, env, [(file, index, scope)]))
            for file in files for index, scope in enumerate(file.policy.scope)]


def _governed(top: Managed | None, env: Mapping[str, str] | None,
              governing: Sequence[tuple[_File, int, PolicyScope]]) -> Managed:
    """The policy of the top-level keys and the `governing` scopes together (the stricter of each key)."""
    policy = None if top is None else top.policy
    refs: list[ScopeRef] = []
    for file, index, scope in governing:
        ref = ScopeRef(file.path, scope_name(scope, index), file.sha256)
        keys = _keys(scope)
        named = [] if top is None or not _top_level_keys(top.policy) else [top.where]
        where = " and ".join([*named, *(each.where for each in [*refs, ref])])
        policy = keys if policy is None else stricter_policy(policy, keys, where=where)
        refs.append(ref)
    assert policy is not None
    if top is None:
        return Managed(managed_places.managed_path(env), None, policy, scopes=tuple(refs))
    return Managed(top.path, top.sha256, policy, added=top.added, scopes=tuple(refs),
                   top_says=bool(_top_level_keys(top.policy)))


def scope_name(scope: PolicyScope, index: int) -> str:
    """What a person calls the file's `index`th `[[scope]]`: its name, quoted, else its place."""
    return repr(scope.name) if scope.name else f"[[scope]] {index + 1}"


def any_scope(env: Mapping[str, str] | None = None) -> bool:
    """Whether any installed policy file holds a `[[scope]]`; PolicyError when one is refused."""
    return any(file.policy.scope for file in _installed(env)[1])


def _keys(scope: PolicyKeys) -> ManagedPolicy:
    """A scope's keys as a policy of their own (no scopes)."""
    # only when a scope governs
    import msgspec

    from schemas.settings import ManagedPolicy, PolicyKeys

    fields = {name: getattr(scope, name) for name in PolicyKeys.__struct_fields__}
    return msgspec.structs.replace(ManagedPolicy(), **fields)


@dataclass(frozen=True)
class _File:
    """One policy file read: its path, SHA-256, content."""

    path: Path
    sha256: str
    policy: ManagedPolicy


def _installed(env: Mapping[str, str] | None) -> tuple[Managed | None, list[_File]]:
    """The top-level policy (the system's file and `CODETAPE_POLICY`'s, the stricter of both) and every
    file read, policy.d's included (each checked as the system's is)."""
    system, added = managed_places.managed_path(env), managed_places.added_path(env)
    read = _read_policy(system, named=False)
    extra = _read_policy(added, named=True) if added is not None else None
    dropped = [file for path in managed_places.dropped_paths(env)
               if (file := _read_policy(path, named=False, dropped=True))]
    files = [_File(each.path, each.sha256 or "", each.policy) for each in (read, extra, *dropped)
             if each is not None]
    if extra is None:
        return read, files
    if read is None:
        return Managed(extra.path, extra.sha256, extra.policy, added=extra.path), files
    assert read.sha256 is not None and extra.sha256 is not None
    both = _sha256(bytes.fromhex(read.sha256) + bytes.fromhex(extra.sha256))
    return Managed(read.path, both, stricter_policy(read.policy, extra.policy, where=f"{system} and {added}"),
                   added=extra.path), files


def _read_policy(path: Path, *, named: bool, dropped: bool = False) -> Managed | None:
    """The policy in one file; None when the system's (or one of policy.d, `dropped`) is missing. `named`:
    the file CODETAPE_POLICY names, which must be there and hold something. A file of policy.d holds only
    `[[scope]]` sections: it speaks for the repositories they name, never for every workspace."""
    try:
        data = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        if not named:
            return None
        raise PolicyError(f"{ENV} names {path}, which does not exist: it can only add a policy to the "
                          "system's; nothing is recorded or signed until it names one or is unset") from None
    except OSError as exc:
        raise PolicyError(f"managed policy {path}: {exc.strerror}; nothing is recorded or signed") from None
    if named and not data.strip():
        raise PolicyError(f"{ENV} names {path}, which is empty: a policy it adds must say something; nothing "
                          "is recorded or signed until it names one or is unset")
    # the policy's struct and TOML reading only when a managed policy exists (most machines: none)
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
    if dropped:
        top = _top_level_keys(policy)
        if top:
            raise PolicyError(f"managed policy refused: {path}: {top[0]}: a file in {FOLDER} binds only the "
                              "repositories its [[scope]] sections name; put it in a [[scope]] (or in "
                              f"{path.parent.parent / 'policy.toml'}, which binds every workspace); nothing "
                              "is recorded or signed")
    # license-expression only when a managed policy exists
    from collector.policy.spdx import allow_entry_problem

    for where, keys in (("", policy), *((f"scope.{n}.", scope) for n, scope in enumerate(policy.scope))):
        for entry in keys.allowed_licences or ():
            problem = allow_entry_problem(entry)
            if problem is not None:
                raise PolicyError(f"managed policy refused: {path}: {where}allowed_licences: {problem}; "
                                  "nothing is recorded or signed")
    return Managed(path, _sha256(data), policy)


def _sha256(data: bytes) -> str:
    """The SHA-256 of `data` in hex; hashlib (~5 ms) only once a policy file is there to hash."""
    # hashlib only once a policy file is there to hash (start-up: `status`)
    import hashlib

    return hashlib.sha256(data).hexdigest()


def _top_level_keys(policy: ManagedPolicy) -> list[str]:
    """The top-level keys `policy` sets (beside its scopes)."""
    # only when a file of policy.d is read
    from schemas.settings import ManagedPolicy, PolicyKeys

    empty = ManagedPolicy()
    return [name for name in PolicyKeys.__struct_fields__ if getattr(policy, name) != getattr(empty, name)]


def stricter_policy(first: ManagedPolicy, second: ManagedPolicy, *, where: str) -> ManagedPolicy:
    """What two managed policies require together: every exclusion, the smaller size cap, the channels,
    purposes, licences and shared remotes both list (one that lists no shared remote sets no rule of
    them), the earlier retention date, the destinations both allow; PolicyError when they require
    different consent modes (no share could meet both). It combines the system's file and
    `CODETAPE_POLICY`'s, and the top-level keys with each `[[scope]]` that governs a repository."""
    # only when two managed policies are read together
    from schemas.settings import ConsentRequirement, ManagedPolicy, RelayRequirement

    def both(one: list[str] | None, other: list[str] | None) -> list[str] | None:
        if one is None or other is None:
            return one if other is None else other
        return [item for item in one if item in other]

    def lowest(one: Any, other: Any) -> Any:
        return one if other is None else other if one is None else min(one, other)

    modes = {mode for mode in (first.consent.mode, second.consent.mode) if mode is not None}
    if len(modes) > 1:
        raise PolicyError(f"managed policies {where} require different consent modes "
                          f"({' and '.join(sorted(modes))}): no share can meet both; nothing is recorded or "
                          "signed")
    keys = {"".join(key.split()).lower() for key in (first.relay.gateway_key, second.relay.gateway_key)
            if key is not None}
    descriptors = {"".join(text.split()) for text in (first.relay.gateway, second.relay.gateway)
                   if text is not None}
    if len(keys) > 1 or len(descriptors) > 1:
        raise PolicyError(f"managed policies {where} name different gateways ([relay] gateway_key or "
                          "gateway): no unlinkable upload can meet both; nothing is recorded or signed")
    destinations = None
    if first.allowed_destinations is not None and second.allowed_destinations is not None:
        one, other = first.allowed_destinations, second.allowed_destinations
        kept = [*(url for url in one if _under(url, other)), *(url for url in other if _under(url, one))]
        destinations = list(dict.fromkeys(kept))  # empty: no destination both allow, none allowed
    # only when two managed policies are read together
    from collector.policy.remotes import remote_key

    shared = {remote_key(url) for url in second.shared_remotes}
    if not first.shared_remotes or not second.shared_remotes:  # a policy listing none sets no rule
        shared_remotes = list(first.shared_remotes or second.shared_remotes)
    else:
        shared_remotes = [url for url in first.shared_remotes if remote_key(url) in shared]
    return ManagedPolicy(
        mandatory_exclude=list(dict.fromkeys([*first.mandatory_exclude, *second.mandatory_exclude])),
        max_file_bytes=lowest(first.max_file_bytes, second.max_file_bytes),
        channels=both(first.channels, second.channels),  # type: ignore[arg-type]
        allowed_purposes=both(first.allowed_purposes, second.allowed_purposes),
        retain_until=lowest(first.retain_until, second.retain_until),
        allowed_licences=both(first.allowed_licences, second.allowed_licences),
        allowed_destinations=destinations if destinations is not None else
        (first.allowed_destinations or second.allowed_destinations),
        shared_remotes=shared_remotes,
        consent=ConsentRequirement(mode=next(iter(modes), None), min_members=max(
            first.consent.min_members or 0, second.consent.min_members or 0) or None),
        relay=RelayRequirement(required=first.relay.required or second.relay.required,
                               gateway_key=first.relay.gateway_key or second.relay.gateway_key,
                               gateway=first.relay.gateway or second.relay.gateway))


def allowed_places(entries: list[str]) -> str:
    """The destinations a policy allows, for a person (none when two policies allow none in common)."""
    return ", ".join(entries) or "nowhere (the policies in force allow no destination in common)"


def _under(url: str, entries: list[str]) -> bool:
    """Whether `url` is one of `entries` or below one (whole path segments), as the policy's destinations
    are matched (upload/destinations.py, which also follows links)."""
    here = url.rstrip("/")
    return any(here == entry.rstrip("/") or here.startswith(entry.rstrip("/") + "/") for entry in entries)


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
    """What changes when a managed policy file or its folder is written, replaced, chmod-ed or given away:
    the collector reads the policy again when this does."""
    stamps: list[tuple[int, ...] | None] = []
    try:
        dropped = managed_places.dropped_paths(env)
    except PolicyError:
        dropped = []
    places = [*(place for path in managed_places.managed_paths(env) for place in (path, path.parent)),
              managed_places.policy_folder(env), *dropped]
    for where in places:
        try:
            info = where.stat()
        except OSError:
            stamps.append(None)
        else:
            stamps.append((info.st_mtime_ns, info.st_ctime_ns, info.st_size, info.st_ino, info.st_mode,
                           info.st_uid))
    return tuple(stamps)


def read_status(env: Mapping[str, str], found: dict[str, Any]) -> dict[str, Any]:
    """`managed_places.managed_status` once a policy file is there: `found` (where it is looked for) with
    what the files say, in force or refused."""
    try:
        managed = load_managed(env)
        scoped = [{"file": str(file.path), "sha256": file.sha256, "scopes": [
            {"scope": scope_name(scope, index), "remotes": list(scope.remotes)}
            for index, scope in enumerate(file.policy.scope)]}
            for file in _installed(env)[1] if file.policy.scope]
    except PolicyError as exc:
        return {**found, "state": "refused", "problem": str(exc), "scoped": []}
    if managed is None:
        return {**found, "scoped": scoped, "state": "in force" if scoped else "none"}
    return {**found, **managed.to_json(), "scoped": scoped, "state": "in force"}
