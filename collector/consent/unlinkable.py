"""Unlinkable mode's minimisation: what an episode says of when, with what and where, before its own key
signs it.

    minimise_episode(src, dst, timing, shared_remotes, known, whole, seed) -> a new unsigned episode, the same
        steps, with
        header.started_at                the UTC day only (00:00:00Z)
        header.codetape_version          major.minor ("0.1.0" -> "0.1"; generalise.py)
        header.client, header.editors    none: the editors and their builds (an Insiders build is a
                                         minor ahead) are what the fleet's configuration says each laptop
                                         runs
        header.capture                   idle_timeout_s and max_file_bytes at their defaults, the
                                         channels in canonical order (they stay: the review says when a
                                         set other than the default singles the contributor out)
        header.workspace                 root_name NEUTRAL_ROOT; git_remote only when it names one of
                                         the managed policy's `shared_remotes` (as the policy spells it),
                                         else none: a folder or a fork's owner names its contributor
        every step's t_ms, duration_ms   drawn (retime.py; timing "drawn", the default: a burst at one
        (test_run's per-test duration_ms time, its pauses drawn within buckets, a save or test run
        and a gap's until_ms as well)    standing in a pause at its burst's time), re-timed ("retimed":
                                         pauses in whole seconds), floored to COARSE_MS (100 ms;
                                         "coarse"), or kept ("exact"); drawn from a random.Random of
                                         `seed`, by default 128 bits from the system for this episode
                                         alone, kept nowhere (nothing of the contributor's or the episode's)
        every commit id                  a per-episode pseudonym (pseudonyms.py): git steps' sha,
                                         parents, old and new, header.workspace.head_at_start
        agent conversation ids           per-episode pseudonyms (agent steps' `session`)
        a git step's local branch, tag   a per-episode pseudonym (`ref`; scrub.py)
        every free text                  (schemas/text_fields.py) scrubbed with what the repository
                                         `known`s (repository.py, scrub.py): every unpushed commit id
                                         wherever it stands, every identity it records (its trailers'
                                         too), its remotes' owners where a remote is written (but
                                         `shared_remotes`'), its local branches and tags, and the times
                                         of day of the episode's period (wallclock.py): the second and
                                         the zone a commit id hashes
        an agent's session_start detail  its versions major.minor, its model names their family
                                         (ACP's "NAME VERSION"; generalise.py agent_label)
        every command's arguments        shaped (command_shape.py): a `command`'s argv and command line,
                                         a `test_run`'s args, an agent step's command line keep the
                                         program, subcommand and flags, every other argument its kind
                                         and shape (`tests/«dir»/test_«name».py`, `«number:2»`, `«word»`);
                                         but those the review kept `whole` (commands.py)

    minimised_statement(statement) -> the statement's `software` (codetape, recorder; no editor) and
        `redaction.rules_version` at release level ("2026.12.3+custom2" -> "2026.12")

Keyframes are never copied: the writer takes new ones from the steps written. The replay does not depend on
times, so the minimised episode replays as the original did; the statement's `signed_at` keeps the day only
too (sign.py). What stays is the content: paths, texts, what the commits changed and their messages, and
whether a file's first text was the one HEAD held at the start (`head_text`, a snapshot's `at_head`): a
word of three values of a text the episode holds, naming no commit, person or machine; a holder of the
repository tells as much from the text, and no two episodes share anything through it.
`verify --against-git` checks the unsigned copy the contributor keeps (its commit ids are git's, its
workspace and remote the real ones); the signed copy's are pseudonyms, which no repository holds.
"""
from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import msgspec

from collector.consent.authorisation import Authorisation, IssuerRecord, verify_authorisation
from collector.consent.commands import shaped_unless
from collector.consent.generalise import agent_label, default_capture, major_minor
from collector.consent.keys import decode_public
from collector.consent.pseudonyms import Pseudonyms
from collector.consent.repository import RepositoryKnowledge
from collector.consent.retime import BUCKET_MS, Retiming, retimed
from collector.consent.scrub import Scrub
from collector.consent.wallclock import Period, wall_clock_period
from collector.episode import open_episode, write_episode_file
from collector.policy.remotes import is_shared
from collector.reconstruct.keyframes import keyframe_states
from schemas import EpisodeHeader, Step
from schemas import steps as kinds
from schemas.common import plain
from schemas.consent import COARSE_MS, ConsentStatement
from schemas.header import WorkspaceIdentity
from schemas.text_fields import map_free_text

