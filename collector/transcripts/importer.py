"""`import_transcript`: one agent's transcript of a past session as an unsigned episode, marked `imported`.

Nothing in a transcript is trusted more than a hook call: each thing it said (`Said`, said.py) is read by
the hooks' own code (collector/sources/agents/payloads.py: the same targets, command line, cuts) and
admitted as the collector admits a hook's step (collector/daemon/intake/admit.py: targets out of the workspace
or excluded by its policy dropped, paths they name in free text masked), under the settings the workspace
records under now (the same settings watch the collector reads them with). What the agent's file tools wrote
(writes.py) is kept as a recording keeps an agent's write: a `file_change` step with `origin` `agent` and
the file's whole new text (evidence `claude-code:transcript/tool_result Edit`, the lines the tool reported
it changed as `changed_lines`), just before the tool's result; the text each such file had before the first
of them opens the episode as a `snapshot` gap (on disk only, holding only those files), so every write's
diff is the agent's. The workspace's rules apply to them as to a watcher's (excluded files never written,
texts above `max_file_bytes` left out); writes whose text before is not known are not kept and counted in a
`gap`. Nothing else of a tool's output or a model's answer is read. The episode is then written as the
collector seals one (collector/seal/redacted.py): secrets redacted, the developer's local names and git
identity masked, the redaction summary kept beside it. So nothing of the transcript that a recording would
not hold is written, and what is written waits for review, trimming and a signature like any episode; an
unlinkable signature minimises it as it does a recorded one (the session id a pseudonym, the day only, no
agent version).

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
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec

from collector import __version__
from collector.atomic import atomic_write
from collector.daemon.intake.admit import CleanPaths, arrive, own_state
from collector.daemon.settings_watch import SettingsWatch
from collector.episode.resolve import episode_files
from collector.errors import ImportRefused
from collector.home import Home
from collector.policy.recording import Policy
from collector.redact.localnames import LocalNames
from collector.seal.journal import SealResult, write_sealed
from collector.seal.redacted import collector_transform
from collector.sources.agents.patches import chunks_of, replaced
from collector.sources.agents.payloads import PayloadError, from_payload, label, to_step
from collector.sources.git.snapshot import MAX_BYTES as SNAPSHOT_MAX_BYTES
from collector.text.digest import sha256_text
from collector.transcripts import claude_code, codex
from collector.transcripts.lines import MAX_LINE_BYTES, Lines
from collector.transcripts.said import Said
from collector.transcripts.writes import Commits, FileWrite, applied
from collector.workspace.identity import identify
from collector.workspace.registry import Registry
from schemas import EpisodeHeader, Step
from schemas.header import CaptureSettings, ClientInfo, ImportedFrom, WorkspaceIdentity
from schemas.steps import GapStep

READERS: dict[ImportedFrom, ModuleType] = {"claude-code": claude_code, "codex": codex}
MAX_SNAPSHOT_BYTES = SNAPSHOT_MAX_BYTES  # the texts before the agent's writes, as a recording's snapshot
SNAPSHOT_DETAIL = ("the text of each file the agent's tools changed, before their first change, as the "
                   "transcript gives it (not the repository's other files)")
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
    commits = Commits(root)
    starting = _starting_texts(reader.said(Lines(transcript)), commits, policy)
    steps = _Steps(agent, first, policy, _Texts(starting, commits))
    transform = collector_transform(home.ensure(home.episodes), workspace=root, home=home, names=names)
    result = write_sealed(header, steps.of([first], said, lines), home.episodes,
                          transform.with_header(header))
    _remember(home, digest, result.episode_id)
    return Imported(transcript, result, root, steps.dropped, lines.skipped)


class _Steps:
    """The steps of what a transcript said, admitted as a hook's and a watcher's would be, timed from its
    start: the files the agent's tools changed, as they were before (a snapshot), then each thing said as
    an `agent` step, a file tool's result preceded by the writes it made."""

    def __init__(self, agent: ImportedFrom, first: Said, policy: Policy, texts: _Texts) -> None:
        self.agent, self.start, self.policy, self.texts = agent, first.at, policy, texts
        self.paths = CleanPaths()
        self.dropped = 0
        self.last_ms = 0

    def of(self, head: Iterable[Said], rest: Iterator[Said], lines: Lines) -> Iterator[Step]:
        snapshot = self.texts.snapshot()
        if snapshot is not None:
            yield from self._admitted(snapshot)
        for item in itertools.chain(head, rest):
            yield from self._steps(item)
        if lines.skipped:
            yield GapStep(t_ms=self.last_ms, source=SOURCE, reason="malformed_input", detail=(
                f"{lines.skipped:,} line{'s' if lines.skipped != 1 else ''} of the transcript could not be "
                f"read (longer than "
                f"{MAX_LINE_BYTES >> 20} MiB, or not a JSON object)"))
        if self.texts.unknown:
            count = self.texts.unknown
            yield GapStep(t_ms=self.last_ms, source=SOURCE, reason="other", detail=(
                f"{count:,} file{'s' if count != 1 else ''} the agent's tools wrote not kept: the transcript "
                "does not give the text before (collector/transcripts/writes.py)"))

    def _steps(self, item: Said) -> Iterator[Step]:
        try:
            call = from_payload(self.agent, item.payload)
        except PayloadError:
            self.dropped += 1
            return
        self.last_ms = max(self.last_ms, int((item.at - self.start).total_seconds() * 1000))
        detail = label(f"{self.agent}:{item.evidence}" + (f" {call.tool}" if call.tool else ""))
        for write in item.writes:
            for plain in self.texts.written(write, detail):
                yield from self._admitted(plain)
        if not (yield from self._admitted({**to_step(call), "hook": item.evidence})):
            self.dropped += 1

    def _admitted(self, plain: dict[str, Any]) -> Generator[Step, None, bool]:
        """The step `plain` as the collector admits it, at the time said last; whether it was."""
        arrival = arrive({**plain, "source": SOURCE}, SOURCE, self.policy, self.paths)
        if arrival is None:
            return False
        yield _timed(arrival.step, self.last_ms)
        return True


