"""The exports of one new episode made in the pass that builds its rows (`InPass`, fed by
engines/transform.py's replay), staged beside the worker until the build has ruled on duplicates (`Staged`,
`Kept`), then published into OUT/exports/FORMAT/SIGNER/ (`publish`); what exporting did (`Exported`).

`InPass` feeds every format that follows a replay (collector/export/follow.py: all but progsnap2-zip,
which is written from the episode's verified copy when its files are published, after the build has
written its rows, replaying it again). The
split, decided with the ruling on duplicates, is not known in the pass: the formats that write it are
given a token in its place, unguessable, the same characters in every format's JSON, which `publish`
replaces by the split as it copies the file (the output allowance counts the token's bytes: a file within
a few bytes a record of its cap is refused where `codetape export` would write it).
"""

from __future__ import annotations

import errno
import json
import os
import secrets
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pyarrow as pa

from collector.atomic import PRIVATE, atomic_file
from collector.atomic import replace as replace_file
from collector.dataset.errors import OutputFailed
from collector.dataset.output.output import Output
from collector.episode import Episode, open_episode
from collector.episode.limits import Limits
from collector.errors import CheckoutRefused, EpisodeError, ReconstructionError
from collector.export import FORMATS, ExportResult
from collector.export.allowance import Allowance, Capped
from collector.export.follow import Follower
from collector.export.per_episode import Following, PerEpisode
from collector.export.result import SPLIT_FORMATS
from collector.platform.files import set_mode
from collector.reconstruct.workspace import Workspace
from schemas import Step

FOLDER = "exports"
EPISODE = "episode.ctape"  # the episode's copy in a Staged folder, for the formats written alone


@dataclass
class Exported:
    """What exporting episodes did, per format: episodes, files, records, what was left out (by reason:
    the exporters' `skipped`), failures; the files published (`paths`, relative to OUT: the build's
    snapshot record names them, output/snapshots.py)."""

    episodes: Counter[str] = field(default_factory=Counter)
    files: Counter[str] = field(default_factory=Counter)
    records: Counter[str] = field(default_factory=Counter)
    failed: list[str] = field(default_factory=list)  # "<format> <episode>: why", one per failure
    left_out: dict[str, Counter[str]] = field(default_factory=dict)  # format -> why -> how many
    paths: list[str] = field(default_factory=list)

    def add(self, other: Exported) -> None:
        self.episodes.update(other.episodes)
        self.files.update(other.files)
        self.records.update(other.records)
        self.failed.extend(other.failed)
        self.paths.extend(other.paths)
        for fmt, reasons in other.left_out.items():
            self.left_out.setdefault(fmt, Counter()).update(reasons)

    def to_json(self) -> str:
        return json.dumps({"episodes": self.episodes, "files": self.files, "records": self.records,
                           "failed": self.failed, "left_out": self.left_out, "paths": self.paths})

    @classmethod
    def from_json(cls, text: str) -> Exported:
        data = json.loads(text)
        return cls(Counter(data["episodes"]), Counter(data["files"]), Counter(data["records"]),
                   list(data["failed"]), {fmt: Counter(reasons) for fmt, reasons in data["left_out"].items()},
                   list(data["paths"]))


FAILS = (EpisodeError, ReconstructionError, CheckoutRefused)  # what ends one format's export of an episode
CHUNK = 1 << 20


