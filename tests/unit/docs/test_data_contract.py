"""The data contract page (docs/data-contract.md, collector/dataset/card/contract.py) describes exactly the
fields the golden episodes' dataset rows and exports hold: a field written that the page does not name, or
a field the page names that is no longer written, fails here. Its currency against the code is
tests/unit/docs/test_generated_pages.py's."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import msgspec
import pytest

from collector.dataset.card.contract import CHANNELS, PAGE
from collector.dataset.output.twins import SCHEMAS
from collector.dataset.rows.rows import StepRows
from collector.dataset.rows.tables import TABLES
from collector.episode import open_episode, write_episode_file
from collector.export import FORMATS, export_episodes
from collector.verify.integrity import verify_replay
from schemas import EpisodeHeader, Step, step_from_dict
from schemas.contract import TREATMENT
from schemas.header import EpisodeHeader as Header
from schemas.header import WorkspaceIdentity
from schemas.steps import STEP_TYPES

ROOT = Path(__file__).resolve().parents[3]
GOLDEN = ROOT / "tests" / "fixtures" / "episodes"
SECTION = re.compile(r"^### `([^`]+)` \{ #(table|export)-[^ ]+ \}$")
ROW = re.compile(r"^\| `([^`]+)` \| (.*)$")
TREATMENTS = {word for pair in TREATMENT.values() for word in pair}


def page() -> dict[tuple[str, str], list[list[str]]]:
    """(table or export, name) -> its rows: field, type, channels, attributed, unlinkable, label, meaning."""
    sections: dict[tuple[str, str], list[list[str]]] = {}
    current: list[list[str]] | None = None
    for line in (ROOT / "docs" / PAGE).read_text(encoding="utf-8").splitlines():
        if found := SECTION.match(line):
            current = sections.setdefault((found[2], found[1]), [])
        elif current is not None and (row := ROW.match(line)):
            current.append([row[1], *(cell.strip() for cell in re.split(r"(?<!\\)\|", row[2])[:-1])])
    return sections


def described(kind: str, name: str) -> list[str]:
    return [row[0] for row in page()[(kind, name)]]


def keys_of(folder: Path) -> set[str]:
    """The top-level fields of every row an export wrote: JSON lines' and documents' keys, MainTable.csv's
    columns (in a folder or in a zip)."""
    found: set[str] = set()
    for path in folder.rglob("*"):
        if path.name.endswith(".jsonl"):
            for line in path.read_text(encoding="utf-8").splitlines():
                found |= set(json.loads(line)) if line.strip() else set()
        elif path.name.endswith(".json"):
            found |= set(json.loads(path.read_text(encoding="utf-8")))
        elif path.name == "MainTable.csv":
            found |= set(next(csv.reader(io.StringIO(path.read_text(encoding="utf-8")))))
        elif path.name.endswith(".zip"):
            with zipfile.ZipFile(path) as archive:
                text = archive.read("MainTable.csv").decode("utf-8")
            found |= set(next(csv.reader(io.StringIO(text))))
    return found


def _step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def committed(folder: Path, header: EpisodeHeader) -> Path:
    """An episode the golden ones lack: a file whose text at HEAD is known, typed into, an agent's write,
    a commit (zeta2's examples, agent-trace's records)."""
    header = msgspec.structs.replace(header, workspace=WorkspaceIdentity(root_name="demo",
                                                                         head_at_start="c" * 40))
    typed = {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 0}},
             "text": "typed = 1\n"}
    steps = [_step("open", 0, path="a.py", text="base = 0\n", head_text="same"),
             _step("edit", 10, path="a.py", changes=[typed], origin="typed"),
             _step("save", 30, path="a.py"),
             _step("file_change", 40, path="b.py", change="created", text="def g():\n    pass\n",
                   origin="agent", origin_detail="claude-code:PostToolUse Write"),
             _step("git", 50, op="commit", sha="a" * 40, message="first",
                   files=[{"path": "a.py", "added": 2}, {"path": "b.py", "added": 2, "change": "A"}])]
    path = folder / f"{header.episode_id}.ctape"
    write_episode_file(path, header, steps)
    return path


def test_every_table_and_every_export_has_a_section() -> None:
    sections = page()
    assert {name for kind, name in sections if kind == "table"} == set(TABLES)
    assert {name for kind, name in sections if kind == "export"} == set(FORMATS)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_the_golden_episodes_export_only_described_fields_and_every_described_one(
        fmt: str, tmp_path: Path, episode_header: EpisodeHeader) -> None:
    episodes = sorted(GOLDEN.glob("*.ctape"))
    export_episodes([*episodes, committed(tmp_path, episode_header)], fmt, tmp_path / "out")
    written, named = keys_of(tmp_path / "out"), described("export", fmt)
    assert written - set(named) == set(), f"{fmt} writes fields docs/{PAGE} does not describe"
    if fmt in SCHEMAS:  # a training export: its Parquet twin's columns are its rows' (output/twins.py)
        assert named == SCHEMAS[fmt].names
    elif fmt == "jsonl":  # a line holds the header's or a step kind's fields; no episode holds them all
        structs = [Header, *STEP_TYPES]
        assert set(named) == {"kind"} | {f.encode_name for s in structs for f in msgspec.structs.fields(s)}
    else:
        assert written, f"no {fmt} rows from the golden episodes: nothing to hold its page to"
        assert set(named) - written == set(), f"docs/{PAGE} describes {fmt} fields no row holds"


@pytest.mark.parametrize("path", sorted(GOLDEN.glob("*.ctape")), ids=lambda path: path.stem)
def test_the_golden_episodes_dataset_rows_hold_the_described_columns(path: Path) -> None:
    episode = open_episode(path)
    rows = StepRows(str(episode.header.episode_id), "k" * 16, "2026-01")
    verify_replay(episode, observe=rows.observe, before=rows.before)
    for table, written in rows.finish().items():
        assert written.column_names == described("table", table), table


def test_the_episodes_blobs_and_rejected_tables_are_their_schemas() -> None:
    # (written from their Arrow schemas by the build's own writers: output/writer.py, card.py)
    for table in ("episodes", "blobs", "rejected"):
        assert described("table", table) == TABLES[table].names


@pytest.mark.parametrize(("kind", "name", "labels"), [
    ("export", "kto", {"label", "settled", "outcome", "survived_30s", "survived_5min", "survived_to_commit",
                       "survived_to_end", "reverted_within_ms"}),
    ("export", "dpo", {"settled", "outcome"}),
    ("export", "stepwise", {"labels", "surviving_shares"}),
    ("export", "swe-messages", {"resolved", "resolved_signal"}),
    ("export", "swe-messages-developer", {"resolved", "resolved_signal"}),
    ("table", "edits", {"survived_to_end", "survived_to_commit", "reverted_at_step", "reverted_within_ms"}),
    ("table", "offers", {"decision", "taken", "taken_text", "settled", "outcome"}),
])
def test_the_label_columns_are_marked(kind: str, name: str, labels: set[str]) -> None:
    marked = {row[0] for row in page()[(kind, name)] if row[5] == "**label**"}
    assert marked == labels


def test_every_field_names_its_channels_and_what_each_consent_mode_does() -> None:
    for (kind, name), rows in page().items():
        for field, _type, channels, attributed, unlinkable, _label, meaning in rows:
            where = f"{kind} {name}: {field}"
            assert channels and set(channels.split(", ")) <= set(CHANNELS), where
            assert attributed in TREATMENTS and unlinkable in TREATMENTS, where
            assert meaning, where
