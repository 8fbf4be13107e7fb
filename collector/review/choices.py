"""How a review ends: sign into the outbox, keep for later (nothing to do), or discard.

Signing goes through `collector.consent.sign_episode` with the workspace's sharing policy and the
redaction summary (the sealing summary plus what the review masked); files the review renamed (a pattern
matched their path) are held to the policy's mandatory exclusions under their own names too. An episode
holding a channel or a file text above the size cap that the managed policy forbids (sealed before the
policy said so) is trimmed to its limits first, and the sign-off says what they took out. The statement
binds (as a keyed hash, never their text) the review's exclusions and the workspace's capture exclusions
kept beside the sealed episode; an episode sealed while its header still held those globs is first
rewritten without them (a trim that takes nothing out), so they are not published either. The signed
episode is written to CODETAPE_HOME/outbox as `<episode id>.ctape`; only once it is there is the unsigned
original removed from episodes/ (with its redaction summary). An episode outside episodes/ is left where
it is.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from collector.consent import sign_episode
from collector.consent.enrol import ensure_key, wants_keys
from collector.consent.local_tags import local_tags, remember_tags
from collector.consent.mode import signing_mode, upload_delay_max_s
from collector.consent.repository import RepositoryKnowledge, all_tags, read_repository
from collector.consent.scrub import file_text_names, file_text_patterns
from collector.consent.sign import require_policy
from collector.consent.unlinkable import Timing, episode_period, epoch_of, signed_how
from collector.consent.verify import find_consent
from collector.due import TOP_UP, delivered, due_at, schedule
from collector.episode import open_episode
from collector.errors import EpisodeError
from collector.home import Home
from collector.platform.files import fsync_dir
from collector.policy.sharing import SigningPolicy, load_signing_policy
from collector.protocol.clock import utc_now
from collector.review.continued import remember
from collector.review.errors import ReviewError
from collector.review.plan import TrimPlan
from collector.review.trim import TrimResult, trim_episode
from collector.seal.summaries import read_capture_exclude, read_summary, summary_path
from collector.upload.governing import keep_remotes, remotes_path
from collector.upload.pushed_since import keep_origin, origin_path
from collector.workspace.identity import workspace_remotes
from schemas.consent import ConsentStatement

SUFFIX = ".ctape"


@dataclass(frozen=True)
class Queued:
    """A signed episode waiting in the outbox."""

    path: Path
    statement: ConsentStatement
    removed: Path | None  # the unsigned original taken out of episodes/, if it was there
    fetched: int = 0  # unlinkable: episode keys fetched from the issuer for this signing (enrol.ensure_key)
    top_up_at: datetime | None = None  # unlinkable: when more keys are fetched, if this signing asked for it
    limited: str = ""  # what the managed policy's channels and size cap took out at signing (Beyond.says)

    def keys_note(self) -> str | None:
        """What the signing did about episode keys, in one line, when it did something."""
        notes = []
        if self.fetched:
            epoch = self.statement.reviewer.authorisation
            month = f" authorised for {epoch.epoch}" if epoch is not None else ""
            notes.append(f"fetched {self.fetched} episode keys{month} from the issuer (none was left)")
        if self.top_up_at is not None:
            at = self.top_up_at.isoformat(timespec="minutes").replace("+00:00", "Z")
            notes.append(f"more episode keys are fetched from the issuer at a random time of their own "
                         f"({at}), not at this signing, which the issuer would then learn")
        return "; ".join(notes) or None

    def signed(self) -> str:
        """"signed by KEY_ID", or, unlinkable, under which issuer's authorisation (never a key id)."""
        return f"signed {signed_how(self.statement)}"


def share_context(home: Home) -> tuple[Timing | None, tuple[str, bool] | None]:
    """How a share from this home would be signed and sent, for the review's managed-policy checks:
    (the timing it would be signed unlinkable with, None when attributed, (the upload destination
    configured, whether the managed policy allows it) or None when there is none or it cannot be read
    (status and upload say why))."""
    # the managed policy's checks only when the review checks a share
    from collector.errors import CodetapeError
    from collector.upload.destinations import named, policy_refusal

    try:
        unlinkable = signing_mode(home)
    except CodetapeError:
        unlinkable = None
    try:
        destination = named(home)
        if destination is None:
            return unlinkable, None
        return unlinkable, (destination.url, policy_refusal(destination) is None)
    except CodetapeError:
        return unlinkable, None


