"""Issue 71: training rows conditioned on what the model saw, and training exports a lab loads by name.

A real bridge in proxy mode in front of a scripted AI assistant's inline completions (tests/support/
inline_server.py) and a real collector record four offers whose truth is known: taken and kept, taken and
rewritten, shown and ignored, shown and typed over, with text typed elsewhere in the file after each (an
import at the top, a line using the suggestion below it). Signed, uploaded and built with every export a
build writes, beside a generated debugging session (stepwise rows), the rows are checked against the
buffer the client held at each offer: every prompt plus the part moved into its completion is the
buffer's text in front of the caret (its last 2,000 characters), byte for byte, and dpo's suffix the text
behind it (its first 1,000); TRL's KTO preparation with a code model's pre-tokenizer keeps every prompt
whole; every training export (kto, dpo, dpo-fim, stepwise, swe-messages, swe-messages-developer) loads by
name with `datasets.load_dataset(OUT, name)`, the same rows as its JSON lines, and the card states each
training export's label rule and balance."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import datasets
from _pytest.logging import LogCaptureFixture

from collector.dataset.engines.exports import export_formats
from collector.dataset.output.twins import SCHEMAS
from collector.episode import write_episode_file
from collector.reconstruct.offers import CONTEXT_AFTER, CONTEXT_BEFORE
from tests.cli import codetape
from tests.integration.lsp_bridge.test_bridge_offers import INLINE_SERVER, inline_items, opened, saved
from tests.support.bridge_harness import at_least, change, daemon, init_params, seal, start_bridge, uri, ws
from tests.support.collector_harness import Daemon
from tests.support.dataset_helpers import as_exported, contributor, sign, upload
from tests.support.debugging import debugging
from tests.support.trl_dpo import EOS, FIM, code_tokenizer
from tests.support.trl_kto import prepare

__all__ = ["daemon", "ws"]

SUGGESTION = "return a + b"
OWN = "return a * b"  # the developer's text
HEAD = "def add(a, b):\n    "
LONG_BEFORE = "".join(f"value_{n:03} = {n} * 2  # a preamble longer than a prompt holds\n" for n in range(50))
LONG_AFTER = "".join(f"\ndef other_{n}(x):\n    return x + {n}\n" for n in range(40))
# file -> (its text in front of the caret when it opens, behind it, whether the item spans the line as
# Copilot's do); each is offered SUGGESTION at the end of HEAD
FILES = {
    "keep.py": (LONG_BEFORE + HEAD, "\n", True),
    "rewrite.py": ("import os\n\n" + HEAD, "\n" + LONG_AFTER, False),
    "ignore.py": (HEAD, "\n\nprint(add(1, 2))\n", False),
    "over.py": ("x = 1\n" + HEAD, "\n", False),
}
TRAINING = ("kto", "dpo", "dpo-fim", "stepwise", "swe-messages", "swe-messages-developer")


async def session(daemon: Daemon, ws: Path, tmp_path: Path) -> None:
    """Each file opened, SUGGESTION offered at the caret, then what the developer did with it, then text
    typed elsewhere: an import at the top and a line below the suggestion's."""
    script = tmp_path / "suggestions.json"
    script.write_text(json.dumps({name: {"text": SUGGESTION, "from_line_start": spans}
                                  for name, (_, _, spans) in FILES.items()}), encoding="utf-8")
    client = await start_bridge(daemon.home.root, "--", sys.executable, str(INLINE_SERVER), str(script))
    await client.initialize_session(init_params(ws, None))
    for name, (before, after, _) in FILES.items():
        doc = uri(ws, name)
        opened(client, doc, before + after)
        line, character = before.count("\n"), len(before.rsplit("\n", 1)[-1])
        [item] = await inline_items(client, doc, line, character)
        assert item.insert_text.endswith(SUGGESTION)
        version = 2
        end = character
        if name in ("keep.py", "rewrite.py"):  # taken
            client.text_document_did_change(change(doc, version, ((line, character, line, character),
                                                                  SUGGESTION)))
            version, end = version + 1, character + len(SUGGESTION)
        if name == "rewrite.py":  # then rewritten
            client.text_document_did_change(change(doc, version, ((line, character, line, end), OWN)))
            version, end = version + 1, character + len(OWN)
        if name == "over.py":  # typed over, not taken
            client.text_document_did_change(change(doc, version, ((line, character, line, character), OWN)))
            version, end = version + 1, character + len(OWN)
        client.text_document_did_change(change(doc, version, ((0, 0, 0, 0), "import math\n")))  # elsewhere
        line += 1
        client.text_document_did_change(change(doc, version + 1, (
            (line, end, line, end), "\n    total = math.fsum([a, b])")))
        saved(client, doc)
    await client.shutdown_session()


def caret_texts(name: str) -> tuple[str, str]:
    """The buffer's text in front of the caret at the offer (as a prompt holds it: its last
    CONTEXT_BEFORE characters) and behind it (its first CONTEXT_AFTER)."""
    before, after, _ = FILES[name]
    return before[-CONTEXT_BEFORE:], after[:CONTEXT_AFTER]


def moved(prompt: str, completion: str, name: str) -> str:
    """What follows the part moved into `completion`: the prompt and that part are the buffer's text in
    front of the caret at the offer, byte for byte, and the prompt ends where the caret's line starts."""
    seen, _ = caret_texts(name)
    assert prompt == seen[:len(prompt)] and prompt.endswith("\n"), (name, prompt)
    assert completion.startswith(seen[len(prompt):]) and "\n" not in seen[len(prompt):], (name, completion)
    return completion[len(seen) - len(prompt):]


