"""One zstd frame per payload (issue 9, item 2): bytes after a header's or a step chunk's zstd frame, or a
second frame, were decoded by nobody, passed `verify`, and were signed although the reviewer never saw
them. Now every reader refuses them, so `verify` fails and `sign` refuses. The files are built with the
project's own writer and resealed (every CRC and the trailer recomputed), as an attacker would."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import zstandard

from collector.consent import init_keys, sign_episode
from collector.episode import open_episode
from collector.episode.container import HEADER, STEPS
from collector.errors import CodetapeError, EpisodeError
from collector.home import Home
from tests.fixtures.make_golden import DIRECTORY
from tests.integration.episode.test_tampering import Frame, cli, frames_of, reseal

SECOND_FRAME = zstandard.ZstdCompressor(write_checksum=True, write_content_size=True).compress(
    b"\x81\xa4kind\xa4note")

CASES = {
    "junk after the header's frame": (HEADER, b"JUNK"),
    "a second frame in the header payload": (HEADER, SECOND_FRAME),
    "junk after a step chunk's frame": (STEPS, b"\x00" * 3),
    "a second frame in a step chunk": (STEPS, SECOND_FRAME),
}


def tampered(tmp_path: Path, frame_type: int, extra: bytes) -> Path:
    source = DIRECTORY / "full.ctape"
    data = source.read_bytes()
    frames = frames_of(data)
    first = next(i for i, frame in enumerate(frames) if frame.type == frame_type)
    frames[first] = Frame(frames[first].type, frames[first].flags, frames[first].payload + extra)
    target = tmp_path / "tampered.ctape"
    target.write_bytes(reseal(data, frames))
    return target


@pytest.mark.parametrize("case", sorted(CASES))
def test_bytes_after_a_payload_frame_are_refused(case: str, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    target = tampered(tmp_path, *CASES[case])
    with pytest.raises(EpisodeError, match="has bytes after its zstd frame"):
        episode = open_episode(target)
        list(episode.steps())
    assert cli(["verify", str(target)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "has bytes after its zstd frame" in err[0], err
    home = Home(tmp_path / "home")
    init_keys(home)
    with pytest.raises(CodetapeError, match="has bytes after its zstd frame"):
        sign_episode(target, tmp_path / "signed.ctape", home)
    assert not (tmp_path / "signed.ctape").exists()


def test_the_untouched_episode_still_reads(tmp_path: Path) -> None:
    copy = tmp_path / "full.ctape"
    shutil.copy(DIRECTORY / "full.ctape", copy)
    episode = open_episode(copy)
    assert len(list(episode.steps())) == episode.step_count > 0