Timing = Literal["drawn", "retimed", "coarse", "exact"]
NEUTRAL_ROOT = "workspace"  # the folder's name in every unlinkable episode


def day_only(moment: datetime) -> datetime:
    """00:00:00 UTC of `moment`'s UTC date."""
    utc = moment.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, tzinfo=UTC)


def epoch_of(moment: datetime) -> str:
    """The issuer's month ("YYYY-MM", UTC) whose key authorises an episode signed at `moment`."""
    utc = moment.astimezone(UTC)
    return f"{utc.year:04d}-{utc.month:02d}"


def minimised_header(header: EpisodeHeader, names: Pseudonyms,
                     shared_remotes: Sequence[str] = ()) -> EpisodeHeader:
    """`header` as an unlinkable episode keeps it (see the module's docstring)."""
    return msgspec.structs.replace(
        header, codetape_version=major_minor(header.codetape_version), started_at=day_only(header.started_at),
        client=None, editors=None, capture=default_capture(header.capture),
        workspace=neutral_workspace(header.workspace, names, shared_remotes))


def neutral_workspace(workspace: WorkspaceIdentity, names: Pseudonyms,
                      shared_remotes: Sequence[str]) -> WorkspaceIdentity:
    """The workspace as NEUTRAL_ROOT, its start a pseudonym, its remote only when it names one of
    `shared_remotes` (the managed policy's), spelt as the policy spells it."""
    shared = next((url for url in shared_remotes if is_shared(workspace.git_remote, [url])), None)
    return WorkspaceIdentity(root_name=NEUTRAL_ROOT, git_remote=shared,
                             head_at_start=names.commit_or_none(workspace.head_at_start))


def minimised_statement(statement: ConsentStatement) -> ConsentStatement:
    """An unlinkable statement's software and redaction rules at their release level (major.minor)."""
    software, redaction = statement.software, statement.redaction
    return msgspec.structs.replace(
        statement,
        software=msgspec.structs.replace(software, codetape_version=major_minor(software.codetape_version),
                                         recorded_with=major_minor(software.recorded_with),
                                         editor=None),
        redaction=msgspec.structs.replace(redaction, rules_version=None if redaction.rules_version is None
                                          else major_minor(redaction.rules_version)))


def coarse(ms: int) -> int:
    return ms - ms % COARSE_MS


def coarsen(step: Step) -> Step:
    """`step` with its time and durations floored to COARSE_MS."""
    changes: dict[str, object] = {"t_ms": coarse(step.t_ms)}
    if isinstance(step, kinds.CommandStep):
        changes["duration_ms"] = coarse(step.duration_ms)
    elif isinstance(step, kinds.TestRunStep):
        changes["duration_ms"] = coarse(step.duration_ms)
        changes["tests"] = [msgspec.structs.replace(test, duration_ms=coarse(test.duration_ms))
                            for test in step.tests]
    elif isinstance(step, kinds.GapStep) and step.until_ms is not None:
        changes["until_ms"] = coarse(step.until_ms)
    return msgspec.structs.replace(step, **changes)


def minimise_episode(src: Path, dst: Path, timing: Timing, shared_remotes: Sequence[str] = (),
                     known: RepositoryKnowledge | None = None, whole: frozenset[str] = frozenset(),
                     seed: int | None = None) -> Path:
    """Write `src` minimised (see the module's docstring) to `dst`, keeping its git remote when it is one
    of `shared_remotes`, its texts scrubbed with what its repository `known`s (scrub.py), its commands
    shaped but those whose text as typed is in `whole` (the review kept them whole), its times drawn from
    `seed` (None: 128 bits from the system, for this episode alone and kept nowhere); returns `dst`."""
    episode = open_episode(src)
    known = known.sharing(shared_remotes) if known is not None else RepositoryKnowledge()
    names = Pseudonyms(commit_ids(episode.header, episode.steps()), unpushed=known.unpushed)
    scrub = Scrub(names, known, episode_period(episode.header, episode.steps()))
    steps: Iterator[Step] = (generalised(pseudonymised(shaped_unless(step, whole), names, scrub))
                             for step in episode.steps())
    if timing == "coarse":
        steps = (coarsen(step) for step in steps)
    elif timing in ("drawn", "retimed"):
        draw = random.Random(seed if seed is not None else secrets.randbits(128))
        retiming = Retiming.of_steps(episode.steps(), draw, BUCKET_MS if timing == "drawn" else None)
        steps = (retimed(step, retiming, index) for index, step in enumerate(steps))
    header = minimised_header(episode.header, names, shared_remotes)
    write_episode_file(dst, header, steps, states=keyframe_states(header.position_encoding))
    return dst


