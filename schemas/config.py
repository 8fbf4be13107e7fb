"""CODETAPE_HOME/config.toml: where signed episodes go and how, how they are signed, how stats count.

msgspec Structs, like every model (schemas/common.py); `codetape status` reads this file on every run.
Validated by `msgspec.convert` (collector/policy/toml.py); the JSON Schema
(schemas/config.schema.json) is generated from these classes like every other (schemas/generate.py).
"""

from __future__ import annotations

from typing import Annotated, Literal

from msgspec import Meta, Struct, field

from schemas.compiled import compile_module

CONFIG_FILE = "config.toml"
DestinationUrl = Annotated[str, Meta(min_length=1, max_length=4096)]
ShortName = Annotated[str, Meta(min_length=1, max_length=256)]
MAX_IDLE_MINUTES = 24 * 60


class UploadRoute(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """`[[upload.route]]` in config.toml: where the episodes of the repositories `remote` names go (the first
    route naming an episode's repository whose destination the managed policy governing it allows;
    collector/upload/routes.py), instead of `[upload] to`."""

    remote: Annotated[str, Meta(min_length=1, max_length=4096, description=(
        "the repositories it routes, as a managed policy's [[scope]] names them: a remote URL or HOST/PATH, "
        "a path ending in /* for every repository below it (github.com/acme/*)"))]
    to: Annotated[DestinationUrl, Meta(description="file:///DIR or s3://BUCKET/PREFIX")]
    profile: Annotated[ShortName | None, Meta(
        description="a profile of the AWS configuration for this destination (else [upload] profile)")] = None

    def __post_init__(self) -> None:
        # the pattern's grammar is the managed policy's (schemas/settings.py), read only with a route
        from schemas.settings import SCOPE_REMOTE

        if not SCOPE_REMOTE.match(self.remote):
            raise ValueError(f"route remote {self.remote!r} names no repository: give a remote URL or "
                             "HOST/PATH, its path ending in /* for every repository below it")


class UploadSettings(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """`[upload]` in CODETAPE_HOME/config.toml: where signed episodes go, and how.

    `to` is `file:///absolute/dir` or `s3://bucket/prefix`. For s3://, credentials come from the
    standard AWS configuration (environment, shared files, profiles), never from this file; an
    `endpoint_url` (or the AWS configuration's) points at another S3-compatible store. A store that does
    not answer is given up on after a time the timeouts and attempts bound (collector/upload/patience.py).
    """

    to: Annotated[DestinationUrl | None, Meta(description="file:///DIR or s3://BUCKET/PREFIX")] = None
    endpoint_url: Annotated[DestinationUrl | None, Meta(
        description="an S3-compatible endpoint (MinIO, Ceph RGW, R2, SeaweedFS); plain http:// only on "
        "loopback unless allow_insecure")] = None
    region: ShortName | None = None
    profile: Annotated[ShortName | None, Meta(description="a profile of the AWS configuration")] = None
    allow_insecure: Annotated[bool, Meta(description="allow a plain http:// endpoint off loopback")] = False
    concurrency: Annotated[int, Meta(ge=1, le=16, description="episodes sent at the same time")] = 4
    part_size_mib: Annotated[int, Meta(
        ge=5, le=5120, description="multipart part size; files larger than one part go in parts")] = 8
    retry_mode: Annotated[Literal["standard", "adaptive"], Meta(description="botocore retries")] = "standard"
    max_attempts: Annotated[int, Meta(
        ge=1, le=20, description="attempts per request, the first included (botocore retries)")] = 3
    connect_timeout_s: Annotated[int, Meta(
        ge=1, le=300, description="seconds an attempt waits for a connection to the store, and for the store "
        "to take each block of what is sent")] = 5
    read_timeout_s: Annotated[int, Meta(
        ge=1, le=3600, description="seconds an attempt waits for the store's answer; a store that never "
        "answers is given up on after max_attempts x (connect_timeout_s + 1 + read_timeout_s) s and a "
        "little backoff")] = 20
    relay: Annotated[DestinationUrl | None, Meta(
        description="unlinkable episodes and their revocation records go through this Oblivious HTTP relay "
        "(RFC 9458) to the gateway whose key is gateway_key; plain http:// only on loopback unless "
        "allow_insecure")] = None
    gateway_key: Annotated[DestinationUrl | None, Meta(
        description="the gateway's key configuration in hex, as `codetape gateway keygen` prints it "
        "(pinned: never fetched)")] = None
    gateway: Annotated[DestinationUrl | None, Meta(
        description="the gateway's descriptor, as `codetape gateway describe` prints it: its key "
        "configuration and the bucket and prefix it writes to, signed by its operator (instead of "
        "gateway_key; `to` must name that bucket and prefix)")] = None
    route: Annotated[tuple[UploadRoute, ...], Meta(max_length=1_000, description=(
        "[[upload.route]]: the episodes of the repositories a route names go to its destination "
        "(with its profile), when the managed policy governing them allows it; the others to `to`"))] = ()


class ConsentSettings(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """`[consent]` in CODETAPE_HOME/config.toml: how your episodes are signed.

    `mode = "unlinkable"` signs each episode with a per-episode key an issuer authorised blindly
    (`codetape enroll` first), so a receiver can verify that an enrolled contributor consented and cannot
    tell which one; `attributed` (the default) signs with your own key (`codetape keys init`). In
    unlinkable mode, step times are drawn so that they hold no typing rhythm nor pausing habit (`timing =
    "drawn"`: a burst's steps at one time, its duration drawn from the population, pauses drawn within
    60 s buckets, a save or test run standing in a pause at its burst's time); `timing = "retimed"` keeps
    pauses to the second (which link your episodes: bench/habits.py), `timing = "coarse"` floors the times
    to 100 ms steps instead, `timing = "exact"` shares them to the millisecond; `upload_delay_max_s` bounds
    the random delay before each episode is uploaded, and `min_members` is the k an episode's month must
    reach in the issuer's record before it leaves.
    """

    mode: Annotated[Literal["attributed", "unlinkable"], Meta(
        description="attributed: your own key signs; unlinkable: a per-episode key an issuer authorised")] = \
        "attributed"
    timing: Annotated[Literal["drawn", "retimed", "coarse", "exact"], Meta(
        description="unlinkable mode: step times drawn with no typing rhythm nor pausing habit (drawn), "
        "re-timed with no typing rhythm and pauses to the second (retimed), in 100 ms steps (coarse) or to "
        "the ms (exact)")] = "drawn"
    upload_delay_max_s: Annotated[int, Meta(
        ge=0, le=7 * 24 * 3600, description="unlinkable mode: each episode is uploaded on its own after a "
        "random delay of up to this many seconds, so arrival times do not link episodes")] = 6 * 3600
    min_members: Annotated[int, Meta(
        ge=1, le=1_000_000, description="unlinkable mode: an episode is uploaded only once the issuer's "
        "signed record counts at least this many members for its month (the larger of this and the "
        "managed policy's [consent] min_members)")] = 5


class StatsSettings(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """`[stats]` in CODETAPE_HOME/config.toml: how `codetape stats` counts your active time.

    The time between two things you did counts as active when it is at most `idle_minutes` (WakaTime's
    default timeout is 15 minutes); a longer pause is time away.
    """

    idle_minutes: Annotated[int, Meta(
        ge=1, le=MAX_IDLE_MINUTES, description="codetape stats: a pause longer than this many minutes is "
        "time away, not active time")] = 15


class CodetapeConfig(Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """The validated content of CODETAPE_HOME/config.toml."""

    upload: UploadSettings = field(default_factory=UploadSettings)
    consent: ConsentSettings = field(default_factory=ConsentSettings)
    stats: StatsSettings = field(default_factory=StatsSettings)


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
