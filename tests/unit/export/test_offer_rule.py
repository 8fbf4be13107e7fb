"""The one rule (collector/reconstruct/offer_rule.py, docs/exports.md "What became of a suggestion") as
kto and dpo read it, case by case: episodes built from steps as an editor records them (Neovim's LSP
client sends the smallest change: `S`, `cc` and `0D` delete the line's text and keep its line break,
`dd` takes the line break too), each case at several indentations, with the rewrites Vim has, and text
added around in front and behind. Each case's kto label, settled text and dpo pair is the table's; and
across every case, every dpo pair's offer is kto `false`, and a `false` offer has no pair only where nothing
stands in its place. TRL's KTO and DPO preparation take the rows.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode, write_episode_file
from collector.export.preferences.dpo import DpoExporter
from collector.export.preferences.kto import KtoExporter
from collector.export.result import ExportResult
from schemas import EpisodeHeader, Step, step_from_dict

ITEM = "return a"
INDENTS = ("", "    ", "\t\t")


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def span(line: int, start: int, end_line: int | None = None, end: int | None = None) -> dict[str, Any]:
    return {"start": {"line": line, "character": start},
            "end": {"line": line if end_line is None else end_line,
                    "character": start if end is None else end}}


def change(t_ms: int, where: dict[str, Any], text: str, origin: str = "typed") -> Step:
    return step("edit", t_ms, path="a.py", origin=origin, changes=[{"range": where, "text": text}])


def typing(t_ms: int, line: int, character: int, text: str) -> list[Step]:
    """`text` typed a character at a time from (line, character) (on one line)."""
    return [change(t_ms + at, span(line, character + at), char) for at, char in enumerate(text)]


Edits = Callable[[str, str], list[Step]]  # (indentation, item) -> the developer's edits


@dataclass(frozen=True)
class Case:
    name: str
    item: str
    decision: str
    edits: Edits  # after the save that stops its place growing
    label: bool | None  # None: no kto row
    settled: str  # what stands in the item's place at the end (its indentation with it, once retyped)
    chosen: str | None  # dpo's chosen side after the indentation; None: no pair
    growing: Edits = lambda indent, item: []  # right after the item went in, before the save


def _nothing(indent: str, item: str) -> list[Step]:
    return []


def _around(indent: str, item: str) -> list[Step]:  # behind it, then in front
    return [change(30, span(1, len(indent) + len(item)), ") + 1"), change(40, span(1, len(indent)), "(")]


def _partly(indent: str, item: str) -> list[Step]:  # `$i-`: `-` typed in front of the last character
    return [change(100, span(1, len(indent) + len(item) - 1), "-")]


def _whole(indent: str, item: str) -> list[Step]:  # `S`, `0D` then `i`: the line's text, then retyped
    return [change(100, span(1, 0, 1, len(indent) + len(item)), ""),
            *typing(110, 1, 0, indent + "return -a")]


def _after_indent(indent: str, item: str) -> list[Step]:  # `cc` with autoindent: its indentation kept
    return [change(100, span(1, len(indent), 1, len(indent) + len(item)), ""),
            *typing(110, 1, len(indent), "return -a")]


def _deleted(indent: str, item: str) -> list[Step]:  # `dd`, then text typed where the line stood
    return [change(100, span(1, 0, 2, 0), ""), *typing(110, 1, 0, "x = 1")]


def _code_deleted(indent: str, item: str) -> list[Step]:  # its code deleted, its line break, indent left
    return [change(100, span(1, len(indent), 1, len(indent) + len(ITEM)), "")]


CASES = [
    Case("kept", ITEM, "accepted", _nothing, True, ITEM, None),
    Case("kept with text around", ITEM, "accepted", _nothing, True, "(return a) + 1", None, _around),
    Case("partly kept ($i-)", ITEM, "accepted", _partly, False, "return -a", "return -a"),
    Case("retyped (S, 0D)", ITEM, "accepted", _whole, False, "{indent}return -a", "return -a"),
    Case("retyped (cc)", ITEM, "accepted", _after_indent, False, "return -a", "return -a"),
    Case("deleted (dd)", ITEM, "accepted", _deleted, False, "", None),
    Case("deleted but its line break", ITEM + "\n{indent}", "accepted", _code_deleted, False, "\n{indent}",
         None),
    Case("ignored", ITEM, "not_taken", _nothing, None, "", None),
]


def episode(case: Case, indent: str) -> list[Step]:
    item = case.item.format(indent=indent)
    offered = step("offer", 10, path="a.py", range=span(1, len(indent)), via="inline", ai=True,
                   evidence="lsp:textDocument/inlineCompletion", items=[{"text": item}],
                   decision=case.decision, **({"taken": 0} if case.decision != "not_taken" else {}))
    steps = [step("open", 0, path="a.py", text=f"def f(a):\n{indent}\n"), offered]
    if case.decision != "not_taken":
        steps.append(change(20, span(1, len(indent)), item, "ai_completion"))
    return [*steps, *case.growing(indent, item), step("save", 50, path="a.py"), *case.edits(indent, item)]


def export(tmp_path: Path, header: EpisodeHeader, steps: list[Step]) -> dict[str, list[dict[str, Any]]]:
    path = tmp_path / f"{header.episode_id}.ctape"
    write_episode_file(path, header, steps)
    rows = {}
    for fmt, exporter in (("kto", KtoExporter), ("dpo", DpoExporter)):
        result = ExportResult(fmt, tmp_path)
        result.splits[str(header.episode_id)] = "train"
        exporter(tmp_path, result, f".{fmt}.jsonl").add(open_episode(path))
        assert not result.skipped, result.skipped
        written = tmp_path / f"{header.episode_id}.{fmt}.jsonl"
        rows[fmt] = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()]
    return rows


@pytest.mark.parametrize("indent", INDENTS, ids=["flush", "spaces", "tabs"])
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_case_is_the_tables(case: Case, indent: str, tmp_path: Path,
                                 episode_header: EpisodeHeader) -> None:
    rows = export(tmp_path, episode_header, episode(case, indent))
    kto, dpo = rows["kto"], rows["dpo"]
    assert [row["label"] for row in kto] == ([] if case.label is None else [case.label]), kto
    if kto:
        assert kto[0]["settled"] == case.settled.format(indent=indent), kto
    if case.chosen is None:
        assert dpo == [], dpo
    else:
        [pair] = dpo
        assert (pair["chosen"], pair["rejected"]) == (indent + case.chosen, indent + ITEM), pair
        assert pair["prompt"] == "def f(a):\n" and pair["name"] == kto[0]["name"], (pair, kto)


def test_every_pair_is_a_false_row_and_a_false_row_without_one_has_nothing_in_its_place(
        tmp_path: Path, episode_header: EpisodeHeader) -> None:
    kto: list[dict[str, Any]] = []
    dpo: list[dict[str, Any]] = []
    false, paired = set(), set()
    for number, case in enumerate(CASES):
        for width, indent in enumerate(INDENTS):
            where = tmp_path / f"{number}-{width}"
            where.mkdir()
            rows = export(where, episode_header, episode(case, indent))
            kto += rows["kto"]
            dpo += rows["dpo"]
            false |= {(number, width, row["settled"]) for row in rows["kto"] if row["label"] is False}
            paired |= {(number, width, row["settled"]) for row in rows["dpo"]}
    assert paired <= false
    assert all(not settled.strip() for _, _, settled in false - paired), false - paired
    assert len(paired) == 3 * len(INDENTS) and len(false - paired) == 2 * len(INDENTS)
    # (TRL's side imports huggingface_hub, which Windows' simulation cannot: only this test skips there)
    import datasets

    from tests.support import trl_dpo, trl_kto

    tokenizer = trl_dpo.byte_tokenizer()
    assert trl_kto.prepare(datasets.Dataset.from_list(kto), tokenizer).num_rows == len(kto)
    assert trl_dpo.prepare(datasets.Dataset.from_list(dpo), tokenizer).num_rows == len(dpo)
