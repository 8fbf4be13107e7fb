"""What a developer does between bursts of typing: run the tests, look at git, commit.

Test runs arrive as a `test_run` step from the pytest plugin plus the shell hook's `command` step;
commits as the git watcher's `git` step plus the `git commit` command line. With the recorder's
`training` on, the session also starts with a snapshot of the repository's other files and a task, ends
the task (passed when the last test run passed), and now and then asks an AI agent (Claude Code, through
its hooks) to write notes: a prompt, the tool call, its write to disk (`file_change`, origin agent) of a
file no editor has open, the tool's result. In training mode a test run follows the mistake being fixed
(mistakes.py): after a green run it fails at BREAK's rate (one to three tests failing), after a failing
one it is green at FIXED's rate and comes sooner (1-5 minutes, not 6-25; the first after 2-8, not 5-20),
and between the two the agent writes at AGENT_AFTER_FAILURE's, a write of which the developer throws away
before the next run at AGENT_UNDONE's (the file put back as it was before the agent's first write she
throws away: a `file_change` from outside the editor, no origin).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.support.mistakes import AGENT_AFTER_FAILURE, AGENT_UNDONE, BREAK, FIXED
from tests.support.recorder import Recorder

VERBS = ["Add", "Fix", "Handle", "Refactor", "Simplify", "Document", "Test", "Rename", "Speed up", "Clean up"]
OBJECTS = ["parsing of edge cases", "error messages", "the public API", "type hints", "None inputs",
           "the main loop", "caching", "unicode input", "helper functions", "module docstring"]
FAILURES = ["AssertionError: assert None == 3", "NameError: name '{name}' is not defined",
            "AttributeError: 'NoneType' object has no attribute '{name}'",
            "TypeError: {name}() missing 1 required positional argument: 'value'",
            "SyntaxError: '(' was never closed"]
OTHER_COMMANDS = ["git status", "git diff --stat", "git log --oneline -5", "ls src", "python -m {mod}"]


@dataclass
class Activity:
    rng: random.Random
    recorder: Recorder
    defs: dict[str, list[str]]  # path -> function names, for test node ids
    _test_due: int = 0
    _commit_due: int = 0
    _head: str = field(default="")
    start_head: str = field(default="")  # the commit HEAD is at when the session starts (the header's)
    _committed: dict[str, int] = field(default_factory=dict)
    _failed: bool = False  # the last test run had failures
    _notes: dict[str, str] = field(default_factory=dict)  # the agent's files: path -> text
    # the files to throw away before the next test run: path -> its text before the agent's first write of
    # those (None: the agent created it), and the indexes of the writes
    _undo: dict[str, tuple[str | None, list[int]]] = field(default_factory=dict)
    undone: list[int] = field(default_factory=list)  # the indexes of the agent's writes thrown away

    def __post_init__(self) -> None:
        self._head = self.start_head = self._sha()
        self._test_due = self.rng.randint(*((2, 8) if self.recorder.training else (5, 20))) * 60_000
        self._commit_due = self.rng.randint(20, 45) * 60_000

    def _sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def between_bursts(self, progress: float) -> None:
        if self.recorder.t >= self._test_due:
            self.test_run(progress)
        if self.recorder.t >= self._commit_due:
            self.commit()
        if self.rng.random() < 0.15:
            line = self.rng.choice(OTHER_COMMANDS).format(mod="src")
            self.command(line, 0, self.rng.randint(20, 900), None)
        if self.recorder.training and self.rng.random() < 0.1:
            self.agent()
        if self.recorder.training and self._failed and self.rng.random() < AGENT_AFTER_FAILURE:
            self.agent()  # (inside a failing-to-green segment: a step of stepwise's own)

    @property
    def failing(self) -> bool:
        """Whether the last test run failed."""
        return self._failed

    def start(self) -> None:
        """The session's first steps in training mode: the repository's snapshot, the task."""
        if not self.recorder.training:
            return
        state = [{"path": "README.md", "text": "# project\n\nA small library.\n", "at_head": True},
                 {"path": "setup.cfg", "text": "[metadata]\nname = project\n", "at_head": True}]
        self.recorder.custom({"kind": "gap", "source": "collector", "reason": "snapshot", "state": state})
        self.recorder.custom({"kind": "task", "source": "cli", "action": "start",
                              "statement": f"{self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}"})

    def agent(self) -> None:
        """A prompt to Claude Code, its Write tool call, its write to disk and the tool's result."""
        session = f"s{self.rng.getrandbits(32):08x}"
        path = f"notes/agent_{len(self._notes) % 3}.md"
        before = self._notes.get(path)
        text = (before or "# notes\n") + f"- {self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}\n"
        self._notes[path] = text
        self.recorder.advance(self.rng.randint(1000, 5000))
        base = {"kind": "agent", "source": "agent", "agent": "claude-code", "session": session}
        self.recorder.custom({**base, "hook": "UserPromptSubmit", "event": "prompt",
                              "prompt": f"note what is left: {self.rng.choice(OBJECTS)}"})
        self.recorder.advance(self.rng.randint(2000, 9000))
        self.recorder.custom({**base, "hook": "PreToolUse", "event": "tool_call", "tool": "Write",
                              "targets": [path]})
        self.recorder.advance(self.rng.randint(50, 400))
        self.recorder.custom({"kind": "file_change", "source": "watcher", "path": path,
                              "change": "modified" if text.count("\n") > 2 else "created", "text": text,
                              "origin": "agent", "origin_detail": "claude-code:PreToolUse Write"})
        written = len(self.recorder.steps) - 1
        self.recorder.advance(self.rng.randint(20, 200))
        self.recorder.custom({**base, "hook": "PostToolUse", "event": "tool_result", "tool": "Write",
                              "targets": [path]})
        if path in self._undo:  # (a file she throws away loses every write of the agent's since)
            self._undo[path][1].append(written)
        elif self.recorder.training and self._failed and self.rng.random() < AGENT_UNDONE:
            self._undo[path] = (before, [written])

    def throw_away(self) -> None:
        """Put back every file the agent wrote that the developer throws away (module docstring)."""
        for path, (before, writes) in self._undo.items():
            self.recorder.advance(self.rng.randint(3000, 20000))  # (read it, and saw it was no good)
            change = {"kind": "file_change", "source": "watcher", "path": path}
            self.recorder.custom({**change, "change": "deleted"} if before is None else
                                 {**change, "change": "modified", "text": before})
            if before is None:
                del self._notes[path]
            else:
                self._notes[path] = before
            self.undone += writes
        self._undo.clear()

    def finish(self) -> None:
        self.test_run(1.0)
        self.commit()
        if self.recorder.training:
            self.recorder.custom({"kind": "task", "source": "cli", "action": "done",
                                  "outcome": "fail" if self._failed else "pass"})

    def command(self, line: str, exit_code: int, duration: int, tail: str | None) -> None:
        self.recorder.advance(self.rng.randint(1500, 8000) + duration)
        data = {"kind": "command", "source": "shell", "command_line": line, "exit_code": exit_code,
                "duration_ms": duration}
        if tail:
            data["output_tail"] = tail
        self.recorder.custom(data)

    def test_run(self, progress: float) -> None:
        self.throw_away()
        self.recorder.save_all()
        fail = 0.02 + 0.3 * (1 - progress)
        broken = self._broken(0.1 + BREAK * (1 - progress)) if self.recorder.training else None
        tests: list[dict[str, Any]] = []
        for path, names in self.defs.items():
            stem = path.rsplit("/", 1)[-1].removesuffix(".py")
            for name in names:
                failed = (path, name) in broken if broken is not None else self.rng.random() < fail
                entry = {"nodeid": f"tests/test_{stem}.py::test_{name.lstrip('_')}",
                         "outcome": "failed" if failed else "passed", "duration_ms": self.rng.randint(0, 40)}
                if failed:
                    entry["summary"] = self.rng.choice(FAILURES).format(name=name)
                tests.append(entry)
        duration = sum(t["duration_ms"] for t in tests) + self.rng.randint(300, 1500)
        failures = [t for t in tests if t["outcome"] == "failed"]
        self._failed = bool(failures)
        self.recorder.advance(self.rng.randint(2000, 6000) + duration)
        self.recorder.custom({"kind": "test_run", "source": "pytest", "args": ["-q"],
                              "exit_status": int(bool(failures)), "duration_ms": duration, "tests": tests})
        summary = "\n".join(f"FAILED {t['nodeid']} - {t['summary']}" for t in failures[-10:])
        summary += f"\n{len(failures)} failed, {len(tests) - len(failures)} passed in {duration / 1000:.2f}s"
        self.recorder.advance(self.rng.randint(5, 60))
        self.recorder.custom({"kind": "command", "source": "shell", "command_line": "python -m pytest -q",
                              "exit_code": int(bool(failures)), "duration_ms": duration,
                              "output_tail": summary.strip()})
        again = (1, 5) if self.recorder.training and failures else (6, 25)  # (fixing: run again soon)
        self._test_due = self.recorder.t + self.rng.randint(*again) * 60_000

    def _broken(self, fail: float) -> set[tuple[str, str]]:
        """The tests a training session's run fails (module docstring): (path, function) pairs."""
        every = [(path, name) for path, names in self.defs.items() for name in names]
        still = self._failed and self.rng.random() >= FIXED
        if not every or not (still or (not self._failed and self.rng.random() < fail)):
            return set()
        return set(self.rng.sample(every, min(len(every), self.rng.randint(1, 3))))

    def commit(self) -> None:
        self.recorder.save_all()
        files: list[dict[str, Any]] = []
        for path, doc in self.recorder.docs.items():
            lines = len(doc.buf.lines)
            before = self._committed.get(path, 0)
            if lines != before:
                files.append({"path": path, "added": max(lines - before, 0) + self.rng.randint(0, 5),
                              "deleted": max(before - lines, 0) + self.rng.randint(0, 3),
                              "change": "M" if before else "A"})
                self._committed[path] = lines
        if not files:
            return
        message = f"{self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)}"
        sha, parent = self._sha(), self._head
        self._head = sha
        added = sum(f["added"] for f in files)
        deleted = sum(f["deleted"] for f in files)
        self.command(f"git commit -am '{message}'", 0, self.rng.randint(40, 400),
                     f"[main {sha[:7]}] {message}\n {len(files)} files changed, {added} insertions(+), "
                     f"{deleted} deletions(-)")
        self.recorder.advance(self.rng.randint(20, 300))
        self.recorder.custom({"kind": "git", "source": "git", "op": "commit", "sha": sha, "message": message,
                              "parents": [parent], "files": files, "ref": "refs/heads/main"})
        self._commit_due = self.recorder.t + self.rng.randint(20, 50) * 60_000
