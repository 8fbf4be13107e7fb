"""What `codetape note` says: where the note went, or why none was sent (pure formatters, no collector)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from collector.cli.commands.note import noted, paused, recording_of

WORKSPACES = [{"root": "/src/attrs", "paused": False, "episode": "1a2b3c4d-0000-4000-8000-000000000000"},
              {"root": "/src/attrs/docs", "paused": True, "episode": None},
              {"root": "/src/other", "paused": False, "episode": None}]


def test_the_note_says_when_and_in_which_recording() -> None:
    at = datetime(2026, 11, 26, 12, 4, 59).timetuple()
    assert noted(WORKSPACES[0], at) == "noted at 12:04 in the recording of attrs (episode 1a2b3c4d)"
    assert noted(WORKSPACES[2], at) == "noted at 12:04 in the recording of other"
    assert noted(None, at) == "noted at 12:04"


def test_the_innermost_workspace_holding_the_directory_is_the_one() -> None:
    assert recording_of(WORKSPACES, Path("/src/attrs/src/attr")) is WORKSPACES[0]
    assert recording_of(WORKSPACES, Path("/src/attrs/docs/api")) is WORKSPACES[1]
    assert recording_of(WORKSPACES, Path("/src/attrs-fork")) is None


def test_a_paused_recording_refuses_the_note_and_says_how_to_go_on() -> None:
    assert paused(WORKSPACES[1]) == ("recording is paused in /src/attrs/docs: the note was not recorded "
                                     "(run: codetape resume /src/attrs/docs)")
