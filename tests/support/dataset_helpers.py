"""What the dataset tests share: contributors whose sessions (the bench generator's) are signed by the real
signing code and sent by the real `codetape upload`; the episodes a build must refuse, put where an
uploader never would; the built tables read back with DuckDB and pyarrow; expected counts computed from
the episode files themselves."""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import json
import shutil
import uuid
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import msgspec
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.fs as pafs
import pyarrow.parquet as pq
import pytest
from msgspec.structs import replace

from collector.consent import KeyInfo, init_keys, load_public, sign_episode
from collector.consent.keys import load_private
from collector.episode import open_episode, write_episode_file
from collector.home import Home
from collector.policy.sharing import SigningPolicy
from collector.reconstruct.keyframes import workspace_after
from collector.upload.revocation import signed_message
from schemas import WorkspaceIdentity
from schemas.common import plain
from schemas.consent import ConsentReviewer
from schemas.steps import CommandStep, GapStep, TestRunStep
from schemas.upload import RevocationRecord, RevocationStatement
from tests.cli import codetape
from tests.support.sessions import Session, generate

TABLES = ("episodes", "steps", "file_states", "test_runs", "commands", "edits", "diagnostics", "git",
          "cursor", "agent_events", "transitions", "tasks", "offers", "preferences", "blobs",
          "rejected")
ROW_TABLES = TABLES[:-2]  # the tables with rows of an episode: `episode_id` in every one
SCALE = 0.02  # a few hundred to two thousand steps a session: sessions of minutes, not hours


@dataclass
class Contributor:
    home: Home

    @property
    def key(self) -> KeyInfo:
        return load_public(self.home)

    def trust_file(self, where: Path) -> Path:
        """The contributor's public key as `codetape keys show` hands it over, in a file."""
        path = where / f"{self.home.root.name}.pub"
        path.write_text(f"# {self.home.root.name}\n{self.key.public_b64}\n", encoding="utf-8")
        return path


def contributor(base: Path, name: str) -> Contributor:
    home = Home(base / name)
    home.ensure(home.root)
    init_keys(home)
    return Contributor(home)


def session(home: Home, seed: int, profile: str = "mixed") -> Path:
    """A generated session sealed into an unsigned episode in the home's episodes/."""
    made = generate(seed, profile, scale=SCALE)
    path = home.ensure(home.episodes) / f"{made.header.episode_id}.ctape"
    write_episode_file(path, made.header, made.steps, level=3)
    return path


@functools.cache
def _generated(seed: int, profile: str) -> Session:
    return generate(seed, profile, scale=SCALE)


def copied(home: Home, seed: int, number: int, remote: str, share: float = 1.0,
           profile: str = "mixed") -> Path:
    """The session `seed` generates, as episode `number` of the repository `remote`: every step (a copy of
    the session in another repository: the same steps) or the first `share` of them (a partial copy: other
    steps, its written text a `share` of the session's, no near duplicate below 0.7, but the examples of
    its bursts those of the session's first bursts). Recorded as in a git repository: a HEAD named after
    the remote, and a snapshot at the start in which git tracks none of the files the session edits (the
    training profile's own, or an empty one), so zeta2 has the text at its revision (issue 55, item 1)."""
    made = _generated(seed, profile)
    steps = made.steps[:max(1, int(len(made.steps) * share))]
    if not (isinstance(steps[0], GapStep) and steps[0].reason == "snapshot"):
        steps = [GapStep(t_ms=0, source="collector", reason="snapshot",
                         detail="snapshot of the files git tracks: 0 recorded (0 bytes)"), *steps]
    head = hashlib.sha1(remote.encode()).hexdigest()
    header = replace(made.header, episode_id=uuid.UUID(int=number + 1, version=4),
                     workspace=WorkspaceIdentity(root_name="project", git_remote=remote, head_at_start=head),
                     started_at=made.header.started_at + timedelta(hours=number))
    path = home.ensure(home.episodes) / f"{header.episode_id}.ctape"
    write_episode_file(path, header, steps, level=3)
    return path