@dataclass
class Staged:
    """One episode's export files, made before the build ruled on it: `files` (where under OUT, the staged
    file) in `folder`, the token its split is written as (None: the split itself), what was made; `data`
    the files' bytes when they travel through Ray's object store instead (`folder` gone). The formats that
    follow no replay (`alone`) are written from the episode (a copy in `folder`, or `episode` bytes) when
    it is published, once the build has written its rows: not beside them in the worker's memory."""

    sha256: str
    folder: str
    token: str | None
    key: str = ""
    signer: str = ""
    files: list[tuple[str, str]] = field(default_factory=list)
    done: Exported = field(default_factory=Exported)
    data: list[bytes] | None = None
    alone: tuple[str, ...] = ()
    limits: Limits | None = None  # what reading the episode again may take
    episode: bytes | None = None
    @property
    def size(self) -> int:
        return sum(map(len, self.data or ()))

    def load(self) -> None:
        """Read the files into `data`, their folder deleted (a Ray task's, for its answer)."""
        data = []
        for _where, path in self.files:
            with open(path, "rb") as source:
                data.append(source.read())
        self.data = data
        if self.alone:
            self.episode = Path(self.folder, EPISODE).read_bytes()
        self.discard()

    def write_alone(self) -> None:
        """Write the formats that follow no replay into `folder`, from the episode."""
        if not self.alone:
            return
        Path(self.folder).mkdir(parents=True, exist_ok=True)
        path = Path(self.folder, EPISODE)
        if self.episode is not None:
            path.write_bytes(self.episode)
        try:
            episode = open_episode(path, self.limits) if self.limits is not None else open_episode(path)
        except EpisodeError as exc:
            self.done.failed += [f"{fmt} {self.key}: cannot export it: {exc}" for fmt in self.alone]
            return
        InPass(episode, self.sha256, self.key, self.signer, self.alone, None, staged=self).run_alone()

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class InPass:
    """One episode's exports in `formats`, written while a replay goes (the build's: `before` and `observe`
    are verify_replay's observers) into a folder of their own under `scratch`."""

    def __init__(self, episode: Episode, sha256: str, key: str, signer: str, formats: tuple[str, ...],
                 scratch: str | None, split: str | None = None, *, staged: Staged | None = None) -> None:
        self.episode, self.key, self.signer = episode, key, signer
        self.token = split if split is not None else f"codetape-split-{secrets.token_hex(16)}"
        self.staged = staged or Staged(sha256, tempfile.mkdtemp(prefix="codetape-exports-", dir=scratch),
                                       None if split is not None else self.token, key, signer)
        self.following: dict[str, tuple[Follower, ExportResult]] = {}
        self.alone: list[str] = []  # formats written once the pass is over, from the episode (a replay each)
        self.opened: list[Any] = []
        self.workspace: Workspace | None = None
        for fmt in formats:
            exporter, result = self._exporter(fmt)
            if not isinstance(exporter, Following):
                self.alone.append(fmt)
                continue
            allowance = Allowance.of(episode)
            file = open(self._file(fmt), "wb")  # noqa: SIM115 (closed by finish or discard)
            self.opened.append(file)
            try:
                self.following[fmt] = exporter.follower(Capped(file, allowance), episode, allowance), result
            except FAILS as exc:
                self._failed(fmt, exc)

    def before(self, index: int, step: Step, workspace: Workspace) -> None:
        for fmt, (follower, _result) in list(self.following.items()):
            try:
                follower.before(index, step, workspace)
            except FAILS as exc:
                self._failed(fmt, exc)

    def after(self, index: int, step: Step, workspace: Workspace) -> None:
        self.workspace = workspace
        for fmt, (follower, _result) in list(self.following.items()):
            try:
                follower.after(index, step, workspace)
            except FAILS as exc:
                self._failed(fmt, exc)

    def finish(self, workspace: Workspace) -> int:
        """The replay has ended (the episode is not judged yet: `close` finishes the files)."""
        self.workspace = workspace
        return 0

    def close(self) -> Staged:
        """The episode is accepted: the files finished (the formats written alone wait for the episode's
        publication: its copy is kept beside them); what was made."""
        header = self.episode.header
        workspace = self.workspace or Workspace(header.position_encoding, limit=self.episode.limits.files)
        for fmt, (follower, result) in list(self.following.items()):
            try:
                result.records += follower.finish(workspace)
            except FAILS as exc:
                self._failed(fmt, exc)
                continue
            result.files += 1
            result.episodes += 1
            self._made(fmt, result)
        for file in self.opened:
            file.close()
        self.following.clear()
        self.workspace = None
        if self.alone:  # written when it is published (Staged.write_alone)
            shutil.copyfile(self.episode.path, Path(self.staged.folder, EPISODE))
            self.staged.alone, self.staged.limits = tuple(self.alone), self.episode.limits
        return self.staged

    def run_alone(self) -> None:
        """Write the formats that follow no replay, from the episode (a replay each)."""
        for fmt in self.alone:
            exporter, result = self._exporter(fmt)
            try:
                exporter.add(self.episode)
            except FAILS as exc:
                self._failed(fmt, exc)
                continue
            result.episodes += 1
            self._made(fmt, result)

    def discard(self) -> None:
        for file in self.opened:
            file.close()
        self.staged.discard()

    def _exporter(self, fmt: str) -> tuple[PerEpisode, ExportResult]:
        folder = Path(self.staged.folder) / fmt
        folder.mkdir(exist_ok=True)
        result = ExportResult(fmt, folder)
        result.splits = {str(self.episode.header.episode_id): self.token}
        exporter = FORMATS[fmt].open(folder, result).__enter__()  # (a per-episode format's: nothing to exit)
        assert isinstance(exporter, PerEpisode)
        return exporter, result

    def _file(self, fmt: str) -> Path:
        return Path(self.staged.folder) / fmt / f"{self.episode.header.episode_id}{FORMATS[fmt].suffix}"

    def _made(self, fmt: str, result: ExportResult) -> None:
        file = self._file(fmt)
        self.staged.files.append((f"{FOLDER}/{fmt}/{self.signer}/{file.name}", str(file)))
        done = self.staged.done
        done.episodes[fmt] += result.episodes
        done.files[fmt] += result.files
        done.records[fmt] += result.records
        if result.skipped:
            done.left_out.setdefault(fmt, Counter()).update(result.skipped)

    def _failed(self, fmt: str, exc: Exception) -> None:
        """Format `fmt` failed for this episode: counted, dropped for the rest of the pass."""
        self.following.pop(fmt, None)
        self.staged.done.failed.append(f"{fmt} {self.key}: cannot export it: {exc}")


