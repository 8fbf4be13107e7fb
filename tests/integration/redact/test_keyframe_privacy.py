"""Keyframes hold every file, so whatever leaves an episode must leave its keyframes too: a secret typed and
then redacted (by the seal's engine, and by the review's --redact), an excluded file, the steps of a
dropped time range. Each episode here is long enough for the writer's keyframes (8,192 steps a frame),
its source keyframes are shown to hold what must go, and the result is searched everywhere: the raw
bytes, the header and steps decompressed, every keyframe decoded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collector.consent import init_keys
from collector.episode import open_episode, write_episode_file
from collector.episode.container import HEADER, STEPS, decompress, iter_frames, read_preamble
from collector.episode.keyframe import Keyframe, read_keyframes
from collector.home import Home
from collector.journal import JournalWriter
from collector.reconstruct.keyframes import keyframe_states, workspace_after
from collector.review.plan import TrimPlan
from collector.review.trim import trim_episode
from collector.seal.redacted import seal_redacted
from collector.text.digest import sha256_text
from collector.verify.integrity import verify_replay
from schemas import EpisodeHeader, Step, WorkspaceIdentity, step_from_dict
from tests.cli import codetape

HEADER_MODEL = EpisodeHeader(
    codetape_version="0.1.0", episode_id=uuid.UUID("3b9d2f4e-6a1c-4e8b-9d7f-1a2b3c4d5e6f"),
    started_at=datetime(2026, 6, 1, 9, 0, tzinfo=UTC), workspace=WorkspaceIdentity(root_name="kf"))
SECRET = "TOPSECRET-48151623"  # typed into notes.md, then masked by the review's --redact
PLAN = "acquire Zephyrine Labs for 12M\n"  # private/plan.md, excluded
SCRATCH = "password: Wq9-drop-me"  # typed and deleted again inside the dropped range
GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"  # typed into settings.py, redacted when sealed
FILLER = "def step_{n}(value):\n    return value + {n}\n\n"
DROP_FROM, DROP_TO = 500_000, 600_000  # ms; the source's first keyframe falls inside


def at(line: int, character: int) -> dict[str, int]:
    return {"line": line, "character": character}


class Session:
    """Steps as the bridge sends them, a few files at once, typed one key at a time."""

    def __init__(self) -> None:
        self.steps: list[dict[str, Any]] = []
        self.texts: dict[str, str] = {}
        self.t = 0

    def add(self, step: dict[str, Any], dt: int = 50) -> None:
        self.t += dt
        self.steps.append({"t_ms": self.t, "source": "bridge", **step})

    def open(self, path: str, text: str = "") -> None:
        self.texts[path] = text
        self.add({"kind": "open", "path": path, "text": text})

    def type(self, path: str, text: str) -> None:
        for char in text:
            lines = self.texts[path].split("\n")
            where = at(len(lines) - 1, len(lines[-1]))
            self.add({"kind": "edit", "path": path, "changes": [{"range": {"start": where, "end": where},
                                                                 "text": char}]})
            self.texts[path] += char

    def delete_last(self, path: str, count: int) -> None:
        text = self.texts[path]
        lines = text.split("\n")
        end = at(len(lines) - 1, len(lines[-1]))
        start = at(end["line"], end["character"] - count)
        change = {"range": {"start": start, "end": end}, "text": ""}
        self.add({"kind": "edit", "path": path, "changes": [change]})
        self.texts[path] = text[:-count]

    def save(self, path: str) -> None:
        self.add({"kind": "save", "path": path, "sha256": sha256_text(self.texts[path])})

    def fill(self, until: int) -> None:
        """Type into app.py until the session has `until` steps."""
        n = 0
        while len(self.steps) < until:
            self.type("app.py", FILLER.format(n=n)[: until - len(self.steps)])
            n += 1

    def models(self) -> list[Step]:
        return [step_from_dict(step) for step in self.steps]


def review_session() -> Session:
    """notes.md with SECRET in it, the excluded private/plan.md, and scratch.txt typed and emptied again
    between DROP_FROM and DROP_TO, around step 8,192; about 9,600 steps."""
    session = Session()
    session.open("app.py")
    session.open("notes.md")
    session.type("notes.md", f"deploy key {SECRET}\n")
    session.save("notes.md")
    session.open("private/plan.md")
    session.type("private/plan.md", PLAN)
    session.save("private/plan.md")
    session.fill(8_150)
    session.t = DROP_FROM
    session.open("scratch.txt")
    session.type("scratch.txt", SCRATCH)
    session.fill(8_250)
    session.delete_last("scratch.txt", len(SCRATCH))
    session.add({"kind": "close", "path": "scratch.txt"})
    assert session.t < DROP_TO
    session.t = DROP_TO + 1
    session.fill(9_600)
    session.save("app.py")
    return session


def decoded(path: Path) -> Iterator[bytes]:
    """The raw file, then the header and every steps frame decompressed (keyframes: `keyframes_of`)."""
    yield path.read_bytes()
    with path.open("rb") as stream:
        read_preamble(stream)
        yield from (decompress(frame) for frame in iter_frames(stream) if frame.type in (HEADER, STEPS))


def keyframes_of(path: Path) -> list[Keyframe]:
    return [placed.keyframe for placed in read_keyframes(open_episode(path).frames())]


def all_text(keyframe: Keyframe) -> str:
    return "\n".join([*keyframe.buffers, *keyframe.buffers.values(), *keyframe.disk, *keyframe.disk.values(),
                      *keyframe.omitted])


def assert_gone(path: Path, *needles: str) -> list[Keyframe]:
    """`path` verifies, has keyframes, and holds none of `needles` anywhere; returns its keyframes."""
    assert verify_replay(open_episode(path)) > 8_192
    keyframes = keyframes_of(path)
    assert keyframes, "no keyframe: the check below would prove nothing"
    for needle in needles:
        for keyframe in keyframes:
            assert needle not in all_text(keyframe), (needle, keyframe.steps)
        for blob in decoded(path):
            assert needle.encode() not in blob, needle
    return keyframes


def written(tmp_path: Path, session: Session) -> Path:
    path = tmp_path / f"{HEADER_MODEL.episode_id}.ctape"
    write_episode_file(path, HEADER_MODEL, session.models(), level=3, states=keyframe_states("utf-16"))
    source = keyframes_of(path)
    assert source and SECRET in all_text(source[0]) and "private/plan.md" in all_text(source[0])
    assert SCRATCH in source[0].buffers["scratch.txt"]  # the first keyframe stands inside the dropped range
    return path


def test_a_secret_masked_by_the_review_is_in_no_keyframe(tmp_path: Path) -> None:
    session = review_session()
    plan = TrimPlan().redact(r"TOPSECRET-\d+")
    result = trim_episode(written(tmp_path, session), tmp_path / "out.ctape", plan)
    keyframes = assert_gone(result.path, SECRET, SECRET[:12])
    assert all("«redacted:custom-1:1»" in keyframe.buffers["notes.md"] for keyframe in keyframes)


def test_an_excluded_file_is_in_no_keyframe(tmp_path: Path) -> None:
    result = trim_episode(written(tmp_path, review_session()), tmp_path / "out.ctape",
                          TrimPlan().exclude("/private/"))
    assert_gone(result.path, "private/plan.md", "Zephyrine", "plan.md")


def test_a_dropped_range_leaves_its_steps_in_no_keyframe(tmp_path: Path) -> None:
    session = review_session()
    source = written(tmp_path, session)
    result = trim_episode(source, tmp_path / "out.ctape", TrimPlan().drop(DROP_FROM, DROP_TO))
    assert_gone(result.path, SCRATCH, "Wq9-drop")
    # the files after the range are the same as before the trim
    assert workspace_after(open_episode(result.path)).files() == workspace_after(open_episode(source)).files()


def test_codetape_sign_with_exclude_drop_and_redact_signs_keyframes_without_them(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    init_keys(home)
    source = written(home.ensure(home.episodes), review_session())
    done = codetape(home.root, "sign", str(source), "--yes", "--exclude", "/private/", "--drop",
                    f"{DROP_FROM}:{DROP_TO}", "--redact", r"TOPSECRET-\d+")
    assert done.returncode == 0, done.stderr
    signed = home.outbox / source.name
    assert_gone(signed, SECRET, "private/plan.md", "Zephyrine", SCRATCH)
    verify = codetape(home.root, "verify", str(signed))
    assert verify.returncode == 0 and verify.stdout.startswith("ok (signed by"), verify.stderr


def test_a_secret_typed_into_a_sealed_journal_is_in_no_keyframe(tmp_path: Path) -> None:
    """The collector's own seal: the real redaction engine over a journal, keyframes from what it wrote."""
    session = Session()
    session.open("app.py")
    session.open("settings.py")
    session.type("settings.py", f'GITHUB_TOKEN = "{GH}"\n')
    session.save("settings.py")
    session.fill(8_400)
    journal = tmp_path / "journals" / "session.journal"
    journal.parent.mkdir()
    with JournalWriter.create(journal, HEADER_MODEL, fsync=lambda fd: None) as writer:
        for step in session.models():
            writer.append(step)
    sealed = seal_redacted(journal, tmp_path / "episodes", workspace=None)
    assert sealed is not None
    keyframes = assert_gone(sealed.path, GH, GH[:20])
    assert "«redacted:github-token:1»" in keyframes[0].buffers["settings.py"]
