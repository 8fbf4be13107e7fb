"""`import_transcript`: one agent's transcript of a past session as an unsigned episode, marked `imported`.

Nothing in a transcript is trusted more than a hook call: each thing it said (`Said`, said.py) is read by
the hooks' own code (collector/sources/agents/payloads.py: the same targets, command line, cuts) and
admitted as the collector admits a hook's step (collector/daemon/admission.py: targets outside the
workspace or excluded by its policy dropped, paths they name in free text masked), under the settings
the workspace records under now (the same settings watch the collector reads them with). Only `agent`
steps come of it. The episode is then written as the collector seals one (collector/seal/redacted.py):
secrets redacted, the developer's local names and git identity masked, the redaction summary kept beside
it. So nothing of the transcript that a recording would not hold is written, and what is written waits
for review, trimming and a signature like any episode; an unlinkable signature minimises it as it does a
recorded one (the session id a pseudonym, the day only, no agent version).

The episode's workspace is the opted-in workspace the session ran in (its first `cwd`), or the one named.
Its times are the transcript's: `started_at` its first moment, each step's `t_ms` from there (never
decreasing). The header names the agent and its version as `client` (recorded episodes name their
editor there) and `imported` the agent; the workspace's name and remote are as they are now, and no
`head_at_start` (HEAD then is not known). Lines that could not be read are one `gap` at the end.

A transcript imported once is refused while its episode exists (CODETAPE_HOME/imported.json keeps each
transcript's SHA-256 and its episode's id; it never leaves the machine).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec

from collector import __version__
from collector.atomic import atomic_write
from collector.daemon.admission import CleanPaths, arrive, own_state
from collector.daemon.settings_watch import SettingsWatch
from collector.episode.resolve import episode_files
from collector.errors import ImportRefused
from collector.home import Home
from collector.policy.recording import Policy
from collector.redact.localnames import LocalNames
from collector.seal.journal import SealResult, write_sealed
from collector.seal.redacted import collector_transform
from collector.sources.agents.payloads import PayloadError, from_payload, to_step
from collector.transcripts import claude_code, codex
from collector.transcripts.lines import MAX_LINE_BYTES, Lines
from collector.transcripts.said import Said
from collector.workspace.identity import identify
from collector.workspace.registry import Registry
from schemas import EpisodeHeader, Step
from schemas.header import CaptureSettings, ClientInfo, ImportedFrom, WorkspaceIdentity
from schemas.steps import GapStep

READERS: dict[ImportedFrom, ModuleType] = {"claude-code": claude_code, "codex": codex}
RECORD = "imported.json"
SOURCE = "import"


@dataclass(frozen=True)
class Imported:
    transcript: Path
    result: SealResult
    workspace: Path
    dropped: int  # what the workspace's policy kept out (targets outside it or excluded: whole steps)
    unread: int  # lines that could not be read


def import_transcript(agent: ImportedFrom, transcript: Path, home: Home, *, workspace: Path | None = None,
                      names: LocalNames | None = None) -> Imported:
    """Make `transcript` (`agent`'s) an unsigned episode in `home`'s episodes (see the module's docstring);
    ImportRefused saying why not."""
    digest = _sha256(transcript)
    _not_imported_yet(transcript, digest, home)
    reader = READERS[agent]
    lines = Lines(transcript)
    versions: list[str] = []
    said: Iterator[Said] = reader.said(_noting_version(lines, reader.version_of, versions))
    first = next(said, None)
    if first is None:
        raise ImportRefused(f"{transcript}: not a {agent} transcript (none of its {lines.read:,} lines says "
                            f"a prompt, a tool call or an answer of a session)")
    root = _workspace(first.payload.get("cwd"), workspace, home, transcript)
    policy = _policy(root, home)
    identity = identify(root)
    header = EpisodeHeader(
        codetape_version=__version__, episode_id=uuid.uuid4(), started_at=first.at,
        workspace=WorkspaceIdentity(root_name=identity.root_name, git_remote=identity.git_remote),
        client=ClientInfo(name=agent, version=versions[0] if versions else None),
        capture=CaptureSettings(channels=[]), imported=agent)
    steps = _Steps(agent, first, policy)
    transform = collector_transform(home.ensure(home.episodes), workspace=root, home=home, names=names)
    result = write_sealed(header, steps.of([first], said, lines), home.episodes,
                          transform.with_header(header))
    _remember(home, digest, result.episode_id)
    return Imported(transcript, result, root, steps.dropped, lines.skipped)


class _Steps:
    """The `agent` steps of what a transcript said, admitted as a hook's would be, timed from its start."""

    def __init__(self, agent: ImportedFrom, first: Said, policy: Policy) -> None:
        self.agent, self.start, self.policy = agent, first.at, policy
        self.paths = CleanPaths()
        self.dropped = 0
        self.last_ms = 0

    def of(self, head: Iterable[Said], rest: Iterator[Said], lines: Lines) -> Iterator[Step]:
        for item in itertools.chain(head, rest):
            step = self._step(item)
            if step is not None:
                yield step
        if lines.skipped:
            yield GapStep(t_ms=self.last_ms, source=SOURCE, reason="malformed_input", detail=(
                f"{lines.skipped:,} line{'s' if lines.skipped != 1 else ''} of the transcript could not be "
                f"read (longer than "
                f"{MAX_LINE_BYTES >> 20} MiB, or not a JSON object)"))

    def _step(self, item: Said) -> Step | None:
        try:
            call = from_payload(self.agent, item.payload)
        except PayloadError:
            self.dropped += 1
            return None
        plain: dict[str, Any] = {**to_step(call), "hook": item.evidence, "source": SOURCE}
        arrival = arrive(plain, SOURCE, self.policy, self.paths)
        if arrival is None:
            self.dropped += 1
            return None
        self.last_ms = max(self.last_ms, int((item.at - self.start).total_seconds() * 1000))
        return _timed(arrival.step, self.last_ms)


def _timed(step: Step, t_ms: int) -> Step:
    return msgspec.structs.replace(step, t_ms=t_ms)


def _noting_version(entries: Iterable[dict[str, Any]], version_of: Callable[[dict[str, Any]], str | None],
                    versions: list[str]) -> Iterator[dict[str, Any]]:
    """The entries, the first version one of them names noted in `versions`."""
    for entry in entries:
        if not versions:
            found = version_of(entry)
            if found:
                versions.append(found)
        yield entry


def _workspace(cwd: object, named: Path | None, home: Home, transcript: Path) -> Path:
    """The opted-in workspace the episode is of: the one named, else the innermost one holding `cwd`."""
    roots = Registry(home).roots()
    if named is not None:
        root = named.expanduser().resolve()
        if root not in roots:
            raise ImportRefused(f"{root} is not an opted-in workspace: opt it in first "
                                f"(codetape init {root})")
        return root
    if not isinstance(cwd, str) or not cwd.startswith("/"):
        raise ImportRefused(f"{transcript}: the transcript does not say which folder the session ran in; "
                            "name its workspace with --dir DIR")
    where = Path(cwd)
    holding = [root for root in roots if root == where or root in where.parents]
    if not holding:
        raise ImportRefused(f"{transcript}: the session ran in {cwd}, which is in no opted-in workspace; "
                            "opt it in first (codetape init DIR), or name its workspace with --dir DIR")
    return max(holding, key=lambda root: len(root.parts))


def _policy(root: Path, home: Home) -> Policy:
    """The workspace's recording policy now, as the collector reads it (settings_watch.py)."""
    settings = SettingsWatch(root, home, own_state(root, home), clock=lambda: 0)
    settings.look()
    if settings.problem is not None or settings.wanted is None:
        raise ImportRefused(f"{root}: nothing can be imported into it now: {settings.problem}")
    wanted, excludes = settings.wanted
    return Policy.under(root, wanted, also_exclude=excludes)


def _sha256(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            return hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as exc:
        raise ImportRefused(f"cannot read {path}: {exc.strerror}") from None


def _record(home: Home) -> dict[str, str]:
    """CODETAPE_HOME/imported.json: transcript SHA-256 -> the id of the episode made of it."""
    try:
        known = json.loads((home.root / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {key: value for key, value in known.items() if isinstance(value, str)} \
        if isinstance(known, dict) else {}


def _not_imported_yet(transcript: Path, digest: str, home: Home) -> None:
    episode = _record(home).get(digest)
    if episode is not None and episode in episode_files(home):
        raise ImportRefused(f"{transcript}: imported already, as episode {episode[:8]} (codetape review "
                            f"{episode[:8]}; codetape discard {episode[:8]} to import it again)")


def _remember(home: Home, digest: str, episode: str) -> None:
    known = _record(home)
    known[digest] = episode
    atomic_write(home.root / RECORD, json.dumps(known, indent=1, sort_keys=True) + "\n")
