"""The dataset card's parts that need no build: the data dictionary covers every column, texts from
episodes cannot break the card's Markdown or its YAML, and the YAML's hub keys and scores read back through
`huggingface_hub` as the figures the card prints."""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import UTC, datetime
from importlib.resources import files

import pytest
import yaml
from huggingface_hub import DatasetCard, DatasetCardData

from collector.dataset.card.card import readme, size_category
from collector.dataset.card.croissant import croissant
from collector.dataset.card.dictionary import TABLES as DOCS
from collector.dataset.card.exports import TRAINING
from collector.dataset.card.facts import NONE_GIVEN, Facts, Ours
from collector.dataset.card.scores import quantiles
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.twins import SCHEMAS
from collector.dataset.rows.contract import LABELS
from collector.dataset.rows.tables import TABLES
from tests.support.markdown import render


def test_every_column_of_every_table_is_described_and_nothing_else() -> None:
    assert set(DOCS) == set(TABLES)
    for name, schema in TABLES.items():
        assert set(DOCS[name].columns) == set(schema.names), name
        assert all(text.strip() for text in DOCS[name].columns.values())


def test_texts_from_episodes_stay_inside_their_table_cells() -> None:
    hostile = "a | b\n---\nconfigs: []\n<script>alert(1)</script>"
    facts = Facts(episodes=1, signers=1, licences=[(hostile, 1)], purposes=[(hostile, 1)],
                  first=datetime(2026, 1, 2, tzinfo=UTC), last=datetime(2026, 1, 3, tzinfo=UTC))
    manifest = DatasetManifest(source="file:///src", rows={"episodes": 1, "steps": 3})
    card = readme(manifest, facts)
    meta = yaml.safe_load(card.split("---\n", 2)[1])
    assert [config["config_name"] for config in meta["configs"]] == list(TABLES)  # every table, even empty
    assert meta["license"] == ["other"]
    assert "file:///src" not in card and "file:///src" not in json.dumps(croissant("file:///out", manifest,
                                                                                      facts))
    assert "| `a \\| b --- configs: [] <script>alert(1)</script>` | 1 |" in card  # code: shown, never run
    made = croissant("file:///out", manifest, facts)
    assert "license" not in made  # no SPDX licence to name
    assert made["rai:dataUseCases"].startswith(hostile)  # JSON keeps it as data
    assert made["rai:dataCollectionTimeframe"] == ["2026-01-02", "2026-01-03"]


