"""`codetape stats`, the review summary, `codetape inspect` and the HTML report count whose work an episode
is as the dataset's `--origin` does: the characters the edits inserted, and the characters each write to
disk outside the editor (an agent's, a program's) inserted over the text it replaced, not the file's whole
text (issue 37 item 2). The episode: tests/integration/dataset/test_dataset_provenance.py's, typing and a
paste in an editor that then goes, an agent's one-character fix, a program's new six-character file."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli import codetape
from tests.integration.dataset.test_dataset_provenance import _episode
from tests.support.dataset_helpers import contributor

WRITTEN = {"typed": 2, "paste": 5, "agent": 1, "unknown": 6}
SHARES = "unknown 43%, paste 36%, typed 14%, agent 7%"


def test_stats_review_and_report_count_writes_to_disk_by_what_they_inserted(tmp_path: Path) -> None:
    alice = contributor(tmp_path, "alice")
    episode, _episode_id = _episode(alice.home.ensure(alice.home.episodes))

    stats = codetape(alice.home.root, "stats", "--since", "2026-04-01", "--json")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["written"] == WRITTEN

    review = codetape(alice.home.root, "review", str(episode), "--summary", "--json")
    assert review.returncode == 0, review.stderr
    summary = json.loads(review.stdout)
    assert summary["written"] == dict(sorted(WRITTEN.items()))
    assert summary["files"]["a.py"]["written"] == {"agent": 1, "paste": 5, "typed": 2}
    assert summary["files"]["b.py"]["written"] == {"unknown": 6}
    text = codetape(alice.home.root, "review", str(episode), "--summary")
    assert f"written     14 characters, whose: {SHARES}" in text.stdout

    inspect = codetape(alice.home.root, "inspect", str(episode), "--json")
    assert inspect.returncode == 0, inspect.stderr
    assert json.loads(inspect.stdout)["written"] == dict(sorted(WRITTEN.items()))

    report = tmp_path / "report.html"
    done = codetape(alice.home.root, "report", str(episode), "-o", str(report))
    assert done.returncode == 0, done.stderr
    assert SHARES in report.read_text(encoding="utf-8")