def sign_and_queue(original: Path, home: Home, *, trimmed: TrimResult | None = None,
                   passphrase: str | None = None, workspace: Path | None = None,
                   policy: SigningPolicy | None = None, scope_files: list[str] | None = None,
                   unlinkable: bool = False, whole: frozenset[str] = frozenset()) -> Queued:
    """Sign `original` (or its trimmed copy `trimmed`) into the outbox, then take the original out of
    episodes/. ConsentError (key, policy, refusal) or ReviewError when it cannot; nothing is removed then.
    Unlinkable (consent.sign_episode) when `unlinkable` or config.toml's `[consent] mode` says so: then a
    batch of episode keys is fetched from the issuer first when none is left for this month; when fewer
    than LOW_WATER are left after, or next month's are due in a month's last days (consent/enrol.py), a
    top-up is given a random time of its own (collector/due.py, run by the upload), never this signing's.
    Its upload time is drawn before the signed episode is in the outbox, so no upload can find it there
    without one; its texts are scrubbed with what the repository at `workspace` knows (consent/repository.py;
    `codetape sign --unlinkable` refuses when there is none to ask); its commands are shaped but those
    in `whole`, as typed, which the review kept whole (consent/commands.py)."""
    episode = open_episode(original)
    if episode.consent is not None:
        raise ReviewError(f"{original} is already signed; signed episodes go to the outbox as they are")
    policy = policy if policy is not None else load_signing_policy(
        home, workspace, remotes=[episode.header.workspace.git_remote],
        head=episode.header.workspace.head_at_start)
    outbox = home.ensure(home.outbox)
    target = outbox / f"{episode.header.episode_id}{SUFFIX}"
    if target.exists():
        raise ReviewError(f"{target} is already in the outbox; this episode was signed before")
    mode = signing_mode(home, unlinkable)
    if trimmed is not None and trimmed.renamed:  # the policy's globs know the files by their own names
        require_policy(policy, sorted(trimmed.renamed), unlinkable=mode is not None)
    captured = [*episode.header.capture.exclude, *read_capture_exclude(original)]
    fetched, epoch, delay_max_s = 0, epoch_of(utc_now()), upload_delay_max_s(home)
    if mode is not None:
        fetched = ensure_key(home, epoch)
        schedule(home, str(episode.header.episode_id), delay_max_s, utc_now())
    try:
        if mode is not None and workspace is not None:  # what the upload looks for on remote branches
            keep_origin(home, episode, workspace)
        keep_remotes(home, str(episode.header.episode_id), [  # which scope governs it, for the upload
            episode.header.workspace.git_remote, *(workspace_remotes(workspace) if workspace else [])],
            [(str(ref.path), ref.name) for ref in (policy.managed.scopes if policy.managed else ())])
        statement, limited = _sign(original, target, home, trimmed, passphrase, policy, scope_files,
                                   captured, mode, bool(episode.header.capture.exclude), workspace, whole)
    except BaseException:
        if mode is not None:
            delivered(home, str(episode.header.episode_id))  # not signed: no upload time
            origin_path(home, str(episode.header.episode_id)).unlink(missing_ok=True)
        remotes_path(home, str(episode.header.episode_id)).unlink(missing_ok=True)
        raise
    if mode is not None:  # what a later episode going on with this unpushed work would be linked by
        remember(episode, workspace, home)
        remember_tags(episode, home)  # and the tags it saw made, which only this clone holds
    removed = _take_out(original, home)
    top_up_at = None
    if mode is not None and due_at(home, TOP_UP) is None and wants_keys(home, epoch):
        top_up_at = schedule(home, TOP_UP, delay_max_s, utc_now())
    return Queued(target, statement, removed, fetched, top_up_at, limited)


