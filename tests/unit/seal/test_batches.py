"""A journal longer than one validation batch: what damage in a later batch seals to, and where it is
met (in a batch, at its edge, in the middle of the frame after it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from collector.episode import open_episode
from collector.journal import JournalScanner, encode_frame
from collector.journal.frames import pack_header, pack_step
from collector.seal.journal import BATCH, seal_journal
from schemas import EpisodeHeader, step_to_dict
from schemas.common import plain
from schemas.steps import GapStep, NoteStep

STEPS = 2 * BATCH + 50


def notes(count: int) -> list[dict[str, object]]:
    return [step_to_dict(NoteStep(t_ms=10 * n, source="cli", text=f"note {n}")) for n in range(count)]


def write(path: Path, header: EpisodeHeader, payloads: list[dict[str, object]]) -> None:
    frames = [encode_frame(0, pack_header(plain(header)))]
    frames += [encode_frame(seq, pack_step(payload)) for seq, payload in enumerate(payloads, 1)]
    path.write_bytes(b"".join(frames))


@pytest.mark.parametrize("bad", [BATCH + 7, BATCH, BATCH + 1, 2 * BATCH + 49])
@pytest.mark.parametrize(("payload", "why"), [
    ({"kind": "note", "t_ms": 0, "source": "cli"},
     "holds an invalid step (Object missing required field `text`)"),
    ({"kind": "note", "t_ms": 1, "source": "cli", "text": "late"}, "goes back in time"),
])
def test_a_bad_frame_in_a_later_batch_ends_the_good_part_there(tmp_path: Path, episode_header: EpisodeHeader,
                                                               bad: int, payload: dict[str, object],
                                                               why: str) -> None:
    payloads = notes(STEPS)
    payloads[bad - 1] = {**payload, "t_ms": 1 if why == "goes back in time" else payloads[bad - 1]["t_ms"]}
    journal = tmp_path / "s.journal"
    write(journal, episode_header, payloads)
    result = seal_journal(journal, tmp_path / "episodes", level=1)
    assert result is not None and result.damaged and result.steps == bad
    steps = list(open_episode(result.path).steps())
    assert [step_to_dict(s) for s in steps[:-1]] == payloads[: bad - 1]
    gap = steps[-1]
    assert isinstance(gap, GapStep) and gap.lost_steps == STEPS - bad + 1
    assert gap.detail.startswith(f"frame {bad} {why}")
    assert f"; {STEPS - bad} intact frames after it" in gap.detail


@pytest.mark.parametrize("damaged", [BATCH - 1, BATCH, BATCH + 30])
def test_damage_after_a_full_batch_seals_everything_before_it(
        tmp_path: Path, episode_header: EpisodeHeader, damaged: int) -> None:
    payloads = notes(STEPS)
    journal = tmp_path / "s.journal"
    write(journal, episode_header, payloads)
    frames = list(JournalScanner(journal).frames())
    data = bytearray(journal.read_bytes())
    data[frames[damaged].offset + 18] ^= 0x01  # inside frame `damaged`'s payload
    journal.write_bytes(data)
    result = seal_journal(journal, tmp_path / "episodes", level=1)
    assert result is not None and result.damaged
    steps = list(open_episode(result.path).steps())
    assert [step_to_dict(s) for s in steps[:-1]] == payloads[: damaged - 1]
    gap = steps[-1]
    assert isinstance(gap, GapStep) and gap.lost_steps == STEPS - damaged + 1
    assert f"at byte {frames[damaged].offset}; {STEPS - damaged} intact frames after it" in gap.detail


def test_a_journal_of_whole_batches_seals_whole(tmp_path: Path, episode_header: EpisodeHeader) -> None:
    payloads = notes(2 * BATCH)
    journal = tmp_path / "s.journal"
    write(journal, episode_header, payloads)
    result = seal_journal(journal, tmp_path / "episodes", level=1)
    assert result is not None and not result.damaged and result.steps == 2 * BATCH
    assert [step_to_dict(s) for s in open_episode(result.path).steps()] == payloads
