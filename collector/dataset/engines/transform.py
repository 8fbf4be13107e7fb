"""The one per-episode transform both engines run: an Entry in, its rows or the reason it is left out.

Nothing the source says is taken on trust. The bytes are copied into a private file and hashed on the way:
they must hash to the name they are stored under. Then, in the order of collector/dataset/check/reasons.py:
the container opens within the format's limits (collector.episode), a consent frame is there, its signature
verifies and its statement is bound to these bytes (collector.consent), no revocation record that verifies
against its signer's key lies beside it (one that does not is noted and ignored: check/revocations.py), its
signed retain_until is not past (check/expiry.py), the signer is one --trust lists, its licence and managed
policy are those --allow-licence and --require-policy want, the manifest beside it agrees. Then one pass over
the steps (`Episode.steps()`), replayed by collector.verify (every edit lands, every save's hash matches)
while the rows are gathered (rows/rows.py) and the episode is exported in the build's formats
(output/staged.py: its files staged, for the build to publish once it is kept), after which the statement must
describe those steps (files, time range).

A worker takes one episode at a time and must stay within its memory whatever it is sent (a 5 KB episode
once took one to 1.3 GiB): the episode is read within WORKER_LIMITS (collector/episode/limits.py: frames,
what each decompresses and decodes to, the files rebuilt) and its rows within rows.MAX_ROWS_BYTES, each
checked on the sizes the episode declares before what they describe is made. What passes them is left
out as `too_large`.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import msgspec
import pyarrow as pa

from collector.consent.statement import unpack_payload
from collector.consent.verify import check_scope, check_signature
from collector.dataset.check.expiry import expiry
from collector.dataset.check.issuers import IssuerTrust
from collector.dataset.check.licences import LicenceFilter, check_signed_licence
from collector.dataset.check.origins import OriginFilter
from collector.dataset.check.reasons import Reason, Rejected
from collector.dataset.check.revocations import MAX_RECORD, judge
from collector.dataset.check.source import Entry, reader_for
from collector.dataset.check.trust import Trust
from collector.dataset.engines.allocator import frugal_memory
from collector.dataset.output.staged import InPass, Staged
from collector.dataset.rows.episode_row import episode_table, month_of
from collector.dataset.rows.rows import StepRows
from collector.episode import Episode, open_episode
from collector.episode.limits import Limits
from collector.episode.summary import summarize
from collector.errors import EpisodeError, EpisodeTooLarge, FilesTooLarge, ReconstructionError
from collector.reconstruct.workspace import Workspace
from collector.text.validation import first_error
from collector.upload.destinations import Destination, Readable, manifest_key, revocation_key
from collector.verify.integrity import verify_replay
from schemas import Step
from schemas.common import decoded
from schemas.consent import ConsentStatement
from schemas.upload import UploadManifest

MAX_EPISODE_BYTES = 4 << 30
MAX_MANIFEST = 64 * 1024
# What reading one episode may take in a worker (a reader's own limits are 4 to 21 times these). The
# writer cuts a steps frame at 4 MiB of text and keeps no keyframe above 16 MiB packed; files rebuilt of
# 24 MiB (their text, a copy of what is on disk, 64 bytes a line) hold about 10 MiB of text, so what
# these refuse has files larger than that, or was not made by codetape.
WORKER_LIMITS = Limits(payload=16 << 20, decompressed=16 << 20, decoded=16 << 20, files=24 << 20,
                       frames=1 << 16)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class Context:
    """What every transform of one build shares (picklable: it travels to worker processes and Ray tasks)."""

    source: Destination
    build: int
    trust: Trust | None = None
    issuer: IssuerTrust | None = None  # --trust-issuer, --min-contributors
    origins: OriginFilter | None = None  # --origin: the episodes kept by whose work they hold
    licences: LicenceFilter | None = None  # --allow-licence
    require_policy: str | None = None  # --require-policy: the managed policy's SHA-256
    as_of: date | None = None  # the day retention is judged on (None: not judged)
    scratch: str | None = None  # where episodes are copied while they are checked (None: the system's)
    max_bytes: int = MAX_EPISODE_BYTES
    exports: tuple[str, ...] = ()  # the formats every accepted episode is exported in, in the same pass


@dataclass
class DatasetOutcome:
    """One episode's verdict: its rows (`tables`) when accepted, else the reason it is left out."""

    sha256: str
    key: str
    location: str
    size: int
    episode_id: str | None = None
    month: str | None = None  # the partition its rows go to
    content_sha256: str | None = None
    signer_key_id: str | None = None
    reason: Reason | None = None
    detail: str = ""
    unverified: str = ""  # why a revocation record beside it was ignored (none: "")
    unlinkable: bool = False  # signed by a per-episode key an issuer authorised: it signs this episode only
    held: str = ""  # why it is held back for a later build (its month's anonymity set is too small): ""
    tables: dict[str, pa.Table] = field(default_factory=dict)  # but `episodes`:
    episode_row: pa.Table | None = None  # its row of `episodes`, which comes back with the verdict (sink.py)
    exports: Staged | None = None  # its export files, staged (when accepted and the build exports)

    @property
    def accepted(self) -> bool:
        return self.reason is None and not self.held


