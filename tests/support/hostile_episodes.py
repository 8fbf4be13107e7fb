"""Hostile episodes, crafted as plain steps and signed by the real signing code: each a few kilobytes that
makes an export quadratic, makes it write far more than its size, or unfolds into hundreds of megabytes
in a dataset build. tests/integration/export/test_export_bombs.py and dataset/test_dataset_bombs.py
assert what the real commands do with them; bench/hostile_exports.py measures what each costs (its
docstring lists them).
"""

from __future__ import annotations

import hashlib
import shutil
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collector.consent import init_keys, sign_episode
from collector.episode import write_episode_file
from collector.episode.writer import DEFAULT_LEVEL
from collector.home import Home
from collector.policy.sharing import SigningPolicy
from schemas import EpisodeHeader, WorkspaceIdentity, step_from_dict

Steps = list[dict[str, Any]]


def edit(t_ms: int, path: str, line: int, character: int, text: str) -> dict[str, Any]:
    at = {"line": line, "character": character}
    return {"kind": "edit", "t_ms": t_ms, "source": "bridge", "path": path,
            "changes": [{"range": {"start": at, "end": at}, "text": text}]}


def opened(t_ms: int, path: str, text: str) -> dict[str, Any]:
    return {"kind": "open", "t_ms": t_ms, "source": "bridge", "path": path, "text": text}


def quadratic(bursts: int = 3, lines: int = 160_000, distinct: int = 101) -> Steps:
    """A file no line of which is common enough for difflib to skip, then `bursts` one-line changes."""
    text = "".join(f"line {n % distinct}\n" for n in range(lines))
    return [opened(0, "big.txt", text),
            *(edit(10_000 * (burst + 1), "big.txt", lines // 2 + burst, 0, "x") for burst in range(bursts))]


def growing(size: int = 4 << 20, bursts: int = 100) -> Steps:
    """One large file changed a character at a time, in bursts 10 s apart."""
    return [opened(0, "big.txt", "a" * size),
            *(edit(10_000 * (burst + 1), "big.txt", 0, 0, "x") for burst in range(bursts))]


def shared(files: int = 20, size: int = 100_000, bursts: int = 30) -> Steps:
    """Files that never change, and one small file edited in bursts."""
    steps = [opened(0, f"lib/{n:02}.txt", f"{n}\n" * (size // (len(str(n)) + 1))) for n in range(files)]
    steps.append(opened(1, "main.py", "x = 0\n"))
    steps += [edit(10_000 * (burst + 1), "main.py", 0, 0, "#") for burst in range(bursts)]
    return steps


def renamed(size: int = 10_000_000, renames: int = 40) -> Steps:
    """A file created on disk (a watcher's `file_change`), then renamed again and again."""
    steps: Steps = [{"kind": "file_change", "t_ms": 0, "source": "watcher", "path": "f0.txt",
                     "change": "created", "text": "a" * size}]
    steps += [{"kind": "file_change", "t_ms": 1000 * n, "source": "watcher", "path": f"f{n - 1}.txt",
               "change": "renamed", "new_path": f"f{n}.txt"} for n in range(1, renames + 1)]
    return steps


def links(count: int = 1000, depth: int = 2047, renames: int = 60) -> Steps:
    """Symbolic links with long targets (inside the workspace), then a small file renamed again and again."""
    target = "d/" * depth + "f"
    steps: Steps = [{"kind": "file_change", "t_ms": 0, "source": "watcher", "path": f"l{n:04}",
                     "change": "created", "link": target} for n in range(count)]
    steps.append({"kind": "file_change", "t_ms": 1, "source": "watcher", "path": "g0.txt",
                  "change": "created", "text": "x"})
    steps += [{"kind": "file_change", "t_ms": 1000 * n, "source": "watcher", "path": f"g{n - 1}.txt",
               "change": "renamed", "new_path": f"g{n}.txt"} for n in range(1, renames + 1)]
    return steps


def big_opens(size: int = 16 << 20, times: int = 8) -> Steps:
    steps: Steps = []
    for n in range(times):
        steps.append(opened(2 * n, "big.txt", "a" * size))
        steps.append({"kind": "close", "t_ms": 2 * n + 1, "source": "bridge", "path": "big.txt"})
    return steps


def saved_again(size: int = 60 << 20, saves: int = 20) -> Steps:
    return [opened(0, "big.txt", "a" * size), *(saved(1000 * (n + 1), "big.txt") for n in range(saves))]


def saved(t_ms: int, path: str) -> dict[str, Any]:
    return {"kind": "save", "t_ms": t_ms, "source": "bridge", "path": path}


def escaped(size: int = 6 << 20) -> Steps:
    """A file of control characters, each of which JSON writes as six."""
    return [opened(0, "ctl.txt", "\x01" * size), saved(1, "ctl.txt")]


def many_tests(tests: int = 100_000, length: int = 150) -> Steps:
    """One test run of many tests with long names."""
    outcomes = [{"nodeid": f"tests/test_{n:07}.py::" + "t" * length, "outcome": "passed"}
                for n in range(tests)]
    return [{"kind": "test_run", "t_ms": 0, "source": "pytest", "framework": "pytest", "tests": outcomes}]


def astral(size: int = 4_000_000) -> Steps:
    """ASCII lines and one emoji: Python holds every character of the whole text in 4 bytes."""
    text = "".join("x" * 99 + "\n" for _ in range(size // 100)) + "\U0001F600\n"
    return [opened(0, "wide.txt", text), saved(1, "wide.txt"), edit(10_000, "wide.txt", 3, 0, "y"),
            saved(10_001, "wide.txt")]


def two_files(size: int = 4 << 20) -> Steps:
    """Two large files opened, edited and saved: an episode as large as a build takes."""
    lines = "".join(f"{n:09} " + "x" * 90 + "\n" for n in range(size // 100))
    return [opened(0, "a.txt", lines), opened(1, "b.txt", lines.replace("x", "y")),
            edit(10_000, "a.txt", 5, 0, "z"), saved(10_001, "a.txt"), edit(20_000, "b.txt", 7, 0, "w"),
            saved(20_001, "b.txt")]


def signer(home: Path) -> Home:
    """A home with a signing key (made the first time)."""
    made = Home(home)
    if not (made.keys.exists() and any(made.keys.iterdir())):
        made.ensure(made.root)
        init_keys(made)
    return made


def signed(home: Home, path: Path, steps: Steps, *, level: int = DEFAULT_LEVEL) -> Path:
    """`steps` written as an episode (zstd at `level`) and signed by `home`'s key into `path` (its unsigned
    copy beside)."""
    header = EpisodeHeader(codetape_version="0.1.0", episode_id=uuid.uuid4(),
                           started_at=datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
                           workspace=WorkspaceIdentity(root_name="hostile"))
    unsigned = path.with_name(path.name + ".unsigned")
    unsigned.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    write_episode_file(unsigned, header, [step_from_dict(step) for step in steps], level=level)
    policy = SigningPolicy(purpose="training", licence="CC-BY-4.0")
    sign_episode(unsigned, path, home, workspace_policy=policy)
    unsigned.unlink()
    return path


def source_of(episodes: list[Path], source: Path) -> Path:
    """A file:// dataset source holding `episodes` under their content addresses."""
    shutil.rmtree(source, ignore_errors=True)
    folder = source / "episodes"
    folder.mkdir(parents=True)
    for episode in episodes:
        shutil.copyfile(episode, folder / f"{hashlib.sha256(episode.read_bytes()).hexdigest()}.ctape")
    return source
