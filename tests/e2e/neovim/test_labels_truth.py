"""Issue 72's Done-when: a session whose truth is known burst by burst and offer by offer, recorded through a
real editor (headless Neovim 0.11 with codetape's plugin, a real bridge and collector, an AI completion
source as Copilot's sources present one) and a real agent's hooks (the pinned Claude Code, driven by the
scripted model on loopback), its tests run for real by the pytest plugin; signed, uploaded and built with
every export a build writes. Every `stepwise` step and label, every surviving share and every `kto` label
and survival column equals the truth written down below, the agent's write a step with its actor, and
TRL's PRM preparation (TRL 0.29.0's `PRMTrainer.tokenize_row`, tests/support/trl_prm.py) tokenises the row.

The session, between the failing test run (`mul` does not exist) and the green one:

1. a function typed (`sub`), the AI's suggestion for its body taken: then the three lines deleted (`d2k`);
2. `mul` typed, wrong (`a + b`), saved; the agent, asked to fix it, replaces it with an import: nothing but
   the two line breaks typed before `def mul` is left of the developer's burst;
3. `add`'s body written again (`cc`), the AI's suggestion `return a + b` taken and kept.
A save ends each burst, so the truth does not rest on timing. The plugin reports an offer once its menu
has closed, after the item went in: typing and the item taken are one burst.

After the green run (issue 89), in Neovim again, two more turns of the agent, each on a prompt of its own:
one the developer reverts at once with `dd` (its line deleted: nothing of it stands, `survived_5min`
false), one they partly rewrite (the body of the function it wrote retyped with `cc`: the share of its
non-whitespace characters left is the function's first line's). Their pushback columns (swe-messages'
prompt messages, the `agent_events` table) are the truth.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from collector.episode import open_episode
from collector.export import per_episode_formats
from collector.home import Home
from tests.cli import codetape
from tests.e2e import data_team_session as recorded
from tests.e2e.agent_meets_editor import turn_script
from tests.e2e.conftest import environment, home_of, opted_in_repository, running_collector
from tests.e2e.data_team_session import git
from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario
from tests.support.collector_harness import wait_recorded
from tests.support.dataset_helpers import duck
from tests.support.model_server import Action, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import codex_config
from tests.support.trl_dpo import code_tokenizer
from tests.support.trl_prm import SEPARATOR, read_back, tokenized

APP = "def add(a, b):\n    return a - b\n"
TESTS = ("from app import add, mul\n\n\ndef test_add():\n    assert add(2, 3) == 5\n\n\n"
         "def test_mul():\n    assert mul(2, 3) == 6\n")
IGNORED = "__pycache__/\n.pytest_cache/\n.claude/\n"
SUB, FIX = "return a - b", "return a + b"  # the AI's two suggestions: the first deleted, the second kept
WRONG = "def mul(a, b):\n    return a + b"  # the developer's burst the agent replaces
AGENT = "from operator import mul"  # (shares no character but the line breaks around it with WRONG)
PROMPT = "test_mul fails: fix mul"
EXTRA = "from operator import sub"  # the reverted turn's line, added behind AGENT's
REVERT_PROMPT = "import sub as well"
DOUBLE = "def double(x):\n    return x + x"  # the partly rewritten turn's function, added behind AGENT's
MINE = "    return 2 * x"  # the developer's body for it (`cc`)
REWRITE_PROMPT = "add double"

HELPERS = r"""
vim.o.autoread = true
local function plain()  -- the spaces typed are the indentation (a reload sets the filetype's again)
  vim.bo.indentexpr, vim.bo.autoindent, vim.bo.smartindent = '', false, false
end
plain()
local function typed(k)
  keys(k)
  local turned = false
  vim.schedule(function() turned = true end)
  check(vim.wait(10000, function() return turned end, 10), 'the event loop did not run')
end
local function saved() save(); recorded_save() end
local function agent(turn, wrote)  -- the agent's turn (a shell script), then its write read again
  local code
  local job = vim.fn.jobstart({ 'sh', turn }, { cwd = WS, on_exit = function(_, c) code = c end })
  check(job > 0, 'could not start the agent')
  check(vim.wait(240000, function() return code ~= nil end, 50), 'the agent did not finish')
  check(code == 0, 'the agent failed: exit ' .. tostring(code))
  vim.cmd('checktime')
  plain()
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  check(text:find(wrote, 1, true) ~= nil, 'checktime did not read the agent\'s write: ' .. text)
end
"""

SCENARIO = HELPERS + r"""
local TRUTH, TURN = [==[%(truth)s]==], [==[%(turn)s]==]
_G.suggestion = ''
_G.ai_complete = function(findstart, base)  -- a Copilot-like completion source: its menu names it
  if findstart == 1 then return vim.fn.col('.') - 1 end
  return { { word = _G.suggestion, menu = '[Copilot]', kind = 'Copilot' } }
end
vim.bo.completefunc = 'v:lua.ai_complete'
vim.opt.completeopt = 'menuone'
local truth = {}
local function offered(name, word)  -- the buffer's text in front of the caret as the menu opens
  _G.suggestion = word
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  col = col + 1  -- (in Normal mode on the line's last character: `a` puts the caret after it)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local text = table.concat(lines, '\n') .. '\n'
  local at = #table.concat(vim.list_slice(lines, 1, row - 1), '\n') + (row > 1 and 1 or 0) + col
  truth[name] = text:sub(1, at)
end
-- 1. `sub` typed, the AI's body taken, saved; then the function deleted, saved
typed('Go<CR>def sub(a, b):<CR>    ')
offered('deleted', %(sub)s)
typed('a<C-x><C-u><C-y><Esc>')
saved()
typed('Gd2k')
saved()
-- 2. `mul` typed wrong, saved; the agent's turn; its write read again
typed('Go<CR>def mul(a, b):<CR>    return a + b<Esc>')
saved()
agent(TURN, %(agent)s)
-- 3. `add`'s body written again with the AI's suggestion, kept; saved
typed('ggjcc    <Esc>')
offered('kept', %(fix)s)
typed('a<C-x><C-u><C-y><Esc>')
saved()
local f = io.open(TRUTH, 'w'); f:write(vim.json.encode(truth)); f:close()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""

# After the green run: a turn reverted with `dd`, a turn partly rewritten with `cc` (the module docstring).
LATER = HELPERS + r"""
agent([==[%(revert)s]==], %(extra)s)
typed('Gdd')  -- its line, the file's last, deleted
saved()
agent([==[%(rewrite)s]==], %(double)s)
typed('Gcc' .. %(mine)s .. '<Esc>')  -- the function's body retyped (no autoindent: its indentation too)
saved()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


@dataclass
class Step:
    """A stepwise step's truth: whose, its label, its surviving share, lines its diff adds or removes."""

    actor: str
    label: bool
    share: float
    diff_holds: tuple[str, ...]


# The truth, step by step, between the failing run and the green one. A burst's share counts what it
# inserted that is not white space; -1.0 for a burst that inserted none (it only deleted).
STEPS = [
    Step("developer", False, 0.0, ("+def sub(a, b):", f"+    {SUB}")),  # typed, the suggestion taken: then
    # deleted with its function
    Step("developer", True, -1.0, ("-def sub(a, b):", f"-    {SUB}")),  # the deletion: inserted nothing
    Step("developer", False, 0.0, ("+def mul(a, b):", "+    return a + b")),  # replaced by the agent's write
    # but the two line breaks typed before `def`
    Step("agent", True, 1.0, ("-def mul(a, b):", f"+{AGENT}")),  # the agent's write, kept
    Step("developer", True, 1.0, ("-    return a - b", f"+    {FIX}")),  # `cc`, the indentation typed, the
    # suggestion taken and kept
]


@dataclass
class Recorded:
    dataset: Path
    episode_id: str
    truth: dict[str, str]
    steps: list[dict[str, Any]]

    def rows(self, fmt: str) -> list[dict[str, Any]]:
        [found] = (self.dataset / "exports" / fmt).rglob(f"{self.episode_id}.{fmt}.jsonl")
        return [json.loads(line) for line in found.read_text(encoding="utf-8").splitlines()]


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    base = tmp_path_factory.mktemp("labels-truth")
    env = environment(base)
    home = Home(Path(env["CODETAPE_HOME"]).resolve())
    ws = opted_in_repository(base / "ws", env)
    for name, text in (("app.py", APP), ("test_app.py", TESTS), (".gitignore", IGNORED)):
        (ws / name).write_text(text, encoding="utf-8")
    git(ws, "add", "-A")
    git(ws, "commit", "-qm", "add, and the tests")
    user = base / "agent-user"
    (user / ".codex").mkdir(parents=True)
    # (Claude Code's Edit takes a file it has read)
    script: list[list[Action]] = [[Read(ws / "app.py")], [Edit(ws / "app.py", WRONG, AGENT)],
                                  [Text("Fixed mul.")]]
    truth_file = base / "truth.json"
    with running_collector(env, base / "collector.log"), ScriptedModel(script) as model:
        (user / ".codex" / "config.toml").write_text(codex_config(model), encoding="utf-8")
        codetape(home_of(env), "agent", "hook", "install", "--yes", "--agent", "claude-code", "--dir",
                 str(ws), env={"HOME": str(user), "CODEX_HOME": str(user / ".codex")}, check=True)
        failed = recorded.pytest(env, ws)
        assert failed.returncode != 0, failed.stdout + failed.stderr
        wait_recorded(home, ws, lambda steps: len(recorded.test_runs(steps)) == 1, "the failing test run")
        turn = base / "agent-turn.sh"
        turn.write_text(turn_script("claude-code", model, user, env, PROMPT), encoding="utf-8")
        scratch = base / "neovim"
        scratch.mkdir()
        body = SCENARIO % {"truth": truth_file, "turn": turn, "sub": json.dumps(SUB), "fix": json.dumps(FIX),
                           "agent": json.dumps(AGENT)}
        run_scenario(NEOVIMS["0.11"], ws, body, env, scratch)
        assert not model.errors and len(model.requests) >= len(script), (model.errors, len(model.requests))
        assert (ws / "app.py").read_text(encoding="utf-8") == f"def add(a, b):\n    {FIX}\n\n{AGENT}\n"
        passed = recorded.pytest(env, ws)
        assert passed.returncode == 0, passed.stdout + passed.stderr
        wait_recorded(home, ws, lambda steps: recorded.test_runs(steps)[-1:] == [0], "the green test run")
        later(ws, env, user, base)
        sealed = json.loads(codetape(home_of(env), "seal", str(ws), "--json", check=True).stdout)
    episode = open_episode(Path(sealed["path"]))
    episode_id, steps = str(episode.header.episode_id), list(episode.step_dicts())  # (signing moves it)
    codetape(home_of(env), "keys", "init", "--no-passphrase", check=True)
    codetape(home_of(env), "sign", episode_id, "--yes", check=True)
    uploads, dataset = base / "uploads", base / "dataset"
    codetape(home_of(env), "upload", "--to", uploads.as_uri(), "--quiet", check=True)
    codetape(home_of(env), "dataset", "build", uploads.as_uri(), "-o", str(dataset), "--exports",
             ",".join(per_episode_formats()), "--quiet", check=True)
    yield Recorded(dataset, episode_id, json.loads(truth_file.read_text(encoding="utf-8")), steps)


def later(ws: Path, env: dict[str, str], user: Path, base: Path) -> None:
    """The two turns after the green run (LATER), each with a scripted model of its own (a new
    conversation starts the script again)."""
    app = ws / "app.py"
    reverted: list[list[Action]] = [[Read(app)], [Edit(app, AGENT, f"{AGENT}\n{EXTRA}")], [Text("Done.")]]
    rewritten: list[list[Action]] = [[Read(app)], [Edit(app, AGENT, f"{AGENT}\n\n\n{DOUBLE}")],
                                     [Text("Done.")]]
    with ScriptedModel(reverted) as revert, ScriptedModel(rewritten) as rewrite:
        turns = {}
        for name, model, prompt in (("revert", revert, REVERT_PROMPT), ("rewrite", rewrite, REWRITE_PROMPT)):
            turns[name] = base / f"agent-{name}.sh"
            turns[name].write_text(turn_script("claude-code", model, user, env, prompt), encoding="utf-8")
        scratch = base / "neovim-later"
        scratch.mkdir()
        body = LATER % {**{name: str(path) for name, path in turns.items()}, "extra": json.dumps(EXTRA),
                        "double": json.dumps(DOUBLE.split("\n")[1]), "mine": json.dumps(MINE)}
        run_scenario(NEOVIMS["0.11"], ws, body, env, scratch)
        for model in (revert, rewrite):
            assert not model.errors and len(model.requests) >= 3, (model.errors, len(model.requests))
    head = DOUBLE.split("\n")[0]
    assert app.read_text(encoding="utf-8") == f"def add(a, b):\n    {FIX}\n\n{AGENT}\n\n\n{head}\n{MINE}\n"


def test_every_stepwise_step_label_and_share_is_the_truth(session: Recorded) -> None:
    [row] = session.rows("stepwise")
    runs = [index for index, step in enumerate(session.steps) if step["kind"] == "test_run"]
    assert (row["failing_step"], row["passing_step"]) == (runs[0], runs[-1]), row
    got = list(zip(row["completion_actors"], row["labels"], row["surviving_shares"], strict=True))
    assert got == [(step.actor, step.label, step.share) for step in STEPS], row
    for diff, step in zip(row["completions"], STEPS, strict=True):
        assert set(step.diff_holds) <= set(diff.splitlines()), (diff, step)
    [(first, last)] = [span for span, actor in zip(row["completion_steps"], row["completion_actors"],
                                                   strict=True) if actor == "agent"]
    write = session.steps[first]
    assert first == last and (write["kind"], write["origin"]) == ("file_change", "agent"), write
    assert row["outside_writes"] is True


def test_prm_preparation_tokenises_the_row_step_by_step(session: Recorded) -> None:
    [row] = session.rows("stepwise")
    tokenizer = code_tokenizer([row["prompt"], *row["completions"]])  # (merges as a code model's)
    prompt, steps = read_back(tokenized(row, tokenizer), tokenizer, row["prompt"])
    assert prompt == row["prompt"]
    assert steps == [(diff + SEPARATOR, label) for diff, label in zip(row["completions"], row["labels"],
                                                                      strict=True)]


def test_every_kto_row_is_the_truth_offer_by_offer(session: Recorded) -> None:
    rows = {row["outcome"] if row["label"] else "deleted": row for row in session.rows("kto")}
    assert sorted(rows) == ["accepted", "deleted"], rows
    deleted, kept = rows["deleted"], rows["accepted"]
    assert deleted["prompt"] + deleted["completion"] == session.truth["deleted"] + SUB, deleted
    assert kept["prompt"] + kept["completion"] == session.truth["kept"] + FIX, kept
    # taken, then deleted with its function within seconds: nothing of it left at any horizon
    assert (deleted["label"], deleted["settled"], deleted["survived_to_end"], deleted["survived_to_commit"],
            deleted["survived_30s"], deleted["survived_5min"]) == (False, "", 0.0, 0.0, False, False), deleted
    assert 0 <= deleted["reverted_within_ms"] < 30_000, deleted
    # taken and kept to the end (no commit came: the end stands for it; the episode ends within 5 minutes)
    assert (kept["label"], kept["settled"], kept["survived_to_end"], kept["survived_to_commit"],
            kept["reverted_within_ms"], kept["survived_5min"]) == (True, FIX, 1.0, 1.0, -1, True), kept
    # the label by docs/exports.md's rule: the suggestion's non-whitespace text stands in its place
    assert [row["label"] for row in (deleted, kept)] == [
        "".join(suggestion.split()) in "".join(row["settled"].split())
        for row, suggestion in ((deleted, SUB), (kept, FIX))]


def test_zeta2_drops_no_burst_for_its_caret_and_the_build_says_what_it_left_out(session: Recorded) -> None:
    """Issue 89: headless Neovim fed keys sends no cursor report, and the agent's write loses the caret the
    edit before left: a burst's own first edit gives it (`caret:first_edit`), so none is dropped for want
    of a caret; what zeta2 left out, by reason, is in the build record and the card."""
    rows = session.rows("zeta2")
    record = json.loads((session.dataset / "_builds" / "b00001.json").read_text(encoding="utf-8"))
    manifest = json.loads((session.dataset / "_manifest.json").read_text(encoding="utf-8"))
    left = record["left_out"].get("zeta2", {})
    assert manifest["builds"][0]["left_out"] == record["left_out"]
    assert not [why for why in left if "caret" in why], left
    assert any("caret:first_edit" in row["tags"] for row in rows), [row["tags"] for row in rows]
    card = (session.dataset / "README.md").read_text(encoding="utf-8")
    assert all(f"{count:,} {why}" in card for why, count in left.items()), (left, card)


def test_the_kept_turns_pushback_counts_its_code(session: Recorded) -> None:
    """Issue 89: pushback counts non-whitespace characters: the agent's write inserted `from operator import
    mul` (its line break shared with the text it replaced), kept to the end."""
    said = [message for row in session.rows("swe-messages") for message in row["messages"]
            if "wrote_chars" in message and message["content"] == PROMPT]
    columns = ("wrote_chars", "survived_to_end", "survived_30s", "survived_5min", "undone_within_ms")
    assert [tuple(m[name] for name in columns) for m in said] == [
        (len("".join(AGENT.split())), 1.0, True, True, -1)], said


def nonblank(text: str) -> int:
    """How many characters of `text` are not white space (what pushback counts)."""
    return len("".join(text.split()))


def test_the_reverted_and_the_partly_rewritten_turns_pushback_is_the_truth(session: Recorded) -> None:
    """Issue 89: the turn reverted with `dd` left nothing (survived_5min false, undone at the `dd`); of the
    turn partly rewritten, the function's first line stands (survived_5min true, its share of the code
    left), its body the developer's (`cc`: undone from then)."""
    said = {message["content"]: message for row in session.rows("swe-messages") for message in row["messages"]
            if "wrote_chars" in message}
    reverted, rewritten = said[REVERT_PROMPT], said[REWRITE_PROMPT]
    assert (reverted["wrote_chars"], reverted["survived_to_end"], reverted["survived_5min"]) == (
        nonblank(EXTRA), 0.0, False), reverted
    undone = reverted["undone_within_ms"]
    assert 0 <= undone < 300_000 and reverted["survived_30s"] == (undone > 30_000), reverted
    share = nonblank(DOUBLE.split("\n")[0]) / nonblank(DOUBLE)
    assert (rewritten["wrote_chars"], rewritten["survived_30s"], rewritten["survived_5min"]) == (
        nonblank(DOUBLE), True, True), rewritten
    assert rewritten["survived_to_end"] == pytest.approx(share, abs=1e-3), rewritten
    changed = rewritten["undone_within_ms"]  # (the `cc` removed some of it: undone from then)
    assert 0 <= changed < 300_000, rewritten
    # the dataset's agent_events: the same columns on each prompt, in the turns' order
    prompts = duck(session.dataset).execute(
        "SELECT wrote_chars, undone_within_ms, survived_to_end FROM agent_events WHERE event = 'prompt' "
        "ORDER BY step").fetchall()
    assert [(wrote, undone) for wrote, undone, _ in prompts] == [
        (nonblank(AGENT), None), (nonblank(EXTRA), undone), (nonblank(DOUBLE), changed)], prompts
    assert [share_ for _, _, share_ in prompts] == pytest.approx([1.0, 0.0, share], abs=1e-3), prompts
