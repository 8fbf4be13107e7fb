"""Issue 71 in a real editor: headless Neovim 0.11 with the codetape plugin, a real bridge and collector,
and an AI completion source as Copilot's completion sources present one (its items' `menu` names it:
editor_extensions/neovim/lua/codetape/offers.lua marks them an AI's), offering `return a + b` three times:
taken and kept, taken and rewritten, shown and ignored, with text typed elsewhere after each (an import at
the top). The scenario writes down the buffer's text in front of the caret and behind it before each menu;
the episode's `kto` and `dpo` rows are exactly that text: each prompt plus the part moved into its
completion is the text in front, dpo's suffix the text behind, and no prompt holds what was typed later.

Issue 89: then taken and rewritten as Vim rewrites a line, each saved before and after: retyped whole with
`S`, `cc` and `0D` then `i` (each settles as the new line, a dpo pair and kto false), partly kept with `$i-`
(a pair, kto false, its characters all still there), and deleted with `dd` (kto false, no pair: nothing
stands in its place). Every dpo pair's offer is kto false, and TRL's KTO and DPO preparation take the rows."""

from __future__ import annotations

import json
from pathlib import Path

import datasets

from tests.cli import codetape
from tests.e2e.conftest import home_of, saves_of, seal
from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario
from tests.support import trl_dpo, trl_kto

SUGGESTION, OWN = "return a + b", "return a * b"
RETYPED = "    return -a"  # the line `S`, `cc` and `0D` then `i` type in the suggestion's place
# issue 89's rewrites, each of a suggestion taken: (the function, the keys, what settles in its place)
REWRITES = [("s_retyped", "S" + RETYPED, RETYPED), ("cc_retyped", "cc" + RETYPED, RETYPED),
            ("d_retyped", "0Di" + RETYPED, RETYPED), ("minus", "$i-", "return a + -b"), ("deleted", "dd", "")]
