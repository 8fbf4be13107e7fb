"""`codetape stats`: active time as WakaTime counts it, by workspace, language and local day, and whose
work the text was, from this machine's episodes, signed copies and journals (each once)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from msgspec.structs import replace

from collector.episode import write_episode_file
from collector.journal.writer import JournalWriter
from collector.stats.activity import TIMEOUT_MS, Activity, language_of
from schemas import EpisodeHeader, Step, step_from_dict
from tests.cli import codetape

MINUTE = 60_000


def step(kind: str, t_ms: int, **fields: Any) -> Step:
    return step_from_dict({"kind": kind, "t_ms": t_ms, "source": "test", **fields})


def typed(t_ms: int, path: str, text: str = "x", origin: str | None = "typed") -> Step:
    extra = {} if origin is None else {"origin": origin}
    return step("edit", t_ms, path=path, changes=[{"text": text}], **extra)


def test_time_between_beats_counts_up_to_the_timeout_and_goes_to_the_earlier_beats_language() -> None:
    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    steps = [step("open", 0, path="a.py", text="", language_id="Python"),
             typed(MINUTE, "a.py"),
             step("diagnostics", 2 * MINUTE, path="a.py", items=[]),  # not a beat
             typed(3 * MINUTE, "a.py", "y" * 9, "ai_completion"),
             step("open", 4 * MINUTE, path="README.md", text=""),
             step("command", 5 * MINUTE, command_line="make", cwd="."),  # no file: README's language
             typed(5 * MINUTE + TIMEOUT_MS + 1, "README.md", "zz", None)]  # after a pause: time away
    activity = Activity()
    activity.add("demo", start, steps)
    assert activity.by_language == {"python": 4 * MINUTE, "markdown": MINUTE}  # (3 to 4 min: a.py's)
    assert activity.total_ms == 5 * MINUTE and activity.by_workspace == {"demo": 5 * MINUTE}
    assert activity.by_day == {start.astimezone().date(): 5 * MINUTE} and activity.episodes == 1
    assert activity.written == {"typed": 1, "ai_completion": 9, "unknown": 2}


def test_only_the_days_asked_for_count() -> None:
    start = datetime.now(UTC) - timedelta(days=10)
    activity = Activity()
    activity.add("old", start, [typed(0, "a.go"), typed(MINUTE, "a.go")], since=date.today(), until=None)
    assert activity.total_ms == 0 and activity.episodes == 0 and not activity.written


def test_a_pause_longer_than_the_idle_time_is_time_away() -> None:
    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    steps = [typed(0, "a.py"), typed(6 * MINUTE, "a.py"), typed(8 * MINUTE, "a.py")]
    default, strict = Activity(), Activity(idle_ms=5 * MINUTE)
    for activity in (default, strict):
        activity.add("demo", start, steps)
    assert (default.total_ms, strict.total_ms) == (8 * MINUTE, 2 * MINUTE)


def test_a_command_that_runs_codetape_is_no_activity() -> None:
    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    steps = [typed(0, "a.py"),
             step("command", 10 * MINUTE, command_line="codetape review 0123abcd", cwd="."),
             step("command", 12 * MINUTE, argv=["/home/dev/.local/bin/codetape", "stats"], cwd="."),
             typed(20 * MINUTE, "a.py"),  # 20 min after the last thing done: time away
             step("command", 21 * MINUTE, command_line="codetape status && pytest", cwd=".")]  # pytest: work
    activity = Activity()
    activity.add("demo", start, steps)
    assert activity.by_language == {"python": MINUTE}


def test_time_in_the_terminal_before_any_file_is_terminal() -> None:
    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    steps = [step("command", 0, command_line="make", cwd="."),
             step("command", MINUTE, command_line="pytest", cwd="."),
             step("open", 2 * MINUTE, path="notes.unknownext", text=""),
             step("command", 3 * MINUTE, command_line="ls", cwd="."),  # after a file: that file's language
             typed(4 * MINUTE, "a.py")]
    activity = Activity()
    activity.add("demo", start, steps)
    assert activity.by_language == {"terminal": 2 * MINUTE, "other": 2 * MINUTE}


def test_languages_from_extensions() -> None:
    assert [language_of(p) for p in ("src/x.ts", "Dockerfile", "notes.TXT", "a.unknownext")] == [
        "typescript", "dockerfile", "plaintext", "other"]


def test_the_command_counts_each_episode_once_and_reads_journals(tmp_path: Path,
                                                                 episode_header: EpisodeHeader) -> None:
    home = tmp_path / "home"
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    header = replace(episode_header, started_at=now)
    steps = [step("open", 0, path="a.rs", text=""), typed(MINUTE, "a.rs", "abc"), typed(2 * MINUTE, "a.rs")]
    for folder in ("episodes", "outbox"):  # sealed, and its signed copy: one episode
        (home / folder).mkdir(parents=True)
        write_episode_file(home / folder / f"{header.episode_id}.ctape", header, steps)
    recording = replace(episode_header, started_at=now, episode_id=uuid.uuid4())
    (home / "journals").mkdir()
    with JournalWriter.create(home / "journals" / "r.journal", recording) as writer:
        for made in (step("open", 0, path="b.py", text=""), typed(30_000, "b.py", "pasted!", "paste")):
            writer.append(made)
    done = codetape(home, "stats", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert (found["episodes"], found["recording"]) == (2, 1)
    assert found["by_language"] == {"rust": 2 * MINUTE, "python": 30_000}
    assert found["written"] == {"paste": 7, "typed": 4}
    text = codetape(home, "stats", "--days", "2").stdout
    assert "2 episodes, 1 being recorded" in text and "active time  2 min (idle after 15 min)" in text
    assert "whose work   11 characters written: paste 64%, typed 36%" in text


def test_the_idle_time_is_a_setting_and_a_flag_and_the_output_says_it(tmp_path: Path,
                                                                      episode_header: EpisodeHeader) -> None:
    home = tmp_path / "home"
    header = replace(episode_header, started_at=datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))
    (home / "episodes").mkdir(parents=True)
    write_episode_file(home / "episodes" / f"{header.episode_id}.ctape", header,
                       [typed(0, "a.py"), typed(10 * MINUTE, "a.py"), typed(11 * MINUTE, "a.py")])
    def shown() -> str:
        return codetape(home, "stats", "--days", "2", check=True).stdout

    assert "active time  11 min (idle after 15 min)" in shown()
    codetape(home, "config", "set", "stats.idle_minutes", "5", check=True)
    assert "active time  1 min (idle after 5 min)" in shown()
    found = json.loads(codetape(home, "stats", "--days", "2", "--idle", "20", "--json", check=True).stdout)
    assert (found["idle_minutes"], found["active_ms"]) == (20, 11 * MINUTE)
    refused = codetape(home, "stats", "--idle", "0")
    assert refused.returncode != 0 and refused.stderr == "codetape: --idle 0: give minutes from 1 to 1440\n"
