"""Steps from one shell keep the order they happened in: a command at one prompt, sent by the hook's
recorder up to its poll later, comes before `codetape run` at the next prompt, which sends at once (run
waits until its shell's spooled records were delivered: delivered.py's `wait_delivered`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.integration.sources.test_run_hook_shell import interactive_bash, rcfile, recorder_gone, workspace
from tests.support.collector_harness import codetape, episode_steps, running, wait_recorded
from tests.waiting import wait_for

RUNS = 20


def test_echo_a_then_codetape_run_echo_b_keep_their_order_in_20_shells(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ws = workspace(tmp_path, home)
    rc = rcfile(tmp_path, home, hooked=True)
    with running(home) as daemon:
        for i in range(RUNS):  # a fresh shell each time: its recorder starts with the first prompt's record
            script = f"cd {ws}\necho a{i}\n{sys.executable} -m collector run -- echo b{i}\n"
            done = interactive_bash(rc, home, script, tmp_path)
            assert f"a{i}\nb{i}\n" in done.stdout, done.stdout + done.stderr
        wait_for(lambda: recorder_gone(home), what="the shells' recorders to exit")
        wait_recorded(daemon.home, ws, lambda steps: sum(s["kind"] == "command" for s in steps) >= 2 * RUNS,
                      f"{2 * RUNS} command steps")
        sealed = codetape(home, "seal", "--json", str(ws))
    assert sealed.returncode == 0, sealed.stderr
    steps = [s for s in episode_steps(Path(json.loads(sealed.stdout)["path"])) if s["kind"] == "command"]
    said = [s["command_line"] if s["source"] == "shell" else " ".join(s["argv"]) for s in steps]
    out_of_order = [i for i in range(RUNS) if said.index(f"echo a{i}") > said.index(f"echo b{i}")]
    assert not out_of_order, f"b before a in {len(out_of_order)} of {RUNS} shells: {said}"
