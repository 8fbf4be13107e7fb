"""What an episode holds, in one pass over its steps: `codetape inspect` and the review UI show it.

Whose work: the characters each edit inserted, by its `origin` (none: `unknown`), and the characters each
write to disk outside the editor (`file_change` with text) inserted over the text on disk it replaced
(disk_writes.py: `agent` when an agent claimed the write, else `unknown`), as the dataset's `--origin`
counts them. `add` is told that text by a caller that replays (collector/reconstruct/written.py
`summarize_replayed`: the review, the report, `codetape stats`, the dataset); without it a write counts
whole. A notebook's save is not counted when the episode holds its virtual document, where its cells
were typed as edits (disk_writes.py, as `codetape stats` and the dataset's rows count).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, assert_never, get_args

from collector.episode import Episode
from collector.episode.disk_writes import DiskWrites
from collector.text.oneline import one_line
from schemas import ClientInfo, Step, WorkspaceIdentity
from schemas import steps as kinds
from schemas.common import plain
from schemas.steps.edit import ORIGIN_CLASS, OriginClass


@dataclass
class FileActivity:
    """How often the episode opened, edited, saved or changed one file."""

    opens: int = 0
    edits: int = 0
    saves: int = 0
    changes: int = 0
    snapshot: bool = False  # in the repository's snapshot at the episode's start (a `snapshot` gap)
    # characters written, by whose work (schemas/steps/edit.py's origins; an edit without one: unknown):
    # what the edits inserted, and what the writes to disk inserted (`disk_write`)
    written: Counter[str] = field(default_factory=Counter)

    def to_json(self) -> dict[str, Any]:
        return {"opens": self.opens, "edits": self.edits, "saves": self.saves, "changes": self.changes,
                "snapshot": self.snapshot, "written": dict(sorted(self.written.items()))}

    @property
    def touched(self) -> bool:
        """Whether the episode did anything to the file beyond holding it in its snapshot."""
        return bool(self.opens or self.edits or self.saves or self.changes or not self.snapshot)


@dataclass
class Summary:
    episode_id: str
    started_at: datetime
    position_encoding: str
    workspace: WorkspaceIdentity
    client: ClientInfo | None
    editors: list[ClientInfo]  # every editor whose steps it records (header `editors`), else `client` alone
    imported: str | None  # the agent whose transcript it was made from (header `imported`), else None
    read_version: int
    write_version: int
    sha256: str
    chunk_count: int
    consent_frame: bool
    signed_by: str | None = None  # set by whoever checked the signature (inspect)
    signature_problem: str | None = None
    authorised_by: tuple[str, str] | None = None  # unlinkable: (issuer id, month) of the key's authorisation
    timing: str | None = None  # unlinkable: the statement's `timing` (drawn, retimed, coarse or exact)
    first_t_ms: int | None = None
    last_t_ms: int | None = None
    steps: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    files: dict[str, FileActivity] = field(default_factory=dict)
    # the notebooks typed in their virtual documents, whose saves are not counted again (notebooks.py)
    disk_writes: DiskWrites = field(default_factory=DiskWrites, repr=False, compare=False)

    @property
    def written(self) -> Counter[str]:
        """Characters written in the whole episode, by origin."""
        total: Counter[str] = Counter()
        for activity in self.files.values():
            total.update(activity.written)
        return total

    @property
    def duration_ms(self) -> int:
        """From the episode's start to its last step."""
        return self.last_t_ms or 0

    @property
    def ended_at(self) -> datetime:
        return self.started_at + timedelta(milliseconds=self.duration_ms)

    def add(self, step: Step, on_disk: str | None = None) -> None:
        """Count `step`; `on_disk`: a file_change's file as it was on disk before it (None: not known, or
        no file), which its written characters are counted against."""
        if self.first_t_ms is None:
            self.first_t_ms = step.t_ms
        self.last_t_ms = step.t_ms
        self.steps += 1
        self.kinds[step.kind] += 1
        self.disk_writes.see(step)
        if type(step) is kinds.EditStep:  # most steps: without the match below
            activity = self._file(step.path)
            activity.edits += 1
            changes = step.changes
            activity.written[step.origin or "unknown"] += \
                len(changes[0].text) if len(changes) == 1 else sum(len(change.text) for change in changes)
            return
        match step:
            case kinds.OpenStep():
                self._file(step.path).opens += 1
            case kinds.CloseStep():
                self._file(step.path)
            case kinds.SaveStep():
                self._file(step.path).saves += 1
            case kinds.FileChangeStep():
                self._file(step.path).changes += 1
                written = self.disk_writes.written(step, on_disk)
                if written is not None and written[1]:
                    self._file(step.path).written[written[0]] += written[1]
                if step.new_path is not None:
                    self._file(step.new_path).changes += 1
            case kinds.GapStep(state=list() as state) if step.on_disk_only:
                for file in state:
                    self._file(file.path).snapshot = True
            case kinds.GapStep(state=list() as state):
                for file in state:
                    self._file(file.path).changes += 1
            # counted by kind only (an edit: above)
            case (kinds.EditStep() | kinds.DiagnosticsStep() | kinds.TestRunStep() | kinds.CommandStep()
                  | kinds.GitStep() | kinds.CursorStep() | kinds.NoteStep() | kinds.TaskStep()
                  | kinds.RedactionStep() | kinds.AgentStep() | kinds.OfferStep()):
                pass
            case kinds.GapStep():  # no file named (no state)
                pass
            case _:
                assert_never(step)

    def _file(self, path: str) -> FileActivity:
        activity = self.files.get(path)
        if activity is None:
            activity = self.files[path] = FileActivity()
        return activity

    def to_json(self) -> dict[str, Any]:
        """A plain, JSON-ready form (`codetape inspect --json`)."""
        return {
            "episode_id": self.episode_id,
            "started_at": _utc(self.started_at),
            "ended_at": _utc(self.ended_at),
            "duration_ms": self.duration_ms,
            "first_t_ms": self.first_t_ms,
            "last_t_ms": self.last_t_ms,
            "steps": self.steps,
            "kinds": dict(sorted(self.kinds.items())),
            "skipped_unknown_kinds": dict(sorted(self.skipped.items())),
            "files": {path: activity.to_json() for path, activity in sorted(self.files.items())},
            "written": dict(sorted(self.written.items())),
            "position_encoding": self.position_encoding,
            "client": None if self.client is None else plain(self.client),
            "editors": [plain(editor) for editor in self.editors],
            "imported": self.imported,
            "workspace": plain(self.workspace),
            "signed": self.consent_frame,
            "signature_checked": self.signed_by is not None or self.signature_problem is not None,
            "signed_by": self.signed_by,
            "signature_problem": self.signature_problem,
            "authorised_by": None if self.authorised_by is None else {
                "issuer": self.authorised_by[0], "epoch": self.authorised_by[1]},
            "timing": self.timing,
            "format": {"read_version": self.read_version, "write_version": self.write_version},
            "chunks": self.chunk_count,
            "sha256": self.sha256,
        }


