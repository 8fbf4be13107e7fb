"""A real review on a real terminal (tmux): open `codetape review` on a real recording, exclude a file, drop
a time range, sign. Then `codetape verify` passes, signed by the key, and neither the excluded file's content
nor its path is anywhere in `codetape cat`.
"""

from __future__ import annotations

import json
import os
import re
import sys
import uuid
from datetime import timedelta
from pathlib import Path

from msgspec.structs import replace

from tests.integration.consent.test_sign_cli import PLAN, SECRET_WORDS, codetape, record_session, steps_of
from tests.support.terminal import Terminal
from tests.unit.review.test_trim import HEADER, two_files, write

TIMELINE = re.compile(r"step\s+time\s+kind\s+file\s+what")
# a timeline row: its first step, its last (for a range), its kind, its edits (for a row of edits)
ROW = re.compile(r"^ (\d+)(?:-(\d+))?\s+\d+:\d\d:\S+\s+(\S+)\s+.*?(?:(\d+) edits?\b.*)?$", re.MULTILINE)


def test_exclude_a_file_drop_a_range_and_sign_on_a_real_terminal(tmp_path: Path) -> None:
    home, _project, episode = record_session(tmp_path / "recorded")
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    key = json.loads(codetape(home, "keys", "show", "--json").stdout)
    original = steps_of(home, episode)
    assert any(step.get("path") == "private/plan.md" for step in original)
    env = {**os.environ, "CODETAPE_HOME": str(home), "TERM": "xterm-256color"}
    # after the review, the shell prints its status and keeps the pane (and so that line) on the screen
    command = f"{sys.executable} -m collector review {episode.stem[:8]}; echo review exited $?; sleep 120"
    term = Terminal(tmp_path / "tmux.sock")
    term.start(command, env)
    try:
        term.wait(lambda s: f"episode     {episode.stem}" in s and "purpose" in s, "the summary first")
        # the files tab: the cursor starts on calc.py; one down is private/plan.md; x offers to exclude it
        term.keys("3")
        term.wait(lambda s: "private/plan.md" in s and "calc.py  ·  at the end, after step" in s,
                  "the files tab")
        term.keys("Down")
        term.wait(lambda s: "private/plan.md  ·  at the end, after step" in s, "the notes file selected")
        term.keys("x")
        term.wait(lambda s: "Exclude files or folders" in s and "/private/plan.md" in s, "the exclude prompt")
        term.keys("Enter")
        term.wait(lambda s: "changes: exclude /private/plan.md" in s, "the exclusion applied")
        # the timeline: rows are open, the fix, save, greet() typed, save, close, ...: drop the typing (the
        # row with the most edits: a step that arrived while greet() was typed would split it in two)
        term.keys("2")
        term.wait(lambda s: TIMELINE.search(s) is not None, "the timeline")
        screen = term.screen()
        assert "private/plan.md" not in screen.split("changes:")[0]
        rows = ROW.findall(screen)
        typing = max(range(len(rows)), key=lambda number: int(rows[number][3] or 0))
        start, end, _kind, count = rows[typing]
        first, last, edits = int(start), int(end or start), int(count)
        assert edits >= 10, screen
        term.keys(*["Down"] * typing)
        term.keys("d")
        term.wait(lambda s: "Drop a time range" in s, "the drop prompt")
        term.keys("Enter")
        term.wait(lambda s: "; drop " in s, "the range dropped")
        # sign: the dialog says what is agreed to; Enter on "Sign and queue"
        term.keys("s")
        term.wait(lambda s: "Sign into the outbox" in s and key["key_id"] in s, "the sign-off dialog")
        term.keys("Enter")
        screen = term.wait(lambda s: "review exited" in s, "the review to end")
        assert "review exited 0" in screen and f"signed by {key['key_id']}" in screen
    finally:
        term.stop()

    queued = home / "outbox" / episode.name
    assert not episode.exists()
    verify = codetape(home, "verify", str(queued), "--key", key["public_key"])
    assert (verify.returncode, verify.stdout) == (0, f"ok (signed by {key['key_id']})\n"), verify.stderr
    signed = steps_of(home, queued)
    text = json.dumps(signed, ensure_ascii=False)
    for word in (*SECRET_WORDS, "private/plan.md", "plan.md", PLAN.splitlines()[0]):
        assert word not in text, word
    gaps = [step for step in signed if step["kind"] == "gap"]
    assert len(gaps) == 1 and gaps[0]["reason"] == "dropped_by_review"
    # the row's steps, and any other at the same times as its first and last (a range is dropped by time)
    assert gaps[0]["lost_steps"] >= last - first + 1 >= edits, (gaps, first, last, edits)
    assert len(signed) < len(original)


def test_several_episodes_are_reviewed_in_turn_and_ctrl_c_stops(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "episodes").mkdir(parents=True)
    later = replace(HEADER, episode_id=uuid.UUID(int=7), started_at=HEADER.started_at + timedelta(days=1))
    episodes = [write(home / "episodes" / f"{header.episode_id}.ctape", two_files(), header)
                for header in (HEADER, later, replace(later, episode_id=uuid.UUID(int=8)))]
    env = {**os.environ, "CODETAPE_HOME": str(home), "TERM": "xterm-256color"}
    command = f"{sys.executable} -m collector review --all-sealed; echo review exited $?; sleep 120"
    term = Terminal(tmp_path / "tmux.sock")
    term.start(command, env)
    try:
        term.wait(lambda s: f"episode     {HEADER.episode_id}" in s and "(1 of 3)" in s, "the first summary")
        term.keys("k")  # keep this one, go on
        term.wait(lambda s: f"episode     {later.episode_id}" in s and "(2 of 3)" in s, "the second summary")
        term.keys("C-c")  # keep this one and stop
        screen = term.wait(lambda s: "review exited" in s, "the review to end")
    finally:
        term.stop()
    assert "review exited 0" in screen
    assert f"kept for later, unchanged: {episodes[0]}" in screen.replace("\n", "")
    assert "stopped: 1 more kept for later, unreviewed" in screen
    assert all(path.exists() for path in episodes)
