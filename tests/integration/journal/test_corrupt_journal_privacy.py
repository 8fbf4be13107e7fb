"""A damaged journal keeps no secret (issue 9, item 6): its readable part is sealed, redacted like any
other, and the journal is deleted, so nothing on disk holds what a command printed before redaction.
Journals are unredacted only while they are being recorded (the README says so)."""

from __future__ import annotations

from pathlib import Path

from collector.episode import open_episode
from collector.home import Home
from collector.journal import JournalScanner, JournalWriter
from collector.seal.redacted import seal_redacted
from schemas import EpisodeHeader, step_from_dict
from tests.integration.redact.test_redaction_seal import GH
from tests.support.collector_harness import decoded_episodes, every_byte_under


def test_a_damaged_journal_leaves_only_the_redacted_episode(tmp_path: Path,
                                                           episode_header: EpisodeHeader) -> None:
    home = Home(tmp_path / "home")
    journals, episodes = home.ensure(home.journals), home.ensure(home.episodes)
    journal = journals / f"{episode_header.episode_id}.journal"
    printed = {"kind": "command", "source": "run", "command_line": "cat token", "exit_code": 0,
               "output_tail": f"token={GH}\n"}
    with JournalWriter.create(journal, episode_header) as writer:
        for t_ms in range(0, 50, 10):
            writer.append(step_from_dict({**printed, "t_ms": t_ms}))
    frames = list(JournalScanner(journal).frames())
    damaged = bytearray(journal.read_bytes())
    damaged[frames[3].offset + 9] ^= 0x40  # inside the third command's frame
    journal.write_bytes(damaged)
    assert GH.encode() in journal.read_bytes()

    result = seal_redacted(journal, episodes)

    assert result is not None and result.damaged
    kinds = [step.kind for step in open_episode(result.path).steps()]
    assert kinds.count("command") == 2 and kinds.count("gap") == 1  # the readable part, then the damage
    assert GH.encode() not in every_byte_under(home.root)
    assert GH not in decoded_episodes(home)
    assert sorted(path.name for path in journals.iterdir()) == []