def summarize(episode: Episode, steps: Iterable[Step] | None = None) -> Summary:
    """Summary of `episode`, reading (and validating) every step once, one chunk at a time.

    `steps`, when given, is `episode.steps()` wrapped by the caller (in a progress bar, say).
    """
    header = episode.header
    summary = Summary(
        episode_id=str(header.episode_id), started_at=header.started_at,
        position_encoding=header.position_encoding, workspace=header.workspace, client=header.client,
        editors=list(header.editors or ([] if header.client is None else [header.client])),
        imported=header.imported, read_version=episode.read_version, write_version=episode.write_version,
        sha256=episode.sha256.hex(), chunk_count=episode.chunk_count,
        consent_frame=episode.consent is not None,
    )
    for step in episode.steps() if steps is None else steps:
        summary.add(step)
    summary.skipped.update(episode.skipped)
    return summary


def shares(written: Counter[str]) -> list[tuple[str, float]]:
    """(origin, its share of the characters written), the largest first."""
    total = sum(written.values())
    return [(origin, chars / total) for origin, chars in
            sorted(written.items(), key=lambda item: (-item[1], item[0])) if chars] if total else []


def by_class(written: Mapping[str, int]) -> dict[str, int]:
    """Characters written per class of origins (`human`, `ai`, `unknown`: schemas/steps/edit.py
    ORIGIN_CLASS), every class listed; an origin this codetape does not know counts as unknown."""
    chars = dict.fromkeys(get_args(OriginClass), 0)
    for origin, count in written.items():
        chars[ORIGIN_CLASS.get(origin, "unknown")] += count
    return chars


def editors_text(editors: Iterable[ClientInfo], *, unlinkable: bool = False) -> str:
    """`Neovim 0.11.4, Code - OSS 1.96.2`: each editor and its version, one line ("" for none); `unlinkable`:
    names and major versions only (`Neovim 0, Code - OSS 1`), a version without a leading number left out."""
    shown = []
    for editor in editors:
        version = editor.version or ""
        if unlinkable:
            major = _MAJOR.match(version)
            version = major.group() if major else ""
        shown.append(one_line(f"{editor.name} {version}".strip()))
    return ", ".join(shown)


_MAJOR = re.compile(r"\d+")


def shares_text(written: Counter[str]) -> str:
    """`typed 80%, paste 15%, ai_completion 5%` (a share under half a percent: `<1%`)."""
    return ", ".join(f"{origin} {'<1%' if share < 0.005 else f'{share:.0%}'}"
                     for origin, share in shares(written))


def _utc(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def imported_text(agent: str) -> str:
    """What an imported episode is, in one line (inspect, the review)."""
    return f"made from a {agent} transcript (codetape import): the agent's steps only, not recorded live"
