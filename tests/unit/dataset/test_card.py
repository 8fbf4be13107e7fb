"""The dataset card's parts that need no build: the data dictionary covers every column, and texts from
episodes cannot break the card's Markdown or its YAML."""

from __future__ import annotations

from datetime import UTC, datetime

import yaml

from collector.dataset.card import Facts, croissant, readme
from collector.dataset.dictionary import TABLES as DOCS
from collector.dataset.manifest import DatasetManifest
from collector.dataset.tables import TABLES


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
    assert [config["config_name"] for config in meta["configs"]] == ["episodes", "steps"]
    assert meta["license"] == "other"
    assert "| a \\| b --- configs: [] &lt;script&gt;alert(1)&lt;/script&gt; | 1 |" in card
    assert "<script>" not in card
    made = croissant("file:///out", manifest, facts)
    assert "license" not in made  # no SPDX licence to name
    assert made["rai:dataUseCases"].startswith(hostile)  # JSON keeps it as data
    assert made["rai:dataCollectionTimeframe"] == ["2026-01-02", "2026-01-03"]
