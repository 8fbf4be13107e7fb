"""kto's rows (collector/export/preferences/kto.py) of hand-built episodes, written in this process: an AI
suggestion taken is a desirable completion, one the developer wrote over an undesirable one, one partly taken
judged by its whole text; checked through TRL's own KTO preparation (tests/support/trl_kto.py). The rule's
table of cases is tests/unit/export/test_offer_rule.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from collector.episode import open_episode, write_episode_file
from collector.export.preferences.kto import KtoExporter
from collector.export.result import ExportResult
from schemas import EpisodeHeader, Step, step_from_dict

TEXT = "def f():\n    "  # the caret at the end, line 1 character 4
SECRET = "«redacted:secret:1»"
KEPT = {"survived_30s": True, "survived_5min": True, "survived_to_commit": 1.0, "survived_to_end": 1.0,
        "reverted_within_ms": -1}  # all of it there at the end (no commit: the end)
NOT_TAKEN = {"survived_30s": False, "survived_5min": False, "survived_to_commit": -1.0,
             "survived_to_end": -1.0, "reverted_within_ms": -1}


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def at(line: int, start: int, end: int | None = None) -> dict[str, Any]:
    return {"start": {"line": line, "character": start},
            "end": {"line": line, "character": start if end is None else end}}


def typed(t_ms: int, line: int, character: int, text: str, origin: str = "typed") -> Step:
    return step("edit", t_ms, path="a.py", origin=origin,
                changes=[{"range": at(line, character), "text": text}])


def offer(t_ms: int, item: str, decision: str, *, ai: bool = True, character: int = 4,
          **fields: Any) -> Step:
    return step("offer", t_ms, path="a.py", range=at(1, character), via="inline", ai=ai,
                evidence="lsp:textDocument/inlineCompletion", items=[{"text": item}], decision=decision,
                **fields)


def export(tmp_path: Path, header: EpisodeHeader,
           steps: list[Step]) -> tuple[list[dict[str, Any]], ExportResult]:
    path = tmp_path / f"{header.episode_id}.ctape"
    write_episode_file(path, header, steps)
    result = ExportResult("kto", tmp_path)
    result.splits[str(header.episode_id)] = "train"
    KtoExporter(tmp_path, result, ".kto.jsonl").add(open_episode(path))
    written = tmp_path / f"{header.episode_id}.kto.jsonl"
    return [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()], result


def test_a_suggestion_taken_is_true_one_written_over_false(tmp_path: Path,
                                                           episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text=TEXT),
             offer(10, "return 1", "accepted", taken=0), typed(20, 1, 4, "return 1", "ai_completion"),
             step("save", 30, path="a.py"),
             typed(40, 1, 12, "\n    "),  # a line begun after it
             step("offer", 50, path="a.py", range=at(2, 4), via="inline", ai=True,
                  evidence="lsp:textDocument/inlineCompletion", items=[{"text": "return 2"}],
                  decision="not_taken"),
             typed(60, 2, 4, "raise ValueError")]
    rows, result = export(tmp_path, episode_header, steps)
    name = str(episode_header.episode_id)
    assert rows == [  # each prompt ends at its line's start, the indentation in the completion
        {"prompt": "def f():\n", "completion": "    return 1", "label": True, "settled": "return 1",
         "prompt_space": "\n", **KEPT, "name": f"{name}:1", "path": "a.py", "via": "inline",
         "outcome": "accepted", "split": "train"},
        {"prompt": "def f():\n    return 1\n", "completion": "    return 2", "label": False,
         "settled": "raise ValueError", "prompt_space": "\n", **NOT_TAKEN, "name": f"{name}:5",
         "path": "a.py", "via": "inline", "outcome": "overwritten", "split": "train"}]
    assert result.records == 2 and not result.skipped


def test_a_part_taken_is_judged_by_the_whole_suggestion(tmp_path: Path,
                                                        episode_header: EpisodeHeader) -> None:
    """The rest typed as offered: true, the completion the part taken; the rest written otherwise: false,
    the completion the whole suggestion (dpo's `rejected` for the same offer)."""
    for rest, label, completion in (("x + 1", True, "    return "), ("y", False, "    return x + 1")):
        steps = [step("open", 0, path="a.py", text=TEXT),
                 offer(10, "return x + 1", "partly_accepted", taken=0, taken_chars=7),
                 typed(20, 1, 4, "return ", "ai_completion"), typed(30, 1, 11, rest)]
        where = tmp_path / rest.replace(" ", "")
        where.mkdir()
        rows, _ = export(where, episode_header, steps)
        assert [(row["prompt"], row["completion"], row["label"], row["outcome"]) for row in rows] == [
            ("def f():\n", completion, label, "partly_accepted")]


def test_the_prompt_is_the_buffer_at_the_offer_not_as_it_ends(tmp_path: Path,
                                                              episode_header: EpisodeHeader) -> None:
    """Text typed elsewhere after the offer (an import at the top, a line after it) is in no prompt."""
    steps = [step("open", 0, path="a.py", text=TEXT + "\nx = 1\n"),
             offer(10, "return 1", "accepted", taken=0), typed(20, 1, 4, "return 1", "ai_completion"),
             typed(30, 0, 0, "import math\n"),  # typed at the top after the item was taken
             typed(40, 3, 5, "  # math.pi")]  # and after it
    rows, _ = export(tmp_path, episode_header, steps)
    assert [(row["prompt"], row["completion"], row["settled"]) for row in rows] == [
        ("def f():\n", "    return 1", "return 1")]


def test_a_suggestion_taken_then_deleted_is_false(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    """Issue 72, item 1: acceptance without retention is a negative: taken, then deleted with nothing left
    in its place (text typed elsewhere after it), a false row with an empty `settled`."""
    steps = [step("open", 0, path="a.py", text=TEXT + "\n"),
             offer(10, "return 1", "accepted", taken=0), typed(20, 1, 4, "return 1", "ai_completion"),
             step("edit", 30, path="a.py", origin="typed",
                  changes=[{"range": at(1, 4, 12), "text": ""}]),  # deleted
             typed(40, 0, 0, "import math\n")]
    rows, result = export(tmp_path, episode_header, steps)
    assert [(row["prompt"], row["completion"], row["label"], row["settled"], row["outcome"])
            for row in rows] == [("def f():\n", "    return 1", False, "", "overwritten")]
    assert result.records == 1
    # what stayed of it, from the survival trace: nothing, 20 ms after the offer
    assert {key: rows[0][key] for key in KEPT} == {"survived_30s": False, "survived_5min": False,
                                                   "survived_to_commit": 0.0, "survived_to_end": 0.0,
                                                   "reverted_within_ms": 20}


def test_no_row_for_an_offer_not_looked_at_nor_for_a_language_servers(tmp_path: Path,
                                                                       episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text=TEXT),
             offer(10, "return 1", "not_taken"),  # ignored: nothing written in its place
             step("save", 20, path="a.py"),
             offer(30, "return 1", "accepted", ai=False, taken=0), typed(40, 1, 4, "return 1"),  # no AI's
             step("save", 50, path="a.py"),
             offer(60, "  # done", "not_taken", character=12), typed(70, 1, 12, "  # done")]  # retyped
    rows, result = export(tmp_path, episode_header, steps)
    assert rows == [] and result.records == 0


def test_a_row_holding_a_redaction_placeholder_is_left_out_counted(tmp_path: Path,
                                                                    episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text=TEXT),
             offer(10, f"return '{SECRET}'", "accepted", taken=0),
             typed(20, 1, 4, f"return '{SECRET}'", "ai_completion"),
             step("save", 30, path="a.py"),
             typed(40, 1, 4 + len(f"return '{SECRET}'"), "\n    "),
             step("offer", 50, path="a.py", range=at(2, 4), via="inline", ai=True,
                  evidence="lsp:textDocument/inlineCompletion", items=[{"text": "pass"}], decision="accepted",
                  taken=0),
             typed(60, 2, 4, "pass", "ai_completion")]
    rows, result = export(tmp_path, episode_header, steps)
    assert [row["completion"] for row in rows] == []  # the second's prompt holds the placeholder too
    assert result.skipped == {"rows with a redaction placeholder": 2}


