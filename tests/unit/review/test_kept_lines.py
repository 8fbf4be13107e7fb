"""An identity kept only where the repository holds it (issue 85, item 4): unlinkable signing masks every
identity in file text, as `«user»`, but on the lines a file on a remote-tracking branch holds at the same
path (redact/knownnames.py, consent/scrub.py file_text_names). Through `trim_episode`, as signing runs it, on
episode files written here: a pushed file's unchanged `@author` line keeps the name, the same line in a
new file does not, nor a line typed into the pushed file, keystroke by keystroke; the episode replays."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from collector.consent.repository import RepositoryKnowledge
from collector.consent.scrub import file_text_names, file_text_patterns
from collector.consent.wallclock import Period
from collector.episode import open_episode
from collector.review.plan import TrimPlan
from collector.review.trim import trim_episode
from collector.verify.integrity import verify_replay
from schemas import step_to_dict
from tests.unit.review.test_trim import dumped, write

NAME = "Alice Liddell"
LINE = f"# @author {NAME}"
PUSHED = f'"""Dates."""\n{LINE}\n'
KNOWN = RepositoryKnowledge(identities=(NAME, "a.liddell@acme.example"),
                            held_lines={"src/dates.py": frozenset({LINE})})
PERIOD = Period(datetime(2026, 11, 27, 9, tzinfo=UTC), datetime(2026, 11, 27, 10, tzinfo=UTC))


def step(t_ms: int, kind: str, **fields: Any) -> dict[str, Any]:
    return {"kind": kind, "t_ms": t_ms, "source": "editor" if kind in ("open", "edit", "save") else "watcher",
            **fields}


def typed(t_ms: int, path: str, line: int, text: str) -> list[dict[str, Any]]:
    """`text` typed one key at a time at the start of `line`."""
    return [step(t_ms + n, "edit", path=path, changes=[{
        "range": {"start": {"line": line, "character": n}, "end": {"line": line, "character": n}},
        "text": char}]) for n, char in enumerate(text)]


def test_a_held_identity_stays_on_the_pushed_line_at_its_path_and_nowhere_else(tmp_path: Path) -> None:
    added = f"# reviewed by {NAME}\n"
    steps = [step(1, "open", path="src/dates.py", text=PUSHED),
             *typed(10, "src/dates.py", 2, added),
             step(100, "save", path="src/dates.py", text=PUSHED + added),
             step(101, "file_change", path="src/validators.py", change="created",
                  text=f'"""Validators."""\n{LINE}\n'),
             step(102, "file_change", path="docs/dates.py", change="created", text=PUSHED)]
    src = write(tmp_path / "src.ctape", steps)
    plan = TrimPlan(patterns=file_text_patterns(KNOWN, PERIOD), names=file_text_names(KNOWN))
    out = trim_episode(src, tmp_path / "out.ctape", plan)
    episode = open_episode(out.path)
    verify_replay(episode)
    written = [step_to_dict(step) for step in episode.steps()]
    opened = next(s for s in written if s["kind"] == "open")
    assert opened["text"] == PUSHED  # the pushed line at its path: as the company's repository holds it
    saved = next(s for s in written if s["kind"] == "save")
    assert saved["text"].startswith(PUSHED) and NAME not in saved["text"].removeprefix(PUSHED)
    for path in ("src/validators.py", "docs/dates.py"):  # a new file, the same line at another path
        text = next(s["text"] for s in written if s.get("path") == path)
        assert NAME not in text and "# @author «user»" in text
    # typed one key at a time: no edit shows the name, nor its first letters once it was whole
    edits = "".join(change["text"] for s in written if s["kind"] == "edit" for change in s["changes"])
    assert "Liddell" not in edits and "Alice L" not in edits
    assert dumped(out.path).count(NAME) == 2  # the open's and the save's pushed line
    assert not out.redaction.counts  # «user» tells no count of the people an episode names


def test_without_held_lines_every_identity_is_masked(tmp_path: Path) -> None:
    known = RepositoryKnowledge(identities=(NAME,))
    src = write(tmp_path / "src.ctape", [step(1, "open", path="src/dates.py", text=PUSHED)])
    out = trim_episode(src, tmp_path / "out.ctape", TrimPlan(patterns=file_text_patterns(known, PERIOD),
                                                            names=file_text_names(known)))
    assert NAME not in dumped(out.path)
