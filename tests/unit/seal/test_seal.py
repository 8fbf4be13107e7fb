from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from collector.episode import open_episode
from collector.errors import JournalCorrupt, JournalError
from collector.journal import JournalScanner, JournalWriter, encode_frame
from collector.journal.frames import pack_header, pack_step
from collector.seal.journal import seal_journal
from schemas import EpisodeHeader, Step, step_to_dict
from schemas.common import plain
from schemas.steps import EditStep, FileChangeStep, GapStep, NoteStep, OpenStep, SaveStep
from tests.structs import make

LEVEL = 3


def session() -> list[Step]:
    return [
        OpenStep(t_ms=0, source="bridge", path="src/a.py", text="x = 1\n"),
        make(EditStep, {"t_ms": 40, "source": "bridge", "path": "src/a.py", "version": 2,
                                 "changes": [{"range": {"start": {"line": 0, "character": 4},
                                                        "end": {"line": 0, "character": 5}}, "text": "2"}]}),
        SaveStep(t_ms=90, source="bridge", path="src/a.py"),
        NoteStep(t_ms=90, source="cli", text="tried 2 😀"),
        FileChangeStep(t_ms=120, source="watcher", path="src/a.py", change="renamed", new_path="src/b.py"),
        OpenStep(t_ms=130, source="bridge", path="README.md", text="# hi\n"),
    ]


def record(path: Path, header: EpisodeHeader, steps: list[Step]) -> None:
    with JournalWriter.create(path, header) as writer:
        for step in steps:
            writer.append(step)


def sealed_steps(path: Path) -> list[dict[str, object]]:
    return [step_to_dict(step) for step in open_episode(path).steps()]


