"""`codetape export --format jsonl` through the real CLI: the header line, then `codetape cat` exactly; and
`--format jsonl-rows`, the same lines as rows of one shape, loaded by Hugging Face `datasets` over many
episodes' files."""

from __future__ import annotations

import json
from pathlib import Path

import datasets
import datasets.exceptions
import msgspec
import pytest

from collector.episode import open_episode
from schemas import EpisodeHeader
from schemas.common import plain
from tests.cli import codetape_bytes
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.export.export_sessions import calc_session, secret_session  # noqa: F401 (fixtures)

GOLDEN = [DIRECTORY / f"{name}.ctape" for name in ("minimal", "full", "unicode", "future")]


def test_each_episode_is_its_header_then_exactly_what_cat_prints(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    calc_home, calc = calc_session
    calc_id = calc.name.removesuffix(".ctape")
    out = tmp_path / "out"
    done = codetape_bytes(calc_home, "export", *map(str, GOLDEN), str(secret_session[1]), calc_id[:8],
               "--format", "jsonl", "-o", str(out))
    assert done.returncode == 0, done.stderr
    stderr = done.stderr.decode()
    assert stderr.startswith("wrote 6 episodes, ") and stderr.endswith(
        f" in 6 files (skipped: steps of kinds this codetape does not know 1) to {out}\n"), stderr
    lines = 0
    for path in [*GOLDEN, secret_session[1], calc]:
        episode = open_episode(path)
        written = (out / f"{episode.header.episode_id}.jsonl").read_bytes()
        first, rest = written.split(b"\n", 1)
        assert msgspec.json.decode(first, type=EpisodeHeader) == episode.header
        assert json.loads(first) == plain(episode.header)
        cat = codetape_bytes(calc_home, "cat", str(path))
        assert cat.returncode == 0 and rest == cat.stdout, path
        lines += written.count(b"\n")
    assert f"episodes, {lines:,} lines in" in stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        f"{open_episode(p).header.episode_id}.jsonl" for p in [*GOLDEN, secret_session[1], calc])


def test_many_episodes_rows_load_in_hugging_face_datasets_and_keep_what_cat_prints(
        tmp_path: Path, secret_session: tuple[Path, Path], calc_session: tuple[Path, Path]) -> None:  # noqa: F811
    calc_home, calc = calc_session
    episodes = [*GOLDEN, secret_session[1], calc]
    out = tmp_path / "out"
    done = codetape_bytes(calc_home, "export", *map(str, episodes), "--format", "jsonl-rows", "-o", str(out))
    assert done.returncode == 0, done.stderr
    files = sorted(str(p) for p in out.iterdir())
    assert len(files) == 6 and all(name.endswith(".rows.jsonl") for name in files)
    loaded = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(tmp_path / "hf"))
    assert loaded.column_names == ["episode_id", "line", "kind", "t_ms", "source", "path", "data"]
    rows = loaded.to_list()
    for path in episodes:
        episode_id = str(open_episode(path).header.episode_id)
        mine = [row for row in rows if row["episode_id"] == episode_id]
        assert [row["line"] for row in mine] == list(range(len(mine)))
        assert mine[0]["kind"] == "header"
        assert msgspec.json.decode(mine[0]["data"], type=EpisodeHeader).episode_id
        cat = codetape_bytes(calc_home, "cat", str(path))
        assert cat.returncode == 0
        assert "".join(row["data"] + "\n" for row in mine[1:]).encode() == cat.stdout, path
        assert [row["kind"] for row in mine[1:]] == [json.loads(row["data"])["kind"] for row in mine[1:]]
    # the plain jsonl files of the same episodes do not load together: why jsonl-rows exists
    plain = tmp_path / "plain"
    done = codetape_bytes(calc_home, "export", *map(str, episodes), "--format", "jsonl", "-o", str(plain))
    assert done.returncode == 0
    with pytest.raises(datasets.exceptions.DatasetGenerationError):
        datasets.load_dataset("json", data_files=sorted(map(str, plain.iterdir())), split="train",
                              cache_dir=str(tmp_path / "hf-plain"))