HOSTILE = [
    "training ![](https://tracker.example/pixel.png)",
    "training [click](https://evil.example/) <https://evil.example/a> https://evil.example/b",
    "training www.evil.example and DocumentRef-www.evil.example:LicenseRef-x",
    "training <img src=https://tracker.example/p.png> <a href='x'>a</a> <script>alert(1)</script>",
    "<!-- a comment --> <details open>hidden</details> &lt;b&gt;",
    "# heading\n## another\n===\ntraining",
    "a | b || c \\| d\n|---|---|\n| forged | 99 |",
    "**bold** _em_ ~~gone~~ `code` ``` &amp; &#60;img&#62; \\![](https://tracker.example/q.png) [ref]: /x",
    "mail me@evil.example and :smile: and {{ jinja }} and {% raw %}",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_contributor_text_renders_as_exactly_its_characters_and_nothing_else(text: str) -> None:
    """Rendered as GitHub renders Markdown (raw HTML let through): a purpose or licence is one table cell
    showing its own characters (on one line), and makes no image, link, tag or heading of the card's."""
    facts = Facts(episodes=2, signers=1, licences=[(text, 1), ("MIT", 1)], purposes=[(text, 2)],
                  first=datetime(2026, 1, 2, tzinfo=UTC), last=datetime(2026, 1, 3, tzinfo=UTC))
    manifest = DatasetManifest(source="file:///src", rows={"episodes": 2, "steps": 3})
    plain = readme(manifest, Facts(episodes=2, signers=1, licences=[("MIT", 2)], purposes=[("x", 2)],
                                   first=facts.first, last=facts.last))
    card = readme(manifest, facts)
    shown, ours = render(card.split("---\n", 2)[2]), render(plain.split("---\n", 2)[2])
    assert {tag for tag, _ in shown.tags} == {tag for tag, _ in ours.tags}  # no img, a, script, ...
    assert shown.headings == ours.headings
    one_line = " ".join(text.split())
    assert [one_line, "1"] in shown.rows and [one_line, "2"] in shown.rows  # its own cell, every character
    assert len(shown.rows) == len(ours.rows) + 1 and all(len(row) in (2, 3) for row in shown.rows)


def test_the_data_dictionary_is_in_the_card_whole_never_cut() -> None:
    facts = Facts(episodes=1, signers=1, licences=[("MIT", 1)], purposes=[("training", 1)],
                  first=datetime(2026, 1, 2, tzinfo=UTC), last=datetime(2026, 1, 3, tzinfo=UTC))
    card = readme(DatasetManifest(source="file:///src", rows={"episodes": 1}), facts)
    assert "…" not in card
    for name, doc in DOCS.items():
        for column, description in doc.columns.items():
            said = html.escape(" ".join(description.split()), quote=False).replace("|", "\\|")
            mark = " **label**" if column in LABELS.get(name, ()) else ""
            assert f"| `{column}`{mark} |" in card and said in card, (name, column)


def test_the_card_marks_the_label_columns_and_names_the_data_contract() -> None:
    """Issue 104: a column that is a label or follows from one is marked in the dictionary, and the card
    names the page that says every field's channel and consent."""
    facts = Facts(episodes=1, signers=1, licences=[], purposes=[],
                  first=datetime(2026, 1, 2, tzinfo=UTC), last=datetime(2026, 1, 3, tzinfo=UTC))
    card = readme(DatasetManifest(source="file:///src", rows={"episodes": 1}), facts)
    dictionary = card[card.index("## Data dictionary"):]
    edits = dictionary[dictionary.index("### `edits`"):dictionary.index("### `diagnostics`")]
    marked = {line.split("`")[1] for line in edits.splitlines() if "` **label** |" in line}
    assert marked == {"survived_to_end", "survived_to_commit", "reverted_at_step", "reverted_within_ms"}
    assert "data contract (docs/data-contract.md" in " ".join(dictionary.split())


def test_quantiles_are_the_lowest_value_with_that_share_at_or_below_it() -> None:
    counts = Counter({0: 50, 500: 25, 1000: 25})  # half reverted, a quarter half kept, a quarter all
    assert quantiles(counts) == [0.0, 0.0, 0.0, 0.5, 1.0]
    assert quantiles(Counter({250: 1})) == [0.25] * 5


def test_an_episode_shared_under_no_licence_is_unknown_on_the_hub_and_a_licence_of_its_own_other() -> None:
    """Issue 55, item 5: the card said `other` for an episode shared under no licence."""
    def licences(given: list[tuple[str, int]]) -> list[str]:
        facts = Facts(episodes=2, signers=1, licences=given, purposes=[],
                      first=datetime(2026, 1, 2, tzinfo=UTC), last=datetime(2026, 1, 3, tzinfo=UTC))
        card = readme(DatasetManifest(source="file:///src", rows={"episodes": 2}), facts)
        return list(yaml.safe_load(card.split("---\n", 2)[1])["license"])

    assert licences([("CC-BY-4.0", 1), (Ours(NONE_GIVEN), 1)]) == ["cc-by-4.0", "unknown"]
    assert licences([("LicenseRef-mine", 1), ("MIT", 1)]) == ["mit", "other"]


def scored() -> tuple[DatasetManifest, Facts]:
    """A dataset with something in every score: 8 episodes, a leak left in, outcomes, survival, agents."""
    facts = Facts(episodes=8, signers=2, licences=[("MIT", 7), ("Apache-2.0", 1)], purposes=[("training", 8)],
                  first=datetime(2026, 1, 2, tzinfo=UTC), last=datetime(2026, 1, 3, tzinfo=UTC),
                  inserted=Counter({"typed": 250, "agent": 100, "ai_completion": 50, "unknown": 100}),
                  outcomes=Counter({("pass", "tests"): 4, ("pass", "commit"): 1, ("fail", "tests"): 2,
                                    (None, None): 1}),
                  disagree=2, survival=Counter({0: 2, 500: 1, 1000: 5}))
    manifest = DatasetManifest(source="file:///src", rows={"episodes": 1_000, "steps": 120_000},
                               splits={"train": 5, "eval": 2, "none": 1}, near_duplicates=3,
                               near_diff_duplicates=1, split_leaks=0,
                               examples_left_out={"zeta2": {"eval": 26, "train": 2}},
                               example_leaks={"zeta2": 0, "dpo": 1, "atif": 0})
    return manifest, facts


def test_the_card_metadata_holds_the_hub_keys_and_every_score_as_numbers_huggingface_hub_reads() -> None:
    manifest, facts = scored()
    text = readme(manifest, facts)
    data = DatasetCard(text).data
    assert isinstance(data, DatasetCardData)
    assert data.license == ["apache-2.0", "mit"] and data.language == ["code"]
    assert data.task_categories == ["text-generation"] and data.size_categories == ["1K<n<10K"]
    assert data.get("tags") == ["code", "software-engineering", "developer-activity"]
    assert [config["config_name"] for config in data.get("configs")] == list(TABLES)
    assert data.get("codetape") == {  # (DatasetCardData keeps a key it does not know as it was given)
        "episodes": 8,
        "splits": {"train": 5, "eval": 2, "none": 1},
        "duplicates": {"episodes": 3, "rate": 0.375},
        "near_duplicates": {"episodes": 1, "rate": 0.125},
        "split_leaks": 0,
        "example_leaks": {"dpo": {"eval_left_out": 0, "train_left_out": 0, "left_in": 1},
                          "zeta2": {"eval_left_out": 26, "train_left_out": 2, "left_in": 0}},
        "outcomes": {"pass": {"tests": 4, "commit": 1}, "fail": {"tests": 2}, "none": {"none": 1}},
        "signals_disagree": 2,
        "survival": {"edits": 8, "p10": 0.0, "p25": 0.0, "p50": 1.0, "p75": 1.0, "p90": 1.0,
                     "none_left": 0.25},
        "ai_share": {"share": 0.3, "characters": 500, "ai_characters": 150},
    }
    # the scorecard prints the same figures
    for line in ("| duplicate rate | 37.5 % (3 of 8 episodes", "| near-duplicate rate | 12.5 % (1 of 8",
                 "| split sizes (episodes) | train 5, eval 2, none 1 |",
                 "| episodes by outcome (signal) | pass 5 (tests 4, commit 1); fail 2 (tests 2); none 1 "
                 "(none 1); signals disagree in 2",
                 "p10 0.00, p25 0.00, p50 1.00, p75 1.00, p90 1.00; none left: 25%",
                 "| AI share | 30.0% of the characters written",
                 "dpo: 0 eval examples left out (identical to a train example), 1 left in; zeta2: 26 eval"):
        assert line in text, line


def test_the_hub_keys_are_in_the_vocabularies_datasets_ships() -> None:
    """`datasets`' own lists of the hub's size categories and language codes (`code`: a programming
    language), the ones its card validation used."""
    resources = files("datasets.utils.resources")
    sizes = json.loads(resources.joinpath("size_categories.json").read_text(encoding="utf-8"))
    languages = json.loads(resources.joinpath("languages.json").read_text(encoding="utf-8"))
    manifest, facts = scored()
    data = DatasetCard(readme(manifest, facts)).data
    assert set(data.get("language")) <= set(languages) and set(data.get("size_categories")) <= set(sizes)
    found = [size_category(rows) for rows in (0, 999, 1_000, 9_999, 10_000, 10**6, 10**9 - 1, 10**11,
                                               10**12 - 1, 10**12)]
    assert found == ["n<1K", "n<1K", "1K<n<10K", "1K<n<10K", "10K<n<100K", "1M<n<10M", "100M<n<1B",
                     "100B<n<1T", "100B<n<1T", "n>1T"]
    assert set(found) <= set(sizes) and len({size_category(10**power) for power in range(2, 13)}) == 11


def test_an_empty_dataset_has_scores_of_nothing_and_no_figure_made_up() -> None:
    data = DatasetCard(readme(DatasetManifest(source="file:///src"), Facts())).data
    assert data.get("size_categories") == ["n<1K"] and data.get("license") == ["unknown"]
    scores = data.get("codetape")
    assert scores["survival"] == {"edits": 0}  # no quantile of no edits
    assert scores["ai_share"] == {"characters": 0, "ai_characters": 0}  # no share of nothing
    assert scores["duplicates"] == {"episodes": 0, "rate": 0.0}
    assert scores["outcomes"] == {} and scores["example_leaks"] == {}


def test_an_outcome_that_looks_like_yaml_or_front_matter_stays_a_key_of_codetape() -> None:
    """A text from episodes in the YAML (an outcome, a signal) is quoted by PyYAML: it ends no front
    matter, adds no key and no config."""
    hostile = "x\n---\nconfigs: []\n\"quoted\": &a *b"
    facts = Facts(episodes=1, signers=1, licences=[("MIT", 1)], purposes=[("training", 1)],
                  first=datetime(2026, 1, 2, tzinfo=UTC), last=datetime(2026, 1, 3, tzinfo=UTC),
                  outcomes=Counter({(hostile, "tests: [1]"): 1}))
    text = readme(DatasetManifest(source="file:///src", rows={"episodes": 1}), facts)
    data = DatasetCard(text).data
    assert data.get("codetape")["outcomes"] == {hostile: {"tests: [1]": 1}}
    assert [config["config_name"] for config in data.get("configs")] == list(TABLES)
    front = yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))
    assert front["codetape"] == data.get("codetape") and front["license"] == data.get("license") == ["mit"]