def lines_of(folder: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for path in sorted(folder.rglob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines()]


async def test_rows_are_what_the_model_saw_and_every_training_export_loads_by_name(
        daemon: Daemon, ws: Path, tmp_path: Path, caplog: LogCaptureFixture) -> None:
    await session(daemon, ws, tmp_path)
    episode = seal(daemon, ws, until=lambda steps: at_least(4, "offer")(steps) and at_least(4, "save")(steps),
                   what="four offers and four saves")
    alice = contributor(tmp_path, "alice")
    sign(alice, episode.path)
    fixing = debugging(1)  # a failing run, edits, a green one: stepwise rows
    unsigned = alice.home.ensure(alice.home.episodes) / f"{fixing.header.episode_id}.ctape"
    write_episode_file(unsigned, fixing.header, fixing.steps)
    sign(alice, unsigned)
    upload(alice, (tmp_path / "source").as_uri())
    out = tmp_path / "out"
    done = codetape(tmp_path / "team", "dataset", "build", str(tmp_path / "source"), "-o", str(out),
                    "--trust", str(alice.trust_file(tmp_path)), "--exports", ",".join(export_formats()))
    assert done.returncode == 0, done.stderr
    ours = str(episode.header.episode_id)

    kto = {row["path"]: row for row in lines_of(out / "exports" / "kto") if row["name"].startswith(ours)}
    # (the label is the one rule, issue 89: the rewritten item does not stand unchanged, though 8 of its
    # 9 non-whitespace characters stayed, as `survived_5min` says beside it)
    assert {path: (row["label"], row["outcome"]) for path, row in kto.items()} == {
        "keep.py": (True, "accepted"), "rewrite.py": (False, "overwritten"),
        "over.py": (False, "overwritten")}
    for name, row in kto.items():  # the suggestion after the buffer's text at the offer
        assert moved(row["prompt"], row["completion"], name) == SUGGESTION
        assert row["settled"] == (SUGGESTION if row["outcome"] == "accepted" else OWN)
        assert "import math" not in row["prompt"] and "math.fsum" not in row["completion"]
    # what stayed of each item taken (the survival trace, issue 72): all of the kept one; of the rewritten
    # one, all but the `+` its one change replaced (a change keeps the ids of the text it leaves alike at
    # its ends, as the dataset's `edits` count it)
    assert [(kto[name]["survived_to_end"], kto[name]["reverted_within_ms"], kto[name]["survived_5min"])
            for name in ("keep.py", "rewrite.py")] == [(1.0, -1, True), (8 / 9, -1, True)]
    assert len(kto["keep.py"]["prompt"]) < CONTEXT_BEFORE == len(caret_texts("keep.py")[0])  # (cut at a line)

    for fmt in ("dpo", "dpo-fim"):
        pairs = {row["path"]: row for row in lines_of(out / "exports" / fmt) if row["name"].startswith(ours)}
        assert sorted(pairs) == ["over.py", "rewrite.py"], fmt
        for name, row in pairs.items():
            _, behind = caret_texts(name)
            prompt = row["prompt"]
            if fmt == "dpo-fim":
                prefix, suffix, middle = FIM
                assert prompt.startswith(prefix) and prompt.endswith(f"{suffix}{behind}{middle}"), row
                prompt = prompt[len(prefix):len(prompt) - len(suffix + behind + middle)]
            else:
                assert row["suffix"] == behind, row  # the text behind the caret at the offer
            assert moved(prompt, row["rejected"], name) == SUGGESTION
            assert moved(prompt, row["chosen"], name) == OWN == row["settled"]
    assert len(caret_texts("rewrite.py")[1]) == CONTEXT_AFTER  # (a suffix cut at its first 1,000)

    # TRL's KTO preparation, with a tokenizer that merges as a code model's: every prompt kept whole
    rows = datasets.load_dataset(str(out), "kto", split="train", cache_dir=str(tmp_path / "hf"))
    assert sorted(rows["name"]) == sorted(row["name"] for row in lines_of(out / "exports" / "kto"))
    tokenizer = code_tokenizer(row["prompt"] + row["completion"] for row in rows)
    with caplog.at_level("WARNING", logger="trl"):
        prepared = prepare(rows, tokenizer)
    assert not [record for record in caplog.records if "not a prefix" in record.getMessage()]
    assert prepared.num_rows == rows.num_rows
    for row, made in zip(rows, prepared, strict=True):
        assert tokenizer.decode(made["prompt_ids"]) == row["prompt"]
        assert tokenizer.decode(made["completion_ids"]) == row["completion"] + EOS

    # every training export loads by its name, and the card states its label rule and balance
    card = (out / "README.md").read_text(encoding="utf-8")
    for fmt in TRAINING:
        written = lines_of(out / "exports" / fmt)
        assert written, fmt
        assert fmt in SCHEMAS, fmt  # by name, its Parquet twins: the same rows
        loaded = datasets.load_dataset(str(out), fmt, split="train", cache_dir=str(tmp_path / "hf"))
        assert sorted(json.dumps(as_exported(row), sort_keys=True) for row in loaded.to_list()) == \
            sorted(json.dumps(row, sort_keys=True) for row in written), fmt
        assert f"### `{fmt}`" in card and f'- load: `datasets.load_dataset("path/to/this/dataset", "{fmt}"' \
            in card, fmt
    labels = [row["label"] for row in lines_of(out / "exports" / "kto")]
    assert (f"{len(labels):,} rows: {sum(labels):,} desirable (true), {len(labels) - sum(labels):,} "
            f"undesirable (false)") in card
    steps = [label for row in lines_of(out / "exports" / "stepwise") for label in row["labels"]]
    assert f"steps: {sum(steps):,} labelled true, {len(steps) - sum(steps):,} false" in card