def _sign(original: Path, target: Path, home: Home, trimmed: TrimResult | None, passphrase: str | None,
          policy: SigningPolicy, scope_files: list[str] | None, captured: list[str],
          mode: Timing | None, header_excludes: bool, workspace: Path | None,
          whole: frozenset[str] = frozenset()) -> tuple[ConsentStatement, str]:
    """The statement signed, and what the managed policy's limits took out ("" when nothing)."""
    known = None if mode is None or workspace is None else _knowledge(original, home, workspace, policy)
    with tempfile.TemporaryDirectory(prefix="codetape-sign-") as scratch:
        trimmed = _within_limits(original, Path(scratch), trimmed, policy)
        if mode is not None:  # unlinkable: file text masked by span, as `sign --redact` masks it
            trimmed = _masked(original, Path(scratch), trimmed, known or RepositoryKnowledge())
        if trimmed is None and header_excludes:  # sealed when headers still held them
            trimmed = trim_episode(original, Path(scratch) / original.name, TrimPlan())
        source = original if trimmed is None else trimmed.path
        summary = read_summary(original) if trimmed is None else trimmed.redaction
        statement = sign_episode(source, target, home, passphrase=passphrase, workspace_policy=policy,
                                 redaction=None if summary is None else summary.to_dict(),
                                 scope_files=scope_files,
                                 excluded=[*captured, *(() if trimmed is None else trimmed.plan.excludes)],
                                 unlinkable=mode, known=known, whole=whole)
    beyond = None if trimmed is None else trimmed.beyond
    return statement, beyond.says() if beyond else ""


def _within_limits(original: Path, scratch: Path, trimmed: TrimResult | None,
                   policy: SigningPolicy) -> TrimResult | None:
    """`trimmed` (None: the original as it is) kept to the managed policy's channels and size cap: an
    episode sealed before the policy set them is trimmed again from the original by the same plan with
    the limits added (the review adds them from the start: then nothing is left to do)."""
    limits = None if policy.managed is None else policy.managed.limits()
    if limits is None or (trimmed is not None and trimmed.plan.limits == limits):
        return trimmed
    if not limits.beyond(open_episode(original if trimmed is None else trimmed.path).steps()):
        return trimmed
    plan = TrimPlan(limits=limits) if trimmed is None else replace(trimmed.plan, limits=limits)
    return trim_episode(original, scratch / f"limited-{original.name}", plan)


def _knowledge(original: Path, home: Home, workspace: Path,
               policy: SigningPolicy) -> RepositoryKnowledge | None:
    """What the repository at `workspace` knows (consent/repository.py), but for the owners of the managed
    policy's `shared_remotes`, with the local tags the episode or an earlier unlinkable one of this home saw
    made (consent/local_tags.py)."""
    known = read_repository(workspace)
    if known is None:
        return None
    shared = policy.managed.policy.shared_remotes if policy.managed is not None else []
    return known.sharing(shared).with_tags(local_tags(open_episode(original), all_tags(workspace), home))


def _masked(original: Path, scratch: Path, trimmed: TrimResult | None,
            known: RepositoryKnowledge) -> TrimResult:
    """`original` trimmed by the plan so far (`trimmed`'s, or none) with what the repository knows masked in
    file text too, and every spelling of the episode's instants (consent/scrub.py file_text_patterns, as
    the reviewer's patterns are; the people and owners it knows as `«user»`, but on the lines a
    remote-tracking branch holds at the same path, file_text_names)."""
    plan = TrimPlan() if trimmed is None else trimmed.plan
    episode = open_episode(original)
    period = episode_period(episode.header, episode.steps())
    plan = replace(plan, patterns=(*plan.patterns, *file_text_patterns(known, period)),
                   names=file_text_names(known))
    return trim_episode(original, scratch / f"unlinkable-{original.name}", plan)


def check_discardable(path: Path) -> None:
    """ReviewError when `path` may not be discarded: it is signed (revoke it instead), or unreadable."""
    try:
        consent = find_consent(path)
    except EpisodeError as exc:
        raise ReviewError(f"cannot tell whether {path} is signed ({exc}); it stays") from None
    if consent is not None:
        raise ReviewError(f"{path} is signed; it stays (revoke it instead: codetape revoke)")


def discard_episode(path: Path) -> None:
    """Delete an unsigned episode and its redaction summary; a signed one is refused (revoke it instead)."""
    check_discardable(path)
    try:
        path.unlink()
    except OSError as exc:
        raise ReviewError(f"cannot delete {path}: {exc.strerror}") from None
    summary_path(path).unlink(missing_ok=True)
    fsync_dir(path.parent)


def _take_out(original: Path, home: Home) -> Path | None:
    """Remove the unsigned original (and its redaction summary) when it lives in episodes/."""
    try:
        inside = original.resolve().parent == home.episodes.resolve()
    except OSError:
        return None
    if not inside:
        return None
    try:
        original.unlink()
        summary_path(original).unlink(missing_ok=True)
        fsync_dir(original.parent)
    except OSError as exc:
        raise ReviewError(f"signed and queued, but {original} could not be removed ({exc.strerror}); "
                          "discard it: codetape discard " + os.fspath(original)) from None
    return original
