"""Issue 103's Done-when: refinement pairs through a real editor and a real agent. Headless Neovim 0.11 with
codetape's plugin (a real bridge and collector) and the pinned Claude Code's hooks, driven by the scripted
model on loopback, record three turns of the agent, each on a prompt of its own, the first two followed
by a commit:

1. the agent adds `double`; the developer rewrites its middle line (`cc`) before committing: a row, the
   agent's lines `rejected`, the same lines with the developer's line `chosen`;
2. the agent adds `triple`; the developer keeps it as written: no row;
3. the agent adds `half`; the developer deletes its lines whole (`3dk`): a row with `chosen` empty,
   `deleted` true (docs/exports.md); the file is then as committed, so no commit follows: the episode's
   end is its horizon.

Signed, uploaded and built with `--exports dpo-agent`: the export holds exactly the two rows, their texts
the truth written below, the prompt the turn's prompt and the file as committed before the turn; the
card's `dpo-agent` config loads them by name, and TRL's DPO preparation (tests/support/trl_dpo.py) takes
them, the prompt's tokens a prefix of prompt + chosen and prompt + rejected with a code model's
pre-tokenizer.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import datasets
import pytest

from collector.episode import open_episode
from collector.home import Home
from tests.cli import codetape
from tests.e2e.agent_meets_editor import turn_script
from tests.e2e.conftest import environment, home_of, opted_in_repository, running_collector
from tests.e2e.data_team_session import git
from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario
from tests.e2e.neovim.test_labels_truth import HELPERS
from tests.support.collector_harness import wait_recorded
from tests.support.model_server import Action, Edit, Read, ScriptedModel, Text
from tests.support.trl_dpo import EOS, code_tokenizer, prepare

APP = "def add(a, b):\n    return a + b\n"
IGNORED = "__pycache__/\n.claude/\n"
DOUBLE = "\n\ndef double(x):\n    y = x + x\n    return y\n"  # what the agent's write adds, line by line
MINE = "    y = 2 * x"  # the developer's line in its place (`cc` on `y = x + x`)
TRIPLE = "\n\ndef triple(x):\n    return 3 * x\n"
HALF = "\n\ndef half(x):\n    return x / 2\n"
# (prompt, the line the agent's Edit adds behind, what it adds, the developer's keys after it)
TURNS = [("add double", "    return a + b", DOUBLE, f"6Gcc{MINE}<Esc>"),
         ("add triple", "    return y", TRIPLE, ""),
         ("add half", "    return 3 * x", HALF, "G3dk")]

SCENARIO = HELPERS + r"""
agent([==[%(turn)s]==], %(wrote)s)
if %(keys)s ~= '' then
  typed(%(keys)s)
  saved()
end
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


@dataclass
class Recorded:
    dataset: Path
    episode_id: str
    before: list[str]  # the file's text before each turn (as committed)
    steps: list[dict[str, Any]]

    def rows(self) -> list[dict[str, Any]]:
        [found] = (self.dataset / "exports" / "dpo-agent").rglob(f"{self.episode_id}.dpo-agent.jsonl")
        return [json.loads(line) for line in found.read_text(encoding="utf-8").splitlines()]