SCENARIO = r"""
local TRUTH = [==[%s]==]
_G.ai_complete = function(findstart, base)  -- a Copilot-like completion source: its menu names it
  if findstart == 1 then return vim.fn.col('.') - 1 end
  return { { word = '%s', menu = '[Copilot]', kind = 'Copilot' } }
end
vim.bo.completefunc = 'v:lua.ai_complete'
vim.opt.completeopt = 'menuone'  -- a menu for its one item, as completion plugins show one
vim.bo.indentexpr, vim.bo.autoindent, vim.bo.smartindent = '', false, false  -- the spaces typed indent
local function typed(k)
  keys(k)
  local turned = false
  vim.schedule(function() turned = true end)
  check(vim.wait(10000, function() return turned end, 10), 'the event loop did not run')
  vim.wait(100)
end
local truth = {}
local function offered(name)  -- the buffer's text in front of the caret and behind it, as the menu opens
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  col = col + 1  -- (in Normal mode on the line's last character: `a` puts the caret after it)
  local lines = vim.api.nvim_buf_get_lines(0, 0, -1, false)
  local text = table.concat(lines, '\n') .. '\n'
  local at = #table.concat(vim.list_slice(lines, 1, row - 1), '\n') + (row > 1 and 1 or 0) + col
  truth[name] = { before = text:sub(1, at), after = text:sub(at + 1) }
end
typed('idef add(a, b):<CR>    ')
offered('kept')
typed('a<C-x><C-u><C-y><Esc>')  -- taken
typed('ggOimport math<Esc>')  -- typed elsewhere after it
save()
typed('Go<CR>def mul(a, b):<CR>    ')
offered('rewritten')
typed('a<C-x><C-u><C-y><Esc>')  -- taken
typed('0wC%s<Esc>')  -- then rewritten
typed('ggOimport os<Esc>')
save()
typed('Go<CR>def sub(a, b):<CR>    ')
offered('ignored')
typed('a<C-x><C-u><C-e><Esc>')  -- shown, closed
typed('ggOimport sys<Esc>')
save()
for _, rewrite in ipairs(vim.json.decode([==[%s]==])) do  -- issue 89: taken, saved, rewritten, saved
  typed('Go<CR>def ' .. rewrite[1] .. '(a, b):<CR>    ')
  offered(rewrite[1])
  typed('a<C-x><C-u><C-y><Esc>')
  save()
  typed(rewrite[2] .. '<Esc>')
  save()
end
local f = io.open(TRUTH, 'w'); f:write(vim.json.encode(truth)); f:close()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


def rows(env: dict[str, str], episode: Path, fmt: str, out: Path) -> list[dict[str, object]]:
    codetape(home_of(env), "export", str(episode), "--format", fmt, "-o", str(out), check=True)
    return [json.loads(line) for path in sorted(out.iterdir())
            for line in path.read_text(encoding="utf-8").splitlines()]


def test_rows_hold_the_buffer_neovim_had_at_each_offer(collector: object, workspace: Path,
                                                        env: dict[str, str], tmp_path: Path) -> None:
    (workspace / "app.py").write_text("", encoding="utf-8")
    truth_file = tmp_path / "truth.json"
    body = SCENARIO % (truth_file, SUGGESTION, OWN, json.dumps([[name, keys] for name, keys, _ in REWRITES]))
    disk = run_scenario(NEOVIMS["0.11"], workspace, body, env, tmp_path)
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    offered = 3 + len(REWRITES)
    episode = seal(env, workspace, lambda steps: saves_of("app.py", 3 + 2 * len(REWRITES))(steps) and sum(
        s["kind"] == "offer" for s in steps) >= offered, "every save and offer")
    offers = [step for step in episode.step_dicts() if step["kind"] == "offer"]
    assert [(o["decision"], [i.get("ai") for i in o["items"]]) for o in offers] == [
        ("accepted", [True]), ("accepted", [True]), ("not_taken", [True]),
        *[("accepted", [True])] * len(REWRITES)], offers

    kto = rows(env, episode.path, "kto", tmp_path / "kto")
    assert [(row["label"], row["outcome"]) for row in kto] == [
        (True, "accepted"), (False, "overwritten"), *[(False, "overwritten")] * len(REWRITES)]
    for row, name, later in zip(kto, ("kept", "rewritten"), ("import math", "import os"), strict=False):
        before = truth[name]["before"]
        assert row["prompt"] + row["completion"] == before + SUGGESTION, (row, before)  # byte for byte
        assert row["prompt"].endswith("\n") and row["completion"].startswith("    "), row  # the line moved
        assert later not in row["prompt"] and later in disk[-1].decode(), row  # typed after the offer
    # what stayed of each item taken (the survival trace, issue 72): all of the kept one, none of the other;
    # of the rewrites, all of `$i-`'s (kto false all the same: the suggestion does not stand unchanged)
    assert [(row["survived_to_end"], row["reverted_within_ms"] >= 0) for row in kto] == [
        (1.0, False), (0.0, True), *[((1.0, False) if name == "minus" else (0.0, True))
                                     for name, _, _ in REWRITES]]
    assert [row["settled"] for row in kto[2:]] == [settled for _, _, settled in REWRITES]
    pairs = rows(env, episode.path, "dpo", tmp_path / "dpo")
    assert len(pairs) == 1 + sum(bool(settled) for _, _, settled in REWRITES), pairs
    pair = pairs[0]
    before, after = truth["rewritten"]["before"], truth["rewritten"]["after"]
    assert pair["prompt"] + pair["chosen"] == before + OWN and pair["suffix"] == after, pair
    assert pair["prompt"] + pair["rejected"] == before + SUGGESTION and pair["settled"] == OWN, pair
    for pair, (name, _, settled) in zip(pairs[1:], [r for r in REWRITES if r[2]], strict=True):
        before, after = truth[name]["before"], truth[name]["after"]
        line = settled if settled.startswith(" ") else "    " + settled  # (the indentation typed before)
        assert pair["prompt"] + pair["chosen"] == before.removesuffix("    ") + line, (name, pair)
        assert pair["prompt"] + pair["rejected"] == before + SUGGESTION and pair["suffix"] == after, pair
    # one rule for both exports: every pair's offer is kto false; a false one without a pair is empty
    false = {row["name"]: row["settled"] for row in kto if row["label"] is False}
    assert {pair["name"] for pair in pairs} <= set(false)
    assert all(not settled.strip() for name, settled in false.items() if name not in
               {pair["name"] for pair in pairs}), false
    tokenizer = trl_dpo.byte_tokenizer()
    assert trl_kto.prepare(datasets.Dataset.from_list(kto), tokenizer).num_rows == len(kto)
    assert trl_dpo.prepare(datasets.Dataset.from_list(pairs), tokenizer).num_rows == len(pairs)