class _Texts:
    """The text of each file the agent's tools wrote, as the import knows it after the writes so far."""

    def __init__(self, starting: dict[str, str], commits: Commits) -> None:
        self.starting, self.known, self.commits = starting, dict(starting), commits
        self.unknown = 0  # writes not kept: the text before is not known

    def snapshot(self) -> dict[str, Any] | None:
        """The `gap` of the files' texts before the agent's tools changed them (None: no such file)."""
        if not self.starting:
            return None
        return {"kind": "gap", "reason": "snapshot", "detail": SNAPSHOT_DETAIL,
                "state": [{"path": path, "text": text} for path, text in sorted(self.starting.items())]}

    def written(self, write: FileWrite, detail: str) -> Iterator[dict[str, Any]]:
        """The `file_change` steps (maps) of `write`: the file as Claude Code found it, when that is not
        what the import knows (it changed in between: a write of no origin), then the agent's write."""
        known = self.known.get(write.path)
        if write.before is not None and known is not None and write.before != known:
            yield _change(write.path, "modified", write.before)
        before = write.before if write.before is not None else known
        if before is None and write.change != "created" and write.commit is not None:
            before = self.commits.text(write.commit, write.path)
        after = write.after
        if write.section is not None and after is None and before is not None:
            after = applied(write.section, before)
        if write.change != "deleted" and after is None:
            self.unknown += 1
            return
        step = _change(write.path, write.change, after, write.new_path)
        step.update(origin="agent", origin_detail=detail)
        chunks = chunks_of(write.report) if after is not None else None
        found = replaced(chunks, after) if chunks and after is not None else None
        if found is not None:
            step.update(changed_lines=[list(run) for run in found.runs], changed_chars=found.chars)
        if write.change in ("deleted", "renamed"):
            self.known.pop(write.path, None)
        if after is not None:
            self.known[write.new_path or write.path] = after
        yield step


def _change(path: str, change: str, text: str | None, new_path: str | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"kind": "file_change", "path": path, "change": change}
    if new_path is not None:
        step["new_path"] = new_path
    if text is not None:
        step.update(text=text, sha256=sha256_text(text))
    return step


def _starting_texts(said: Iterable[Said], commits: Commits, policy: Policy) -> dict[str, str]:
    """Each file the agent's tools wrote, by its absolute path: its text before the first write, as the
    transcript (or, for Codex, the commit the session started at) gives it; files the workspace does not
    record, above its `max_file_bytes`, or past MAX_SNAPSHOT_BYTES of them all are left out."""
    texts: dict[str, str] = {}
    seen: set[str] = set()
    total = 0
    for item in said:
        for write in item.writes:
            for path in (write.path, write.new_path):
                if path is None or path in seen:
                    continue
                seen.add(path)
                text = write.before if path == write.path else None
                if text is None and path == write.path and write.change != "created" and write.commit:
                    text = commits.text(write.commit, path)
                size = len(text.encode("utf-8", "surrogatepass")) if text is not None else 0
                if text is None or size > policy.settings.max_file_bytes or total + size > MAX_SNAPSHOT_BYTES:
                    continue
                texts[path] = text
                total += size
    return texts


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
