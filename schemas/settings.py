"""`.codetape.toml`: a workspace's opt-in and what may be recorded in it.

The file's presence opts the workspace in; every field has a safe default, so an empty file is valid.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from msgspec import Meta, field
from msgspec.structs import force_setattr

from schemas.common import FieldError, Model
from schemas.compiled import compile_module
from schemas.consent import LICENCE_IDS, PolicyText

Snapshot = Literal["none", "tracked"]  # in the order of what they record: a later one records more
SNAPSHOTS: tuple[Snapshot, ...] = ("none", "tracked")
Channel = Literal["edits", "diagnostics", "tests", "commands", "git", "files", "notebook_outputs"]
# On by default: every kind of step belongs to one of these, or always records.
ALL_CHANNELS: tuple[Channel, ...] = ("edits", "diagnostics", "tests", "commands", "git", "files")
# Off unless listed: not a kind of step but what a notebook's text may hold (its outputs, execution counts
# and kernel metadata, masked at the seal otherwise: collector/seal/notebooks.py).
OPT_IN_CHANNELS: tuple[Channel, ...] = ("notebook_outputs",)
EVERY_CHANNEL: tuple[Channel, ...] = ALL_CHANNELS + OPT_IN_CHANNELS

# Which channel each step kind belongs to; kinds not listed (note, task, gap, redaction) always record.
CHANNEL_OF_KIND: dict[str, Channel] = {
    "open": "edits", "close": "edits", "edit": "edits", "save": "edits", "cursor": "edits",
    "offer": "edits",
    "diagnostics": "diagnostics", "test_run": "tests", "command": "commands", "git": "git",
    "file_change": "files",
}

SETTINGS_FILE = ".codetape.toml"
Glob = Annotated[str, Meta(min_length=1, max_length=4096)]


def _no_negation(field: str, patterns: list[str] | None) -> None:
    for pattern in patterns or ():
        if pattern.startswith("!"):
            raise FieldError(field, f"{field} pattern {pattern!r}: negation (!) is not supported")


class SharingPolicy(Model, frozen=True, kw_only=True):
    """`[policy]` in `.codetape.toml`, or a user/organisation `policy.toml`: the terms of signing.

    `allowed_licences` is kept as the SPDX ids codetape detects, sorted, each once (`MIT+` is `MIT`)."""

    purpose: PolicyText | None = None
    licence: PolicyText | None = None
    allowed_licences: Annotated[list[str], Meta(max_length=100)] | None = None
    mandatory_exclude: Annotated[list[Glob], Meta(max_length=10_000)] = []
    retain_until: Annotated[date | None, Meta(description=(
        "a TOML date (2027-06-30): the last day a receiver may keep what you sign (the earlier of this "
        "file's and the other policy file's, unless `codetape sign --retain-until` gives one); never "
        "later than the managed policy's"))] = None

    def __post_init__(self) -> None:
        if self.allowed_licences is not None:
            force_setattr(self, "allowed_licences", _known_licences(self.allowed_licences))
        _no_negation("mandatory_exclude", self.mandatory_exclude)


def _known_licences(names: list[str]) -> list[str]:
    known = {name.lower(): name for name in LICENCE_IDS}
    out: list[str] = []
    for name in names:
        base = name.strip().removesuffix("+").removesuffix("-only").removesuffix("-or-later")
        if base.lower() not in known:
            raise FieldError("allowed_licences", f"licence {name!r} is not one codetape detects; "
                             f"known: {', '.join(LICENCE_IDS)}")
        out.append(known[base.lower()])
    return sorted(set(out))


ALLOW_ENTRY = re.compile(r"^(?:sha256:[0-9a-f]{64}|rule:[a-z0-9][a-z0-9_.-]{0,63})$")


class RedactionSettings(Model, frozen=True, kw_only=True):
    """`[redaction]` in `.codetape.toml`: false positives the seal's redaction lets through.

    `allow` entries: `sha256:HEX`, a value whose SHA-256 (of its UTF-8 bytes) is HEX, whichever rule finds
    it (`printf %s VALUE | sha256sum`), or `rule:ID`, every finding of one rule (the RULE of a
    `«redacted:RULE:N»` placeholder; another rule may still find the same value). Allowed values stay in
    the episode as written and the review lists them as allowed. Never the value itself.
    """

    allow: Annotated[list[str], Meta(max_length=10_000)] = []

    def __post_init__(self) -> None:
        for n, entry in enumerate(self.allow, start=1):
            if not ALLOW_ENTRY.match(entry):  # not echoed: it may be the secret itself, written by mistake
                raise FieldError("allow", f"entry {n} is neither 'sha256:' and the 64 hex digits of a "
                                 "value's SHA-256 nor 'rule:' and a rule id (never write the value itself)")


class TestsSettings(Model, frozen=True, kw_only=True):
    """`[tests]` in `.codetape.toml`: where this workspace's test runners write JUnit XML reports, on top
    of the places runners write to by default and the files a command line names."""

    __test__ = False  # not a pytest test class

    junit: Annotated[list[Glob], Meta(max_length=100)] = []

    def __post_init__(self) -> None:
        for pattern in self.junit:
            if pattern.startswith("/") or ".." in pattern.split("/"):
                raise FieldError("junit", f"junit glob {pattern!r} must stay inside the workspace "
                                 "(relative, no ..)")


class WorkspaceSettings(Model, frozen=True, kw_only=True):
    """The validated content of one `.codetape.toml`."""

    channels: Annotated[list[Channel], Meta(max_length=len(EVERY_CHANNEL))] = field(
        default_factory=lambda: list(ALL_CHANNELS))
    exclude: Annotated[list[Glob], Meta(max_length=10_000)] = []
    idle_timeout_s: Annotated[int, Meta(ge=1, le=7 * 24 * 3600)] = 1800
    max_file_bytes: Annotated[int, Meta(ge=0, le=64 * 1024 * 1024)] = 2 * 1024 * 1024
    snapshot: Annotated[Snapshot, Meta(description=(
        '"tracked": at the start of each episode, also record the text of every file git tracks in the '
        "workspace (under the exclusions, the size cap and redaction), as a `gap` step with reason "
        '`snapshot`; "none": only the files the episode touches'))] = "none"
    policy: SharingPolicy = field(default_factory=SharingPolicy)
    redaction: RedactionSettings = field(default_factory=RedactionSettings)
    tests: TestsSettings = field(default_factory=TestsSettings)

    def __post_init__(self) -> None:
        _no_negation("exclude", self.exclude)

    def records(self, kind: str) -> bool:
        """Whether steps of this kind are recorded under these channels."""
        channel = CHANNEL_OF_KIND.get(kind)
        return channel is None or channel in self.channels


# what `allowed_destinations` may hold: a local folder, or a bucket and prefix
# (collector/upload/destinations.py parses each as it parses an upload destination, and matches it)
DESTINATION = re.compile(r"^(?:file://(?:localhost)?/[^?#\x00-\x1f]*"
                         r"|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:/[A-Za-z0-9!_.*'()/-]*)?)$")


# what `shared_remotes` may hold: a remote URL naming a host and a path, a user but no password
# (collector/policy/remotes.py matches a workspace's remote against them whatever the form)
SHARED_REMOTE = re.compile(r"^(?:(?:https?|ssh|git)://(?:[^\s/@:]+@)?[A-Za-z0-9.-]+(?::\d{1,5})?/"
                           r"|[^\s/@:]+@[A-Za-z0-9.-]+:)[^\s?#]*[^\s?#/]/?$")


class ConsentRequirement(Model, frozen=True, kw_only=True):
    """`[consent]` in the managed policy: the consent mode a share must be signed in, and the k of members
    an unlinkable episode's month must reach before it leaves (collector/upload/members.py)."""

    mode: Literal["attributed", "unlinkable"] | None = None
    min_members: Annotated[int, Meta(ge=1, le=1_000_000, description=(
        "unlinkable episodes leave a contributor's machine only once the issuer's signed record counts at "
        "least this many members for their month (the larger of this and the contributor's own)"))] \
        | None = None


