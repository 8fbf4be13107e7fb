"""The Neovim plugin reports its completion menus (issue 40 item 3): in real headless Neovim 0.11 and 0.7,
real bridge and collector, a keyword completion taken with <C-y> and one closed with <C-e> and written
over are `offer` steps (the first with the taken word's place), and `offers` rows in the built dataset."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas.steps import EditStep, OfferStep
from tests.e2e.conftest import built_dataset, saves_of, seal
from tests.e2e.neovim.test_extension_neovim import NEOVIMS, run_scenario

MENUS = r"""
-- keys a developer types: Neovim's loop turns between them (the client sends its changes, the plugin its
-- offer), as it does between keystrokes (feedkeys ends Insert mode after each: `a` goes on typing)
local function typed(k)
  keys(k)
  local turned = false
  vim.schedule(function() turned = true end)
  check(vim.wait(10000, function() return turned end, 10), 'the event loop did not run')
  vim.wait(100)
end
typed('Goto<C-n><C-y>')  -- `total` taken
typed('a = 3<Esc>')
typed('oto<C-n><C-e>')  -- the menu closed: `to` stays
typed('apic = 4<Esc>')  -- typed on
save()
vim.lsp.stop_client(id)
vim.wait(10000, function() return vim.lsp.get_client_by_id(id) == nil end, 50)
finish(true, '')
"""


@pytest.mark.parametrize("version", sorted(NEOVIMS))
def test_completion_menus_are_offers(version: str, collector: object, workspace: Path, env: dict[str, str],
                                     tmp_path: Path) -> None:
    (workspace / "app.py").write_text("total = 1\ntoken = 2\n", encoding="utf-8")
    disk = run_scenario(NEOVIMS[version], workspace, MENUS, env, tmp_path)
    assert disk[-1].decode() == "total = 1\ntoken = 2\ntotal = 3\ntopic = 4\n"
    episode = seal(env, workspace, lambda steps: saves_of("app.py", 1)(steps) and sum(
        s["kind"] == "offer" for s in steps) >= 2, "the save and two offers")
    steps = list(episode.steps())
    offers = [step for step in steps if isinstance(step, OfferStep)]
    before = steps[steps.index(offers[0]) - 1]  # the offer comes after the change that took its item
    assert isinstance(before, EditStep) and before.origin == "completion", before  # (`total`'s last letter)
    assert [(o.evidence, o.provider, o.via, o.decision, o.taken, o.applied, [i.text for i in o.items])
            for o in offers] == [
        ("nvim:CompleteDone", "keyword", "completion", "accepted", 0, True, ["total", "token"]),
        ("nvim:CompleteDone", "keyword", "completion", "not_taken", None, True, ["total", "token"]),
    ]
    taken = offers[0].range
    assert (taken.start.line, taken.start.character, taken.end.line, taken.end.character) == (2, 0, 2, 5)
    con = built_dataset(env, episode, tmp_path / "dataset")
    rows = con.execute("SELECT decision, taken_text, settled, outcome FROM offers ORDER BY step").fetchall()
    assert rows == [("accepted", "total", "total = 3", "accepted"),
                    ("not_taken", None, "topic = 4", "overwritten")]  # (the place holds the `to` typed of it)
