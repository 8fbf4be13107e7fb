"""What may leave the machine: checked again right before every upload, whatever the outbox holds.

An episode leaves only when it opens as an intact container, carries a consent frame whose signature
verifies with the user's own key (or, signed in unlinkable mode, with one of this home's per-episode
keys), whose statement matches the bytes and the steps (collector.consent),
when the sharing policy in force now (CODETAPE_HOME/policy.toml) still allows what was signed (purpose,
licence, repository licences, mandatory exclusions), when the organisation's managed policy governing it
now (policy/managed.py: its top-level keys and the scopes naming its repository, upload/governing.py) does
too (its mandatory exclusions; its channels and size cap, policy/limits.py: an episode signed before the
policy set them holds what it forbids; its consent mode; its destinations, checked by the transfer against
the store), and when it has not been revoked.
Anything else is UploadRefused with the reason; nothing is sent.

The upload threads check their episodes side by side: the episode reader keeps a zstd decompressor per
thread (collector/episode/container.py), the step types are compiled before any thread converts a step
(schemas/compiled.py: their first conversion in two threads at once crashed the process), and nothing
else here is shared.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from pathlib import Path

from collector.consent.episode_keys import episode_key
from collector.consent.errors import KeyProblem
from collector.consent.keys import encode_public, load_public
from collector.consent.statement import unpack_payload
from collector.consent.verify import check_scope, check_signature
from collector.episode import Episode, open_episode
from collector.episode.summary import summarize
from collector.errors import EpisodeError, PolicyError
from collector.home import Home
from collector.policy.managed import Managed, limits_problem
from collector.policy.sharing import POLICY_FILE, load_sharing_policy, merge
from collector.upload.errors import UploadRefused
from collector.upload.governing import governing, mode_problem
from schemas.consent import ConsentStatement

HASH_CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Cleared:
    """An episode cleared to leave, with what its upload needs."""

    path: Path
    episode_id: uuid.UUID
    sha256: str  # of the whole file: its content address
    size: int
    statement: ConsentStatement
    statement_sha256: str
    managed: Managed | None = None  # the managed policy governing it now (upload/governing.py)

    @property
    def signer(self) -> str:
        return self.statement.reviewer.key_id


def clear(path: Path, home: Home) -> Cleared:
    """Check `path` as the module docstring says; UploadRefused naming the first reason it may not leave.

    The file is hashed before and after the checks: the hash the upload sends under is of checked bytes."""
    before = file_sha256(path)
    try:
        episode = open_episode(path)
    except EpisodeError as exc:
        raise UploadRefused(f"{path} is damaged, so it stays: {exc}") from None
    eid = episode.header.episode_id
    if episode.consent is None:
        raise UploadRefused(f"{eid} is not signed, so it stays; review and sign it first: "
                            f"codetape review {eid}")
    try:
        statement = check_signature(episode)
        _require_own(home, eid, statement)
        check_scope(statement, summarize(episode))
    except EpisodeError as exc:
        raise UploadRefused(f"{eid} fails its consent check, so it stays: {exc}") from None
    try:
        managed = governing(home, str(eid), episode.header.workspace.git_remote,
                            unlinkable=statement.reviewer.authorisation is not None)
    except PolicyError as exc:
        raise UploadRefused(f"{eid} stays: {exc}") from None
    problem = policy_problem(home, statement) or managed_problem(episode, statement, managed)
    if problem is not None:
        raise UploadRefused(f"{eid} stays: {problem}")
    digest, size = file_sha256(path)
    if (digest, size) != before:
        raise UploadRefused(f"{path} changed while it was being checked; nothing was sent, try again")
    _signature, statement_bytes = unpack_payload(episode.consent)
    return Cleared(path, eid, digest, size, statement, hashlib.sha256(statement_bytes).hexdigest(), managed)


def _require_own(home: Home, eid: uuid.UUID, statement: ConsentStatement) -> None:
    """UploadRefused unless this home signed the episode: with its own key, or one of its episode keys."""
    reviewer = statement.reviewer
    if reviewer.authorisation is not None:
        key = episode_key(home, reviewer.key_id)
        if key is None or encode_public(key.public_key) != reviewer.public_key:
            raise UploadRefused(f"{eid} is signed by episode key {reviewer.key_id}, which is not one of this "
                                "home's: only episodes you signed leave this machine")
        return
    try:
        own = load_public(home)
    except KeyProblem as exc:
        raise UploadRefused(f"{eid} cannot be checked against a key of yours: {exc}") from None
    if reviewer.public_key != own.public_b64:
        raise UploadRefused(f"{eid} is signed by key {reviewer.key_id}, not by yours "
                            f"({own.key_id}): only episodes you signed leave this machine")


def policy_problem(home: Home, statement: ConsentStatement) -> str | None:
    """Why CODETAPE_HOME/policy.toml, as it stands now, forbids sharing what was signed; None if nothing."""
    source = home.root / POLICY_FILE
    try:
        policy = load_sharing_policy(source)
    except PolicyError as exc:
        return f"the sharing policy cannot be read ({exc})"
    if policy is None:
        return None
    terms = statement.terms
    for name, wanted, signed in (("purpose", policy.purpose, terms.purpose),
                                 ("licence", policy.licence, terms.licence)):
        if wanted is not None and wanted != signed:
            return (f"it was signed for {name} {signed!r}, but {source} now states {wanted!r}; only what "
                    "was agreed to leaves")
    if policy.allowed_licences is not None:
        allowed = ", ".join(policy.allowed_licences) or "none"
        found = terms.repository_licences
        if not found:
            return f"its repository's licence is unknown, and {source} allows only {allowed}"
        outside = [name for name in found if name not in policy.allowed_licences]
        if outside:
            return (f"its repository is licensed {outside[0]}, which {source} does not allow "
                    f"(allowed: {allowed})")
    hits = merge(policy, None, None).excluded_files(list(statement.scope.files))
    if hits:
        file, glob = hits[0]
        return f"it holds {file}, under {source}'s mandatory exclusion {glob!r}"
    return None


def managed_problem(episode: Episode, statement: ConsentStatement, managed: Managed | None) -> str | None:
    """Why the managed policy governing the episode (upload/governing.py), as it stands now, forbids sharing
    what was signed: a file under its mandatory exclusions, a step of a channel it does not list, a file
    text above its size cap, a consent mode it does not require; None if nothing."""
    if managed is None:
        return None
    mode = mode_problem(managed, unlinkable=statement.reviewer.authorisation is not None)
    if mode is not None:
        short = str(statement.content.episode_id)[:8]
        if managed.policy.consent.mode == "unlinkable":
            return f"{mode}; sign it again (codetape sign --unlinkable {short} --yes) or withdraw it"
        return f"{mode}; withdraw it (codetape revoke {short})"
    hits = merge(None, None, None, managed).excluded_files(list(statement.scope.files))
    if hits:
        file, glob = hits[0]
        return f"it holds {file}, under the managed policy's ({managed.where}) mandatory exclusion {glob!r}"
    problem = limits_problem(managed, episode.steps())
    return None if problem is None else f"{problem}; it was signed before the policy said so, and stays"


def file_sha256(path: Path) -> tuple[str, int]:
    """SHA-256 (hex) and size of a file, read in chunks."""
    digest, size = hashlib.sha256(), 0
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(HASH_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as exc:
        raise UploadRefused(f"cannot read {path}: {exc.strerror}") from None
    return digest.hexdigest(), size