def committed(message: str) -> Callable[[list[dict[str, Any]]], bool]:
    """Whether the steps recorded so far hold the commit of `message`."""
    return lambda steps: any(step["kind"] == "git" and step.get("op") == "commit" and
                             (step.get("message") or "").strip() == message for step in steps)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    base = tmp_path_factory.mktemp("refinements")
    env = environment(base)
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    ws = opted_in_repository(base / "ws", env)
    app = ws / "app.py"
    app.write_text(APP, encoding="utf-8")
    (ws / ".gitignore").write_text(IGNORED, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "add")
    user = base / "agent-user"
    user.mkdir()
    before = []
    with running_collector(env, base / "collector.log"):
        codetape(home_of(env), "agent", "hook", "install", "--yes", "--agent", "claude-code", "--dir",
                 str(ws), env={"HOME": str(user)}, check=True)
        for number, (prompt, behind, adds, keys) in enumerate(TURNS):
            before.append(app.read_text(encoding="utf-8"))
            # (Claude Code's Edit takes a file it has read; a new conversation starts each script)
            new = f"{behind}\n{adds.removesuffix(chr(10))}"
            script: list[list[Action]] = [[Read(app)], [Edit(app, behind, new)], [Text("Done.")]]
            with ScriptedModel(script) as model:
                turn = base / f"agent-{number}.sh"
                turn.write_text(turn_script("claude-code", model, user, env, prompt), encoding="utf-8")
                scratch = base / f"neovim-{number}"
                scratch.mkdir()
                wrote = adds.strip().split("\n")[-1]  # (its last line: checktime read the write in)
                run_scenario(NEOVIMS["0.11"], ws, SCENARIO % {"turn": turn, "wrote": json.dumps(wrote),
                                                              "keys": json.dumps(keys)}, env, scratch)
                assert not model.errors and len(model.requests) >= len(script), (model.errors, model.requests)
            if number < 2:  # (the third leaves the file as committed: nothing to commit, the end its horizon)
                git(ws, "commit", "-qam", prompt)
                wait_recorded(home, ws, committed(prompt), f"the commit after the turn on {prompt!r}")
        assert app.read_text(encoding="utf-8") == \
            APP + DOUBLE.replace("    y = x + x", MINE) + TRIPLE
        sealed = json.loads(codetape(home_of(env), "seal", str(ws), "--json", check=True).stdout)
    episode = open_episode(Path(sealed["path"]))
    episode_id, steps = str(episode.header.episode_id), list(episode.step_dicts())
    codetape(home_of(env), "keys", "init", "--no-passphrase", check=True)
    codetape(home_of(env), "sign", episode_id, "--yes", check=True)
    uploads, dataset = base / "uploads", base / "dataset"
    codetape(home_of(env), "upload", "--to", uploads.as_uri(), "--quiet", check=True)
    codetape(home_of(env), "dataset", "build", uploads.as_uri(), "-o", str(dataset), "--exports", "dpo-agent",
             "--quiet", check=True)
    yield Recorded(dataset, episode_id, before, steps)


def test_the_rows_are_the_rewritten_and_the_deleted_writes_texts_the_truth(session: Recorded) -> None:
    rows = session.rows()
    # (the empty lines in front of a write's lines are not its lines; the kept write: no row)
    assert [(row["rejected"], row["chosen"]) for row in rows] == [
        (DOUBLE.lstrip("\n"), DOUBLE.lstrip("\n").replace("    y = x + x", MINE)), (HALF.lstrip("\n"), "")]
    rewritten, deleted = rows
    assert (rewritten["deleted"], deleted["deleted"]) == (False, True)
    for row, turn in zip(rows, (0, 2), strict=True):
        prompt, before = TURNS[turn][0], session.before[turn]
        assert f"The prompt to the agent:\n{prompt}\n\nThe file app.py before the turn:\n{before}\n" \
            in row["prompt"], row
        assert row["prompt"].endswith(" of app.py:\n") and (row["agent"], row["actors"]) == (
            "claude-code", ["developer"]), row
        write = session.steps[row["write_step"]]
        assert (write["kind"], write["origin"]) == ("file_change", "agent"), write
        assert session.steps[row["turn_step"]]["prompt"] == prompt
    horizon = session.steps[rewritten["settled_step"] - 1]  # the commit after the developer's change
    assert (horizon["kind"], horizon.get("op"), (horizon.get("message") or "").strip()) == (
        "git", "commit", TURNS[0][0]), horizon
    assert deleted["settled_step"] == len(session.steps)  # (no commit, no prompt after it: the end)
    assert deleted["kept_share"] == 0.0 and 0.0 < rewritten["kept_share"] < 1.0, rows


def test_the_config_loads_by_name_and_trl_prepares_the_rows(session: Recorded, tmp_path: Path) -> None:
    rows = datasets.load_dataset(str(session.dataset), "dpo-agent", split="train", cache_dir=str(tmp_path))
    assert sorted(json.dumps(row, sort_keys=True) for row in rows.to_list()) == \
        sorted(json.dumps(row, sort_keys=True) for row in session.rows())
    card = (session.dataset / "README.md").read_text(encoding="utf-8")
    assert "### `dpo-agent`" in card and "2 pairs: 1 rewritten, 1 deleted" in card
    code = code_tokenizer([row["prompt"] + side for row in rows for side in (row["chosen"], row["rejected"])])
    for row in rows:
        alone = code(row["prompt"], add_special_tokens=False)["input_ids"]
        for side in (row["chosen"], row["rejected"]):
            joined = code(row["prompt"] + side, add_special_tokens=False)["input_ids"]
            assert joined[:len(alone)] == alone, row
    prepared = prepare(rows, code)
    assert prepared.num_rows == rows.num_rows == 2
    for row, done in zip(rows, prepared, strict=True):
        assert code.decode(done["prompt_ids"]) == row["prompt"]
        assert code.decode(done["chosen_ids"]) == row["chosen"] + EOS
        assert code.decode(done["rejected_ids"]) == row["rejected"] + EOS
