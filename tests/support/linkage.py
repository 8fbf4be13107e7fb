"""The adversarial receiver of unlinkable mode: what it sees of each episode, and whether any of it singles
out one member. Shared by the tests of issue 38 (a receiver with the dataset only) and issue 52 (the
employer, who also holds the repository and the staff list)."""

from __future__ import annotations

import json
import subprocess
from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

from collector.consent.statement import unpack_payload
from collector.episode import open_episode
from schemas.common import plain
from tests.cli import codetape
from tests.support.dataset_helpers import TABLES, file_sha256
from tests.support.seaweed import SeaweedFS


def unlinkable_member(home: Path, source: str, endpoint: str) -> None:
    """A member's (or the receiver's) config.toml: unlinkable mode, no upload delay, the team's store, and
    k = 3 before an episode leaves (`min_members`: the teams here are three, as the builds'
    `--min-contributors 3`). One upload at a time: msgspec crashed (SIGSEGV) in `upload`'s parallel episode
    checks once (test_unlinkable_end_to_end.py)."""
    home.mkdir(parents=True, exist_ok=True)
    (home / "config.toml").write_text(
        f'[upload]\nto = "{source}"\nendpoint_url = "{endpoint}"\nconcurrency = 1\n'
        '[consent]\nmode = "unlinkable"\nupload_delay_max_s = 0\nmin_members = 3\n', encoding="utf-8")


def episode_repository(home: Path, base: Path, name: str) -> Path:
    """A git repository named `name` (an episode's `root_name`) under `base`, opted in for `home`: the
    workspace `sign --unlinkable` asks what the employer's copy of it knows (consent/repository.py)."""
    root = base / "repositories" / name
    if not (root / ".git").is_dir():
        root.mkdir(parents=True)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(root), "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_AUTHOR_NAME": "Dee Veloper", "GIT_AUTHOR_EMAIL": "dee@example.org",
               "GIT_COMMITTER_NAME": "Dee Veloper", "GIT_COMMITTER_EMAIL": "dee@example.org"}
        # a first commit of its own (its name in the message): two made in one second are two histories
        for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", f"start {name}"]):
            subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    codetape(home, "init", str(root), check=True)
    return root


def signer(path: Path) -> str:
    """The key id an episode is signed with (in unlinkable mode, its own key's: one per episode)."""
    consent = open_episode(path).consent
    assert consent is not None
    return str(json.loads(unpack_payload(consent)[1])["reviewer"]["key_id"])


def duck_at(out: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with a view of each of the dataset's tables."""
    con = duckdb.connect()
    for table in TABLES:
        con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{out}/{table}/**/*.parquet', "
                    "hive_partitioning = true)")
    return con


def seen_by_episode(episodes: Mapping[str, list[Path]], out: Path, seaweed: SeaweedFS,
                    bucket: str) -> dict[str, set[str]]:
    """Every value the receiver sees, by episode (its signer key: episode ids may repeat across members):
    in the step tables the columns that tag the episode (one value in all its rows: signer_key_id, month,
    licence, ...; a column whose values vary row by row is the content itself), every header and statement
    field, and every uploaded object's key, metadata and manifest."""
    owned = {signer(path) for paths in episodes.values() for path in paths}
    values: dict[str, set[str]] = defaultdict(set)
    con = duck_at(out)
    for table in TABLES:
        if table in ("rejected", "blobs"):
            continue
        seen: dict[tuple[str, str], set[str]] = defaultdict(set)  # (episode, column) -> values in its rows
        for row in con.execute(f"SELECT * FROM {table}").fetchdf().to_dict("records"):
            for column, value in row.items():
                seen[(str(row["signer_key_id"]), str(column))].add(repr(value))
        for (key, column), found in seen.items():
            if key in owned and len(found) == 1:
                values[key].add(f"{table}.{column}={found.pop()}")
    by_sha: dict[str, str] = {}
    for paths in episodes.values():
        for path in paths:
            episode = open_episode(path)
            assert episode.consent is not None
            values[signer(path)].update(flat("header", plain(episode.header)))
            values[signer(path)].update(flat("statement", json.loads(unpack_payload(episode.consent)[1])))
            by_sha[file_sha256(path)] = signer(path)
    admin = seaweed.client(attempts=3)
    for name in seaweed.keys(bucket):
        key = by_sha.get(name.split("/")[-1].split(".")[0])
        if key is None:
            continue
        head = admin.head_object(Bucket=bucket, Key=name)
        values[key].update({f"object.key={name}", f"object.type={head.get('ContentType')}",
                            f"object.metadata={sorted(head.get('Metadata', {}).items())}"})
        if name.endswith(".json") and not name.endswith(".revocation.json"):
            body = admin.get_object(Bucket=bucket, Key=name)["Body"].read()
            values[key].update(flat("manifest", json.loads(body)))
    assert len(values) == len(owned) and all(len(found) > 50 for found in values.values())
    return values


def singled_out(episodes: Mapping[str, list[Path]], values: Mapping[str, set[str]]) -> dict[str, list[str]]:
    """For each member, the values all of her episodes show and no one else's do (empty: none)."""
    owner = {signer(path): name for name, paths in episodes.items() for path in paths}
    found = {}
    for member in episodes:
        mine = [values[key] for key, name in owner.items() if name == member]
        others = set().union(*(values[key] for key, name in owner.items() if name != member))
        found[member] = sorted(set.intersection(*mine) - others)
    return found


def flat(where: str, value: Any) -> set[str]:
    """`where.key=value` for every leaf of a JSON value (a list whole)."""
    if isinstance(value, dict):
        return {item for key, inner in value.items() for item in flat(f"{where}.{key}", inner)}
    if isinstance(value, list):
        return {f"{where}={json.dumps(value, sort_keys=True)}"}
    return {f"{where}={value!r}"}