def transform(entry: Entry, context: Context, staging: str | None = None) -> DatasetOutcome:
    """Check one episode of the source and turn it into rows (and its export files, staged in a folder
    of their own under `staging`: None, the system's temporary directory); a refusal is a DatasetOutcome,
    never an error. TransferFailed (the source could not be read) is raised: the build stops, to be run
    again."""
    frugal_memory()  # (in a worker process: the first call is what counts)
    reader = reader_for(context.source)
    outcome = DatasetOutcome(entry.sha256, entry.key, reader.location(entry.key), entry.size)
    try:
        if not _SHA256.match(entry.sha256):
            raise Rejected("hash_mismatch", "its name is not a SHA-256, so its bytes cannot be checked")
        if entry.size > context.max_bytes:
            raise Rejected("too_large", f"{entry.size} bytes, above the {context.max_bytes >> 20} MiB cap")
        with tempfile.NamedTemporaryFile(prefix="codetape-dataset-", suffix=".ctape",
                                         dir=context.scratch) as copy:
            sha256, outcome.size = reader.fetch(entry.key, Path(copy.name), context.max_bytes)
            if sha256 != entry.sha256:
                raise Rejected("hash_mismatch", f"its bytes hash to {sha256[:16]}..., not to the name it is "
                               "stored under (changed at rest, or misnamed)")
            _check(Path(copy.name), entry, context, reader, outcome, staging)
    except Rejected as refusal:
        outcome.reason, outcome.detail, outcome.tables = refusal.reason, refusal.detail, {}
        outcome.episode_row = None
    return outcome


def _check(path: Path, entry: Entry, context: Context, reader: Readable, outcome: DatasetOutcome,
           staging: str | None) -> None:
    try:
        episode = open_episode(path, WORKER_LIMITS)
    except EpisodeTooLarge as exc:
        raise Rejected("too_large", str(exc)) from None
    except EpisodeError as exc:
        raise Rejected("format", str(exc)) from None
    outcome.episode_id, outcome.month = str(episode.header.episode_id), month_of(episode)
    if episode.consent is None:
        raise Rejected("unsigned", "it carries no consent frame: it was never signed")
    try:
        statement = check_signature(episode)
        _signature, statement_bytes = unpack_payload(episode.consent)
    except EpisodeError as exc:
        raise Rejected("signature", str(exc)) from None
    outcome.content_sha256, outcome.signer_key_id = statement.content.sha256, statement.reviewer.key_id
    if entry.revocation:
        record = reader.read_bytes(revocation_key(entry.sha256), MAX_RECORD)
        if record is not None:
            verdict = judge(record, entry.sha256, statement.reviewer.public_key)
            if verdict.reason == "revoked":
                raise verdict
            outcome.unverified = verdict.detail
    expired = None if context.as_of is None else expiry(statement.terms.retain_until, context.as_of)
    if expired is not None:
        raise expired
    epoch = _admit(statement, context)
    check_signed_licence(statement.terms.licence)
    if epoch is not None and context.issuer is not None:
        outcome.unlinkable = True
        outcome.held = context.issuer.held(epoch) or ""
        if outcome.held:
            return
    if context.licences is not None:
        context.licences.check(statement.terms.licence)
    if context.require_policy is not None:
        _check_policy(statement.terms.managed_policy_sha256, statement.terms.managed_scope_sha256,
                      context.require_policy)
    if entry.manifest:
        _check_manifest(reader.read_bytes(manifest_key(entry.sha256), MAX_MANIFEST), outcome, statement_bytes)
    exports = InPass(episode, entry.sha256, entry.key, statement.reviewer.key_id, context.exports, staging) \
        if context.exports else None
    try:
        outcome.tables = _rows(episode, statement, statement_bytes, entry, context, outcome.size, exports)
    except BaseException:
        if exports is not None:
            exports.discard()
        raise
    outcome.episode_row = outcome.tables.pop("episodes")
    outcome.exports = None if exports is None else exports.close()