def copies(home: Home, count: int, repositories: int, bases: int) -> list[Path]:
    """`count` episodes from `bases` generated sessions over `repositories` repositories (episode n in
    repository n mod `repositories`), as sessions copied between repositories are: the first `bases` the
    sessions themselves, then every fourth an exact copy of one, the others partial copies (its first 40,
    50 or 60 %)."""
    made = []
    for number in range(count):
        share = 1.0 if number < bases or number % 4 == 0 else 0.3 + 0.1 * (number % 4)
        remote = f"https://git.example.com/team/repo-{number % repositories}.git"
        seed = number % bases
        made.append(copied(home, seed, number, remote, share, PROFILES[seed % len(PROFILES)]))
    return made


PROFILES = ("mixed", "edit-heavy", "training")


def session_as(home: Home, seed: int, episode_id: uuid.UUID) -> Path:
    """A generated session (its own steps) under an episode id someone else's episode has."""
    made = generate(seed, "mixed", scale=SCALE)
    path = home.ensure(home.episodes) / f"{episode_id}-{seed}.ctape"
    write_episode_file(path, replace(made.header, episode_id=episode_id), made.steps, level=3)
    return path


def signed_high(person: Contributor, unsigned: Path) -> Path:
    """`unsigned` signed by `person` into the outbox, signed again (a second later each time) until the file's
    SHA-256 sorts in the upper half: a file signed to sort before it (signed_before) is then found in a try
    or two. Against a SHA-256 that happens to sort low, 64 tries miss one run in about 65."""
    start = datetime.now(UTC)
    for attempt in range(64):
        path = sign(person, unsigned, now=start + timedelta(seconds=attempt))
        if file_sha256(path) >= "8":
            return path
        path.unlink()
    raise AssertionError("no signing sorted in the upper half in 64 attempts")


def signed_before(person: Contributor, unsigned: Path, other: Path, target: Path) -> Path:
    """`unsigned` signed by `person`, signed again (a second later each time) until the file's SHA-256 sorts
    before `other`'s: first in source order, as anyone can arrange for their own episode."""
    start = datetime(2026, 6, 1, tzinfo=UTC)
    for attempt in range(64):
        sign(person, unsigned, target=target, now=start + timedelta(seconds=attempt))
        if file_sha256(target) < file_sha256(other):
            return target
        target.unlink()
    raise AssertionError("no signing sorted first in 64 attempts")


def forged_revocation(person: Contributor, episode: Path) -> bytes:
    """A revocation record of `episode` signed by `person`'s key (not the key that signed the episode): it
    verifies on its own, as every record does, just not against the episode's signer."""
    private, info = load_private(person.home, None)
    sha = file_sha256(episode)
    statement = RevocationStatement(episode_sha256=sha, episode_id=open_episode(episode).header.episode_id,
                                    revoked_at=datetime.now(UTC), reason="forged",
                                    reviewer=ConsentReviewer(public_key=info.public_b64, key_id=info.key_id))
    text = json.dumps(plain(statement), sort_keys=True, separators=(",", ":"))
    signature = base64.b64encode(private.sign(signed_message(sha, text.encode("utf-8")))).decode("ascii")
    return msgspec.json.encode(RevocationRecord(statement=text, signature=signature))


def sign(person: Contributor, unsigned: Path, *, target: Path | None = None, licence: str = "CC-BY-4.0",
         now: datetime | None = None) -> Path:
    """Signed by the real signing code into the outbox (or `target`), for purpose `training`."""
    episode_id = open_episode(unsigned).header.episode_id
    target = target or person.home.ensure(person.home.outbox) / f"{episode_id}.ctape"
    sign_episode(unsigned, target, person.home, workspace_policy=SigningPolicy(purpose="training",
                                                                                licence=licence), now=now)
    return target


def upload(person: Contributor | Path, to: str, *episodes: Path, env: dict[str, str] | None = None) -> None:
    """`codetape upload [EPISODE...] --to URL` as the contributor."""
    home = person.home.root if isinstance(person, Contributor) else person
    done = codetape(home, "upload", *map(str, episodes), "--to", to, env=env)
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr or done.stdout}"


def revoke(person: Contributor | Path, episode: Path, env: dict[str, str] | None = None) -> None:
    home = person.home.root if isinstance(person, Contributor) else person
    done = codetape(home, "revoke", str(episode), env=env)
    assert done.returncode == 0, done.stderr


