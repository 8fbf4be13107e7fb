"""Signing an episode: copy its header, step frames and keyframes, add the signed consent frame, seal a new
trailer.

The copy is byte for byte (no re-encoding), so what was reviewed is what gets signed. Keyframes are
copied (the signature covers them) only after the replay has checked each against the steps, so a
keyframe holds nothing the reviewed steps do not. Optional frames this codetape does not know are
dropped: nobody reviewed them.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from collector import __version__
from collector.atomic import atomic_file
from collector.consent.episode_keys import take_key
from collector.consent.errors import SigningRefused
from collector.consent.exclusions import exclusions_digest
from collector.consent.keys import KeyInfo, encode_public, load_private
from collector.consent.repository import RepositoryKnowledge
from collector.consent.statement import (
    MAX_STATEMENT,
    encode_statement,
    pack_payload,
    parse_statement,
    signed_message,
    unpack_payload,
)
from collector.consent.unlinkable import Timing, day_only, epoch_of, minimise_episode, minimised_statement
from collector.consent.verify import PREAMBLE, check_signature
from collector.episode import Episode, open_episode
from collector.episode.container import (
    CONSENT,
    HEADER,
    KEYFRAME,
    OPTIONAL,
    STEPS,
    TRAILER,
    TRAILER_PAYLOAD,
    encode_frame,
    iter_frames,
    read_preamble,
)
from collector.episode.summary import Summary, summarize
from collector.errors import EpisodeError, ReconstructionError
from collector.home import Home
from collector.ohttp.limits import MAX_OBJECT
from collector.policy.config import load_config
from collector.policy.managed import limits_problem
from collector.policy.sharing import SigningPolicy, load_signing_policy
from collector.protocol.clock import utc_now
from collector.text.validation import first_error
from schemas import Step
from schemas.consent import (
    ConsentAuthorisation,
    ConsentContent,
    ConsentRedaction,
    ConsentReviewer,
    ConsentScope,
    ConsentSoftware,
    ConsentStatement,
)
from schemas.steps import RedactionStep

MAX_STATEMENT_FILES = 1_000_000


def sign_episode(src: Path, dst: Path, home: Home, *, passphrase: str | None = None,
                 workspace_policy: SigningPolicy | None = None, redaction: Mapping[str, Any] | None = None,
                 scope_files: list[str] | None = None, now: datetime | None = None,
                 excluded: Iterable[str] = (), unlinkable: Timing | None = None,
                 known: RepositoryKnowledge | None = None,
                 whole: frozenset[str] = frozenset()) -> ConsentStatement:
    """Write `src` signed to `dst` (atomically; `dst` may be `src`) and return the statement signed.

    Refuses (SigningRefused, KeyProblem, EpisodeError) an episode already signed, damaged, holding step
    kinds this codetape cannot show, touching files outside `scope_files` or under a mandatory
    exclusion, or from a repository whose licence the policy does not allow. `redaction` is the
    redaction summary (`RedactionSummary.to_dict()`: `rules_version`, `counts` of distinct values per
    rule; other keys are not recorded); without it, the counts come from the redaction steps.
    `excluded`: more globs kept out (the review's, the workspace's capture exclusions kept beside the
    sealed episode), bound with the header's and the policy's as a keyed hash (`exclusions.py`), never
    written.

    The statement's terms carry the retention date (`retain_until`: the policy's, SigningPolicy.retained;
    refused when later than the managed policy's or already past on the signing day) and the managed
    policy's SHA-256, when there are, in both modes.

    `unlinkable` (a timing: "drawn", `[consent] timing`'s default, "retimed", "coarse" or "exact"): sign
    in unlinkable mode. The episode is minimised first (unlinkable.py: the day only, versions at release
    level, no folder name nor remote but a shared one the managed policy lists, commit and conversation
    ids as pseudonyms, step times drawn with no typing rhythm nor pausing habit, re-timed with pauses to
    the second, floored to 100 ms steps or kept, as the timing says, every command's arguments shaped but
    those whose text as typed is in `whole`, which the review kept whole; the statement's versions at
    release level too), then
    signed with a per-episode key taken from the enrolment store for this month (marked used before the
    signature is written, and only once nothing else refuses the episode), its statement carrying the
    issuer's authorisation of that key instead of the contributor's own, and `signed_at` the day only.
    `known`: what the episode's repository lets a holder of the company's copy match (repository.py),
    scrubbed from every text (None: only what the episode recorded).
    """
    if unlinkable is not None:
        with tempfile.TemporaryDirectory(prefix="codetape-unlinkable-") as scratch:
            _unsigned(src, dst)
            policy = workspace_policy if workspace_policy is not None else load_signing_policy(
                home, None, remotes=[(header := open_episode(src).header).workspace.git_remote],
                head=header.workspace.head_at_start)
            shared = policy.managed.policy.shared_remotes if policy.managed is not None else []
            minimised = minimise_episode(src, Path(scratch) / "minimised.ctape", unlinkable, shared, known,
                                         whole)
            moment = now or utc_now()
            return _sign(minimised, dst, home, _EpisodeKey(home, unlinkable, moment), policy,
                         redaction, scope_files, day_only(moment), excluded)
    private, info = load_private(home, passphrase)
    return _sign(src, dst, home, _OwnKey(private, info), workspace_policy, redaction, scope_files,
                 (now or utc_now()).astimezone(UTC), excluded)


class _OwnKey:
    """Attributed mode: the contributor's own key signs, its public key in the statement."""

    timing = None

    def __init__(self, private: Ed25519PrivateKey, info: KeyInfo) -> None:
        self.private, self.info = private, info

    def take(self) -> tuple[Ed25519PrivateKey, ConsentReviewer]:
        return self.private, ConsentReviewer(public_key=self.info.public_b64, key_id=self.info.key_id)


class _EpisodeKey:
    """Unlinkable mode: an unused per-episode key of this month, taken (marked used) by `take`."""

    def __init__(self, home: Home, timing: Timing, now: datetime) -> None:
        self.home, self.timing, self.now = home, timing, now

    def take(self) -> tuple[Ed25519PrivateKey, ConsentReviewer]:
        key = take_key(self.home, epoch_of(self.now))
        authorisation = msgspec.convert(key.authorisation.to_json(), ConsentAuthorisation)
        return key.private(), ConsentReviewer(public_key=encode_public(key.public_key), key_id=key.key_id,
                                              authorisation=authorisation)


def _sign(src: Path, dst: Path, home: Home, signer: _OwnKey | _EpisodeKey,
          workspace_policy: SigningPolicy | None, redaction: Mapping[str, Any] | None,
          scope_files: list[str] | None, signed_at: datetime, excluded: Iterable[str]) -> ConsentStatement:
    """The steps of signing: the episode unsigned, reviewable, in scope, allowed; the statement; the file."""
    episode = _unsigned(src, dst)
    summary, redactions = _reviewable(episode)
    files = _in_scope(episode, summary, scope_files)
    policy = _allowing(home, workspace_policy, files, signed_at, unlinkable=isinstance(signer, _EpisodeKey),
                       remote=episode.header.workspace.git_remote,
                       head=episode.header.workspace.head_at_start)
    _within_limits(policy, episode)
    if isinstance(signer, _EpisodeKey):
        _within_relay(home, episode)
    private, reviewer = signer.take()  # in unlinkable mode the key is used from here on
    draft = _draft(episode, summary, files, policy, reviewer, signed_at, signer.timing,
                   exclusions_digest(private, episode.header.episode_id,
                                     [*episode.header.capture.exclude, *policy.mandatory_exclude, *excluded]),
                   _redaction(redaction, redactions))
    if isinstance(signer, _EpisodeKey):
        draft = minimised_statement(draft)
    return _write_signed(episode, dst, draft, private)


def _unsigned(src: Path, dst: Path) -> Episode:
    """The episode at `src`, refused when already signed or when `dst` is another file already there."""
    if dst.exists() and not (src.exists() and os.path.samefile(src, dst)):
        raise SigningRefused(f"cannot sign into {dst}: it already exists")
    episode = open_episode(src)
    if episode.consent is not None:
        raise SigningRefused(f"{src} is already signed{_signer(episode)}; an episode is signed once")
    return episode


def _reviewable(episode: Episode) -> tuple[Summary, dict[str, set[str]]]:
    """The episode's summary and its redactions' placeholders by rule; refused when it holds steps this
    codetape cannot show or does not replay."""
    redactions: dict[str, set[str]] = {}
    summary = summarize(episode, _collecting_redactions(episode.steps(), redactions))
    if episode.skipped:
        kinds = ", ".join(sorted(episode.skipped))
        raise SigningRefused(f"{episode.path} holds {sum(episode.skipped.values())} steps of kinds this "
                             f"codetape cannot show ({kinds}); upgrade codetape to review and sign it")
    from collector.verify.integrity import verify_replay  # here: `codetape verify` imports this package

    try:
        verify_replay(episode)
    except ReconstructionError as exc:
        raise SigningRefused(f"{episode.path} does not replay, so it cannot be signed: {exc}") from None
    return summary, redactions


def _in_scope(episode: Episode, summary: Summary, scope_files: list[str] | None) -> list[str]:
    """The files the episode touches (sorted), refused outside the reviewed scope or too many to list."""
    files = sorted(summary.files)
    if scope_files is not None:
        outside = sorted(set(files) - set(scope_files))
        if outside:
            raise SigningRefused(f"{episode.path} touches {outside[0]!r}, which is outside the reviewed "
                                 "scope")
    if len(files) > MAX_STATEMENT_FILES:
        raise SigningRefused(f"{episode.path} touches {len(files)} files, more than a statement lists "
                             f"({MAX_STATEMENT_FILES})")
    return files


def _allowing(home: Home, workspace_policy: SigningPolicy | None, files: list[str], signed_at: datetime, *,
              unlinkable: bool, remote: str | None, head: str | None = None) -> SigningPolicy:
    """The sharing policy signing is under, refused when it forbids these files or its retention."""
    policy = workspace_policy if workspace_policy is not None else load_signing_policy(
        home, None, remotes=[remote], head=head)
    require_policy(policy, files, unlinkable=unlinkable)
    retention = policy.retention_problem(signed_at.date())
    if retention is not None:
        raise SigningRefused(f"cannot sign: {retention}")
    return policy


def _within_limits(policy: SigningPolicy, episode: Episode) -> None:
    """Refused when the episode holds a channel or a file text above the size cap that the managed policy
    forbids (sealed before it said so: the sign-off trims it to them first, review/choices.py)."""
    problem = limits_problem(policy.managed, episode.steps())
    if problem is not None:
        raise SigningRefused(f"cannot sign: {problem}")


def _within_relay(home: Home, episode: Episode) -> None:
    """Refused when a relay is set and the signed episode could be above what one sealed request carries:
    it would have to go around the relay, which names this machine to the store."""
    if load_config(home).upload.relay is None:
        return
    size = episode.path.stat().st_size + MAX_STATEMENT
    if size > MAX_OBJECT:
        raise SigningRefused(f"cannot sign: the episode is {size >> 20} MiB, above the "
                             f"{MAX_OBJECT >> 20} MiB one request through the relay takes ([upload] relay); "
                             "trim it (codetape review) and sign again")


def _draft(episode: Episode, summary: Summary, files: list[str], policy: SigningPolicy,
           reviewer: ConsentReviewer, signed_at: datetime, timing: Timing | None, excluded_sha256: str,
           redaction: ConsentRedaction) -> ConsentStatement:
    """The statement but for its content's hash and length (known once the content is copied)."""
    header = episode.header
    return ConsentStatement(
        content=ConsentContent(sha256="0" * 64, bytes=PREAMBLE, episode_id=header.episode_id,
                               started_at=header.started_at, step_count=episode.step_count,
                               first_t_ms=summary.first_t_ms, last_t_ms=summary.last_t_ms),
        scope=ConsentScope(files=files, channels=list(header.capture.channels),
                           excluded_sha256=excluded_sha256),
        redaction=redaction,
        terms=policy.terms(),
        reviewer=reviewer,
        signed_at=signed_at,
        timing=timing,
        software=ConsentSoftware(codetape_version=__version__, recorded_with=header.codetape_version,
                                 editor=header.client),
    )


def _write_signed(episode: Episode, dst: Path, draft: ConsentStatement,
                  private: Ed25519PrivateKey) -> ConsentStatement:
    """Copy the episode's content to `dst` (atomically) with the statement for it, signed, and a new
    trailer; checked before it replaces anything. Returns the statement signed."""
    src = episode.path
    try:
        with open(src, "rb") as source, atomic_file(dst) as staged:
            out = staged.file
            written = hashlib.sha256()
            length = _copy_content(source, out, episode, written)
            content = written.digest()
            statement = msgspec.structs.replace(draft, content=msgspec.structs.replace(
                draft.content, sha256=content.hex(), bytes=length))
            statement_bytes = encode_statement(statement)
            if len(statement_bytes) > MAX_STATEMENT:
                raise SigningRefused(f"the consent statement for {src} would take {len(statement_bytes)} "
                                     f"bytes, above the {MAX_STATEMENT} a verifier accepts")
            signature = private.sign(signed_message(content, statement_bytes))
            _finish(out, pack_payload(signature, statement_bytes), episode.step_count, written)
            check_signature(open_episode(staged.path))  # before it replaces anything
    except OSError as exc:
        raise SigningRefused(f"cannot write the signed episode to {dst}: {exc.strerror}") from None
    return statement


def unsigned_copy(src: Path, dst: Path) -> None:
    """The episode signed at `src` as it was signed, unsigned, at `dst` (atomically): its content (preamble,
    header, step frames, keyframes, byte for byte, as signing copied them) and a trailer over it, the
    consent frame left out. What an episode signed attributed is signed again from, unlinkably
    (review/resign.py)."""
    episode = open_episode(src)
    if episode.consent is None:
        raise SigningRefused(f"{src} is not signed")
    try:
        with open(src, "rb") as source, atomic_file(dst) as staged:
            written = hashlib.sha256()
            _copy_content(source, staged.file, episode, written)
            trailer = TRAILER_PAYLOAD.pack(episode.step_count, written.digest())
            staged.file.write(encode_frame(TRAILER, trailer))
            staged.file.flush()
            open_episode(staged.path)  # whole, before it is kept
    except OSError as exc:
        raise SigningRefused(f"cannot write the unsigned episode to {dst}: {exc.strerror}") from None


def _copy_content(source: BinaryIO, out: BinaryIO, episode: Episode, written: Any) -> int:
    """Copy preamble, header, step frames and keyframes, hashing them into `written`; returns their length."""
    read_preamble(source)
    source.seek(0)
    preamble = source.read(PREAMBLE)
    whole = hashlib.sha256(preamble)  # the source's trailer hash, to catch a file changed under us
    written.update(preamble)
    out.write(preamble)
    length = len(preamble)
    chunks = 0
    for frame in iter_frames(source, whole):
        if frame.type == TRAILER:
            break
        if frame.type not in (HEADER, STEPS, KEYFRAME):
            continue
        data = encode_frame(frame.type, frame.payload, frame.flags)
        written.update(data)
        out.write(data)
        length += len(data)
        chunks += frame.type == STEPS
    if whole.digest() != episode.sha256 or chunks != episode.chunk_count:
        raise EpisodeError(f"{episode.path} changed while it was being signed; sign it again")
    return length


def _finish(out: BinaryIO, payload: bytes, step_count: int, written: Any) -> None:
    """Append the consent frame and a trailer over everything before it (flushed, for the check)."""
    frame = encode_frame(CONSENT, payload, OPTIONAL)
    written.update(frame)
    out.write(frame)
    out.write(encode_frame(TRAILER, TRAILER_PAYLOAD.pack(step_count, written.digest())))
    out.flush()


def _collecting_redactions(steps: Iterator[Step], placeholders: dict[str, set[str]]) -> Iterator[Step]:
    """`steps` unchanged, collecting each redaction step's placeholder by rule."""
    for step in steps:
        if isinstance(step, RedactionStep):
            placeholders.setdefault(step.rule, set()).add(step.placeholder)
        yield step


def _redaction(given: Mapping[str, Any] | None, placeholders: dict[str, set[str]]) -> ConsentRedaction:
    """The distinct values per rule the shared steps' `redaction` steps name, and the rules version the
    summary given (RedactionSummary.to_dict()) says: only findings in what is shared are signed (a rule
    whose values were all in what the review excluded or dropped would say what those held)."""
    counts = {rule: len(values) for rule, values in sorted(placeholders.items())}
    if given is None:
        return ConsentRedaction(counts=counts)
    try:
        summary = msgspec.convert({"rules_version": given.get("rules_version") or None,
                                   "counts": dict(given.get("counts") or {})}, ConsentRedaction)
        return msgspec.structs.replace(summary, counts=counts)
    except (msgspec.ValidationError, TypeError, ValueError) as exc:
        detail = first_error(exc) if isinstance(exc, msgspec.ValidationError) else str(exc)
        raise SigningRefused(f"the redaction summary is invalid: {detail}") from None


def _signer(episode: Episode) -> str:
    try:
        _signature, statement = unpack_payload(episode.consent or b"")
        return f" by key {parse_statement(statement).reviewer.key_id}"
    except EpisodeError:
        return ""


def require_policy(policy: SigningPolicy, files: list[str], *, unlinkable: bool = False) -> None:
    """Raise SigningRefused when the licence, the managed policy (its purposes, its consent mode: pass
    `unlinkable` for an unlinkable signature) or a mandatory exclusion forbids signing these files."""
    refusal = policy.refusal(files, unlinkable=unlinkable)
    if refusal is not None:
        raise SigningRefused(refusal)
