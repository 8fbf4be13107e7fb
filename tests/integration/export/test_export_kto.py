"""`codetape export --format kto` through the real CLI, over generated training sessions
(tests/support/sessions.py: an AI's inline suggestions taken whole, taken a word at a time, typed over),
generated debugging sessions (tests/support/debugging.py) and the golden episode of offers
(tests/fixtures/episodes/offers.ctape): the export folder loaded whole with `datasets.load_dataset("json")`
and prepared by TRL's own KTO preparation (tests/support/trl_kto.py), every row tokenized, its prompt and
completion decoding to exactly the text exported, and with a tokenizer that merges as a code model's does
every prompt kept whole (TRL warns of none cut). A false row is dpo's pair for the same offer, seen from
its rejected side; a true row's completion ends with the part taken, which its settled text starts with.
(The rows' text at the offer is checked against a recorded session's truth in
tests/integration/lsp_bridge/test_bridge_training_rows.py.)"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import datasets
import pytest
from _pytest.logging import LogCaptureFixture
from transformers import PreTrainedTokenizerFast
from trl.data_utils import is_conversational

from collector.episode import write_episode_file
from collector.reconstruct.offers import CONTEXT_BEFORE
from tests.cli import codetape
from tests.support.debugging import debugging
from tests.support.sessions import generate
from tests.support.trl_dpo import EOS, byte_tokenizer, code_tokenizer
from tests.support.trl_kto import BATCH, prepare

GOLDEN = Path(__file__).parents[2] / "fixtures" / "episodes" / "offers.ctape"
SEEDS = (1, 2, 3)
SCALE = 0.1
COLUMNS = ["prompt", "completion", "label", "settled", "prompt_space", "survived_30s", "survived_5min",
           "survived_to_commit", "survived_to_end", "reverted_within_ms", "name", "path", "via", "outcome",
           "split"]


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]]]:
    """The episodes' folder, and each generated episode's files as it ends (id -> path -> text)."""
    folder = tmp_path_factory.mktemp("episodes")
    settled = {}
    for seed in SEEDS:
        session = generate(seed, "training", scale=SCALE)
        write_episode_file(folder / f"training-{seed}.ctape", session.header, session.steps)
        settled[str(session.header.episode_id)] = session.expected
        fixing = debugging(seed)
        write_episode_file(folder / f"debugging-{seed}.ctape", fixing.header, fixing.steps)
        settled[str(fixing.header.episode_id)] = {"src/clamp.py": fixing.expected}
    shutil.copy(GOLDEN, folder / GOLDEN.name)
    return folder, settled


def exported(tmp_path: Path, folder: Path, fmt: str) -> datasets.Dataset:
    out = tmp_path / fmt
    done = codetape(tmp_path / "home", "export", *map(str, sorted(folder.iterdir())), "--format", fmt,
                    "-o", str(out))
    assert done.returncode == 0, done.stderr
    files = sorted(str(path) for path in out.iterdir())
    assert len(files) == 2 * len(SEEDS) + 1
    loaded = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(tmp_path / "hf"))
    return loaded


def test_kto_rows_are_the_files_text_and_trl_prepares_every_one(
        tmp_path: Path, episodes: tuple[Path, dict[str, dict[str, str]]], caplog: LogCaptureFixture) -> None:
    folder, settled = episodes
    rows = exported(tmp_path, folder, "kto")
    assert rows.column_names == COLUMNS
    kinds: Counter[tuple[bool, str, str]] = Counter()
    for row in rows:
        kinds[row["label"], row["via"], row["outcome"]] += 1
        assert row["completion"] and row["split"] in ("train", "eval", "none")
        # the rule (docs/exports.md): a suggestion written over is false; a true one was taken
        assert not (row["outcome"] == "overwritten" and row["label"]), row
        assert not row["label"] or row["outcome"] in ("accepted", "partly_accepted"), row
        assert not is_conversational(dict(row))
        # the prompt ends where a line starts, the rest of the line in the completion
        assert row["prompt"] == "" or row["prompt"].endswith("\n"), row
        assert len(row["prompt"]) <= CONTEXT_BEFORE, row
        episode_id = row["name"].split(":")[0]
        if episode_id in settled and row["label"]:  # generated: the part taken stayed in the file
            line = row["completion"].split("\n")[0]
            assert line.strip() and line.strip().split()[-1] in settled[episode_id][row["path"]], row
    assert kinds[True, "inline", "accepted"] >= 3, kinds
    assert kinds[False, "inline", "partly_accepted"] >= 1, kinds  # judged by the whole suggestion
    assert kinds[True, "completion", "accepted"] == 0, kinds  # a language server's list: no AI's
    assert kinds[False, "inline", "overwritten"] >= 3, kinds

    # a false row is dpo's pair for the same offer, from its rejected side (every pair is one), or a
    # suggestion taken and then deleted with nothing left in its place (no pair: nothing replaced it)
    pairs = {row["name"]: row for row in exported(tmp_path, folder, "dpo")}
    false = {row["name"]: row for row in rows if not row["label"]}
    deleted = {name for name, row in false.items() if not row["settled"].strip()}
    assert deleted, "no suggestion taken and deleted in the sessions"
    assert set(false) - deleted == set(pairs)
    for name, row in false.items():
        if name not in deleted:
            assert (row["prompt"], row["completion"]) == (pairs[name]["prompt"], pairs[name]["rejected"])

    tokenizer = byte_tokenizer()
    prepared = prepare(rows, tokenizer)
    assert prepared.num_rows == rows.num_rows  # none dropped
    for row, done in zip(rows, prepared, strict=True):
        assert tokenizer.decode(done["prompt_ids"]) == row["prompt"]
        assert tokenizer.decode(done["completion_ids"]) == row["completion"] + EOS
        assert done["label"] is row["label"]
    # the KL term's mismatched completions: each batch's completions turned by one
    first = prepared.select(range(min(BATCH, prepared.num_rows)))
    assert first["KL_completion_ids"] == [first["completion_ids"][-1], *first["completion_ids"][:-1]]

    # a code model's tokenizer: every prompt a prefix of prompt + completion, none cut by TRL
    merging = code_tokenizer(row["prompt"] + row["completion"] for row in rows)
    with caplog.at_level("WARNING", logger="trl"):
        whole = prepare(rows, merging)
    assert not [record for record in caplog.records if "not a prefix" in record.getMessage()]
    for row, done in zip(rows, whole, strict=True):
        assert merging.decode(done["prompt_ids"]) == row["prompt"]
        assert merging.decode(done["completion_ids"]) == row["completion"] + EOS

    # GPT-2's pre-tokenizer joins the prompt's last line break to the indentation after it (issue 99): the
    # prompt is cut, unless its ending whitespace (`prompt_space`) goes before the completion
    assert all(row["prompt"] == row["prompt"].rstrip() + row["prompt_space"] for row in rows)
    gpt2 = code_tokenizer((row["prompt"] + row["completion"] for row in rows), gpt2=True)
    assert _cut(rows, gpt2) > 0  # (the prompt as it is: the case the field is for)
    moved = rows.map(lambda row: {"prompt": row["prompt"].rstrip(),
                                  "completion": row["prompt_space"] + row["completion"]})
    assert _cut(moved, gpt2) == 0 and _cut(rows, merging) == 0


def _cut(rows: datasets.Dataset, tokenizer: PreTrainedTokenizerFast) -> int:
    """The prompts TRL's KTO preparation cuts (it warns once: tokens merged across the boundary, the
    completion starts where prompt and prompt + completion diverge)."""
    prepared = prepare(rows, tokenizer)
    return sum(tokenizer.decode(done["prompt_ids"]) != row["prompt"] for row, done in zip(rows, prepared,
                                                                                          strict=True))
