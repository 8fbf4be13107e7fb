"""Keyframes are verified, never trusted blindly: a keyframe that does not hold what the steps make fails
`codetape verify` (and so signing), a signature covers keyframes like every other frame, a malformed or
misplaced keyframe is refused, and a keyframe after a step of a kind the reader does not know is left
alone. Every surgery below re-encodes keyframes with their real compression chain and reseals the file
(CRCs, trailer hash), as a capable attacker would; only the replay or the signature stands in the way.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import msgpack
import pytest

from collector.consent import init_keys, sign_episode
from collector.episode import open_episode
from collector.episode.chunk import decode_chunk, encode_chunk
from collector.episode.container import CONSENT, KEYFRAME, OPTIONAL, STEPS, EpisodeFrame, compress, decompress
from collector.episode.keyframe import Chain, Keyframe, read_keyframes
from collector.episode.outline import outline
from collector.home import Home
from collector.reconstruct.keyframes import workspace_after
from collector.reconstruct.workspace import workspace_at
from collector.verify.integrity import verify_replay
from schemas import step_from_dict
from tests.fixtures.make_golden import DIRECTORY, PAGER
from tests.integration.episode.test_tampering import Frame, assert_refused, frames_of, reseal, verify

GOLDEN = DIRECTORY / "keyframes.ctape"
Change = Callable[[int, Keyframe], Keyframe]


def rewritten(data: bytes, change: Change) -> list[Frame]:
    """The file's frames with keyframe number n replaced by change(n, keyframe), re-encoded against the
    chain a reader rebuilds (so each decompresses as the writer's own would)."""
    read, write = Chain(), Chain()
    frames, number = [], 0
    for frame in frames_of(data):
        if frame.type == STEPS:
            texts = outline(decompress(EpisodeFrame(STEPS, 0, frame.payload, 0)), "steps").texts
            read.add_steps(texts)
            write.add_steps(texts)
        elif frame.type == KEYFRAME:
            keyframe = Keyframe.unpack(read.decompress(EpisodeFrame(KEYFRAME, 0, frame.payload, 0)), "kf")
            frame = Frame(KEYFRAME, OPTIONAL, write.compress(change(number, keyframe).pack(), 3))
            number += 1
        frames.append(frame)
    return frames


def tampered(path: Path, source: Path, change: Change) -> Path:
    data = source.read_bytes()
    path.write_bytes(reseal(data, rewritten(data, change)))
    return path


def other_pager(number: int, keyframe: Keyframe) -> Keyframe:
    """The second keyframe says the editor shows the pager with its bug still in it."""
    if number != 1:
        return keyframe
    return replace(keyframe, buffers={**keyframe.buffers, "src/pager.py": PAGER})


def test_an_untouched_rewrite_still_verifies(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The surgery itself is faithful: re-encoding every keyframe unchanged gives a file that verifies."""
    path = tampered(tmp_path / "same.ctape", GOLDEN, lambda number, keyframe: keyframe)
    assert verify(path, capsys) == (0, "ok\n", "")


def test_a_keyframe_that_disagrees_with_the_steps_fails_verify(tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tampered(tmp_path / "lying.ctape", GOLDEN, other_pager)
    line = assert_refused(path, capsys, "does not hold the files the steps before it make")
    assert line.startswith("codetape: step 7: the keyframe at byte ")
    assert "its editor buffer src/pager.py differs from the replay's" in line
    # checkout reads keyframes as the file gives them: a lie shows there, which is what verify is for
    lied = workspace_after(open_episode(path), 8).files()
    assert lied["src/pager.py"] == PAGER != workspace_at("utf-16", open_episode(path).steps(), 8).files()[
        "src/pager.py"]


LAYERS: list[tuple[Change, str]] = [
    (lambda n, k: replace(k, buffers={**k.buffers, "x.py": "x = 1\n"}), "it has the editor buffer x.py"),
    (lambda n, k: replace(k, disk={}), "it lacks the disk text src/pager.py"),
    (lambda n, k: replace(k, omitted={**k.omitted, "docs/x.png": "too_large"}), "omitted file docs/x.png"),
]


@pytest.mark.parametrize(("change", "says"), LAYERS)
def test_every_layer_of_a_keyframe_is_checked(change: Change, says: str, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    path = tampered(tmp_path / "layer.ctape", GOLDEN, lambda n, k: change(n, k) if n == 2 else k)
    assert_refused(path, capsys, says)


def test_a_keyframe_counting_other_steps_is_refused(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    path = tampered(tmp_path / "count.ctape", GOLDEN,
                    lambda n, k: replace(k, steps=k.steps + 1) if n == 0 else k)
    assert_refused(path, capsys, "says it follows 5 steps, but 4 come before it")


def test_malformed_and_misplaced_keyframes_are_refused(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    data = GOLDEN.read_bytes()
    frames = frames_of(data)
    first = next(n for n, frame in enumerate(frames) if frame.type == KEYFRAME)
    real = read_keyframes(open_episode(GOLDEN).frames())
    payload = next(real).keyframe.pack()

    def with_first(*replacement: Frame) -> list[Frame]:
        return [*frames[:first], *replacement, *frames[first + 1 :]]

    def plain(data: object) -> Frame:  # a keyframe compressed without the chain
        return Frame(KEYFRAME, OPTIONAL, compress(msgpack.packb(data), 3))

    empty = plain({"n": 4, "b": {}, "d": {}, "o": {}})
    cases = {  # name: (frames, what the one line says)
        "not zstd": (with_first(Frame(KEYFRAME, OPTIONAL, b"garbage")), "is not a zstd frame"),
        "another dictionary": (with_first(Frame(KEYFRAME, OPTIONAL, compress(payload, 3, payload))),
                               "does not decompress"),
        "empty": (with_first(empty), "it lacks the editor buffer src/pager.py"),
        "not a map": (with_first(plain([4])), "is not a map"),
        "disk nil without buffer": (with_first(plain({"n": 4, "b": {}, "d": {"a": None}, "o": {}})),
                                    "says the disk holds the buffer of a file that is not open"),
        "before the steps": ([frames[0], empty, *frames[1:]],
                             "says it follows 4 steps, but 0 come before it"),
    }
    for name, (changed, says) in cases.items():
        path = tmp_path / f"{name}.ctape"
        path.write_bytes(reseal(data, changed))
        assert_refused(path, capsys, says)


def test_a_keyframe_after_the_consent_frame_is_refused(tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    home = Home(tmp_path / "home")
    init_keys(home)
    signed = tmp_path / "signed.ctape"
    sign_episode(GOLDEN, signed, home)
    data = signed.read_bytes()
    frames = frames_of(data)
    keyframe = next(frame for frame in frames if frame.type == KEYFRAME)
    at = next(n for n, frame in enumerate(frames) if frame.type == CONSENT)
    path = tmp_path / "after.ctape"
    path.write_bytes(reseal(data, [*frames[: at + 1], keyframe, *frames[at + 1 :]]))
    assert_refused(path, capsys, "keyframe at byte")


def test_a_signature_covers_keyframes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = Home(tmp_path / "home")
    init_keys(home)
    signed = tmp_path / "signed.ctape"
    statement = sign_episode(GOLDEN, signed, home)
    assert sum(frame.type == KEYFRAME for frame in frames_of(signed.read_bytes())) == 5  # copied, signed
    assert verify(signed, capsys)[0] == 0
    same_steps = tampered(tmp_path / "resealed.ctape", signed, other_pager)
    line = assert_refused(same_steps, capsys, "signature does not match")
    assert "content differs from what was signed" in line
    dropped = tmp_path / "dropped.ctape"
    dropped.write_bytes(reseal(signed.read_bytes(),
                               [frame for frame in frames_of(signed.read_bytes()) if frame.type != KEYFRAME]))
    assert_refused(dropped, capsys, "signature does not match")
    assert statement.content.bytes < signed.stat().st_size


def test_signing_refuses_an_episode_whose_keyframe_lies(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    init_keys(home)
    lying = tampered(tmp_path / "lying.ctape", GOLDEN, other_pager)
    with pytest.raises(Exception, match="does not replay, so it cannot be signed: step 7: the keyframe"):
        sign_episode(lying, tmp_path / "signed.ctape", home)


def test_keyframes_after_a_step_of_an_unknown_kind_are_neither_used_nor_checked(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The task step in the first frame becomes a kind this reader does not know: what it did to the files
    is unknown, so no later keyframe is used, even one that lies."""
    data = GOLDEN.read_bytes()
    frames = rewritten(data, other_pager)
    first = next(n for n, frame in enumerate(frames) if frame.type == STEPS)
    chunk = msgpack.unpackb(decompress(EpisodeFrame(STEPS, 0, frames[first].payload, 0)))
    steps = decode_chunk(chunk, "utf-16")
    assert steps[0]["kind"] == "task"
    steps[0] = {**steps[0], "kind": "bookmark"}
    chunk = encode_chunk([step if step["kind"] == "bookmark" else step_from_dict(step) for step in steps],
                         "utf-16")
    frames[first] = Frame(STEPS, 0, compress(msgpack.packb(chunk, use_bin_type=True), 3))
    path = tmp_path / "future.ctape"
    path.write_bytes(reseal(data, frames))
    episode = open_episode(path)
    assert episode.keyframe_count == 5
    assert verify(path, capsys) == (
        0, 'ok (skipped 1 step of kinds this codetape does not know ("bookmark" 1))\n', "")
    assert verify_replay(episode) == 20
    for stop in range(20):
        assert workspace_after(episode, stop).files() == workspace_at("utf-16", episode.steps(), stop).files()


def test_a_copy_verifies_and_checks_out_as_the_golden(tmp_path: Path) -> None:
    copy = tmp_path / "copy.ctape"
    shutil.copyfile(GOLDEN, copy)
    episode = open_episode(copy)
    assert workspace_after(episode).files() == workspace_at("utf-16", episode.steps()).files()
