"""The dataset card's parts that need no build: the data dictionary covers every column, and texts from
episodes cannot break the card's Markdown or its YAML."""

from __future__ import annotations

import html
import json
from collections import Counter
from datetime import UTC, datetime

import pytest
import yaml

from collector.dataset.card import NONE_GIVEN, Facts, Ours, croissant, quantiles, readme
from collector.dataset.dictionary import TABLES as DOCS
from collector.dataset.manifest import DatasetManifest
from collector.dataset.tables import TABLES
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
            assert f"| `{column}` |" in card and said in card, (name, column)


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
