"""An episode recorded by a real collector in a real git repository, for the zeta2 export to be loaded as
Zed loads an `ExampleSpec` (issue 55, item 1).

The repository's HEAD holds src/app.py and src/util.py; src/util.py is changed on disk before the
recording begins (a dirty workspace), and the workspace takes a snapshot (`snapshot = "tracked"`), or
not (the default: each file's text at HEAD is then the collector's comparison of its first text). Steps
go to the collector as the bridge sends them: src/app.py typed in two bursts cut by a pause, a new file
src/new.py typed from nothing, src/app.py again; src/app.py saved, written and committed with real git
(the git watcher records the commit); then src/app.py again, a GitHub token typed into a new
src/settings.py, src/util.py (the file changed before the recording) and src/app.py once more. Sealed
(the token redacted).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from collector.protocol.clock import now_ms
from collector.text.digest import sha256_text
from tests.cli import codetape
from tests.integration.export.export_sessions import TOKEN
from tests.support.collector_harness import git, opt_in, running, settle, wait_capturing, wait_recorded

APP = "".join(f"def f{n}(x):\n    return x + {n}\n\n\n" for n in range(6)) + "def main():\n    pass\n"
UTIL = "def helper():\n    return 1\n"
UTIL_DIRTY = "def helper():\n    return 2  # changed before the recording\n"


def _at(line: int, character: int) -> dict[str, Any]:
    return {"start": {"line": line, "character": character}, "end": {"line": line, "character": character}}


def typed(path: str, t_ms: int, line: int, column: int, text: str) -> list[tuple[int, dict[str, Any]]]:
    """`text` typed a key at a time from (line, column), a key every 50 ms; a newline moves to the next
    line's start."""
    steps = []
    for n, ch in enumerate(text):
        steps.append((t_ms + 50 * n, {"kind": "edit", "source": "bridge", "path": path,
                                      "changes": [{"range": _at(line, column), "text": ch}]}))
        line, column = (line + 1, 0) if ch == "\n" else (line, column + 1)
    return steps


def cursor(t_ms: int, path: str, line: int, character: int) -> tuple[int, dict[str, Any]]:
    at = {"line": line, "character": character}
    return t_ms, {"kind": "cursor", "source": "bridge", "path": path,
                  "selections": [{"anchor": at, "active": at}]}


def opened(t_ms: int, path: str, text: str) -> tuple[int, dict[str, Any]]:
    return t_ms, {"kind": "open", "source": "bridge", "path": path, "language_id": "python", "text": text}


def apply_typing(text: str, line: int, column: int, typed_text: str) -> str:
    lines = text.split("\n")
    lines[line] = lines[line][:column] + typed_text + lines[line][column:]
    return "\n".join(lines)


def repository(root: Path) -> None:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text(APP, encoding="utf-8")
    (root / "src" / "util.py").write_text(UTIL, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the project")
    (root / "src" / "util.py").write_text(UTIL_DIRTY, encoding="utf-8")  # dirty before the recording


def record_git_session(base: Path, *, snapshot: bool = True) -> tuple[Path, Path, Path]:
    """(home, the repository, the sealed episode)."""
    home, root = base / "home", base / "ws"
    repository(root)
    root = opt_in(root, 'snapshot = "tracked"\n' if snapshot else "", home=home)
    start = now_ms() - 120_000  # in the past: the collector keeps the steps' own times
    after_a = apply_typing(APP, 1, 16, " * 2")
    after_b = apply_typing(after_a, 25, 4, "print(f0(1))\n    ")
    after_c = apply_typing(after_b, 5, 16, " - 1")
    phase1 = [
        opened(0, "src/app.py", APP), cursor(100, "src/app.py", 1, 16),
        *typed("src/app.py", 1000, 1, 16, " * 2"),  # A
        *typed("src/app.py", 6000, 25, 4, "print(f0(1))\n    "),  # B, after a pause
        opened(9000, "src/new.py", ""), cursor(9050, "src/new.py", 0, 0),
        *typed("src/new.py", 9100, 0, 0, "def new():\n    return 1\n"),  # N: a file in no commit
        cursor(12000, "src/app.py", 5, 16),
        *typed("src/app.py", 12100, 5, 16, " - 1"),  # C
        (13000, {"kind": "save", "source": "bridge", "path": "src/app.py", "sha256": sha256_text(after_c)}),
    ]
    with running(home) as daemon, daemon.client() as client:
        assert client.hello(root, "bridge", client={"name": "Neovim", "version": "0.11.4"},
                            position_encoding="utf-16")["recording"]
        client.send_steps([(start + t_ms, step) for t_ms, step in sorted(phase1, key=lambda s: s[0])])
        settle(client)
        # the session's git watcher starts beside the hello: one that started after the commit would take
        # it for the repository's state (the CI failure: "timed out after 60 s waiting for the commit")
        wait_capturing(client, root, ("GitWatcher",))
        (root / "src" / "app.py").write_text(after_c, encoding="utf-8")  # the editor's save
        git(root, "commit", "-q", "-m", "app", "src/app.py")  # src/util.py stays changed
        wait_recorded(daemon.home, root, lambda steps: any(s["kind"] == "git" and s.get("op") == "commit"
                                                           for s in steps), "the commit")
        at = now_ms()  # after the commit: its steps keep their order (the times are the commit's or later)
        phase2 = [
            cursor(0, "src/app.py", 9, 16), *typed("src/app.py", 0, 9, 16, " + 10"),  # E
            opened(0, "src/settings.py", ""), cursor(0, "src/settings.py", 0, 0),
            *typed("src/settings.py", 0, 0, 0, f'TOKEN = "{TOKEN}"\n'),  # T: redacted when sealed
            opened(0, "src/util.py", UTIL_DIRTY), cursor(0, "src/util.py", 1, 12),
            *typed("src/util.py", 0, 1, 12, "0"),  # U: in a file changed before the recording
            cursor(0, "src/app.py", 17, 16), *typed("src/app.py", 0, 17, 16, " // 2"),  # F: U in its history
        ]
        client.send_steps([(at, step) for _t, step in phase2])
        settle(client)
        sealed = client.request("seal", workspace=str(root))
    assert sealed is not None
    assert codetape(home, "verify", sealed["path"]).returncode == 0
    return home, root, Path(sealed["path"])
