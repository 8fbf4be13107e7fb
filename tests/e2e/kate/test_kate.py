"""Real Kate on a virtual X display with pylsp behind the bridge, configured as docs/editors.md says: a
session typed and saved three times, each save waited for in the collector before the next line. Kate
sends its whole text at each pause in typing, and its `didSave` carries the text while a late `didChange`
of the same text may follow it: each save is one `save` step holding the bytes Kate wrote, and the
episode replays, checks out and verifies byte-exact (the checks every editor's session passes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.e2e.editor_session import (  # the checks every editor's session passes
    Recorded,
    test_every_save_reconstructs_byte_exact,  # noqa: F401
    test_the_episode_checks_out_byte_exact,  # noqa: F401
    test_the_episode_verifies,  # noqa: F401
)
from tests.e2e.kate.kate import Kate, kate_session

LINES = ("name = 'kate'", "greeting = f'hello {name}'", "print(greeting)")


def typed(kate: Kate) -> None:
    for number, line in enumerate(LINES, 1):
        kate.keys("ctrl+End", "Return")
        kate.type(line)
        kate.save("app.py", line)
        kate.recorded("save", "app.py", number)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    session = kate_session(tmp_path_factory.mktemp("kate"), typed)
    yield next(session)
    session.close()


def test_kate_wrote_what_was_typed(recorded: Recorded) -> None:
    lines = (recorded.workspace / "app.py").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line] == ["import os", *LINES]


def test_one_save_step_per_save(recorded: Recorded) -> None:
    saves = [s for s in recorded.episode.steps() if s.kind == "save"]
    assert len(saves) == len(recorded.disk["app.py"]) == len(LINES)