def episode_period(header: EpisodeHeader, steps: Iterable[Step]) -> Period:
    """When the episode was recorded: its start to its last step."""
    return wall_clock_period(header.started_at, max((step.t_ms for step in steps), default=0))


def commit_ids(header: EpisodeHeader, steps: Iterable[Step]) -> Iterator[str]:
    """Every commit id the episode holds: the header's start and its git steps' ids."""
    if header.workspace.head_at_start is not None:
        yield header.workspace.head_at_start
    for step in steps:
        if type(step) is kinds.GitStep:
            yield from (value for value in (step.sha, step.old, step.new, *step.parents) if value is not None)


def pseudonymised(step: Step, names: Pseudonyms, scrub: Scrub | None = None) -> Step:
    """`step` with its commit ids, local branch and agent conversation id replaced by this episode's
    pseudonyms, and every free text (schemas/text_fields.py) scrubbed (scrub.py: the repository's
    unpushed ids, identities and branches, the wall-clock times)."""
    scrub = scrub if scrub is not None else Scrub(names, RepositoryKnowledge())
    changes: dict[str, object] = {}
    if type(step) is kinds.GitStep:
        changes = {"sha": names.commit_or_none(step.sha), "old": names.commit_or_none(step.old),
                   "new": names.commit_or_none(step.new), "parents": [names.commit(p) for p in step.parents]}
    elif type(step) is kinds.AgentStep and step.session is not None:
        changes = {"session": names.agent_session(step.session)}
    changed = {key: value for key, value in changes.items() if getattr(step, key) != value}
    step = msgspec.structs.replace(step, **changed) if changed else step
    scrubbed = map_free_text(step, scrub.text)
    if type(step) is kinds.GitStep and step.ref is not None and type(scrubbed) is kinds.GitStep:
        ref = scrub.ref(step.ref)
        scrubbed = scrubbed if scrubbed.ref == ref else msgspec.structs.replace(scrubbed, ref=ref)
    return scrubbed


def generalised(step: Step) -> Step:
    """`step` with what describes the contributor generalised: an agent's self-description at its
    `session_start` (ACP's "NAME VERSION") to major.minor and model families (generalise.py)."""
    if type(step) is not kinds.AgentStep or step.event != "session_start" or step.detail is None:
        return step
    label = agent_label(step.detail)
    return step if label == step.detail else msgspec.structs.replace(step, detail=label)


def unlinkable_problem(statement: ConsentStatement) -> str | None:
    """Why an unlinkable statement does not hold what unlinkable mode promises (the day only, times in
    COARSE_MS steps unless exact), or None; None for an attributed statement too."""
    if statement.reviewer.authorisation is None:
        return None
    if statement.content.started_at != day_only(statement.content.started_at):
        return "unlinkable episode's start time holds a time of day"
    if statement.signed_at != day_only(statement.signed_at):
        return "unlinkable episode's signing time holds a time of day"
    if statement.timing in ("coarse", "retimed", "drawn"):
        times = (statement.content.first_t_ms, statement.content.last_t_ms)
        if any(t is not None and t % COARSE_MS for t in times):
            return f"unlinkable episode says its times are in {COARSE_MS} ms steps, and they are not"
    return None


def signed_how(statement: ConsentStatement) -> str:
    """Who signed, for a person to read: "by KEY_ID" (attributed: the contributor's key), or, unlinkable,
    the issuer that authorised the episode's own key (the key's id names nobody and is left out, so that
    no line reads as if a key were the signer's identity)."""
    authorisation = statement.reviewer.authorisation
    if authorisation is None:
        return f"by {statement.reviewer.key_id}"
    return unlinkably(authorisation.issuer, authorisation.epoch)


def unlinkably(issuer: str, epoch: str) -> str:
    """How an unlinkable episode was signed, in words: by whom it does not say, since it cannot."""
    return f"unlinkably, under an episode key authorised by issuer {issuer} for {epoch}"


def authorisation_problem(statement: ConsentStatement, record: IssuerRecord) -> str | None:
    """None when `statement`'s key carries `record`'s issuer's authorisation; else why not, in a few words."""
    given = statement.reviewer.authorisation
    if given is None:
        return "signed by a contributor's own key, with no issuer's authorisation"
    try:
        authorisation = Authorisation.from_json(plain(given))
    except ValueError as exc:
        return f"its authorisation is damaged ({exc})"
    return verify_authorisation(record, decode_public(statement.reviewer.public_key), authorisation)