def file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def place(source: Path, episode: Path) -> str:
    """Put an episode file at the source by hand, under its content address (as no uploader would)."""
    sha = file_sha256(episode)
    folder = source / "episodes"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(episode, folder / f"{sha}.ctape")
    return sha


def duck(out: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view per table, read as a data team reads them (every table has a file,
    an empty one when it has no rows)."""
    con = duckdb.connect()
    for table in TABLES:
        files = f"{out}/{table}/**/*.parquet"
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{files}', hive_partitioning = true)")
    return con


def table_files(out: Path) -> set[str]:
    """The Parquet files of OUT's tables (relative paths): not the schemas' (schemas/TABLE.empty.parquet) nor
    the example keys' index (_keys/, collector/dataset/output/example_keys.py)."""
    return {path.relative_to(out).as_posix() for path in out.rglob("*.parquet")
            if path.relative_to(out).parts[0] not in ("schemas", "_keys")}


def rows(filesystem: pafs.FileSystem, root: str, table: str) -> list[dict[str, Any]]:
    """Every row of a table (month read from the paths), sorted, for comparing two builds."""
    base = f"{root}/{table}"
    selector = pafs.FileSelector(base, recursive=True, allow_not_found=True)
    files = sorted(info.path for info in filesystem.get_file_info(selector) if info.path.endswith(".parquet"))
    if not files:
        return []
    dataset = pads.dataset(files, filesystem=filesystem, format="parquet", partitioning="hive",
                           partition_base_dir=base)
    found = dataset.to_table().to_pylist()
    for row in found:
        if "month" in row:
            row["month"] = str(row["month"])
    return sorted(found, key=repr)


def expected_counts(episodes: list[Path]) -> dict[str, Any]:
    """Counts a build must report, from the episode files themselves (not through the dataset code)."""
    kinds: Counter[str] = Counter()
    tests = commands = 0
    for path in episodes:
        for step in open_episode(path).steps():
            kinds[step.kind] += 1
            if isinstance(step, TestRunStep):
                tests += max(1, len(step.tests))
            elif isinstance(step, CommandStep):
                commands += 1
    return {"kinds": dict(kinds), "test_rows": tests, "commands": commands, "episodes": len(episodes)}


def replay_against_checkout(out: Path, home: Path, episodes: dict[Any, Path], tmp_path: Path,
                            samples: int) -> int:
    """For each episode, the files after `samples` transitions spread over it (and after the last), by
    replaying every row's after_sha256 over `blobs`, compared with `codetape checkout --step`; how many."""
    con = duck(out)
    blobs = dict(con.execute("SELECT sha256, text FROM blobs").fetchall())
    compared = 0
    for episode_id, path in episodes.items():
        signer = con.execute("SELECT signer_key_id FROM episodes WHERE episode_id = ? AND sha256 = ?",
                             [str(episode_id), file_sha256(path)]).fetchone()
        assert signer is not None
        rows = con.execute("""SELECT action, last_step, path, before_sha256, after_sha256 FROM transitions
                              WHERE episode_id = ? AND signer_key_id = ? ORDER BY action, path""",
                           [str(episode_id), signer[0]]).fetchall()
        ends = sorted({row[1] for row in rows})
        chosen = {ends[-1], *(ends[len(ends) * k // samples] for k in range(samples))}
        files: dict[str, str] = {}
        for index, (action, last, file, before, after) in enumerate(rows):
            if file is not None:
                assert files.get(file) == (None if before is None else blobs[before]), (action, file)
                if after is None:
                    files.pop(file, None)
                else:
                    files[file] = blobs[after]
            following = rows[index + 1][0] if index + 1 < len(rows) else None
            if last in chosen and following != action:
                chosen.discard(last)
                target = tmp_path / f"{episode_id}-{last}"
                done = codetape(home, "checkout", str(path), str(target), "--step", str(last))
                assert done.returncode == 0, done.stderr
                written = {item.relative_to(target).as_posix(): item.read_bytes().decode("utf-8")
                           for item in target.rglob("*") if item.is_file()}
                assert written == files, (episode_id, last)
                compared += 1
    return compared


def snapshot_files(team: Path, out: str | Path, build: int | None = None,
                   env: dict[str, str] | None = None) -> dict[str, list[str]]:
    """`codetape dataset files OUT [--build N] --json`: each table's files of that build's snapshot."""
    done = codetape(team, "dataset", "files", str(out), "--json",
                    *(() if build is None else ("--build", str(build))), env=env)
    assert done.returncode == 0 and done.stderr == "", done
    tables = json.loads(done.stdout)["tables"]
    return {table: [item["path"] for item in files] for table, files in tables.items()}


def pinned_rows(files: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    """Every row of each table as DuckDB reads the file list a run pinned (sorted, to compare)."""
    con = duckdb.connect()
    found = {}
    for table, paths in files.items():
        read = con.sql(f"SELECT * FROM read_parquet({paths!r}, hive_partitioning = true)").to_arrow_table()
        found[table] = sorted(read.to_pylist(), key=repr)
    return found


def canaries(episode: Path, others: Iterable[Path], count: int = 6) -> list[str]:
    """Lines of `episode`'s files (as they end) that no other episode holds, in its files or in any step:
    a file under OUT that holds one holds that episode's data."""
    theirs = []
    for path in others:
        opened = open_episode(path)
        theirs.append("\n".join(workspace_after(opened).files().values()))
        theirs.extend(msgspec.json.encode(step).decode() for step in opened.steps())
    found: list[str] = []
    for text in workspace_after(open_episode(episode)).files().values():
        for line in (line.strip() for line in text.splitlines()):
            if len(line) >= 24 and line.isascii() and not set(line) & set("'\"\\") and line not in found \
                    and not any(line in other for other in theirs):
                found.append(line)
                if len(found) == count:
                    return found
    raise AssertionError(f"{episode.name} has fewer than {count} lines of its own")


def files_under(out: Path) -> Iterator[tuple[str, bytes]]:
    """Every file under a directory OUT, hidden ones too: its relative path and bytes."""
    for path in sorted(out.rglob("*")):
        if path.is_file():
            yield path.relative_to(out).as_posix(), path.read_bytes()


def holding(files: Iterable[tuple[str, bytes]], needles: list[str]) -> list[str]:
    """The files any of `needles` is in: in its bytes, in a Parquet file's rows and statistics (decoded, not
    the compressed pages), in a zip's members."""
    found = []
    for name, data in files:
        texts = [data.decode("utf-8", "replace")]
        if name.endswith(".parquet"):
            parquet = pq.ParquetFile(pa.BufferReader(data))
            texts += _strings(parquet.read().to_pylist())
            meta = parquet.metadata
            texts += [str(meta.row_group(group).column(column).statistics)
                      for group in range(meta.num_row_groups) for column in range(meta.num_columns)]
        elif name.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                texts += [archive.read(member).decode("utf-8", "replace") for member in archive.namelist()]
        if any(needle in text for needle in needles for text in texts):
            found.append(name)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, bytes):
        return [value.decode("utf-8", "replace")]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


def content(data: bytes) -> bytes:
    """An export file's bytes; a zip's entries and their bytes (a zip holds when each entry was written
    too: progsnap2-zip's)."""
    if not data.startswith(b"PK"):
        return data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return json.dumps([(info.filename, info.external_attr, archive.read(info).hex())
                           for info in archive.infolist()]).encode()


def as_exported(row: dict[str, Any]) -> dict[str, Any]:
    """A row of a Parquet twin (collector/dataset/output/twins.py) as its JSON line has it: swe-messages'
    messages without the fields the twin's one message struct holds as null (no JSON line holds a null)."""
    if "messages" not in row:
        return row
    return {**row, "messages": [{key: value for key, value in message.items() if value is not None}
                                for message in row["messages"]]}


def export_files(out: Path) -> dict[str, bytes]:
    """Every export file of a dataset (`FORMAT/SIGNER/NAME`) and its content()."""
    folder = out / "exports"
    return {path.relative_to(folder).as_posix(): content(path.read_bytes())
            for path in folder.rglob("*") if path.is_file()} if folder.is_dir() else {}


@pytest.fixture(scope="module")
def local_ray() -> Iterator[None]:
    """One Ray for the module's tests, as a build starts its own (ray_local.py): 2 CPUs, every server on
    loopback, token authentication. Imported where it is used (the module's builds find it running)."""
    from collector.dataset.engines.ray_local import LocalRay  # (Ray is imported only by the tests using it)

    started = LocalRay(num_cpus=2)
    try:
        yield
    finally:
        started.close()