def test_each_training_export_kept_is_a_config_and_a_section_with_its_label_rule_and_balance() -> None:
    """Issue 71, item 3: a config per training export with rows (kto and swe-messages here; dpo has no rows
    yet), its Parquet twins, and a section per export: its label, its balance, its selection."""
    manifest = DatasetManifest(source="file:///src", rows={"episodes": 3},
                               exports=["zeta2", "kto", "dpo", "swe-messages"])
    twin = "exports/kto/k/e.kto.parquet"
    twins = {"kto": [twin], "swe-messages": ["exports/swe-messages/k/e.swe-messages.parquet"]}
    facts = Facts(episodes=3, labels={
        "kto": Counter({"rows": 5, "desirable": 4, "undesirable": 1}),
        "swe-messages": Counter({"rows": 2, "resolved 1": 1, "resolved -1": 1})},
        twins=lambda name: twins.get(name, []))
    card = readme(manifest, facts)
    meta = yaml.safe_load(card.split("---\n", 2)[1])
    named = {config["config_name"]: config["data_files"] for config in meta["configs"]}
    assert list(named) == [*TABLES, "kto", "swe-messages"]
    assert set(TRAINING) <= set(SCHEMAS)  # (every training export has Parquet twins to load by name)
    assert named["kto"] == [{"split": "train", "path": [twin]}]  # (its files by name, issue 99: no glob)
    assert named["swe-messages"] == [{"split": "train",
                                      "path": ["exports/swe-messages/k/e.swe-messages.parquet"]}]
    assert named["steps"] == [{"split": "train", "path": ["steps/empty.parquet"]}]
    section = card[card.index("## Training exports"):card.index("## Consent and licences")]
    assert [line for line in section.splitlines() if line.startswith("### ")] == [
        "### `kto`", "### `dpo`", "### `swe-messages`"]
    assert ("5 rows: 4 desirable (true), 1 undesirable (false); with undesirable_weight 1, a "
            "desirable_weight in [0.25, 0.33]") in section
    assert "0 pairs" in section and "2 rows: 1 resolved 1, 0 resolved 0, 1 resolved -1" in section
    for name in ("kto", "swe-messages"):
        assert f'`datasets.load_dataset("path/to/this/dataset", "{name}", split="train")`' in section
    assert section.count("- label: ") == section.count("- selection: ") == 3
    assert ("- label columns (the label, or what follows from it: not features): `label`, `settled`, "
            "`survived_30s`, `survived_5min`, `survived_to_commit`, `survived_to_end`, `reverted_within_ms`, "
            "`outcome`") in section
    assert "data contract (docs/data-contract.md" in " ".join(section.split())