def _admit(statement: ConsentStatement, context: Context) -> str | None:
    """Rejected unless --trust admits the signer or --trust-issuer its key (then its month is returned)."""
    reviewer = statement.reviewer
    if context.issuer is not None and (reviewer.authorisation is not None or context.trust is None):
        return context.issuer.check(statement)
    if context.trust is not None and not context.trust.admits(reviewer):
        raise Rejected("untrusted_signer", f"signed by key {reviewer.key_id}, which --trust does not list")
    return None


def _check_policy(signed: str | None, scope: str | None, required: str) -> None:
    """Rejected("policy") unless the statement names the managed policy --require-policy gives: its
    top-level file's digest, or that of the file whose scope governed the episode."""
    if scope is not None and scope == required:
        return
    if signed is None and scope is None:
        raise Rejected("policy", f"it was signed under no managed policy; --require-policy wants "
                       f"{required[:16]}...")
    if signed != required:
        under = signed or scope or ""
        raise Rejected("policy", f"it was signed under the managed policy {under[:16]}..., not the "
                       f"{required[:16]}... --require-policy wants")


def _check_manifest(data: bytes | None, outcome: DatasetOutcome, statement_bytes: bytes) -> None:
    if data is None:
        return
    try:
        manifest = decoded(data, UploadManifest)
    except msgspec.MsgspecError as exc:
        raise Rejected("manifest_mismatch",
                       f"the manifest beside it is invalid ({first_error(exc)})") from None
    said = (manifest.sha256, manifest.bytes, str(manifest.episode_id), manifest.signer_key_id,
            manifest.statement_sha256)
    found = (outcome.sha256, outcome.size, outcome.episode_id, outcome.signer_key_id,
             hashlib.sha256(statement_bytes).hexdigest())
    names = ("sha256", "bytes", "episode_id", "signer_key_id", "statement_sha256")
    for name, claimed, real in zip(names, said, found, strict=True):
        if claimed != real:
            raise Rejected("manifest_mismatch", f"the manifest beside it says {name} {claimed}, the episode "
                           f"has {real}")


def _rows(episode: Episode, statement: ConsentStatement, statement_bytes: bytes, entry: Entry,
          context: Context, size: int, exports: InPass | None) -> dict[str, pa.Table]:
    summary = summarize(episode, ())
    rows = StepRows(str(episode.header.episode_id), statement.reviewer.key_id, month_of(episode),
                    licence=statement.terms.licence)

    def before(index: int, step: Step, workspace: Workspace) -> None:
        rows.before(index, step, workspace)
        if exports is not None:
            exports.before(index, step, workspace)

    def observe(index: int, step: Step, workspace: Workspace) -> None:
        summary.add(step)
        rows.observe(index, step, workspace)
        if exports is not None:
            exports.after(index, step, workspace)

    try:
        verify_replay(episode, observe=observe, before=before)
    except (EpisodeTooLarge, FilesTooLarge) as exc:
        raise Rejected("too_large", str(exc)) from None
    except EpisodeError as exc:
        raise Rejected("format", str(exc)) from None
    except ReconstructionError as exc:
        raise Rejected("replay", str(exc)) from None
    if episode.skipped:
        kinds = ", ".join(sorted(episode.skipped))
        count = sum(episode.skipped.values())
        raise Rejected("format", f"it holds {count} steps of kinds this codetape does not know ({kinds}); a "
                       "newer codetape can build it")
    try:
        check_scope(statement, summary)
    except EpisodeError as exc:
        raise Rejected("consent_scope", str(exc)) from None
    if context.origins is not None:
        context.origins.check(rows.inserted, rows.written)
    tables = rows.finish()
    tables["episodes"] = episode_table(episode, statement, statement_bytes, sha256=entry.sha256,
                                       key=entry.key, size=size, build=context.build, summary=summary,
                                       rows=rows)
    return tables