def test_trl_prepares_each_row_to_the_text_exported(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    steps = [step("open", 0, path="a.py", text=TEXT),
             offer(10, "return 1", "accepted", taken=0), typed(20, 1, 4, "return 1", "ai_completion"),
             step("save", 30, path="a.py"),
             typed(40, 1, 12, "\n    "),
             step("offer", 50, path="a.py", range=at(2, 4), via="inline", ai=True,
                  evidence="lsp:textDocument/inlineCompletion", items=[{"text": "return 2"}],
                  decision="not_taken"),
             typed(60, 2, 4, "raise ValueError")]
    rows, _ = export(tmp_path, episode_header, steps)
    # (TRL's side imports huggingface_hub, which Windows' simulation cannot: only this test skips there)
    import datasets

    from tests.support.trl_dpo import EOS, byte_tokenizer
    from tests.support.trl_kto import prepare

    tokenizer = byte_tokenizer()
    prepared = prepare(datasets.Dataset.from_list(rows), tokenizer)
    assert prepared.num_rows == len(rows) == 2
    for row, done in zip(rows, prepared, strict=True):
        assert tokenizer.decode(done["prompt_ids"]) == row["prompt"]
        assert tokenizer.decode(done["completion_ids"]) == row["completion"] + EOS
        assert done["label"] is row["label"]
    assert [done["KL_completion_ids"] for done in prepared] == [prepared[1]["completion_ids"],
                                                               prepared[0]["completion_ids"]]


def test_the_label_is_what_stands_in_its_place_survived_5min_beside_it(tmp_path: Path,
                                                                       episode_header: EpisodeHeader) -> None:
    """Issue 89: `label` is the rule's, not `survived_5min`, which stays beside it: one rewritten a minute
    after the offer (`return -1`: what stands in its place at the horizon) is false though its characters
    survived 5 minutes (its deletion 6 minutes after the offer is past the horizon: not its fate); one whose
    place settled holding it (the file closed and opened again) true, though it was deleted 10 s after the
    offer."""
    steps = [step("open", 0, path="a.py", text=TEXT + "\n"),
             offer(10, "return 1", "accepted", taken=0), typed(20, 1, 4, "return 1", "ai_completion"),
             step("edit", 60_010, path="a.py", origin="typed",
                  changes=[{"range": at(1, 11), "text": "-"}]),  # `return -1` after a minute
             step("edit", 360_010, path="a.py", origin="typed",
                  changes=[{"range": at(1, 4, 13), "text": ""}]),  # deleted after 6 minutes
             step("offer", 360_100, path="a.py", range=at(1, 4), via="inline", ai=True,
                  evidence="lsp:textDocument/inlineCompletion", items=[{"text": "return 2"}],
                  decision="accepted", taken=0),
             typed(360_110, 1, 4, "return 2", "ai_completion"), step("save", 360_120, path="a.py"),
             step("close", 360_130, path="a.py"),
             step("open", 360_140, path="a.py", text=TEXT + "return 2\n"),
             step("edit", 370_100, path="a.py", origin="typed",
                  changes=[{"range": at(1, 4, 12), "text": ""}])]  # deleted 10 s after
    rows, _ = export(tmp_path, episode_header, steps)
    assert [(row["completion"], row["outcome"], row["label"], row["survived_5min"], row["reverted_within_ms"])
            for row in rows] == [("    return 1", "overwritten", False, True, 360_000),
                                 ("    return 2", "accepted", True, False, 10_000)]