def publish(staged: Staged, split: str, out: Output) -> Exported:
    """Copy an episode's staged export files into OUT, its split in place of its token (a file with no split
    to put in is moved there when OUT is on the same file system); the folder deleted.
    What was published."""
    token = None if staged.token is None else staged.token.encode()
    staged.write_alone()
    for number, (where, path) in enumerate(staged.files):
        replace = token if where.split("/")[1] in SPLIT_FORMATS else None
        try:
            if staged.data is not None and number < len(staged.data):
                data = staged.data[number]
                write_chunks(out, where, [data.replace(replace, split.encode()) if replace else data])
            elif replace is None and out.local is not None and moved(path, out.local / where):
                pass
            else:
                with open(path, "rb") as source:
                    write_chunks(out, where, split_in(source, replace, split.encode()))
        except OSError as exc:
            raise OutputFailed(f"cannot write {out.describe(where)}: {exc}") from None
        staged.done.paths.append(where)
    staged.discard()
    return staged.done


def moved(path: str, target: Path) -> bool:
    """Move the staged file `path` to `target` as a whole (synced, renamed, the folder synced), instead of
    copying it, when both are on one file system: a file that needs no split put in (jsonl, atif, a zip)
    is then never read again. False (nothing done) across file systems."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDONLY)
    try:
        set_mode(fd, PRIVATE)
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        replace_file(Path(path), target)
    except OSError as exc:
        if exc.errno == errno.EXDEV:
            return False
        raise
    return True


def write_chunks(out: Output, where: str, chunks: Iterable[bytes]) -> None:
    """Write the file `where` under OUT from `chunks`, whole or not at all."""
    if out.local is not None:
        target = out.local / where
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_file(target) as file:
            for chunk in chunks:
                file.file.write(chunk)
        return
    try:
        with out.fs.open_output_stream(out.path(where)) as stream:
            for chunk in chunks:
                stream.write(chunk)
    except pa.ArrowException as exc:
        raise OutputFailed(f"cannot write {out.describe(where)}: {exc}") from None


def split_in(source: BinaryIO, token: bytes | None, split: bytes, chunk: int = CHUNK) -> Iterator[bytes]:
    """The file's bytes, `chunk` at a time, `token` replaced by `split` wherever it is (also across two
    chunks)."""
    carry = b""
    while data := source.read(chunk):
        if token is None:
            yield data
            continue
        data = (carry + data).replace(token, split)
        keep = next((n for n in range(len(token) - 1, 0, -1) if data.endswith(token[:n])), 0)
        carry = data[len(data) - keep:] if keep else b""
        yield data[:len(data) - keep]
    if carry:
        yield carry


class Kept:
    """The staged exports of the episodes one process accepted, until the build has ruled on them."""

    def __init__(self) -> None:
        self.staged: list[Staged] = []

    def add(self, staged: Staged | None) -> None:
        if staged is not None:
            self.staged.append(staged)

    def publish(self, out: Output, splits: Mapping[str, str]) -> Exported:
        """Publish those of the episodes `splits` names (by sha256: the kept ones, with their split),
        delete the others'."""
        done = Exported()
        for staged in self.staged:
            if staged.sha256 in splits:
                done.add(publish(staged, splits[staged.sha256], out))
            else:
                staged.discard()
        self.staged = []
        return done


