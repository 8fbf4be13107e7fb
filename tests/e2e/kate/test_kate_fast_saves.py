"""Issue 86, item 4, in real Kate: the developer types a line and saves it, ten times, as fast as Kate
takes the keys (each Ctrl+S waited for on disk only, never in the episode), beside two busy loops. Kate's
`didSave` carries the text and its late `didChange` of the same text can follow; the watcher's view of
the save arrives before or after both. Each save is one `save` step, in order, its text the bytes Kate
wrote (`save_problems`), in every run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.editor_session import save_problems
from tests.e2e.kate.kate import Kate, kate_session
from tests.support.busy import busy_loops

# a rate, not a gate: 5 sessions beside two busy loops; run by hand (`pytest -m campaign`)
pytestmark = [pytest.mark.campaign]
RUNS = 5
SAVES = 10


def typed_fast(kate: Kate) -> None:
    for n in range(SAVES):
        kate.keys("ctrl+End", "Return")
        kate.type(f"value_{n} = {n}")
        kate.save("app.py", f"value_{n} = {n}")


@pytest.mark.parametrize("run", range(RUNS))
def test_typing_and_saving_fast_gives_one_save_step_per_save(run: int, tmp_path: Path) -> None:
    with busy_loops():
        session = kate_session(tmp_path, typed_fast)
        try:
            recorded = next(session)
            assert len(recorded.disk["app.py"]) == SAVES
            assert save_problems(recorded) == []
        finally:
            session.close()
