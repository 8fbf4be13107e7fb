"""The dataset card a build writes (collector/dataset/card/), read by the tools it is for: Hugging Face
`datasets` loads each table by its config, `huggingface_hub` reads the hub's keys and the scores from its
metadata, `mlcroissant` validates croissant.json and reads records through it, and the README's data
dictionary describes every column."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import datasets
import mlcroissant
import pytest
import yaml
from huggingface_hub import DatasetCard

from collector.consent import sign_episode
from collector.dataset.rows.contract import LABELS
from collector.dataset.rows.tables import TABLES
from collector.episode import open_episode
from collector.policy.sharing import SigningPolicy
from tests.cli import codetape
from tests.support.dataset_helpers import contributor, duck, session, sign, upload
from tests.support.markdown import render


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("card")
    alice = contributor(base, "alice")
    sign(alice, session(alice.home, 61), licence="MIT")
    sign(alice, session(alice.home, 62), licence="MIT")
    upload(alice, (base / "source").as_uri())
    (base / "source" / "episodes" / ("0" * 64 + ".ctape")).write_bytes(b"no episode")  # a rejected row
    out = base / "out"
    done = codetape(base / "team", "dataset", "build", str(base / "source"), "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    return out


def front_matter(readme: str) -> dict[str, Any]:
    assert readme.startswith("---\n")
    loaded = yaml.safe_load(readme.split("---\n", 2)[1])
    assert isinstance(loaded, dict)
    return loaded


def test_every_config_loads_the_last_builds_rows_from_one_cache_and_an_empty_table_its_columns(
        built: Path, tmp_path: Path) -> None:
    """Issue 99, item 1: the card names each config's files, so a second build into the same folder (files
    added to the tables, the same configs: `datasets` keys its cache by them) loads its own rows by every
    config from the cache the first load filled."""
    out = tmp_path / "out"
    shutil.copytree(built, out)
    cache = str(tmp_path / "hf")
    first = _loads_as_the_card_says(out, cache)
    assert not first["agent_events"]  # (generated sessions have no agent: an empty table)
    source = built.parent / "source"  # (OUT's source: the module's other tests read only `built`)
    bob = contributor(tmp_path, "bob")
    sign(bob, session(bob.home, 63), licence="MIT")
    upload(bob, source.as_uri())
    done = codetape(built.parent / "team", "dataset", "build", str(source), "-o", str(out), "--quiet")
    assert done.returncode == 0, done.stderr
    second = _loads_as_the_card_says(out, cache)
    assert all(second[name] > first[name] for name in ("episodes", "steps", "edits")), (first, second)


def _loads_as_the_card_says(out: Path, cache: str) -> dict[str, int]:
    """Load every config of OUT's card with `cache`; its rows per config (checked against the manifest)."""
    meta = front_matter((out / "README.md").read_text(encoding="utf-8"))
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    rows = manifest["rows"]
    configs = {config["config_name"]: config for config in meta["configs"]}
    assert set(configs) == set(TABLES)
    assert configs["episodes"]["default"] is True and meta["license"] == ["mit"]
    months = {row[0] for row in duck(out).execute("SELECT DISTINCT month FROM episodes").fetchall()}
    for name in configs:
        if not rows.get(name):  # (`datasets` reads a split of no rows only as a stream)
            stream = datasets.load_dataset(str(out), name, split="train", streaming=True, cache_dir=cache)
            assert stream.features is not None and set(stream.features) == set(TABLES[name].names), name
            assert list(stream) == [], name
            continue
        table = datasets.load_dataset(str(out), name, split="train", cache_dir=cache)
        assert table.num_rows == rows.get(name), name
        assert set(table.column_names) == set(TABLES[name].names), name
        if name not in ("blobs", "rejected"):
            assert set(table.unique("month")) <= months and set(table.unique("month")), name
    return {name: rows.get(name, 0) for name in configs}


