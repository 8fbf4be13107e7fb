"""`codetape episodes` as a person reads it: one line an episode, cut to the terminal's width; the
whereabouts `codetape inspect` adds (pure formatters, no files)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from collector.cli.commands.episodes import Row, episode_lines
from collector.cli.commands.inspect import whereabouts
from collector.cli.width import fit
from collector.upload.fate import Delivered, Fate

ROWS = [
    Row("0b5e7e1a-93c4-4d2f-8e61-a7f2c9d40e15", "/home/ada/.local/share/codetape/outbox/0b5e7e1a.ctape",
        "uploaded", "attrs", 120, "2026-03-14T09:26:53.589Z", "2026-03-14T10:09:03.589Z",
        [{"destination": "s3://bucket/team", "at": "2026-03-14T11:00:00Z", "key": "team/episodes/ab.ctape"}]),
    Row("7c1d2e3f-0000-4000-8000-000000000000", "/home/ada/.local/share/codetape/journals/7c1d.journal",
        "recording", "a-workspace-with-a-long-name", 3, "2026-03-15T23:59:00Z", "2026-03-15T23:59:09Z"),
    Row("broken", "/home/ada/.local/share/codetape/episodes/broken.ctape",
        "damaged: its trailer is missing (the file ends after 10 bytes)"),
]


def test_one_line_an_episode_with_its_workspace_name_not_its_path() -> None:
    assert episode_lines(ROWS, None, UTC) == [
        "0b5e7e1a  uploaded   2026-03-14 09:26   0:42:10  attrs",
        "7c1d2e3f  recording  2026-03-15 23:59   0:00:09  a-workspace-with-a-long-name",
        "broken    damaged    its trailer is missing (the file ends after 10 bytes)",
    ]
    assert all("/home/ada" not in line for line in episode_lines(ROWS, None, UTC))


def test_an_imported_episode_says_from_which_agent() -> None:
    row = Row("5d0c1a2b-0000-4000-8000-000000000000", "/h/episodes/5d0c.ctape", "sealed", "calc", 12,
              "2026-03-16T08:00:00Z", "2026-03-16T08:03:00Z", imported="claude-code")
    assert episode_lines([row], None, UTC) == [
        "5d0c1a2b  sealed     2026-03-16 08:00   0:03:00  calc  imported from claude-code"]


def test_times_are_in_the_given_zone_and_lines_fit_the_width() -> None:
    east = timezone(timedelta(hours=2))
    lines = episode_lines(ROWS, 60, east)
    assert lines[1] == "7c1d2e3f  recording  2026-03-16 01:59   0:00:09  a-workspac…"
    assert all(len(line) <= 60 for line in lines) and lines[2].endswith("…")
    assert fit("ä" * 10, 5) == "ääää…" and fit("日本語", 4) == "日 …" and fit("short", 80) == "short"


def test_inspect_says_where_the_file_is_where_it_went_and_its_revocation() -> None:
    at = datetime(2026, 3, 14, 11, 0, tzinfo=UTC)
    fate = Fate((Delivered("s3://bucket/team", at, "team/episodes/ab.ctape"),), at + timedelta(days=1))
    assert whereabouts(Path("/o/0b5e7e1a.ctape"), fate) == [
        "file       /o/0b5e7e1a.ctape",
        "uploaded   to s3://bucket/team at 2026-03-14T11:00:00Z: team/episodes/ab.ctape",
        "revoked    at 2026-03-15T11:00:00Z",
    ]
    assert whereabouts(Path("/e/x.ctape"), None) == ["file       /e/x.ctape"]


def test_inspect_names_the_file_hash_as_the_upload_names_it() -> None:
    digest = "ab" * 32
    assert whereabouts(Path("/e/x.ctape"), None, digest) == [
        "file       /e/x.ctape",
        f"file sha256     {digest} (the whole file; an upload names it episodes/{digest}.ctape)",
    ]
