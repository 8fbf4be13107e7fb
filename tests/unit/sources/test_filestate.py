"""What a file_change records about a file, and which files the watcher may look at."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import msgspec
from watchdog.events import FileOpenedEvent, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from collector.policy.recording import Policy
from collector.sources.files.filestate import is_noise, read_state, walk
from schemas.settings import WorkspaceSettings
from tests.waiting import wait_for


def policy(root: Path, **settings: object) -> Policy:
    return Policy(root, msgspec.convert(settings, WorkspaceSettings))


def fields(root: Path, relpath: str, rules: Policy) -> dict[str, object]:
    state = read_state(root, relpath, rules)
    assert state is not None
    return state[0]


def test_text_is_recorded_exactly_with_its_hash(tmp_path: Path) -> None:
    content = "line one\r\nnon-BMP 𝄞 and ünïcode\n\ufeffno final newline"
    (tmp_path / "a.txt").write_bytes(content.encode())
    state = read_state(tmp_path, "a.txt", policy(tmp_path))
    assert state is not None
    fields, known = state
    assert fields == {"text": content, "sha256": hashlib.sha256(content.encode()).hexdigest()}
    assert known.sha256 == fields["sha256"] and known.size == len(content.encode())


def test_binary_non_utf8_and_too_large_files_carry_only_their_size(tmp_path: Path) -> None:
    (tmp_path / "img.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (tmp_path / "late.txt").write_bytes(b"a" * 9000 + "caf\xe9".encode("latin-1"))  # valid head, bad tail
    (tmp_path / "big.log").write_bytes(b"x" * 20_001)
    rules = policy(tmp_path, max_file_bytes=20_000)
    assert fields(tmp_path, "img.png", rules) == {"omitted": "binary", "size": 10}
    assert fields(tmp_path, "late.txt", rules) == {"omitted": "binary", "size": 9004}
    assert fields(tmp_path, "big.log", rules) == {"omitted": "too_large", "size": 20_001}


def test_excluded_files_and_fifos_give_nothing_and_a_link_only_its_target(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TOKEN=secret\n")
    (tmp_path / "notes.md").write_text("mine\n")
    (tmp_path / "link.md").symlink_to(tmp_path / "notes.md")
    (tmp_path / ".env.link").symlink_to("notes.md")
    os.mkfifo(tmp_path / "pipe")
    rules = policy(tmp_path, exclude=["notes.md"])
    assert read_state(tmp_path, ".env", rules) is None
    assert read_state(tmp_path, "notes.md", rules) is None
    assert fields(tmp_path, "link.md", rules) == {"link": str(tmp_path / "notes.md")}
    assert read_state(tmp_path, ".env.link", rules) is None  # excluded by its own name
    assert read_state(tmp_path, "pipe", rules) is None
    assert read_state(tmp_path, "missing.txt", rules) is None


def test_nothing_is_read_or_walked_through_a_directory_that_is_a_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "deeper").mkdir(parents=True)
    (outside / "config.json").write_text("outside secret\n")
    (outside / "deeper" / "x.txt").write_text("outside too\n")
    root = tmp_path / "ws"
    (root / "real").mkdir(parents=True)
    (root / "real" / "a.txt").write_text("inside\n")
    (root / "cfg").symlink_to("../outside", target_is_directory=True)
    (root / "real" / "up").symlink_to("../../outside", target_is_directory=True)
    rules = policy(root)
    assert read_state(root, "cfg/config.json", rules) is None
    assert read_state(root, "real/up/deeper/x.txt", rules) is None
    assert fields(root, "cfg", rules) == {"link": "../outside"}
    assert dict(walk(root, rules)).keys() == {"real/a.txt", "cfg", "real/up"}
    assert list(walk(root, rules, under="cfg")) == []
    assert list(walk(root, rules, under="real/up/deeper")) == []


class _Opens(FileSystemEventHandler):
    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        with self.lock:
            self.paths.add(os.path.basename(str(event.src_path)))

    def seen(self) -> set[str]:
        with self.lock:
            return set(self.paths)


def test_excluded_files_are_never_opened_by_the_walk_or_the_reader(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("TOKEN=secret\n")
    (tmp_path / "server.pem").write_text("-----BEGIN PRIVATE KEY-----\n")
    (tmp_path / "app.py").write_text("print('hi')\n")
    opens = _Opens()
    observer = Observer()
    observer.schedule(opens, str(tmp_path), event_filter=[FileOpenedEvent])
    observer.start()
    try:
        rules = policy(tmp_path)
        found = dict(walk(tmp_path, rules))
        for name in (".env", "server.pem", "app.py"):
            read_state(tmp_path, name, rules)
        # the events come in order: once the test's own last open is seen, every earlier one has been
        (tmp_path / "zz-last").open("w").close()
        wait_for(lambda: "zz-last" in opens.seen(), what="the test's last open to be reported")
    finally:
        observer.stop()
        observer.join()
    assert set(found) == {"app.py"}
    assert "app.py" in opens.seen()  # the watch works: the recorded file was opened
    assert not {".env", "server.pem"} & opens.seen()


def test_walk_skips_git_noise_excluded_directories_and_given_paths(tmp_path: Path) -> None:
    for name in ("src/a.py", "src/.a.py.swp", ".git/HEAD", "node_modules/x/index.js", "state/journal",
                 "docs/b.md", "docs/#b.md#", "docs/4913", "docs/b.md~"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    rules = policy(tmp_path, exclude=["node_modules/"])
    found = sorted(rel for rel, _ in walk(tmp_path, rules, skip=(tmp_path / "state",)))
    assert found == ["docs/b.md", "src/a.py"]
    assert sorted(rel for rel, _ in walk(tmp_path, rules, under="docs")) == ["docs/b.md"]


def test_noise_names() -> None:
    assert all(is_noise(p) for p in (".git/index", "sub/.git/HEAD", "a/.b.py.swp", "a.py~", ".#a.py",
                                     "#a.py#", "4913", "x.kate-swp", "a.py___jb_tmp___",
                                     ".virtual_documents/nb.ipynb",
                                     "sub/.ipynb_checkpoints/nb-checkpoint.ipynb"))
    assert not any(is_noise(p) for p in ("a.py", ".gitignore", "src/git/x.py", "swp.py", "notes#1.md",
                                         "nb.ipynb", ".virtual_documents"))