DESCRIPTOR = r"^[A-Za-z0-9_\-\s]+\.[A-Za-z0-9_\-\s]+$"  # a gateway descriptor: base64url "." base64url


class RelayRequirement(Model, frozen=True, kw_only=True):
    """`[relay]` in the managed policy: unlinkable episodes leave only through an Oblivious HTTP relay
    (collector/upload/relay.py), sealed for the gateway key it names when it names one."""

    required: Annotated[bool, Meta(description=(
        "an unlinkable episode leaves only through a relay (`[upload] relay`); with none configured it "
        "waits, and `codetape status` says why"))] = False
    gateway_key: Annotated[str, Meta(min_length=1, max_length=4096, pattern=r"^[0-9a-fA-F\s]+$",
                                     description=(
        "the gateway's key configuration in hex, as `codetape gateway keygen` prints it: unlinkable "
        "episodes are sealed for this key only (a contributor's own `[upload] gateway_key` must be the "
        "same, or is left unset)"))] | None = None
    gateway: Annotated[str, Meta(min_length=1, max_length=8192, pattern=DESCRIPTOR, description=(
        "the gateway's descriptor, as `codetape gateway describe` prints it (its key configuration and the "
        "bucket and prefix it writes to, signed by its operator): unlinkable episodes are sealed for its "
        "key only, and `allowed_destinations` is matched against its bucket and prefix"))] | None = None


