"""Issue 68: the review lists what the outbox holds before it leaves and offers the choice (send anyway,
withdraw), driven by Textual's pilot and, as `codetape review`, on a real terminal (tmux), over real holds:
a real issuer, real clones of one bare repository, and the real `codetape upload` that held them."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

from textual.widgets import DataTable

from collector.episode import open_episode
from collector.held import MEMBERS, PUSHED, read
from collector.home import Home
from collector.reconstruct.keyframes import workspace_after
from collector.review.dialogs import ConfirmScreen
from collector.review.held import HeldApp
from collector.upload.asked import held_items
from collector.upload.pushed_since import origin_path, read_origin
from tests.cli import codetape as in_process
from tests.cli import codetape_process
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.upload.test_pushed_after_signing import arrived, come, company
from tests.support.collector_harness import git, opt_in
from tests.support.issuer import Issuer
from tests.support.terminal import Terminal

SIZE = (150, 30)


def held_home(issuer: Issuer, tmp_path: Path, name: str) -> tuple[Home, list[str]]:
    """`name` signs two episodes unlinkably in her clone, pushes the work of both, and her upload holds both:
    for pushed work, and for members (k 99: no month of this issuer counts that many)."""
    bare, dest, home, clone = company(tmp_path), tmp_path / "dest", tmp_path / name, tmp_path / "clone"
    issuer.enrol(home, name, count=3)
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    opt_in(clone, home=home)
    (home / "config.toml").write_text(f'[upload]\nto = "{dest.as_uri()}"\n[consent]\nmode = "unlinkable"\n'
                                      "min_members = 99\n", encoding="utf-8")
    ids = []
    for golden in ("full", "minimal"):
        episode = tmp_path / f"{golden}.ctape"
        shutil.copy(DIRECTORY / f"{golden}.ctape", episode)
        ids.append(str(open_episode(episode).header.episode_id))
        done = in_process(home, "sign", str(episode), "--yes", "--workspace", str(clone))
        assert done.returncode == 0, done.stderr
        for path, text in workspace_after(open_episode(DIRECTORY / f"{golden}.ctape")).files().items():
            (clone / path).parent.mkdir(parents=True, exist_ok=True)
            (clone / path).write_text(text, encoding="utf-8", newline="")
            git(clone, "add", path)
    git(clone, "commit", "-q", "-m", "work")
    git(clone, "push", "-q", "origin", "main")
    for eid in ids:
        come(home, eid)
    done = codetape_process(home, "upload")
    assert done.returncode == 0, done.stderr
    assert arrived(dest) == 0
    return Home(home), sorted(ids)


def rows(app: HeldApp) -> list[tuple[str, str]]:
    table = app.query_one("#held-table", DataTable)
    cells = [table.get_row_at(index) for index in range(table.row_count)]
    return [(str(eid), str(why)) for eid, why in cells]


async def test_held_episodes_are_listed_and_sent_anyway_or_withdrawn(issuer: Issuer, tmp_path: Path) -> None:
    home, (first, second) = held_home(issuer, tmp_path, "grace")
    items = held_items(home)
    assert [item.episode_id for item in items] == [first, second] and all(item.pushed for item in items)
    app = HeldApp(home, items)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = rows(app)
        assert [eid for eid, _why in shown] == [first[:8], second[:8]]
        assert all("on a remote-tracking branch of" in why and "it waits until the issuer counts 99 members"
                   in why for _eid, why in shown), shown

        await pilot.press("s")  # send the first anyway: asked first, the safe answer focused
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("enter")  # Cancel
        assert not isinstance(app.screen, ConfirmScreen) and read_origin(home, first) is not None
        assert not read_origin(home, first).sent_anyway  # type: ignore[union-attr]
        await pilot.press("s")
        await pilot.click("#yes")
        await pilot.pause()
        assert read_origin(home, first).sent_anyway  # type: ignore[union-attr]
        shown = rows(app)  # still held, for members only: sending anyway does not lift k
        assert shown[0][0] == first[:8] and "99 members" in shown[0][1]
        assert "remote-tracking" not in shown[0][1]
        await pilot.press("s")  # nothing to send anyway now: it waits for members, and is said so
        assert not isinstance(app.screen, ConfirmScreen)

        await pilot.press("down", "w")  # withdraw the second
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#yes")
        await pilot.pause()
        assert [eid for eid, _why in rows(app)] == [first[:8]]
        await pilot.press("q")
    assert app.return_value is not None and len(app.return_value) == 2
    assert app.return_value[0].startswith(f"{first[:8]} goes although work of it was pushed")
    assert app.return_value[1].startswith(f"withdrew {second[:8]} on ")

    assert not origin_path(home, second).exists()  # withdrawn: what was kept of its origin goes
    assert [item["episode_id"] for item in read(home, MEMBERS)] == [first] and read(home, PUSHED) == []
    status = json.loads(codetape_process(home.root, "status", "--json").stdout)["outbox"]
    assert [item["episode_id"] for item in status["held_for_members"]] == [first]
    assert status["held_for_pushed"] == []
    [revoked] = [entry for entry in json.loads(codetape_process(home.root, "episodes", "--json").stdout)
                 if entry["id"] == second]
    assert revoked["state"] == "revoked", revoked


def test_codetape_review_opens_on_the_held_episodes_on_a_real_terminal(issuer: Issuer,
                                                                       tmp_path: Path) -> None:
    """With nothing to sign, `codetape review` used to say "nothing to review"; with held episodes it opens
    on them, and says each choice made once it ends."""
    home, (first, second) = held_home(issuer, tmp_path, "heidi")
    env = {**os.environ, "CODETAPE_HOME": str(home.root), "TERM": "xterm-256color"}
    command = f"{sys.executable} -m collector review; echo review exited $?; sleep 120"
    term = Terminal(tmp_path / "tmux.sock")
    term.start(command, env)
    try:
        term.wait(lambda s: "held episodes" in s and first[:8] in s and second[:8] in s, "the held list")
        term.keys("w")
        term.wait(lambda s: f"Withdraw {first[:8]}" in s, "the question")
        term.keys("Tab", "Enter")  # from Cancel, which has the focus, to Withdraw
        term.wait(lambda s: first[:8] not in s.split("held because")[-1], "the first gone from the list")
        term.keys("q")
        screen = term.wait(lambda s: "review exited" in s, "the review's end")
    finally:
        term.stop()
    assert f"withdrew {first[:8]} on " in screen and "review exited 0" in screen, screen
    assert [item.episode_id for item in held_items(home)] == [second]
