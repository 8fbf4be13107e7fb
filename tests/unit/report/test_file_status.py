"""What the report says happened to each file, as a pull request says it: ADDED, DELETED, RENAMED,
MODIFIED; and, for a page made in a review, that it is what would be shared and how many files were
excluded."""

from __future__ import annotations

from pathlib import Path

from collector.episode import open_episode
from collector.report.data import collect
from collector.report.files import FileReport
from collector.report.render import render_page
from tests.unit.report.test_data import insert, step, write


def page(tmp_path: Path, review_excluded: int | None = None) -> tuple[dict[str, FileReport], str]:
    made = [
        # a new file as an editor makes one: opened empty (HEAD has no such file), typed, saved
        step("open", 0, path="new.py", text="", head_text="absent"), insert(10, "new.py", 0, 0, "x = 1\n"),
        step("save", 20, path="new.py"),
        # an empty file that HEAD holds, opened and filled: it was there
        step("open", 30, path="pkg/__init__.py", text="", head_text="same"),
        insert(40, "pkg/__init__.py", 0, 0, "VERSION = 2\n"), step("save", 50, path="pkg/__init__.py"),
        step("file_change", 60, path="empty.txt", change="created", text=""),
        step("open", 70, path="gone.txt", text="bye\n"), step("close", 71, path="gone.txt"),
        step("file_change", 80, path="gone.txt", change="deleted"),
        step("open", 90, path="old name.py", text="a\nb\n"), step("close", 91, path="old name.py"),
        step("file_change", 100, path="old name.py", change="renamed", new_path="src/new name.py",
             text="a\nb\n"),
        step("file_change", 110, path="src/new name.py", change="modified", text="a\nc\n"),
    ]
    data = collect(open_episode(write(tmp_path / "status.ctape", made)), review_excluded=review_excluded)
    return {report.path: report for report in data.files}, render_page(data)


def test_each_file_says_what_happened_to_it(tmp_path: Path) -> None:
    files, html = page(tmp_path)
    assert {path: report.status for path, report in files.items()} == {
        "new.py": "added", "pkg/__init__.py": "modified", "empty.txt": "added", "gone.txt": "deleted",
        "src/new name.py": "renamed"}
    assert files["new.py"].lines[:2] == ["--- /dev/null", "+++ b/new.py"]
    assert files["empty.txt"].note == "an empty file"
    renamed = files["src/new name.py"]
    assert renamed.old_path == "old name.py" and renamed.lines == [
        "--- a/old name.py", "+++ b/src/new name.py", "@@ -1,2 +1,2 @@", " a", "-b", "+c"]
    assert '<span class="status added">added</span><span class="path">new.py</span>' in html
    assert '<span class="status deleted">deleted</span><span class="path">gone.txt</span>' in html
    assert '<span class="status modified">modified</span><span class="path">pkg/__init__.py</span>' in html
    assert ('<span class="status renamed">renamed</span><span class="path">old name.py → src/new name.py'
            '</span>') in html
    files_part = html.split('id="files"', 1)[1].split("</section>", 1)[0]
    assert "created" not in files_part and files_part.count('class="status ') == 5
    assert 'id="shared"' not in html  # not made for a review


def test_a_page_made_in_a_review_says_it_is_what_would_be_shared(tmp_path: Path) -> None:
    _, html = page(tmp_path, review_excluded=3)
    assert ('<p class="shared" id="shared"><b>Review</b>This is what would be shared if you signed now: the '
            'episode as reviewed, 3 files excluded.</p>') in html
    _, html = page(tmp_path, review_excluded=1)
    assert "1 file excluded." in html
    _, html = page(tmp_path, review_excluded=0)
    assert "the episode as reviewed, no file excluded." in html


def test_a_file_changed_on_disk_before_it_was_recorded_is_modified_and_counted(tmp_path: Path) -> None:
    """As the review's diff tab says it differs (issue 97, item 1): changed once on disk, never opened."""
    made = [step("open", 0, path="a.py", text="a\n"), step("close", 1, path="a.py"),
            step("file_change", 10, path="notes.txt", change="modified", text="later\n")]
    data = collect(open_episode(write(tmp_path / "unseen.ctape", made)))
    files = {report.path: report for report in data.files}
    unseen = files["notes.txt"]
    assert unseen.status == "modified" and unseen.changed and unseen.lines == []
    assert unseen.note == ("first recorded when changed on disk at 0:00:00.010; earlier content unknown: "
                           "changed, no diff to show")
    assert files["a.py"].status == "unchanged"
    html = render_page(data)
    assert '<span class="status modified">modified</span><span class="path">notes.txt</span>' in html
    assert '<div class="n">1<small> / 2</small></div><div class="l">files changed</div>' in html