# what a `[[scope]]`'s `remotes` may hold: a remote URL as `shared_remotes` takes it, or `HOST/PATH`; its
# path may end in `/*` (every repository below it: `github.com/acme/*`, `git.acme.example/*` for the whole
# host). Matched whatever form a workspace's remote takes (collector/policy/remotes.py scope_matches).
_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?"
SCOPE_REMOTE = re.compile(r"^(?:(?:https?|ssh|git)://(?:[^\s/@:]+@)?" + _HOST + r"(?::\d{1,5})?/"
                          r"|[^\s/@:]+@" + _HOST + r":|" + _HOST + r"/)"
                          r"(?:[^\s?#*/]+/)*(?:[^\s?#*/]+|\*)/?$")


class PolicyKeys(Model, frozen=True, kw_only=True):
    """The keys a managed policy binds with: at the top of its file (every workspace) or in a `[[scope]]`
    (the repositories it names)."""

    mandatory_exclude: Annotated[list[Glob], Meta(max_length=10_000)] = []
    max_file_bytes: Annotated[int, Meta(ge=0, le=64 * 1024 * 1024)] | None = None
    channels: Annotated[list[Channel], Meta(max_length=len(EVERY_CHANNEL))] | None = None
    allowed_purposes: Annotated[list[PolicyText], Meta(min_length=1, max_length=100)] | None = None
    retain_until: date | None = None
    allowed_licences: Annotated[Annotated[list[Annotated[str, Meta(min_length=1, max_length=256)]], Meta(
        min_length=1, max_length=100)] | None, Meta(description=(
        "the licences a signed episode may be shared under: its `licence` must be an SPDX expression these "
        "permit (an id, or `ID WITH EXCEPTION`), as a receiver's --allow-licence decides"))] = None
    allowed_destinations: Annotated[Annotated[list[Annotated[str, Meta(min_length=1, max_length=4096)]], Meta(
        min_length=1, max_length=100)] | None, Meta(
        description="the upload destinations allowed: `file:///DIR` (that folder and below) or "
        "`s3://BUCKET[/PREFIX]` (that bucket, under that prefix)")] = None
    shared_remotes: Annotated[list[Annotated[str, Meta(min_length=1, max_length=4096)]], Meta(
        max_length=1_000, description="the organisation's shared git remotes (`https://HOST/PATH`, "
        "`ssh://[USER@]HOST[:PORT]/PATH` or `USER@HOST:PATH`): an episode signed unlinkably keeps its "
        "workspace's remote only when it names one of these repositories (whatever the URL's form); "
        "any other remote, a personal fork's included, is left out")] = []
    consent: ConsentRequirement = field(default_factory=ConsentRequirement)
    relay: RelayRequirement = field(default_factory=RelayRequirement)

    def __post_init__(self) -> None:
        for url in self.allowed_destinations or ():
            if not DESTINATION.match(url):
                raise FieldError("allowed_destinations", f"allowed destination {url!r} is neither "
                                 "file:///ABSOLUTE/DIR nor s3://BUCKET[/PREFIX] (no credentials, query or "
                                 "fragment)")
        for url in self.shared_remotes:
            if not SHARED_REMOTE.match(url):
                raise FieldError("shared_remotes", f"shared remote {url!r} is not a git remote URL naming a "
                                 "host and a path (https://HOST/PATH, ssh://HOST/PATH or USER@HOST:PATH; no "
                                 "password, query or fragment)")
        _no_negation("mandatory_exclude", self.mandatory_exclude)


