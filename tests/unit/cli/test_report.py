"""`codetape report EPISODE -o FILE.html` through the real CLI: where the page goes, errors, progress."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape

from collector.consent import init_keys, sign_episode
from collector.episode import open_episode
from collector.errors import CodetapeError
from collector.home import Home
from collector.report import write_report
from collector.report.data import collect
from collector.report.render import render_page
from tests.cli import codetape_bytes as codetape
from tests.fixtures.make_golden import DIRECTORY, FULL_HEADER
from tests.unit.report.test_data import write_hostile_episode

FULL_FILE = DIRECTORY / "full.ctape"


def one_error_line(proc: subprocess.CompletedProcess[bytes], code: int, says: str) -> None:
    assert proc.returncode == code, proc
    lines = proc.stderr.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("codetape: ") and says in lines[0], proc.stderr


def test_report_writes_one_page_and_says_where(tmp_path: Path) -> None:
    out = tmp_path / "page.html"
    proc = codetape(tmp_path, "report", str(FULL_FILE), "-o", str(out))
    assert proc.returncode == 0 and proc.stdout == b""
    assert proc.stderr.decode().startswith(f"wrote {out} (") and proc.stderr.decode().endswith(
        "KiB): open it in a browser\n")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.endswith("</body></html>\n")
    assert str(FULL_HEADER.episode_id) in page
    assert [path.name for path in tmp_path.iterdir()] == ["page.html"]  # no temporary file left behind


def test_report_by_id_prefix_to_the_default_name_or_to_stdout(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "episodes").mkdir(parents=True)
    episode_id = str(FULL_HEADER.episode_id)
    shutil.copy(FULL_FILE, home / "episodes" / f"{episode_id}.ctape")
    work = tmp_path / "work"
    work.mkdir()
    assert codetape(home, "report", episode_id[:6], cwd=work).returncode == 0
    written = (work / f"{episode_id}.html").read_bytes()
    proc = codetape(home, "report", episode_id[:6], "-o", "-", cwd=work)
    assert proc.returncode == 0 and proc.stdout == written and proc.stderr == b""


@pytest.mark.parametrize(("output", "says"), [
    (".", "is a directory: give a file name"),
    ("missing/page.html", "directory missing does not exist"),
])
def test_a_destination_that_cannot_take_the_page_is_refused_first(tmp_path: Path, output: str,
                                                                  says: str) -> None:
    proc = codetape(tmp_path, "report", str(FULL_FILE), "-o", output, cwd=tmp_path)
    one_error_line(proc, 2, says)
    assert sorted(path.name for path in tmp_path.iterdir()) == []


def test_write_report_fails_in_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    with pytest.raises(CodetapeError, match=r"^cannot write .*/gone/page\.html: No such file or directory$"):
        write_report(open_episode(FULL_FILE), tmp_path / "gone" / "page.html")
    assert list(tmp_path.iterdir()) == []
    size = write_report(open_episode(FULL_FILE), tmp_path / "page.html")
    assert size == (tmp_path / "page.html").stat().st_size
    assert list(tmp_path.iterdir()) == [tmp_path / "page.html"]


def test_a_damaged_or_missing_episode_is_one_line(tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.ctape"
    data = bytearray(FULL_FILE.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(data)
    one_error_line(codetape(tmp_path, "report", str(damaged), "-o", str(tmp_path / "p.html")), 1, "damaged")
    one_error_line(codetape(tmp_path, "report", "0123abcd", "-o", str(tmp_path / "p.html")), 2,
                   "no episode file at 0123abcd")
    assert not (tmp_path / "p.html").exists()


def test_a_signed_episode_names_its_signer_and_a_bad_signature_is_shown(tmp_path: Path) -> None:
    home = Home(tmp_path / "home")
    init_keys(home)
    signed = tmp_path / "signed.ctape"
    kid = sign_episode(FULL_FILE, signed, home).reviewer.key_id
    proc = codetape(home.root, "report", str(signed), "-o", str(tmp_path / "signed.html"))
    assert proc.returncode == 0
    page = (tmp_path / "signed.html").read_text()
    assert f'<span class="badge ok">signed</span> by key <span class="mono">{kid}</span>' in page
    assert "signature verified" in page
    data = collect(open_episode(signed))
    data.summary.signed_by, data.summary.signature_problem = None, "signature does not match <b>"
    page = render_page(data)
    assert '<span class="badge fail">signature invalid</span> signature does not match &lt;b&gt;' in page
    assert '<p class="alert bad">This episode carries a consent statement that does not verify' in page


def test_a_hostile_episode_makes_a_page_that_is_valid_utf8(tmp_path: Path) -> None:
    episode = write_hostile_episode(tmp_path / "h.ctape")
    assert codetape(tmp_path, "report", str(episode), "-o", str(tmp_path / "h.html")).returncode == 0
    page = (tmp_path / "h.html").read_bytes().decode("utf-8")
    assert escape("<script>alert(1)</script>") in page
