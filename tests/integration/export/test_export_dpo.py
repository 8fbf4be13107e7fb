"""`codetape export --format dpo` and `--format dpo-fim` through the real CLI, over generated training
sessions (tests/support/sessions.py: an AI's inline suggestions taken whole, taken a word at a time and
typed on, typed over) and the golden episode of offers (tests/fixtures/episodes/offers.ctape): each export
folder loaded whole with `datasets.load_dataset("json")` and prepared by TRL's own DPO preparation
(tests/support/trl_dpo.py), every row tokenized, its prompt and both sides decoding to exactly the text
exported; each prompt ends where a line starts, and the developer's side is the text that settled in the
suggestion's place after the rest of the caret's line. (The rows' text at the offer is checked against a
recorded session's truth in tests/integration/lsp_bridge/test_bridge_training_rows.py.)"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import datasets
import pytest
from trl.data_utils import is_conversational, maybe_apply_chat_template, maybe_extract_prompt

from collector.episode import write_episode_file
from collector.reconstruct.offers import CONTEXT_AFTER, CONTEXT_BEFORE
from tests.cli import codetape
from tests.support.sessions import generate
from tests.support.trl_dpo import EOS, FIM, byte_tokenizer, prepare

GOLDEN = Path(__file__).parents[2] / "fixtures" / "episodes" / "offers.ctape"
SEEDS = (1, 2, 3)
SCALE = 0.1
COLUMNS = {"dpo": ["prompt", "chosen", "rejected", "suffix", "prompt_space", "settled", "name", "path", "via",
                   "outcome", "split"],
           "dpo-fim": ["prompt", "chosen", "rejected", "settled", "name", "path", "via", "outcome", "split"]}


@pytest.fixture(scope="module")
def episodes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, str]]]:
    """The episodes' folder, and each generated episode's files as it ends (id -> path -> text)."""
    folder = tmp_path_factory.mktemp("episodes")
    settled = {}
    for seed in SEEDS:
        session = generate(seed, "training", scale=SCALE)
        write_episode_file(folder / f"training-{seed}.ctape", session.header, session.steps)
        settled[str(session.header.episode_id)] = session.expected
    shutil.copy(GOLDEN, folder / GOLDEN.name)
    return folder, settled


def exported(tmp_path: Path, folder: Path, fmt: str) -> datasets.Dataset:
    out = tmp_path / fmt
    done = codetape(tmp_path / "home", "export", *map(str, sorted(folder.iterdir())), "--format", fmt,
                    "-o", str(out))
    assert done.returncode == 0, done.stderr
    files = sorted(str(path) for path in out.iterdir())
    assert len(files) == len(SEEDS) + 1
    loaded = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(tmp_path / "hf"))
    assert loaded.column_names == COLUMNS[fmt]
    return loaded


def test_dpo_rows_are_the_files_text_and_trl_prepares_every_one(
        tmp_path: Path, episodes: tuple[Path, dict[str, dict[str, str]]]) -> None:
    folder, settled = episodes
    rows = exported(tmp_path, folder, "dpo")
    kinds: Counter[tuple[str, str]] = Counter()
    tokenizer = byte_tokenizer()
    for row in rows:
        kinds[row["via"], row["outcome"]] += 1
        assert row["chosen"] and row["rejected"] and row["chosen"] != row["rejected"], row
        assert row["split"] in ("train", "eval", "none")
        assert row["prompt"] == "" or row["prompt"].endswith("\n"), row
        assert len(row["prompt"]) <= CONTEXT_BEFORE and len(row["suffix"]) <= CONTEXT_AFTER, row
        head = row["chosen"][:len(row["chosen"]) - len(row["settled"])]  # the caret's line in front of it
        assert row["chosen"] == head + row["settled"] and "\n" not in head, row
        assert row["rejected"].startswith(head), row
        episode_id = row["name"].split(":")[0]
        if episode_id in settled:  # generated: the developer's text is in the file the session ends with
            assert row["settled"] in settled[episode_id][row["path"]], row
        example: dict[str, Any] = dict(row)
        assert not is_conversational(example)
        assert maybe_extract_prompt(example) == example  # an explicit prompt: kept as it is
        assert maybe_apply_chat_template(example, tokenizer) == example  # (text: nothing to template)
    assert kinds["inline", "overwritten"] >= 3 and kinds["inline", "partly_accepted"] >= 1, kinds

    prepared = prepare(rows, tokenizer)
    assert prepared.num_rows == rows.num_rows  # none dropped
    for row, done in zip(rows, prepared, strict=True):
        assert tokenizer.decode(done["prompt_ids"]) == row["prompt"]
        assert tokenizer.decode(done["chosen_ids"]) == row["chosen"] + EOS
        assert tokenizer.decode(done["rejected_ids"]) == row["rejected"] + EOS


def test_dpo_fim_prompts_carry_the_text_after_between_starcoders_tokens(
        tmp_path: Path, episodes: tuple[Path, dict[str, dict[str, str]]]) -> None:
    folder, _ = episodes
    plain = {row["name"]: row for row in exported(tmp_path, folder, "dpo")}
    rows = exported(tmp_path, folder, "dpo-fim")
    assert sorted(rows["name"]) == sorted(plain)
    prefix, suffix, middle = FIM
    for row in rows:
        same = plain[row["name"]]
        assert row["prompt"] == f"{prefix}{same['prompt']}{suffix}{same['suffix']}{middle}"
        assert (row["chosen"], row["rejected"]) == (same["chosen"], same["rejected"])
    tokenizer = byte_tokenizer()
    specials = tokenizer.convert_tokens_to_ids(FIM)
    assert isinstance(specials, list)
    prepared = prepare(rows, tokenizer)
    for row, done in zip(rows, prepared, strict=True):
        assert [token for token in done["prompt_ids"] if token in specials] == specials  # one each, in order
        assert tokenizer.decode(done["prompt_ids"]) == row["prompt"]
        assert tokenizer.decode(done["chosen_ids"]) == row["chosen"] + EOS
        assert tokenizer.decode(done["rejected_ids"]) == row["rejected"] + EOS
