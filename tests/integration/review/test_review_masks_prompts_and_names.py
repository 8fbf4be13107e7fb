"""What the review leaves out is masked where else it shows: an agent prompt on a command line, and an
excluded file's bare name in a listing or in any spelling of its path.

One real session: a real collector records a workspace whose `notes/` holds a private file
(`notes/layoffs-2026.md`) beside a kept one. Prompts go to Claude Code through the real hook command; the
same prompts are then given on agents' command lines, through `codetape run` (as one argument, and
unquoted, split into words), through an interactive bash with codetape's shell hook (quoted, with
escaped quotes inside), through the agent's own shell tool and in a note. `ls notes` and `git status`
in `notes/` list the private file by its bare name, and a real pytest failure prints it as a Python
repr of a Windows path (doubled backslashes). Stand-ins for `claude` and `codex` (none is installed
here) say what they were asked. `codetape sign --exclude notes/layoffs-2026.md --leave-out-prompts`, then
every byte of what comes out is searched (the signed file and its frames, `cat`, `inspect`, the dataset,
the four exports).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from collector.demo.project import git, scaffold
from collector.home import Home
from collector.redact import PLACEHOLDER_RE
from tests.integration.consent.test_sign_cli import codetape
from tests.integration.review.test_review_trim_channels import (
    broken_placeholders,
    everything,
    shown,
    sign,
    steps_of,
)
from tests.integration.sources.test_run_hook_shell import interactive_bash, rcfile, recorder_gone
from tests.support.collector_harness import env_for, running, wait_capturing, wait_recorded
from tests.waiting import wait_for

PRIVATE = "notes/layoffs-2026.md"  # excluded in the review
NAME = "layoffs-2026"
KEPT = "notes/todo.md"
LONG = "draft the Kestrel reorg memo for the board"  # given as one argument, in a commit, in a note
SPLIT = "rename the osprey flag"  # given unquoted: the agent's argv holds it word by word
SHORT = "go on"  # shorter than a line the review masks anywhere: masked as an argument, a shell word
QUOTED = "tell Dana \"it's final\""  # written with escaped quotes inside a shell's double quotes
ESCAPED = QUOTED.replace('"', '\\"')  # as it is written inside a shell's double quotes
PROMPTS = (LONG, SPLIT, SHORT, QUOTED)
# what of the prompts and the private file must never show once the review left them out
NEEDLES = ("Kestrel", "reorg memo", "osprey", "Dana", "it's final", NAME, "Cut the herons")
STAND_IN = "#!/bin/sh\necho \"asked: $*\"\n"  # an agent that says what it was asked
TEST = ("from pathlib import PureWindowsPath\n\n\n"
        "def test_the_notes_are_named():\n"
        f"    assert str(PureWindowsPath({PRIVATE!r})) == 'notes'\n")
SHELL = f"""\
cd {{ws}}
claude -p "{ESCAPED}"
claude -p '{SHORT}'
"""


def run(home: Path, cwd: Path, path: str, *argv: str) -> None:
    done = subprocess.run([sys.executable, "-m", "collector", "run", "--", *argv], cwd=cwd,
                          env=env_for(home, {"PATH": path}), capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr


def hook(home: Path, root: Path, event: str, **fields: Any) -> None:
    payload = {"session_id": "s1", "transcript_path": "/t.jsonl", "cwd": str(root),
               "permission_mode": "default", "hook_event_name": event, **fields}
    hook_run = [sys.executable, "-m", "collector", "agent", "hook", "run", "--agent", "claude-code"]
    done = subprocess.run(hook_run, input=json.dumps(payload).encode(), capture_output=True,
                          env=env_for(home), cwd=root, timeout=30, check=False)
    assert (done.returncode, done.stderr) == (0, b"")


def record(base: Path) -> tuple[Path, Path, Path]:
    """Record the session described above; returns (home, project, the sealed episode)."""
    home, project = base / "home", base / "app"
    scaffold(project)
    assert codetape(home, "init", str(project)).returncode == 0
    root = project.resolve()
    bin_dir = base / "bin"
    bin_dir.mkdir()
    for agent in ("claude", "codex"):
        (bin_dir / agent).write_text(STAND_IN, encoding="utf-8")
        (bin_dir / agent).chmod(0o755)
    path = f"{bin_dir}:{env_for(home)['PATH']}"
    with running(home) as daemon, daemon.client() as client:
        wait_capturing(client, root)
        (root / "notes").mkdir()
        (root / PRIVATE).write_text("Cut the herons team by half in March\n", encoding="utf-8")
        (root / KEPT).write_text("water the plants\n", encoding="utf-8")
        (root / "tests").mkdir()
        (root / "tests" / "test_notes.py").write_text(TEST, encoding="utf-8")
        wait_recorded(daemon.home, root, lambda steps: {PRIVATE, KEPT, "tests/test_notes.py"}
                      <= {step.get("path") for step in steps}, "the files")
        for prompt in PROMPTS:
            hook(home, root, "UserPromptSubmit", prompt=prompt)
        commit = {"command": f'git commit -m "{LONG}"'}  # the agent's shell tool, told to commit
        hook(home, root, "PreToolUse", tool_name="Bash", tool_input=commit, tool_use_id="t1")
        run(home, root, path, "claude", "-p", LONG)
        run(home, root, path, "codex", "exec", *SPLIT.split())
        run(home, root, path, "claude", "-p", SHORT)
        run(home, root, path, "ls", "notes")
        git(root, "add", "-A")
        run(home, root / "notes", path, "git", "status")
        assert codetape(home, "note", LONG, "--dir", str(root)).returncode == 0
        rc = rcfile(base, home, hooked=True)
        rc.write_text(rc.read_text(encoding="utf-8") + f"PATH={path}\n", encoding="utf-8")
        shell = interactive_bash(rc, home, SHELL.format(ws=root), base)
        assert shell.returncode == 0, shell.stderr
        wait_for(lambda: recorder_gone(home), what="the shell's recorder to finish and exit")
        tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
                               cwd=root, env=env_for(home), capture_output=True, text=True, timeout=120,
                               check=False)
        assert tests.returncode == 1, tests.stdout
        wait_recorded(daemon.home, root, lambda steps: sum(step["kind"] == "command" for step in steps) >= 7
                      and any(step["kind"] == "test_run" for step in steps)
                      and sum(step["kind"] == "agent" for step in steps) == 5, "the commands, the test run")
        sealed = client.request("seal", workspace=str(root))
    return home, project, Path(sealed["path"])


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    home, _project, episode = record(tmp_path_factory.mktemp("masks"))
    assert codetape(home, "keys", "init", "--no-passphrase").returncode == 0
    return home, Home(home.resolve()).episodes / episode.name


def commands(steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [step for step in steps if step["kind"] == "command"]


def test_the_recording_holds_the_prompts_and_the_name_wherever_they_were_written(
        recorded: tuple[Path, Path]) -> None:
    home, episode = recorded
    steps = steps_of(home, episode)
    argvs = [step.get("argv") for step in commands(steps)]
    assert ["claude", "-p", LONG] in argvs and ["codex", "exec", *SPLIT.split()] in argvs
    assert ["claude", "-p", SHORT] in argvs
    lines = [step.get("command_line") for step in commands(steps)]
    assert f'claude -p "{ESCAPED}"' in lines and f"claude -p '{SHORT}'" in lines
    listing = next(step for step in commands(steps) if step.get("argv") == ["ls", "notes"])
    assert f"{NAME}.md" in listing["output_tail"] and "todo.md" in listing["output_tail"]
    status = next(step for step in commands(steps) if step.get("argv") == ["git", "status"])
    assert status["cwd"] == "notes" and f"new file:   {NAME}.md" in status["output_tail"]
    failed = next(step for step in steps if step["kind"] == "test_run")["tests"][0]
    assert "notes\\\\layoffs-2026.md" in failed["summary"]  # the repr's doubled backslash


def test_left_out_prompts_and_an_excluded_file_s_name_are_gone_everywhere(
        recorded: tuple[Path, Path], tmp_path: Path) -> None:
    home, episode = recorded
    signed = sign(home, episode, "--exclude", PRIVATE, "--leave-out-prompts")
    after = steps_of(home, signed)
    text = everything(home, signed, tmp_path / "out")
    assert shown(text, *NEEDLES) == []
    assert broken_placeholders(text) == []
    argvs = [step.get("argv") for step in commands(after) if step.get("argv")]
    # what is left of the agents' command lines: the agent and its options, each prompt one placeholder
    agents = [argv for argv in argvs if argv[0] in ("claude", "codex")]
    assert [argv[:2] for argv in agents] == [["claude", "-p"], ["codex", "exec"], ["claude", "-p"]], argvs
    assert all(len(argv) == 3 and PLACEHOLDER_RE.fullmatch(argv[2]) for argv in agents), argvs
    assert all(SHORT not in arg for argv in argvs for arg in argv)
    assert all(SHORT not in step.get("command_line", "") for step in commands(after))
    # the kept file is still listed by its name; the private one is a placeholder there
    listing = next(step for step in commands(after) if step.get("argv") == ["ls", "notes"])
    assert "todo.md" in listing["output_tail"] and "«redacted:excluded-name:1»" in listing["output_tail"]