def test_huggingface_hub_reads_the_hub_keys_and_the_scores_of_the_manifest_and_tables(built: Path) -> None:
    data = DatasetCard.load(built / "README.md").data
    manifest = json.loads((built / "_manifest.json").read_text(encoding="utf-8"))
    episodes = manifest["rows"]["episodes"]
    hub = [data.get(key) for key in ("license", "language", "task_categories", "size_categories")]
    assert hub == [["mit"], ["code"], ["text-generation"], ["n<1K"]]
    scores = data.get("codetape")
    assert scores["episodes"] == episodes == 2
    assert scores["splits"] == {"train": 0, "eval": 0, "none": 0} | manifest["splits"]
    assert sum(scores["splits"].values()) == episodes
    assert scores["duplicates"] == {"episodes": manifest["near_duplicates"],
                                    "rate": manifest["near_duplicates"] / episodes}
    assert scores["near_duplicates"] == {"episodes": manifest["near_diff_duplicates"],
                                         "rate": manifest["near_diff_duplicates"] / episodes}
    assert scores["split_leaks"] == manifest["split_leaks"] == 0
    assert scores["example_leaks"] == {}  # (no exports)
    con = duck(built)
    outcomes = con.execute("SELECT coalesce(outcome, 'none'), coalesce(outcome_signal, 'none'), count(*) "
                           "FROM episodes GROUP BY ALL").fetchall()
    assert sorted(outcomes) == sorted((outcome, signal, count) for outcome, by in scores["outcomes"].items()
                                      for signal, count in by.items())
    edits = con.execute("SELECT count(survived_to_end), count(*) FILTER (WHERE survived_to_end < 0.001) "
                        "FROM edits").fetchone()
    assert edits is not None and edits[0] > 0 and scores["survival"]["edits"] == edits[0]
    assert scores["survival"]["none_left"] == edits[1] / edits[0]
    assert list(scores["survival"]) == ["edits", "p10", "p25", "p50", "p75", "p90", "none_left"]
    written = con.execute("SELECT sum(o.chars), coalesce(sum(o.chars) FILTER (WHERE o.origin IN "
                          "('ai_completion', 'agent')), 0) FROM (SELECT unnest(inserted_by_origin) AS o "
                          "FROM episodes)").fetchone()
    assert written is not None and written[0] > 0
    assert scores["ai_share"] == {"share": written[1] / written[0], "characters": written[0],
                                  "ai_characters": written[1]}
    readme = (built / "README.md").read_text(encoding="utf-8")
    # the scorecard prints the same figures
    assert f"| split leaks | {manifest['split_leaks']} episodes with a duplicate" in readme
    assert f"of the {edits[0]:,} edit changes that inserted something" in readme


def test_the_readme_describes_every_column_and_what_was_left_out(built: Path) -> None:
    readme = (built / "README.md").read_text(encoding="utf-8")
    for name, schema in TABLES.items():
        assert f"### `{name}`" in readme
        for column in schema.names:  # a label column marked so (collector/dataset/rows/contract.py)
            mark = " **label**" if column in LABELS.get(name, ()) else ""
            assert f"| `{column}`{mark} |" in readme, (name, column)
    assert "| `MIT` | 2 |" in readme and "episodes | 2 from 1 signer |" in readme
    assert "by reason: hash_mismatch 1" in readme or "by reason: format 1" in readme


def test_croissant_validates_and_reads_the_records(built: Path) -> None:
    dataset = mlcroissant.Dataset(jsonld=built / "croissant.json")  # raises on any validation error
    metadata = json.loads((built / "croissant.json").read_text(encoding="utf-8"))
    assert metadata["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert metadata["license"] == ["https://spdx.org/licenses/MIT"]
    assert {"rai:dataCollection", "rai:dataCollectionTimeframe", "rai:dataPreprocessingProtocol",
            "rai:personalSensitiveInformation", "rai:dataUseCases"} <= set(metadata)
    records = list(dataset.records("episodes"))
    expected = duck(built).execute("SELECT episode_id, month FROM episodes ORDER BY 1").fetchall()
    found = sorted((record["episodes/episode_id"].decode(), record["episodes/month"].decode())
                   for record in records)
    assert found == expected


def test_a_purpose_signed_with_markdown_in_it_is_shown_as_text_by_the_card_a_hub_renders(
        tmp_path: Path) -> None:
    """Purposes signed by the real signing code, built by the real build: the README rendered as GitHub
    renders Markdown fetches no tracker image and links nowhere; each purpose is its own cell, verbatim."""
    mallory = contributor(tmp_path, "mallory")
    purposes = ["training ![](https://tracker.example/pixel.png)",
                "training [docs](https://evil.example/) <img src=https://tracker.example/p.png> "
                "www.evil.example",
                "training | forged cell | 99 <h1>big</h1>"]
    for seed, purpose in enumerate(purposes, start=81):
        unsigned = session(mallory.home, seed)
        episode_id = open_episode(unsigned).header.episode_id
        target = mallory.home.ensure(mallory.home.outbox) / f"{episode_id}.ctape"
        sign_episode(unsigned, target, mallory.home,
                     workspace_policy=SigningPolicy(purpose=purpose, licence="LicenseRef-x.y"))
    upload(mallory, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--quiet")
    assert done.returncode == 0, done.stderr
    shown = render((out / "README.md").read_text(encoding="utf-8").split("---\n", 2)[2])
    assert [(tag, attrs) for tag, attrs in shown.tags if tag in ("img", "a") or "src" in attrs] == []
    assert "big" not in shown.headings
    for purpose in purposes:
        assert [purpose, "1"] in shown.rows, purpose
    assert ["LicenseRef-x.y", "3"] in shown.rows
