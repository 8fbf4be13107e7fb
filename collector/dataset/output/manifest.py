"""`OUT/_manifest.json`: what the dataset holds and how it was built, replaced whole at the end of a build.

It names the build's inputs (SOURCE, --trust, engine, codetape version), every build so far with its
counts, the rows of each table and the rejections by reason, and every Parquet file that belongs to the
dataset with its rows. A file under OUT that it does not name is left over from a build that did not
finish; the next build deletes it. Readers may rely on the files it names: the last build's snapshot
(each build's is in OUT/_builds/, snapshots.py).
"""

from __future__ import annotations

import contextlib
import json
from datetime import datetime
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

from collector import __version__
from collector.dataset.errors import OutputRefused
from collector.dataset.output.output import MANIFEST, Output
from collector.dataset.rows.tables import TABLES
from schemas.common import decoded
from schemas.compiled import compile_module

FORMAT = "codetape-dataset/v5"  # v2: an episode is its id and its signer's key id, in every table; v3: whose
# work (origin columns, --origin, --allow-licence) and each episode's steps_sha256; v4: `month` in the files
# too, agent_events, transitions' origin and caret_from; v5: episodes' repository, diff_minhash, split,
# retain_until, managed_policy_sha256 and outcomes, the manifest's purges, survival labels (edits,
# transitions) and `tasks`


