"""`.codetape.toml`: a workspace's opt-in and what may be recorded in it.

The file's presence opts the workspace in; every field has a safe default, so an empty file is valid.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Literal

from pydantic import Field, Strict, field_validator

from schemas.common import Model
from schemas.consent import LICENCE_IDS, PolicyText

Snapshot = Literal["none", "tracked"]  # in the order of what they record: a later one records more
SNAPSHOTS: tuple[Snapshot, ...] = ("none", "tracked")
Channel = Literal["edits", "diagnostics", "tests", "commands", "git", "files"]
ALL_CHANNELS: tuple[Channel, ...] = ("edits", "diagnostics", "tests", "commands", "git", "files")

# Which channel each step kind belongs to; kinds not listed (note, task, gap, redaction) always record.
CHANNEL_OF_KIND: dict[str, Channel] = {
    "open": "edits", "close": "edits", "edit": "edits", "save": "edits", "cursor": "edits",
    "offer": "edits",
    "diagnostics": "diagnostics", "test_run": "tests", "command": "commands", "git": "git",
    "file_change": "files",
}

SETTINGS_FILE = ".codetape.toml"
Glob = Annotated[str, Field(min_length=1, max_length=4096)]


class SharingPolicy(Model):
    """`[policy]` in `.codetape.toml`, or a user/organisation `policy.toml`: the terms of signing."""

    purpose: PolicyText | None = None
    licence: PolicyText | None = None
    allowed_licences: Annotated[list[str], Field(max_length=100)] | None = None
    mandatory_exclude: Annotated[list[Glob], Field(max_length=10_000)] = []
    retain_until: Annotated[date, Strict()] | None = Field(default=None, description=(
        "a TOML date (2027-06-30): the last day a receiver may keep what you sign (the earlier of this "
        "file's and the other policy file's, unless `codetape sign --retain-until` gives one); never "
        "later than the managed policy's"))

    @field_validator("allowed_licences")
    @classmethod
    def _known_licences(cls, names: list[str] | None) -> list[str] | None:
        if names is None:
            return None
        known = {name.lower(): name for name in LICENCE_IDS}
        out: list[str] = []
        for name in names:
            base = name.strip().removesuffix("+").removesuffix("-only").removesuffix("-or-later")
            if base.lower() not in known:
                raise ValueError(f"licence {name!r} is not one codetape detects; "
                                 f"known: {', '.join(LICENCE_IDS)}")
            out.append(known[base.lower()])
        return sorted(set(out))

    @field_validator("mandatory_exclude")
    @classmethod
    def _no_negation(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if pattern.startswith("!"):
                raise ValueError(f"mandatory_exclude pattern {pattern!r}: negation (!) is not supported")
        return patterns


ALLOW_ENTRY = re.compile(r"^(?:sha256:[0-9a-f]{64}|rule:[a-z0-9][a-z0-9_.-]{0,63})$")


class RedactionSettings(Model):
    """`[redaction]` in `.codetape.toml`: false positives the seal's redaction lets through.

    `allow` entries: `sha256:HEX`, a value whose SHA-256 (of its UTF-8 bytes) is HEX, whichever rule finds
    it (`printf %s VALUE | sha256sum`), or `rule:ID`, every finding of one rule (the RULE of a
    `«redacted:RULE:N»` placeholder; another rule may still find the same value). Allowed values stay in
    the episode as written and the review lists them as allowed. Never the value itself.
    """

    allow: Annotated[list[str], Field(max_length=10_000)] = []

    @field_validator("allow")
    @classmethod
    def _entries(cls, entries: list[str]) -> list[str]:
        for n, entry in enumerate(entries, start=1):
            if not ALLOW_ENTRY.match(entry):  # not echoed: it may be the secret itself, written by mistake
                raise ValueError(f"entry {n} is neither 'sha256:' and the 64 hex digits of a value's SHA-256 "
                                 "nor 'rule:' and a rule id (never write the value itself)")
        return entries


class TestsSettings(Model):
    """`[tests]` in `.codetape.toml`: where this workspace's test runners write JUnit XML reports, on top
    of the places runners write to by default and the files a command line names."""

    __test__ = False  # not a pytest test class

    junit: Annotated[list[Glob], Field(max_length=100)] = []

    @field_validator("junit")
    @classmethod
    def _inside(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if pattern.startswith("/") or ".." in pattern.split("/"):
                raise ValueError(f"junit glob {pattern!r} must stay inside the workspace (relative, no ..)")
        return patterns


class WorkspaceSettings(Model):
    """The validated content of one `.codetape.toml`."""

    channels: Annotated[list[Channel], Field(max_length=len(ALL_CHANNELS))] = list(ALL_CHANNELS)
    exclude: Annotated[list[Glob], Field(max_length=10_000)] = []
    idle_timeout_s: Annotated[int, Field(ge=1, le=7 * 24 * 3600)] = 1800
    max_file_bytes: Annotated[int, Field(ge=0, le=64 * 1024 * 1024)] = 2 * 1024 * 1024
    snapshot: Snapshot = Field(default="none", description=(
        '"tracked": at the start of each episode, also record the text of every file git tracks in the '
        "workspace (under the exclusions, the size cap and redaction), as a `gap` step with reason "
        '`snapshot`; "none": only the files the episode touches'))
    policy: SharingPolicy = SharingPolicy()
    redaction: RedactionSettings = RedactionSettings()
    tests: TestsSettings = TestsSettings()

    @field_validator("exclude")
    @classmethod
    def _no_negation(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if pattern.startswith("!"):
                raise ValueError(f"exclude pattern {pattern!r}: negation (!) is not supported")
        return patterns

    def records(self, kind: str) -> bool:
        """Whether steps of this kind are recorded under these channels."""
        channel = CHANNEL_OF_KIND.get(kind)
        return channel is None or channel in self.channels


# what `allowed_destinations` may hold: a local folder, or a bucket and prefix
# (collector/upload/destinations.py parses each as it parses an upload destination, and matches it)
DESTINATION = re.compile(r"^(?:file://(?:localhost)?/[^?#\x00-\x1f]*"
                         r"|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](?:/[A-Za-z0-9!_.*'()/-]*)?)$")


class ConsentRequirement(Model):
    """`[consent]` in the managed policy: the consent mode a share must be signed in."""

    mode: Literal["attributed", "unlinkable"] | None = None


class ManagedPolicy(Model):
    """The organisation's `policy.toml` (/etc/codetape/policy.toml, collector/policy/managed.py): it can
    only make recording stricter and require things of a share; no key opts a workspace in."""

    mandatory_exclude: Annotated[list[Glob], Field(max_length=10_000)] = []
    max_file_bytes: Annotated[int, Field(ge=0, le=64 * 1024 * 1024)] | None = None
    channels: Annotated[list[Channel], Field(max_length=len(ALL_CHANNELS))] | None = None
    allowed_purposes: Annotated[list[PolicyText], Field(min_length=1, max_length=100)] | None = None
    retain_until: Annotated[date, Strict()] | None = None
    allowed_licences: Annotated[list[Annotated[str, Field(min_length=1, max_length=256)]],
                                Field(min_length=1, max_length=100)] | None = Field(
        default=None, description=(
        "the licences a signed episode may be shared under: its `licence` must be an SPDX expression these "
        "permit (an id, or `ID WITH EXCEPTION`), as a receiver's --allow-licence decides"))
    allowed_destinations: Annotated[list[Annotated[str, Field(min_length=1, max_length=4096)]],
                                    Field(min_length=1, max_length=100)] | None = Field(
        default=None, description="the upload destinations allowed: `file:///DIR` (that folder and below) "
        "or `s3://BUCKET[/PREFIX]` (that bucket, under that prefix)")
    consent: ConsentRequirement = ConsentRequirement()

    @field_validator("allowed_destinations")
    @classmethod
    def _destinations(cls, urls: list[str] | None) -> list[str] | None:
        for url in urls or ():
            if not DESTINATION.match(url):
                raise ValueError(f"allowed destination {url!r} is neither file:///ABSOLUTE/DIR nor "
                                 "s3://BUCKET[/PREFIX] (no credentials, query or fragment)")
        return urls

    @field_validator("mandatory_exclude")
    @classmethod
    def _no_negation(cls, patterns: list[str]) -> list[str]:
        for pattern in patterns:
            if pattern.startswith("!"):
                raise ValueError(f"mandatory_exclude pattern {pattern!r}: negation (!) is not supported")
        return patterns