def test_a_journal_seals_into_its_episode_and_goes(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "journals" / "s.journal"
    journal.parent.mkdir()
    record(journal, episode_header, session())
    result = seal_journal(journal, tmp_path / "episodes", level=LEVEL)
    assert result is not None
    assert result.path == tmp_path / "episodes" / f"{episode_header.episode_id}.ctape"
    assert (result.episode_id, result.steps, result.files) == (str(episode_header.episode_id), 6, 3)
    assert not result.damaged
    episode = open_episode(result.path)
    assert episode.header == episode_header
    assert sealed_steps(result.path) == [step_to_dict(step) for step in session()]
    assert not journal.exists()
    assert sorted(p.name for p in (tmp_path / "episodes").iterdir()) == [result.path.name]


def test_sealing_again_after_a_crash_writes_the_same_episode(tmp_path: Path,
                                                              episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    record(journal, episode_header, session())
    spare = shutil.copy(journal, tmp_path / "spare")
    first = seal_journal(journal, tmp_path / "episodes", level=LEVEL)
    assert first is not None
    sealed = first.path.read_bytes()
    shutil.move(spare, journal)  # as if the collector died between the rename and removing the journal
    second = seal_journal(journal, tmp_path / "episodes", level=LEVEL)
    assert second == first and second.path.read_bytes() == sealed and not journal.exists()


def test_a_journal_without_steps_seals_to_nothing(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    record(journal, episode_header, [])
    assert seal_journal(journal, tmp_path / "episodes") is None
    assert not journal.exists() and not (tmp_path / "episodes").exists()
    torn = tmp_path / "torn.journal"
    torn.write_bytes(encode_frame(0, pack_header(plain(episode_header)))[:-3])
    assert seal_journal(torn, tmp_path / "episodes") is None
    assert not torn.exists()


def test_a_torn_tail_is_not_a_gap(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    record(journal, episode_header, session())
    with open(journal, "ab") as out:
        out.write(encode_frame(7, pack_step({"kind": "note"}))[:10])
    result = seal_journal(journal, tmp_path / "episodes", level=LEVEL)
    assert result is not None and result.steps == 6 and not result.damaged
    assert not journal.exists()


def test_the_transform_sees_every_step(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    record(journal, episode_header, session())

    def drop_notes(steps: Iterator[Step]) -> Iterator[Step]:
        return (step for step in steps if not isinstance(step, NoteStep))

    result = seal_journal(journal, tmp_path / "episodes", transform=drop_notes, level=LEVEL)
    assert result is not None and result.steps == 5
    assert [s["kind"] for s in sealed_steps(result.path)] == ["open", "edit", "save", "file_change", "open"]


def test_damage_in_the_middle_seals_the_good_part_and_a_gap(tmp_path: Path,
                                                           episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    record(journal, episode_header, session())
    frames = list(JournalScanner(journal).frames())
    damaged = bytearray(journal.read_bytes())
    damaged[frames[3].offset + 18] ^= 0x01  # inside the save step's payload
    journal.write_bytes(damaged)
    result = seal_journal(journal, tmp_path / "episodes", level=LEVEL)
    assert result is not None
    assert result.damaged and not journal.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "episodes"]  # no copy of the unredacted journal is kept
    steps = list(open_episode(result.path).steps())
    assert [step_to_dict(s) for s in steps[:2]] == [step_to_dict(s) for s in session()[:2]]
    gap = steps[2]
    assert isinstance(gap, GapStep) and len(steps) == 3 and result.steps == 3
    assert (gap.reason, gap.t_ms, gap.lost_steps) == ("journal_corrupt", 40, 4)
    assert f"at byte {frames[3].offset}; 3 intact frames after it could not be trusted" in gap.detail


@pytest.mark.parametrize(("payload", "why"), [
    ({"kind": "note", "t_ms": 50, "source": "cli"},
     "frame 3 holds an invalid step (Object missing required field `text`)"),
    ({"kind": "note", "t_ms": 10, "source": "cli", "text": "late"}, "frame 3 goes back in time"),
])
def test_a_frame_that_is_not_a_valid_step_ends_the_good_part(
        tmp_path: Path, episode_header: EpisodeHeader, payload: dict[str, object], why: str) -> None:
    journal = tmp_path / "s.journal"
    steps = session()
    frames = [encode_frame(0, pack_header(plain(episode_header)))]
    frames += [encode_frame(seq, pack_step(step_to_dict(step))) for seq, step in enumerate(steps[:2], 1)]
    frames.append(encode_frame(3, pack_step(payload)))
    frames += [encode_frame(seq, pack_step(step_to_dict(step))) for seq, step in enumerate(steps[2:], 4)]
    journal.write_bytes(b"".join(frames))
    result = seal_journal(journal, tmp_path / "episodes", level=LEVEL)
    assert result is not None and result.steps == 3 and result.damaged
    gap = list(open_episode(result.path).steps())[-1]
    assert isinstance(gap, GapStep) and gap.lost_steps == 5
    assert gap.detail.startswith(f"{why}") and "4 intact frames after it" in gap.detail


def test_a_journal_whose_header_is_damaged_is_kept(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    record(journal, episode_header, session())
    data = bytearray(journal.read_bytes())
    data[20] ^= 0x01
    journal.write_bytes(data)
    with pytest.raises(JournalCorrupt, match=r"no intact header.* may hold unredacted text: delete it once "
                                             r"looked at \(rm .*s\.journal\.corrupt\)"):
        seal_journal(journal, tmp_path / "episodes")
    assert (tmp_path / "s.journal.corrupt").read_bytes() == data
    assert not (tmp_path / "episodes").exists() or not any((tmp_path / "episodes").iterdir())


def test_a_journal_still_being_written_is_not_sealed(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    journal = tmp_path / "s.journal"
    with JournalWriter.create(journal, episode_header) as writer:
        writer.append(session()[0])
        with pytest.raises(JournalError, match="still being written; close its session first"):
            seal_journal(journal, tmp_path / "episodes", lock_wait_s=0.05)
        assert journal.exists()
    assert seal_journal(journal, tmp_path / "episodes", level=LEVEL) is not None
    with pytest.raises(JournalError, match=r"cannot read journal .*: No such file"):
        seal_journal(journal, tmp_path / "episodes")