class PolicyScope(PolicyKeys, frozen=True, kw_only=True):
    """A `[[scope]]` of a managed policy: the repositories it governs (by remote) and the keys that bind
    them, beside the file's top-level keys (collector/policy/managed.py)."""

    name: Annotated[str, Meta(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f]+$", description=(
        "what `status`, `doctor` and the review call it (else `[[scope]] N`, its place in the file)"))] \
        | None = None
    remotes: Annotated[list[Annotated[str, Meta(min_length=1, max_length=4096)]], Meta(
        min_length=1, max_length=1_000, description=(
            "the repositories it governs, by remote: a remote URL (`https://HOST/PATH`, "
            "`ssh://[USER@]HOST[:PORT]/PATH`, `USER@HOST:PATH`) or `HOST/PATH`, matched whatever form a "
            "workspace's remote takes; a path ending in `/*` names every repository below it "
            "(`github.com/acme/*`), `HOST/*` every repository of the host. A workspace is governed when "
            "any of its remotes matches"))]
    ignore_path_case: Annotated[bool, Meta(description=(
        "match the remotes' paths whatever their case (hosts always are); false: as written"))] = False
    roots: Annotated[list[Annotated[str, Meta(pattern=r"^[0-9a-f]{40}([0-9a-f]{24})?$")]], Meta(
        max_length=1_000, description=(
            "commits of the organisation's own history (full SHA-1 or SHA-256 ids, never one a public "
            "upstream holds): a workspace whose history holds one is governed whatever its remotes "
            "(collector/policy/reach.py)"))] = []

    def __post_init__(self) -> None:
        for pattern in self.remotes:
            if not SCOPE_REMOTE.match(pattern):
                raise FieldError("remotes", f"scope remote {pattern!r} names no repository: give a remote "
                                 "URL (https://HOST/PATH, ssh://HOST/PATH, USER@HOST:PATH) or HOST/PATH, its "
                                 "path ending in /* for every repository below it (no password, query or "
                                 "fragment)")
        super().__post_init__()


class ManagedPolicy(PolicyKeys, frozen=True, kw_only=True):
    """The organisation's `policy.toml` (/etc/codetape/policy.toml, collector/policy/managed.py): it can
    only make recording stricter and require things of a share; no key opts a workspace in. Its top-level
    keys bind every workspace; each `[[scope]]` binds the repositories it names too."""

    scope: Annotated[list[PolicyScope], Meta(max_length=1_000, description=(
        "sections binding only the repositories they name, beside the top-level keys (the stricter of "
        "each key where several govern one repository)"))] = []


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