class _Model(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A record of the dataset's: unknown fields refused, changed in place while a build runs."""


class BuildRecord(_Model, kw_only=True):
    """One run of `codetape dataset build`, or of `codetape dataset compact` (`kind`)."""

    number: int
    kind: Annotated[Literal["build", "compaction"], Meta(
        description="compaction: files merged, no episode checked; every earlier snapshot ended")] = "build"
    engine: Literal["local", "ray"]
    codetape_version: str
    started_at: datetime
    finished_at: datetime
    listed: Annotated[int, Meta(description="episodes at the source")]
    new: Annotated[int, Meta(description="episodes this build checked (not seen by an earlier build)")]
    accepted: int
    rejected: Annotated[dict[str, int], Meta(description="episodes left out by this build, by reason")]
    withdrawn: Annotated[int, Meta(
        description="episodes built before, revoked or expired since: their rows removed")]
    expired: Annotated[int, Meta(description="of those, past their signed retain_until")] = 0
    unverified_revocations: Annotated[int, Meta(
        description="revocation records ignored: they do not verify against the episode's signer")] = 0
    held: Annotated[dict[str, int], Meta(
        description="episodes held back for a later build, by why (a month whose issuer-signed "
        "member count is below --min-contributors)")] = {}
    min_contributors: Annotated[int | None, Meta(
        description="k of this build (--min-contributors): the months it published had at "
        "least this many members taking authorisations; None: no --trust-issuer, or a compaction")] = None
    bytes: Annotated[int, Meta(description="bytes of the episodes checked")]
    exports: Annotated[dict[str, int], Meta(description="episodes exported, by format")] = {}
    export_failures: int = 0
    left_out: Annotated[dict[str, dict[str, int]], Meta(
        description="format -> why -> how many: what each export left out of this build's episodes "
        "(bursts, offers, rows: the export's own reasons, as `codetape export` prints them)")] = {}


class PurgedFile(_Model, kw_only=True):
    """A file a purge replaced: by a copy without the episode's rows, or deleted (`copy` None)."""

    table: Annotated[str, Meta(description="its table, or `exports` for an export file")]
    path: str
    replaced_by: str | None = None
    shared: Annotated[bool, Meta(
        description="blobs: the file texts no episode left names, taken out for every episode "
        "this build purged at once")] = False


class PurgeRecord(_Model, kw_only=True):
    """An episode a build took out of the dataset and every snapshot, after it had been built: revoked by its
    signer, or past its signed retain_until (codetape dataset purge-report lists them, signed)."""

    episode_id: str
    signer_key_id: str
    sha256: Annotated[str, Meta(description="of the episode file, its name at the source")]
    reason: Literal["revoked", "expired"]
    detail: str
    build: Annotated[int, Meta(description="the build that purged it")]
    at: Annotated[datetime, Meta(description="when that build committed: its rows left the dataset then")]
    files: Annotated[list[PurgedFile], Meta(description="the files that held its rows, replaced or deleted")]
    snapshots: Annotated[list[int], Meta(
        description="the earlier builds whose snapshots named one of those files: each rewritten without it")]


class DatasetManifest(_Model, kw_only=True):
    format: Literal["codetape-dataset/v5"] = "codetape-dataset/v5"
    codetape_version: str = __version__
    source: str
    trust: Annotated[list[str] | None, Meta(description="--trust: keys or key ids; None: any")] = None
    trust_issuer: Annotated[str | None, Meta(
        description="--trust-issuer: the id of the issuer whose authorisations of per-episode "
        "keys admit unlinkable episodes; None: no issuer")] = None
    min_contributors: Annotated[int | None, Meta(
        description="--min-contributors of the last build: a month's unlinkable episodes are "
        "published once at least this many members took authorisations under its key")] = None
    held: Annotated[dict[str, int], Meta(
        description="episodes the last build held back, by why; a later build publishes them "
        "once their month has enough members")] = {}
    allowed_licences: Annotated[list[str] | None, Meta(
        description="--allow-licence: SPDX ids permitting an episode's licence; None: any")] = None
    origins: Annotated[str | None, Meta(
        description="--origin (and @--origin-share): the origins kept; None: every episode")] = None
    exports: Annotated[list[str], Meta(description="formats in OUT/exports/, kept complete")] = []
    rows: dict[str, int] = {}
    rejected: Annotated[dict[str, int], Meta(description="episodes left out, by reason")] = {}
    unverified_revocations: Annotated[int, Meta(
        description="revocation records ignored, each a row of rejected; their episodes stay")] = 0
    near_duplicates: Annotated[int, Meta(
        description="episodes whose steps_sha256 another episode of the dataset shares")] = 0
    splits: Annotated[dict[str, int], Meta(
        description="episodes per split (train, eval, none: collector/export/split.py)")] = {}
    near_diff_duplicates: Annotated[int, Meta(
        description="episodes with other steps than any other but a near-duplicate diff_minhash")] = 0
    split_leaks: Annotated[int, Meta(
        description="episodes with a duplicate (steps_sha256) or near duplicate on the other side "
        "(train against eval): 0 by construction, counted again at every build")] = 0
    examples_left_out: Annotated[dict[str, dict[str, int]], Meta(
        description="format -> side -> examples every build left out of its export files, identical to "
        "one on the other side: eval ones identical to a train example, train ones identical to an "
        "eval example an earlier build published (collector/export/edits/base/examples.py)")] = {}
    example_leaks: Annotated[dict[str, int], Meta(
        description="format -> eval examples identical to a train example in the export files: 0 by "
        "construction (files published before the rule excepted), counted again at every build")] = {}
    required_policy: Annotated[str | None, Meta(
        description="--require-policy: the SHA-256 of the managed policy every episode must "
        "have been signed under; None: any or none")] = None
    purges: Annotated[list[PurgeRecord], Meta(
        description="every episode purged after it was built, with the files it left")] = []
    builds: list[BuildRecord] = []
    files: Annotated[dict[str, dict[str, int]], Meta(
        description="table -> Parquet file (relative to OUT) -> rows")] = {}

    def k_used(self) -> list[int]:
        """Every k (--min-contributors) a build of this dataset published under, in build order (the last
        build's alone for a dataset whose builds did not record theirs)."""
        used = [build.min_contributors for build in self.builds if build.min_contributors is not None]
        return used or ([self.min_contributors] if self.min_contributors is not None else [])

    def known_files(self) -> set[str]:
        return {path for table in self.files.values() for path in table}

    def add_file(self, table: str, path: str, rows: int) -> None:
        self.files.setdefault(table, {})[path] = rows

    def drop_file(self, table: str, path: str) -> None:
        self.files.get(table, {}).pop(path, None)

    def count(self) -> None:
        """Recompute `rows` from the files."""
        self.rows = {table: sum(self.files.get(table, {}).values()) for table in TABLES}


def read_manifest(out: Output) -> DatasetManifest | None:
    data = out.read(MANIFEST)
    if data is None:
        return None
    try:
        return decoded(data, DatasetManifest)
    except msgspec.MsgspecError:
        pass
    with contextlib.suppress(ValueError, AttributeError):
        older = json.loads(data).get("format")
        if isinstance(older, str) and older.startswith("codetape-dataset/") and older != FORMAT:
            raise OutputRefused(f"{out.url} is a {older} dataset, whose tables differ from {FORMAT}'s; build "
                                "it again into a new OUT")
    raise OutputRefused(f"{out.describe(MANIFEST)} is not a {FORMAT} manifest; build into another directory")


def write_manifest(out: Output, manifest: DatasetManifest) -> None:
    manifest.count()
    text = json.dumps(msgspec.to_builtins(manifest), indent=2, sort_keys=False) + "\n"
    out.write(MANIFEST, text.encode("utf-8"))


compile_module(__name__)  # every Struct type here, before any thread converts one: schemas/compiled.py
