"""The card names every Parquet twin of a training export (issue 99: no glob), and is written a piece at a
time (issue 107: a million episodes' twins are millions of names, never held or dumped as one list)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from collector.dataset.card.card import readme, readme_pieces
from collector.dataset.card.exports import _BATCH, named_twins, twins_placeholder
from collector.dataset.card.facts import Facts
from collector.dataset.output.manifest import DatasetManifest

MANIFEST = DatasetManifest(source="file:///src", rows={"episodes": 3}, exports=["kto", "dpo"])
LABELS = {"kto": Counter({"rows": 5, "desirable": 4, "undesirable": 1}), "dpo": Counter({"rows": 2})}


def configs(text: str) -> dict[str, object]:
    meta = yaml.safe_load(text.split("---\n", 2)[1])
    return {config["config_name"]: config["data_files"][0]["path"] for config in meta["configs"]}


# any path a file system could give, and those codetape writes
paths = st.one_of(
    st.text(min_size=1, max_size=40),
    st.from_regex(r"exports/kto/[a-z0-9-]{1,20}/[0-9a-f-]{8,36}\.kto\.parquet", fullmatch=True),
    st.sampled_from(["exports/kto/yes/no", "1/2", "exports/kto/k/-e.parquet", "a/b: c", "a/b #c", "'a'/b",
                     '"a"/b', "- a/b", "exports/kto/k/é.kto.parquet", "~/x", "null/x", "a/b\t", " a/b",
                     "a/b ", "&a/b", "*a/b", "!a/b", "%a/b", "@a/b", "`a/b", "|a/b", ">a/b", "?a/b",
                     "[a]/b", "{a}/b", "a,b/c", "0x1f/2", ".5/1", "a/b\u2028c", "a/b\x85c", "a/\x7f",
                     "a/\n\nb", "a/\U0001f600", "---/x", "...", "a/b\r"]),
)
# the configs' shape in the card's front matter (card.py front_matter), dumped as it is
FRONT = yaml.safe_dump({"configs": [{"config_name": name, "data_files": [
    {"split": "train", "path": [twins_placeholder(name)]}]} for name in ("kto", "dpo")]}, sort_keys=False)


@settings(max_examples=400, deadline=None)
@given(st.lists(paths, min_size=1, max_size=12), st.lists(paths, min_size=1, max_size=3))
def test_the_front_matter_names_each_twin_exactly_whatever_its_path(kto: list[str], dpo: list[str]) -> None:
    twins = {"kto": kto, "dpo": dpo}
    text = "".join(named_twins(FRONT, ["kto", "dpo"], lambda name: twins[name]))
    loaded = yaml.safe_load(text)["configs"]
    named = {config["config_name"]: config["data_files"][0]["path"] for config in loaded}
    assert named == twins


def test_the_card_names_its_twins_in_its_configs() -> None:
    twins = {"kto": ["exports/kto/k/e.kto.parquet", "exports/kto/k é/f.kto.parquet"],
             "dpo": ["exports/dpo/k/e.dpo.parquet"]}
    text = readme(MANIFEST, Facts(episodes=3, labels=LABELS, twins=lambda name: twins.get(name, [])))
    named = configs(text)
    assert named["kto"] == twins["kto"] and named["dpo"] == twins["dpo"]
    assert twins_placeholder("kto") not in text


def test_a_training_export_without_twins_has_no_config() -> None:
    twin = "exports/kto/k/e.kto.parquet"
    only_kto = Facts(episodes=3, labels=LABELS, twins=lambda name: [twin] * (name == "kto"))
    named = configs(readme(MANIFEST, only_kto))
    assert named["kto"] == [twin] and "dpo" not in named


def test_the_card_is_given_in_pieces_as_the_twins_are_listed() -> None:
    """A card of 200,000 twins: no piece holds more than _BATCH characters and a line, and the listing is
    taken as the pieces are (at most one piece's twins listed ahead of what was given)."""
    listed = [0]

    def twins(name: str) -> Iterator[str]:
        for k in range(200_000 if name == "kto" else 1):
            listed[0] += 1
            yield f"exports/{name}/signer-{k % 1000:04d}/00000000-0000-4000-8000-{k:012d}.{name}.parquet"

    facts = Facts(episodes=3, labels=LABELS, twins=twins)
    given = 0
    pieces = readme_pieces(MANIFEST, facts)
    for piece in pieces:
        given += sum(line.startswith("    - exports/") for line in piece.splitlines())
        assert len(piece) <= _BATCH + 200
        assert listed[0] - given <= _BATCH // 60 + 3  # (the configs' check takes the first of each)
    assert given == 200_001


def test_lines_other_than_the_placeholders_are_given_as_they_are() -> None:
    text = "a\n  - codetape-twins-of-kto-not\n- codetape-twins-of-dpo\nb"
    assert "".join(named_twins(text, ["kto"], lambda name: ["x/y"])) == text
