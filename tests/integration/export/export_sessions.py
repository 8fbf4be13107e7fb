"""Episodes the export tests read: recorded by real collectors, once per test session, then only read.

- `calc_session`: the demo's session through the real bridge (tests/lsp_typing.py): fix add() in
  calc.py, type greet() one key at a time, save, a real git commit, a real pytest run, sealed.
- `secret_session`: steps sent to a real collector as the bridge, the language server, the shell hook,
  pytest and the git watcher send them, with pauses, then sealed (redacted): a task; the editor's caret
  reports before the first edit of each file; five edit bursts
  (one cut by a 5 s pause, one typing a GitHub token into src/settings.py); diagnostics with an error
  while typing; saves, a failing then a passing test run, a command, a commit, a note; task done.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from collector.protocol.clock import now_ms
from collector.text.digest import sha256_text
from tests.cli import codetape
from tests.lsp_typing import record_calc_session
from tests.support.collector_harness import running, settle

TOKEN = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
PLACEHOLDER = "«redacted:github-token:1»"
APP = "def greet():\n    return 'hi'\n"
APP_NAMED = "def greet(name):\n    return 'hi'\n"
APP_FINAL = "def greet(name):\n    return f'hi {name}'\n"
TEST = "from app import greet\n"
TEST_FINAL = TEST + "\n\ndef test_greet():\n    assert greet('x') == 'hi x'\n"
SETTINGS = f'TOKEN = "{TOKEN}"\n'
APP_LAST = APP_FINAL + "# done\n"
STATEMENT = "Make greet() greet by name"
COMMIT = "4f9a2c1d7e3b5a6c8d0e2f4a6b8c0d1e3f5a7b9c"


def _at(line: int, character: int) -> dict[str, Any]:
    return {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}


def _typed(path: str, t_ms: int, line: int, column: int, text: str,
           every_ms: int) -> list[tuple[int, dict[str, Any]]]:
    """`text` (a newline only at its end) typed a key at a time at (line, column), a key every `every_ms`."""
    return [_edit(t_ms + n * every_ms, path, line, column + n, ch) for n, ch in enumerate(text)]


def _edit(t_ms: int, path: str, line: int, character: int, text: str) -> tuple[int, dict[str, Any]]:
    return t_ms, {"kind": "edit", "source": "bridge", "path": path,
                  "changes": [{"range": _at(line, character), "text": text}]}


def _cursor(t_ms: int, path: str, line: int, character: int) -> tuple[int, dict[str, Any]]:
    at = {"line": line, "character": character}
    return t_ms, {"kind": "cursor", "source": "bridge", "path": path,
                  "selections": [{"anchor": at, "active": at}]}


def _steps() -> list[tuple[int, dict[str, Any]]]:
    """(ms from the start, step) of the whole session."""
    error = {"range": {"start": {"line": 1, "character": 14}, "end": {"line": 1, "character": 18}},
             "severity": 1, "message": "undefined name 'name'", "code": "F821", "source": "pyflakes"}
    steps: list[tuple[int, dict[str, Any]]] = [
        (0, {"kind": "task", "source": "cli", "action": "start", "statement": STATEMENT}),
        (100, {"kind": "open", "source": "bridge", "path": "src/app.py", "language_id": "python",
               "text": APP}),
        (200, {"kind": "diagnostics", "source": "bridge", "path": "src/app.py", "origin": "pyflakes",
               "items": []}),
        _cursor(900, "src/app.py", 0, 10),
        *_typed("src/app.py", 1000, 0, 10, "name", 150),  # burst 1: def greet(name):
        _cursor(1200, "src/app.py", 0, 12),
        # burst 2, after a 5 s pause: 'hi' -> f'hi {name}', errors reported while it is typed
        _edit(7000, "src/app.py", 1, 11, "f"),
        *_typed("src/app.py", 7200, 1, 15, " {name}", 100),
        (7500, {"kind": "diagnostics", "source": "bridge", "path": "src/app.py", "origin": "pyflakes",
                "items": [error]}),
        (9000, {"kind": "diagnostics", "source": "bridge", "path": "src/app.py", "origin": "pyflakes",
                "items": [{**error, "message": "f-string: expecting '}'", "code": "E999"}]}),
        (9500, {"kind": "save", "source": "bridge", "path": "src/app.py", "sha256": sha256_text(APP_FINAL)}),
        (11000, {"kind": "test_run", "source": "pytest", "args": ["-q"], "exit_status": 1, "duration_ms": 420,
                 "tests": [{"nodeid": "tests/test_app.py::test_greet", "outcome": "failed",
                            "summary": "AssertionError: assert 'hi' == 'hi x'"}]}),
        (11500, {"kind": "command", "source": "shell", "command_line": "pytest -q", "exit_code": 1,
                 "duration_ms": 900}),
        (12000, {"kind": "open", "source": "bridge", "path": "tests/test_app.py", "text": TEST}),
        _cursor(12050, "tests/test_app.py", 1, 0),
        # burst 3: the test, a line at a time
        _edit(12100, "tests/test_app.py", 1, 0, "\n"),
        _edit(12200, "tests/test_app.py", 2, 0, "\ndef test_greet():"),
        _edit(12500, "tests/test_app.py", 3, 17, "\n    assert greet('x') == 'hi x'\n"),
        (14000, {"kind": "save", "source": "bridge", "path": "tests/test_app.py",
                 "sha256": sha256_text(TEST_FINAL)}),
        (15000, {"kind": "open", "source": "bridge", "path": "src/settings.py", "text": ""}),
        _cursor(15050, "src/settings.py", 0, 0),
        *_typed("src/settings.py", 15100, 0, 0, SETTINGS, 20),  # burst 4: the token, typed
        (16500, {"kind": "save", "source": "bridge", "path": "src/settings.py",
                 "sha256": sha256_text(SETTINGS)}),
        (17000, {"kind": "test_run", "source": "pytest", "args": ["-q"], "exit_status": 0, "duration_ms": 380,
                 "tests": [{"nodeid": "tests/test_app.py::test_greet", "outcome": "passed",
                            "duration_ms": 2}]}),
        (18000, {"kind": "git", "source": "git", "op": "commit", "sha": COMMIT, "message": "greet by name",
                 "ref": "refs/heads/main", "files": [{"path": "src/app.py", "added": 2, "deleted": 2}]}),
        (18500, {"kind": "note", "source": "cli", "text": "remember to rotate the token"}),
        *_typed("src/app.py", 20000, 2, 0, "# done\n", 30),  # burst 5: after the token
        (21000, {"kind": "save", "source": "bridge", "path": "src/app.py", "sha256": sha256_text(APP_LAST)}),
        (22000, {"kind": "task", "source": "cli", "action": "done", "outcome": "pass"}),
    ]
    return sorted(steps, key=lambda item: item[0])


def record_secret_session(base: Path) -> tuple[Path, Path]:
    """Send `_steps()` to a real collector for a workspace in `base/ws`, seal; (home, sealed episode)."""
    home, root = base / "home", base / "ws"
    root.mkdir(parents=True)
    assert codetape(home, "init", str(root)).returncode == 0
    start = now_ms() - 60_000  # in the past: the collector keeps the steps' own times
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root.resolve(), "bridge", client={"name": "Neovim", "version": "0.11.4"},
                            position_encoding="utf-16")["recording"]
        client.send_steps([(start + t_ms, step) for t_ms, step in _steps()])
        settle(client)
        sealed = client.request("seal", workspace=str(root.resolve()))
    assert sealed is not None
    return home, Path(sealed["path"])


def steps_of(home: Path, episode: Path) -> list[dict[str, Any]]:
    done = codetape(home, "cat", str(episode))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def checkout_text(home: Path, episode: Path, step: int, path: str, into: Path) -> str | None:
    """The text of `path` after step `step` as `codetape checkout` writes it (None: no such file)."""
    target = into / hashlib.sha256(f"{episode}:{step}".encode()).hexdigest()[:12]
    if not target.exists():
        done = codetape(home, "checkout", str(episode), str(target), "--step", str(step))
        assert done.returncode == 0, done.stderr
    file = target / path
    return file.read_text(encoding="utf-8") if file.is_file() else None


_RECORDED: dict[str, tuple[Path, Path]] = {}  # each test module imports the fixtures: record once a run


@pytest.fixture(scope="session")
def secret_session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(home, sealed episode) of the session above."""
    if "secret" not in _RECORDED:
        _RECORDED["secret"] = record_secret_session(tmp_path_factory.mktemp("secret-session"))
    return _RECORDED["secret"]


@pytest.fixture(scope="session")
def calc_session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(home, sealed episode) of the demo's session through the real bridge."""
    if "calc" not in _RECORDED:
        base = tmp_path_factory.mktemp("calc-session")
        _RECORDED["calc"] = (base / "home", record_calc_session(base))
    return _RECORDED["calc"]
