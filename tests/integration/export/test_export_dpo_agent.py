"""`codetape export --format dpo-agent` (collector/export/preferences/dpo_agent.py) over generated sessions of
an agent's write the developer changes (tests/unit/export/test_refinements.py's), and one whose lines are
indented: every row's texts are the truth the session's model of the file says, and TRL's own DPO
preparation (tests/support/trl_dpo.py) takes every row, the prompt whole: with a code model's
pre-tokenizer (Qwen2's) the tokenized prompt is a prefix of prompt + chosen and of prompt + rejected, and
each part decodes to exactly the text exported."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import datasets
import pytest
from _pytest.logging import LogCaptureFixture
from trl.data_utils import is_conversational, maybe_extract_prompt

from collector.episode import write_episode_file
from schemas import EpisodeHeader, Step, WorkspaceIdentity
from tests.cli import codetape
from tests.support.trl_dpo import EOS, byte_tokenizer, code_tokenizer, prepare
from tests.unit.export.test_refinements import commit, lines_edit, prompt, reload, session, step, write

SEEDS = range(24)
COLUMNS = ["prompt", "chosen", "rejected", "prompt_space", "agent", "actors", "kept_share", "deleted", "path",
           "write_step", "turn_step", "settled_step", "name", "split"]
INDENTED_BEFORE = "def f(n):\n    return n\n"
INDENTED_AFTER = "def f(n):\n    total = 0\n    for k in range(n):\n        total += k\n    return total\n"
INDENTED_CHOSEN = "    return sum(range(n))\n"


def indented() -> list[Step]:
    """The agent writes an indented loop; the developer replaces it with one line."""
    return [step("open", 0, path="a.py", text=INDENTED_BEFORE), prompt(1_000), write(2_000, INDENTED_AFTER),
            reload(2_100, INDENTED_BEFORE, INDENTED_AFTER), lines_edit(3_000, 1, 5, INDENTED_CHOSEN),
            step("save", 3_500, path="a.py"), commit(4_000)]


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[
        datasets.Dataset, dict[str, tuple[str, str]]]:
    """The rows, and the truth of each episode (id -> (rejected, chosen)) whose write makes one."""
    base = tmp_path_factory.mktemp("dpo-agent")
    folder, truth = base / "episodes", {}
    folder.mkdir()
    made = [(session(seed)[0], session(seed)[1:3]) for seed in SEEDS]
    made.append((indented(), ("    total = 0\n    for k in range(n):\n        total += k\n    return total\n",
                              INDENTED_CHOSEN)))
    for steps, (rejected, chosen) in made:
        header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                               started_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
                               workspace=WorkspaceIdentity(root_name="demo"))
        write_episode_file(folder / f"{header.episode_id}.ctape", header, steps)
        if rejected != chosen:
            truth[str(header.episode_id)] = (rejected, chosen)
    out = base / "out"
    done = codetape(base / "home", "export", *map(str, sorted(folder.iterdir())), "--format", "dpo-agent",
                    "-o", str(out))
    assert done.returncode == 0, done.stderr
    files = sorted(str(path) for path in out.iterdir())
    rows = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(base / "hf"))
    return rows, truth


def test_every_row_is_the_truth_and_trl_prepares_it(
        exported: tuple[datasets.Dataset, dict[str, tuple[str, str]]], caplog: LogCaptureFixture) -> None:
    rows, truth = exported
    assert rows.column_names == COLUMNS
    assert sorted(row["name"].split(":")[0] for row in rows) == sorted(truth)  # a row exactly where changed
    assert any(row["deleted"] for row in rows) and not all(row["deleted"] for row in rows)
    for row in rows:
        assert (row["rejected"], row["chosen"]) == truth[row["name"].split(":")[0]], row
        assert row["prompt"].endswith(":\n") and "The prompt to the agent:\n" in row["prompt"], row
        assert not is_conversational(dict(row)) and maybe_extract_prompt(dict(row)) == dict(row)

    tokenizer = byte_tokenizer()
    prepared = prepare(rows, tokenizer)
    assert prepared.num_rows == rows.num_rows
    for row, done in zip(rows, prepared, strict=True):
        assert tokenizer.decode(done["prompt_ids"]) == row["prompt"]
        assert tokenizer.decode(done["chosen_ids"]) == row["chosen"] + EOS
        assert tokenizer.decode(done["rejected_ids"]) == row["rejected"] + EOS

    # a code model's pre-tokenizer: the prompt's tokens a prefix of the prompt's with either side
    code = code_tokenizer(row["prompt"] + side for row in rows for side in (row["chosen"], row["rejected"]))
    for row in rows:
        alone = code(row["prompt"], add_special_tokens=False)["input_ids"]
        for side in (row["chosen"], row["rejected"]):
            joined = code(row["prompt"] + side, add_special_tokens=False)["input_ids"]
            assert joined[:len(alone)] == alone, row
    with caplog.at_level("WARNING"):
        prepared = prepare(rows, code)
    assert not [record for record in caplog.records if "not a prefix" in record.getMessage()]
    for row, done in zip(rows, prepared, strict=True):
        assert code.decode(done["prompt_ids"]) == row["prompt"]
        assert code.decode(done["chosen_ids"]) == row["chosen"] + EOS
