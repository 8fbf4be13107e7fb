"""Issue 71 in a real editor: headless Neovim 0.11 with the codetape plugin, a real bridge and collector,
and an AI completion source as Copilot's completion sources present one (its items' `menu` names it:
editor_extensions/neovim/lua/codetape/offers.lua marks them an AI's), offering `return a + b` three times:
taken and kept, taken and rewritten, shown and ignored, with text typed elsewhere after each (an import at
the top). The scenario writes down the buffer's text in front of the caret and behind it before each menu;
the episode's `kto` and `dpo` rows are exactly that text: each prompt plus the part moved into its
completion is the text in front, dpo's suffix the text behind, and no prompt holds what was typed later."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import codetape
from tests.e2e.conftest import home_of, saves_of, seal
from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario

SUGGESTION, OWN = "return a + b", "return a * b"
SCENARIO = r"""
local TRUTH = [==[%s]==]
_G.ai_complete = function(findstart, base)  -- a Copilot-like completion source: its menu names it
  if findstart == 1 then return vim.fn.col('.') - 1 end
  return { { word = '%s', menu = '[Copilot]', kind = 'Copilot' } }
end
vim.bo.completefunc = 'v:lua.ai_complete'
vim.opt.completeopt = 'menuone'  -- a menu for its one item, as completion plugins show one
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
    disk = run_scenario(NEOVIMS["0.11"], workspace, SCENARIO % (truth_file, SUGGESTION, OWN), env, tmp_path)
    truth = json.loads(truth_file.read_text(encoding="utf-8"))
    episode = seal(env, workspace, lambda steps: saves_of("app.py", 3)(steps) and sum(
        s["kind"] == "offer" for s in steps) >= 3, "three saves and three offers")
    offers = [step for step in episode.step_dicts() if step["kind"] == "offer"]
    assert [(o["decision"], [i.get("ai") for i in o["items"]]) for o in offers] == [
        ("accepted", [True]), ("accepted", [True]), ("not_taken", [True])], offers

    kto = rows(env, episode.path, "kto", tmp_path / "kto")
    assert [(row["label"], row["outcome"]) for row in kto] == [(True, "accepted"), (False, "overwritten")]
    for row, name, later in zip(kto, ("kept", "rewritten"), ("import math", "import os"), strict=True):
        before = truth[name]["before"]
        assert row["prompt"] + row["completion"] == before + SUGGESTION, (row, before)  # byte for byte
        assert row["prompt"].endswith("\n") and row["completion"].startswith("    "), row  # the line moved
        assert later not in row["prompt"] and later in disk[-1].decode(), row  # typed after the offer
    # what stayed of each item taken (the survival trace, issue 72): all of the kept one, none of the other
    assert [(row["survived_to_end"], row["reverted_within_ms"] >= 0) for row in kto] == [(1.0, False),
                                                                                          (0.0, True)]
    [pair] = rows(env, episode.path, "dpo", tmp_path / "dpo")
    before, after = truth["rewritten"]["before"], truth["rewritten"]["after"]
    assert pair["prompt"] + pair["chosen"] == before + OWN and pair["suffix"] == after, pair
    assert pair["prompt"] + pair["rejected"] == before + SUGGESTION and pair["settled"] == OWN, pair
