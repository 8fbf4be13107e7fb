"""Real transcripts: the pinned Claude Code and Codex (tests/support/real_agents.py) each run one scripted
session on the scripted model, in a workspace and a HOME of the caller's, and keep their own transcript
of it where they always do (`~/.claude/projects/*/*.jsonl`, `~/.codex/sessions/**/rollout-*.jsonl`).

The session reads app.py, fixes it (the fix carries the secret into the file), runs a shell command that
names a path outside the workspace, and reads a file in `private/` (which the caller's workspace may
exclude); the prompt names a file in the home and carries a secret. tests/fixtures/transcripts/ holds one of
each made by `python -m tests.support.transcripts DIR` (paths under /tmp/ct-transcripts, which tests replace
with their own).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.model_server import Action, Bash, Edit, Read, ScriptedModel, Text
from tests.support.real_agents import codex_config, ran, run_claude, run_codex

APP = "def add(a, b):\n    return a - b\n"
SECRET = "sk-ant-api03-" + "Q" * 93 + "AA"  # the shape of an Anthropic API key
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transcripts"
FIXTURE_BASE = "/tmp/ct-transcripts"
FIXED = f"a + b  # checked with {SECRET}"  # the fix, carrying the secret into the file the agent writes
FIXED_APP = APP.replace("a - b", FIXED)
# the workspace's one commit, the same wherever it is made (a Codex transcript names the commit its session
# started at, which an import reads the files' texts from)
COMMIT_ENV = {"GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
              "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
              "GIT_COMMITTER_EMAIL": "t@t"}


def prompt(user: Path) -> str:
    return f"fix add in app.py as {user}/notes/todo.md says; the key is {SECRET}"


def script(root: Path, agent: str) -> list[list[Action]]:
    fix: Action = Edit(root / "app.py", "a - b", FIXED) if agent == "claude-code" else \
        Edit(root / "app.py", "    return a - b", f"    return {FIXED}")
    outside = Bash("cat /etc/hostname > /dev/null; echo ran > out.txt")
    return [[Read(root / "app.py")], [fix, outside, Read(root / "private" / "plan.md")], [Text("Fixed add.")]]


def workspace(root: Path) -> None:
    """A git repository holding app.py and private/plan.md."""
    (root / "private").mkdir(parents=True)
    (root / "app.py").write_text(APP)
    (root / "private" / "plan.md").write_text("the plan\n")
    commit = ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "start"]
    for args in (["init", "-q"], ["add", "-A"], commit):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                       env={**os.environ, **COMMIT_ENV})


def transcript(agent: str, root: Path, user: Path) -> Path:
    """Run `agent` once in `root` with HOME `user`; the transcript it wrote."""
    (user / ".codex").mkdir(parents=True, exist_ok=True)
    with ScriptedModel(script(root, agent)) as model:
        if agent == "claude-code":
            done = run_claude(model, user, root, prompt(user))
        else:
            (user / ".codex" / "config.toml").write_text(codex_config(model))
            done = run_codex(model, user, root, prompt(user))
        assert "Fixed add." in ran(done, model), done.stdout + done.stderr
    where = user / ".claude" / "projects" if agent == "claude-code" else user / ".codex" / "sessions"
    [found] = list(where.rglob("*.jsonl"))
    return found


def fixture(agent: str, base: Path) -> Path:
    """The committed transcript of `agent`, its paths moved from FIXTURE_BASE to `base` (its workspace is
    `base/ws`, made here, and its HOME `base/user`)."""
    workspace(base / "ws")
    moved = base / f"{agent}.jsonl"
    text = (FIXTURES / f"{agent}.jsonl").read_text(encoding="utf-8")
    moved.write_text(text.replace(FIXTURE_BASE, str(base)), encoding="utf-8")
    return moved


if __name__ == "__main__":  # the fixtures: python -m tests.support.transcripts
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name in ("claude-code", "codex"):
        base = Path(FIXTURE_BASE)
        subprocess.run(["rm", "-rf", str(base)], check=True)
        workspace(base / "ws")
        made = transcript(name, base / "ws", base / "user")
        (FIXTURES / f"{name}.jsonl").write_bytes(made.read_bytes())
        sys.stdout.write(f"{FIXTURES / name}.jsonl from {made}\n")
