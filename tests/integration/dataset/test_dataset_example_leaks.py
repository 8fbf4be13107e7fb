"""Issue 55, item 4: no example on both sides of the split (collector/export/edits/base/examples.py). A
session copied in part into a repository on the other side (other steps, no near duplicate: the episodes are
split apart) holds the same examples; a build with a pool of workers leaves them out of eval, counted in the
manifest and the card, as `codetape export` over the same episodes does; a later build leaves a train example
out rather than change an eval set published before."""

from __future__ import annotations

import json
from pathlib import Path

from collector.export.edits.base.examples import keyed
from collector.export.split import repository_key, side_of
from schemas import WorkspaceIdentity
from tests.cli import codetape
from tests.support.dataset_helpers import contributor, copied, sign, upload

FORMATS = ("zeta", "zeta2")


def remote(side: str, name: str) -> str:
    return next(url for n in range(400) if side_of(repository_key(WorkspaceIdentity(
        root_name="project", git_remote=(url := f"https://git.example.com/{name}-{n}.git")))) == side)


def keys(folder: Path, fmt: str) -> dict[str, dict[str, list[bytes]]]:
    """Episode file -> split -> the keys of its examples."""
    found: dict[str, dict[str, list[bytes]]] = {}
    for path in sorted(folder.rglob(f"*.{fmt}.jsonl")):
        for line in path.read_bytes().splitlines():
            split, key = keyed(fmt, line)
            found.setdefault(path.name, {}).setdefault(split, []).append(key)
    return found


def crossing(found: dict[str, dict[str, list[bytes]]]) -> int:
    train = {key for sides in found.values() for key in sides.get("train", ())}
    return sum(key in train for sides in found.values() for key in sides.get("eval", ()))


def test_an_example_copied_across_the_split_is_left_out_of_eval(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    train, evaluated = remote("train", "app"), remote("eval", "fork")
    whole = copied(alice.home, 41, 0, train, profile="training")
    # (training sessions: their snapshot gives zeta2 the text at the revision)
    part = copied(alice.home, 41, 1, evaluated, share=0.5, profile="training")  # its first half: for eval
    other = copied(alice.home, 42, 2, evaluated, profile="edit-heavy")
    episodes = [sign(alice, path) for path in (whole, part, other)]
    source = (tmp_path / "source").as_uri()
    upload(alice, source)
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", source, "-o", str(out), "--workers", "2",
                    "--exports", ",".join(FORMATS))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["splits"] == {"eval": 2, "train": 1} and manifest["split_leaks"] == 0
    left = {fmt: manifest["examples_left_out"][fmt]["eval"] for fmt in FORMATS}
    assert min(left.values()) >= 3, manifest["examples_left_out"]
    assert manifest["example_leaks"] == dict.fromkeys(FORMATS, 0)
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"zeta2: {left['zeta2']} eval examples left out (identical to a train example), 0 left in" in card
    for fmt in FORMATS:
        built = keys(out / "exports" / fmt, fmt)
        assert crossing(built) == 0, fmt
        assert manifest["builds"][0]["exports"][fmt] == 3
        # `codetape export` over the same episodes: the same examples left out
        into = tmp_path / "cli" / fmt
        done = codetape(alice.home.root, "export", *map(str, episodes), "--format", fmt, "-o", str(into))
        assert done.returncode == 0, done.stderr
        assert f"eval examples identical to a train example {left[fmt]}" in done.stderr, done.stderr
        assert crossing(keys(into, fmt)) == 0
        assert {name: sorted(sides) for name, sides in keys(into, fmt).items()} == \
            {name: sorted(sides) for name, sides in built.items()}

    # a later build: the other session's first half in a repository for training, its eval set published
    published = {path.name: path.read_bytes() for path in (out / "exports").rglob("*.jsonl")}
    later = sign(alice, copied(alice.home, 42, 3, remote("train", "later"), share=0.5, profile="edit-heavy"))
    upload(alice, source, later)
    done = codetape(tmp_path / "team", "dataset", "build", source, "-o", str(out), "--exports",
                    ",".join(FORMATS))
    assert done.returncode == 0, done.stderr
    manifest = json.loads((out / "_manifest.json").read_text(encoding="utf-8"))
    assert manifest["splits"] == {"eval": 2, "train": 2}
    assert all(manifest["examples_left_out"][fmt]["train"] >= 3 for fmt in FORMATS), manifest
    assert {path.name: path.read_bytes() for path in (out / "exports").rglob("*.jsonl")
            if path.name in published} == published
    assert all(crossing(keys(out / "exports" / fmt, fmt)) == 0 for fmt in FORMATS)
