"""Golden episodes: today's reader reads every committed one, and they still say what they were made from.

The files in tests/fixtures/episodes/ are written by tests/fixtures/make_golden.py. If the reader or the
codec changes so that an old file reads differently, these tests fail: that is a format change, and
needs a new format version, not a regenerated fixture.
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

import pytest

from collector.cli.main import main as main_cli
from collector.episode import open_episode
from collector.episode.container import KEYFRAME, TRAILER, TRAILER_PAYLOAD, encode_frame
from collector.episode.keyframe import read_keyframes
from collector.reconstruct.keyframes import workspace_after
from collector.reconstruct.workspace import workspace_at
from collector.verify.integrity import verify_replay
from schemas import STEP_KINDS, step_to_dict
from tests.fixtures.make_golden import DIRECTORY, GOLDEN, KEYFRAME_EVERY, KEYFRAMES, cat_lines, main

UNKNOWN = 0x58  # a frame type no version defines

NAMES = sorted(GOLDEN)


def cli(capsys: pytest.CaptureFixture[bytes], *args: str) -> tuple[int, str, str]:
    """The real command line, in-process: (exit code, stdout, stderr)."""
    code = main_cli(list(args))
    out, err = capsys.readouterr()
    return code, out.decode("utf-8"), err.decode("utf-8")


@pytest.mark.parametrize("name", NAMES)
def test_golden_episode_reads_as_made(name: str) -> None:
    header, steps, _ = GOLDEN[name]
    episode = open_episode(DIRECTORY / f"{name}.ctape")
    assert episode.header == header
    assert [step_to_dict(step) for step in episode.steps()] == [step_to_dict(step) for step in steps]
    assert verify_replay(episode) == len(steps)


@pytest.mark.parametrize("name", NAMES)
def test_cat_prints_the_expected_lines_and_verify_says_ok(name: str,
                                                        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    expected = (DIRECTORY / f"{name}.cat.jsonl").read_text(encoding="utf-8")
    assert expected == cat_lines(GOLDEN[name][1])
    code, out, err = cli(capsysbinary, "cat", str(DIRECTORY / f"{name}.ctape"))
    assert code == 0, err
    assert out == expected
    code, out, err = cli(capsysbinary, "verify", str(DIRECTORY / f"{name}.ctape"))
    assert code == 0, err
    assert out.splitlines()[0].startswith("ok")


def test_full_has_every_step_kind_and_future_skips_what_it_must(
        capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert {step.kind for step in GOLDEN["full"][1]} == STEP_KINDS - {"agent", "offer"}  # full predates them
    assert {step.kind for step in GOLDEN["agents"][1]} == {"agent", "file_change"}
    assert {step.kind for step in GOLDEN["offers"][1]} == {"open", "offer", "edit", "save"}
    future = open_episode(DIRECTORY / "future.ctape")
    assert (future.read_version, future.write_version) == (1, 2)
    assert len(list(future.steps())) == 2 and dict(future.skipped) == {"bookmark": 1}
    code, out, _ = cli(capsysbinary, "verify", str(DIRECTORY / "future.ctape"))
    assert code == 0 and out.startswith("ok (skipped 1 step")


def test_regenerating_gives_the_same_steps(tmp_path: Path) -> None:
    main(tmp_path)
    for name in NAMES:
        assert (tmp_path / f"{name}.cat.jsonl").read_bytes() == (DIRECTORY / f"{name}.cat.jsonl").read_bytes()
        fresh, committed = open_episode(tmp_path / f"{name}.ctape"), open_episode(DIRECTORY / f"{name}.ctape")
        assert fresh.header == committed.header
        assert list(fresh.step_dicts()) == list(committed.step_dicts())


def test_the_keyframes_golden_holds_the_files_written_down_for_it() -> None:
    episode = open_episode(DIRECTORY / "keyframes.ctape")
    placed = list(read_keyframes(episode.frames()))
    assert [(p.chunk, p.keyframe.steps, p.keyframe.buffers, p.keyframe.disk, p.keyframe.omitted)
            for p in placed] == [(frame[0] // KEYFRAME_EVERY, *frame) for frame in KEYFRAMES]
    assert episode.keyframe_count == len(KEYFRAMES) and episode.chunk_count == len(KEYFRAMES) + 1
    encoding = episode.header.position_encoding
    for stop in range(len(GOLDEN["keyframes"][1])):  # from the latest keyframe, as from the first step
        assert workspace_after(episode, stop).files() == workspace_at(encoding, episode.steps(), stop).files()


def test_a_reader_that_does_not_know_keyframes_reads_the_same_steps(tmp_path: Path) -> None:
    """Keyframes are optional frames: retyped as a frame type nobody knows, the file reads the same."""
    data = (DIRECTORY / "keyframes.ctape").read_bytes()
    body, pos = bytearray(data[:12]), 12
    while pos < len(data):
        kind, flags, length = struct.unpack_from(">BBI", data, pos)
        if kind == TRAILER:
            break
        payload = data[pos + 6 : pos + 6 + length]
        body += encode_frame(UNKNOWN if kind == KEYFRAME else kind, payload, flags)
        pos += 6 + length + 4
    count = open_episode(DIRECTORY / "keyframes.ctape").step_count
    path = tmp_path / "unknown.ctape"
    trailer = encode_frame(TRAILER, TRAILER_PAYLOAD.pack(count, hashlib.sha256(body).digest()))
    path.write_bytes(bytes(body) + trailer)
    retyped = open_episode(path)
    assert retyped.keyframe_count == 0 and list(retyped.step_dicts()) == list(
        open_episode(DIRECTORY / "keyframes.ctape").step_dicts())
    assert verify_replay(retyped) == count


def test_codetape_checkout_of_the_keyframes_golden_writes_the_replayed_files(
        tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    episode = open_episode(DIRECTORY / "keyframes.ctape")
    for step in (7, 8, 20):  # right before a keyframe, at one, after the last
        out = tmp_path / str(step)
        code, _, err = cli(capsysbinary, "checkout", str(DIRECTORY / "keyframes.ctape"), str(out), "--step",
                           str(step))
        assert code == 0, err
        written = {str(path.relative_to(out)): path.read_text(encoding="utf-8")
                   for path in out.rglob("*") if path.is_file()}
        replayed = workspace_at(episode.header.position_encoding, episode.steps(), step)
        assert written == {path: text for path, text in replayed.files().items()
                           if path not in replayed.omitted}
