"""Keyframes as the writer makes them and readers use them: one after each full steps frame, none where the
states cannot follow the steps, the files from the latest keyframe equal to a replay from the first step,
and a step chunk's outline equal to what decoding it says."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgpack
import pytest
from msgspec.structs import replace

from collector.episode import EpisodeWriter, open_episode, write_episode_file
from collector.episode.chunk import decode_chunk, encode_chunk
from collector.episode.keyframe import MAX_DICTIONARY, MAX_KEYFRAME, Chain, read_keyframes
from collector.episode.outline import chunk_texts, outline
from collector.reconstruct.keyframes import keyframe_states, latest_keyframe, workspace_after
from collector.reconstruct.workspace import Workspace
from collector.verify.integrity import verify_replay
from schemas import STEP_KINDS, Step, step_from_dict
from tests.fixtures.make_golden import FULL, FULL_HEADER
from tests.fixtures.replay.episodes import BUGFIX, BUGFIX_HEADER
from tests.support.sessions import generate


def keyframed(path: Path, steps: list[Step], every: int) -> Path:
    write_episode_file(path, FULL_HEADER, steps, level=3, states=keyframe_states("utf-16"), chunk_steps=every)
    return path


def test_a_keyframe_follows_every_full_steps_frame_and_none_the_last(tmp_path: Path) -> None:
    episode = open_episode(keyframed(tmp_path / "full.ctape", FULL, 6))  # 21 steps: 6, 12, 18, then 3
    placed = list(read_keyframes(episode.frames()))
    assert [(p.chunk, p.keyframe.steps) for p in placed] == [(1, 6), (2, 12), (3, 18)]
    assert episode.chunk_count == 4 and verify_replay(episode) == len(FULL)
    write_episode_file(tmp_path / "none.ctape", FULL_HEADER, FULL, chunk_steps=6)
    assert open_episode(tmp_path / "none.ctape").keyframe_count == 0  # no states given: no keyframes


def test_the_files_from_the_latest_keyframe_are_those_of_a_full_replay(tmp_path: Path) -> None:
    session = generate(2, "mixed", scale=0.05)
    episode = open_episode(keyframed(tmp_path / "mixed.ctape", session.steps, 61))
    assert episode.keyframe_count == len(session.steps) // 61
    assert verify_replay(episode) == len(session.steps)
    workspace, replayed = Workspace(episode.header.position_encoding), []
    for step in session.steps:
        workspace.apply(step)
        replayed.append(workspace.files())
    for stop in [*range(0, len(session.steps), 17), 60, 61, 62, len(session.steps) - 1]:
        assert workspace_after(episode, stop).files() == replayed[stop], stop
    assert workspace_after(episode).files() == replayed[-1]
    placed = latest_keyframe(episode, 200)
    assert placed is not None and placed.keyframe.steps == 183 and placed.chunk == 3


def test_links_are_kept_by_keyframes_and_checked_against_the_replay(tmp_path: Path) -> None:
    links = [step_from_dict({"kind": "file_change", "t_ms": FULL[3].t_ms, "source": "files", "path": path,
                             "change": "created", "link": target})
             for path, target in [("cfg", "../../.docker"), ("docs/readme", "../README.md")]]
    steps = [*FULL[:4], *links, *FULL[4:]]
    episode = open_episode(keyframed(tmp_path / "links.ctape", steps, 6))
    placed = list(read_keyframes(episode.frames()))
    assert placed and all(p.keyframe.links == {"cfg": "../../.docker", "docs/readme": "../README.md"}
                          for p in placed)
    assert verify_replay(episode) == len(steps)
    assert workspace_after(episode).links == {"cfg": "../../.docker", "docs/readme": "../README.md"}
    plain = open_episode(keyframed(tmp_path / "plain.ctape", FULL, 6))
    assert all("l" not in msgpack.unpackb(p.keyframe.pack()) for p in read_keyframes(plain.frames()))


def test_a_step_that_does_not_replay_ends_the_keyframes_not_the_steps(tmp_path: Path) -> None:
    broken = step_from_dict({"kind": "edit", "t_ms": 199_000, "source": "bridge", "path": "never-opened.py",
                             "changes": [{"text": "x"}]})
    later = [replace(step, t_ms=200_000 + n) for n, step in enumerate(BUGFIX)]
    steps = [*BUGFIX, broken, *later]
    path = tmp_path / "broken.ctape"
    write_episode_file(path, BUGFIX_HEADER, steps, level=3, states=keyframe_states("utf-16"), chunk_steps=5)
    episode = open_episode(path)
    assert len(list(episode.steps())) == len(steps)
    assert [p.keyframe.steps for p in read_keyframes(episode.frames())] == list(range(5, len(BUGFIX) + 1, 5))


def test_a_step_of_an_unknown_kind_ends_the_keyframes(tmp_path: Path) -> None:
    path = tmp_path / "future.ctape"
    with path.open("wb") as out:
        writer = EpisodeWriter(out, FULL_HEADER, level=3, states=keyframe_states("utf-16"), chunk_steps=4)
        for step in FULL[:8]:
            writer.add(step)
        writer.add_dict({"kind": "bookmark", "t_ms": FULL[7].t_ms, "source": "cli", "label": "later"})
        for step in FULL[8:]:
            writer.add(step)
        writer.close()
    assert writer.keyframe_count == 2  # after steps 4 and 8, none once the bookmark came
    assert open_episode(path).keyframe_count == 2


def test_a_keyframe_too_large_is_left_out_and_the_next_one_written(tmp_path: Path) -> None:
    big = "x" * (MAX_KEYFRAME + 1024) + "\n"
    steps = [step_from_dict(data) for data in [
        {"kind": "open", "t_ms": 0, "source": "bridge", "path": "big.txt", "text": big},
        {"kind": "close", "t_ms": 1, "source": "bridge", "path": "big.txt"},
        {"kind": "file_change", "t_ms": 2, "source": "watcher", "path": "big.txt", "change": "deleted"},
        {"kind": "open", "t_ms": 3, "source": "bridge", "path": "small.py", "text": "y = 2\n"},
    ]]
    path = tmp_path / "big.ctape"
    write_episode_file(path, FULL_HEADER, steps, level=1, states=keyframe_states("utf-16"),
                       chunk_steps=1)
    episode = open_episode(path)
    # after 1 and 2 the big file is open, then on disk: too large; once deleted, keyframes again
    assert [p.keyframe.steps for p in read_keyframes(episode.frames())] == [3, 4]
    assert verify_replay(episode) == 4
    assert workspace_after(episode, 3).files() == {"small.py": "y = 2\n"}


def test_the_chain_keeps_the_last_bytes_only() -> None:
    chain = Chain()
    for n in range(5):
        chain.add_steps(bytes([65 + n]) * (MAX_DICTIONARY // 3))
    dictionary = chain.dictionary()
    assert len(dictionary) == MAX_DICTIONARY and dictionary.endswith(b"E") and dictionary.startswith(b"B")
    chain.compress(b"a keyframe", 3)
    assert chain.dictionary() == b"a keyframe"


@pytest.mark.parametrize("seed", [1, 4])
def test_an_outline_says_what_decoding_the_chunk_says(seed: int) -> None:
    session = generate(seed, "mixed", scale=0.05)
    steps: list[Step | dict[str, Any]] = list(session.steps[:1500])
    steps[5] = {"kind": "bookmark", "t_ms": session.steps[5].t_ms, "source": "cli", "text": "a future step"}
    chunk = encode_chunk(steps, "utf-16")
    shape = outline(msgpack.packb(chunk, use_bin_type=True), "chunk")
    decoded = decode_chunk(chunk, "utf-16")
    assert shape.count == len(decoded) == 1500
    assert shape.times(STEP_KINDS) == [step["t_ms"] for step in decoded if step["kind"] in STEP_KINDS]
    assert shape.unknown(STEP_KINDS) == ["bookmark"]
    assert shape.texts == chunk_texts(chunk)
    assert shape.texts.endswith(chunk["ct"].encode())
