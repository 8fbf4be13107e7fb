"""The report page: one self-contained file, every episode text escaped, the CSP matching its own blocks.

Texts are escaped by the templates' autoescaping (markupsafe), so `escape(text)` is how one shows in the page.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest
from markupsafe import escape

from collector.episode import open_episode
from collector.report.assets import SCRIPT, STYLE
from collector.report.chart import render_chart, tick_label, tick_step
from collector.report.data import collect
from collector.report.render import render_page, script_json
from collector.report.rows import Rows
from collector.report.templating import environment
from collector.report.timeline import Timeline
from schemas import ClientInfo
from tests.unit.report.test_data import PAYLOAD, at, header, insert, step, write, write_hostile_episode

TAGS = {"html", "head", "meta", "title", "style", "body", "header", "div", "h1", "h2", "span", "p", "b",
        "main", "section", "dl", "dt", "dd", "small", "svg", "defs", "pattern", "rect", "line", "text",
        "circle", "path", "i", "details", "summary", "pre", "button", "input", "table", "colgroup", "col",
        "thead", "tr", "th", "tbody", "footer", "script"}
URL_ATTRIBUTES = {"src", "href", "action", "formaction", "xlink:href", "poster", "srcset", "data",
                  "background"}


class Page(HTMLParser):
    """Every element, attribute and script block of a page, as the browser's tokenizer would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: str | None = None
        self._text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in, self._text = tag, []

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            body = "".join(self._text)
            if tag == "script":
                self.scripts.append((self.tags[-1][1] if self.tags[-1][0] == "script" else {}, body))
            else:
                self.styles.append(body)
            self._in = None


def sha(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write_hostile_episode(tmp_path_factory.mktemp("hostile") / "h.ctape")
    return render_page(collect(open_episode(path)))


def test_no_episode_text_becomes_markup(hostile: str) -> None:
    page = Page(hostile)
    assert {tag for tag, _ in page.tags} <= TAGS
    assert not [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert "<script>alert(1)" not in hostile and "<img" not in hostile and "<!--" not in hostile
    assert [attrs for attrs, _ in page.scripts] == [{"id": "steps-data", "type": "application/json"}, {}]
    assert page.scripts[1][1] == SCRIPT and page.styles == [STYLE]
    assert escape(PAYLOAD) in hostile  # shown, as text: in the header, the files, the tooltips


def test_the_step_list_travels_as_json_that_cannot_close_its_block(hostile: str) -> None:
    data = json.loads(Page(hostile).scripts[0][1])
    texts = " ".join(str(cell) for row in data["rows"] for cell in row)
    assert PAYLOAD in texts  # intact after the round trip
    rows = data["rows"]
    assert rows[0][:5] == [0, 0, 0, "task", ""]
    assert all(len(row) == 8 and row[7] in (0, 1) for row in rows)  # the last: shown under a command
    block = hostile.split('type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block and ">" not in block and "&" not in block


def test_the_content_security_policy_allows_only_the_pages_own_blocks(hostile: str) -> None:
    page = Page(hostile)
    (policy,) = [attrs["content"] for tag, attrs in page.tags
                 if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert policy is not None
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'" and directives["img-src"] == "'none'"
    assert directives["script-src"] == sha(page.scripts[1][1])
    assert directives["style-src"] == sha(page.styles[0])


def test_nothing_is_fetched_from_anywhere(hostile: str) -> None:
    linked = [(tag, name, value) for tag, attrs in Page(hostile).tags for name, value in attrs.items()
              if name in URL_ATTRIBUTES]
    assert linked == []
    assert not re.search(r"url\((?!#hatch\))", hostile)  # the only url() is the SVG's own pattern
    assert "@import" not in STYLE and "fetch(" not in SCRIPT and "XMLHttpRequest" not in SCRIPT


def test_script_json_escapes_what_html_would_read() -> None:
    value = {"a": "</script><!-- & -->", "b": "\u2028"}
    text = script_json(value)
    assert json.loads(text) == value
    assert not set("<>&") & set(text)


def test_control_characters_are_shown_not_obeyed() -> None:
    shown = environment().from_string('<p title="{{ text }}">{{ text }}</p>')
    assert shown.render(text="a\rb\x00c\td\x1b") == '<p title="a␍b␀c\td␛">a␍b␀c\td␛</p>'
    assert shown.render(text="\"'<>&") == '<p title="&#34;&#39;&lt;&gt;&amp;">&#34;&#39;&lt;&gt;&amp;</p>'


def test_the_page_says_what_it_left_out(tmp_path: Path) -> None:
    made = [step("open", 0, path="a.py", text="")]
    for index in range(1, 40):
        made += [insert(index * 10, "a.py", 0, 0, "x"), step("save", index * 10 + 5, path="a.py")]
    episode = open_episode(write(tmp_path / "long.ctape", made))
    page = render_page(collect(episode, rows=Rows(max_rows=10, max_event_rows=5)))
    note = re.search(r'<p class="capnote" id="cap-note">(.*?)</p>', page)
    assert note is not None
    assert "This list holds 15 of the episode's 79 rows" in note.group(1)
    assert "from step #10 (0:00:00.055) on it shows only" in note.group(1)
    assert len(json.loads(Page(page).scripts[0][1])["rows"]) == 15
    assert 'id="cap-note"' not in render_page(collect(episode))


def test_the_header_shows_the_summary(tmp_path: Path) -> None:
    page = render_page(collect(open_episode(write_hostile_episode(tmp_path / "h.ctape"))))
    facts = dict(re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", page))
    assert facts["Started"] == "2026-01-02 03:04:05.000 UTC"
    assert facts["Ended"] == "2026-01-02 03:04:15.000 UTC" and facts["Duration"] == "0:00:10.000"
    assert facts["Encoding"] == "utf-16"
    assert facts["Client"] == escape(f"{PAYLOAD} 1")
    assert facts["Signature"] == '<span class="badge none">not signed</span>'
    assert facts["Redactions"] == '<span class="mono">aws-access-key</span> 2 values (4 occurrences)'
    assert facts["Steps"].startswith("21 (from 0 ms to 10,000 ms)")
    assert f'<p class="task"><b>Task</b>fix {escape(PAYLOAD)}</p>' in page
    assert '<p class="task"><b>Task done</b>fail at 0:00:10.000</p>' in page


def test_the_header_names_every_editor(tmp_path: Path) -> None:
    editors = [ClientInfo(name="Neovim", version="0.11.4"), ClientInfo(name="Code - OSS", version="1.96.2")]
    head = msgspec.structs.replace(header(), client=editors[0], editors=editors)
    page = render_page(collect(open_episode(write(tmp_path / "e.ctape", [step("note", 0, text="n")], head))))
    facts = dict(re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", page))
    assert facts["Client"] == "Neovim 0.11.4, Code - OSS 1.96.2"


def test_the_chart_has_a_lane_per_kind_and_a_column_per_slice() -> None:
    timeline = Timeline()
    timeline.add(0, step("test_run", 0, tests=[{"nodeid": "t", "outcome": "failed"}]))
    timeline.add(1, step("git", 60_000, op="commit", sha="abcdef12", message=PAYLOAD))
    svg = render_chart(timeline.view(40))
    lanes = re.findall(r'<text class="lane"[^>]*>(.*?)</text>', svg)
    assert lanes == ["Edits", "Saves", "Diagnostics", "Test runs", "Commands", "Git", "Notes &amp; tasks"][:6]
    assert len(re.findall(r'<rect class="col"', svg)) == 40
    assert svg.count("none recorded") == 4  # edits, saves, diagnostics, commands
    assert '<circle cx="' in svg and 'fill="#dc2626"' in svg  # the failed run, in red
    assert escape('git commit abcdef1 "<script>alert(1)</script>') in svg  # in the last column's tooltip
    assert PAYLOAD not in svg


@pytest.mark.parametrize(("span", "step_ms", "labels"), [
    (4_230, 500, ["0:00", "0:00.5", "0:01"]),
    (10_274_695, 1_800_000, ["0:00:00", "0:30:00", "1:00:00"]),
    (59_000, 10_000, ["0:00", "0:10", "0:20"]),
    (1, 1, ["0:00", "0:00.001"]),
])
def test_time_ticks_are_round_and_few(span: int, step_ms: int, labels: list[str]) -> None:
    assert tick_step(span) == step_ms
    assert [tick_label(ms, step_ms, span) for ms in range(0, step_ms * len(labels), step_ms)] == labels


def test_the_page_shows_whose_work_was_written_as_a_bar_and_per_file(tmp_path: Path) -> None:
    """Issue 28: the characters written by origin, in the summary (text and bar) and on each file."""
    steps = [step("open", 0, path="a.py", text=""),
             step("edit", 1, path="a.py", changes=[{"text": "x" * 75}], origin="typed",
                  origin_detail="nvim:InsertCharPre"),
             step("edit", 2, path="a.py", changes=[{"range": {"start": at(0, 75), "end": at(0, 75)},
                                                    "text": "y" * 20}], origin="ai_completion",
                  origin_detail="vscode:editor.action.inlineSuggest.commit"),
             step("file_change", 3, path="b.py", change="created", text="zzzzz", origin="agent",
                  origin_detail="claude-code:PostToolUse Write")]
    page = render_page(collect(open_episode(write(tmp_path / "o.ctape", steps))))
    facts = dict(re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", page, re.S))
    assert facts["Whose work"].startswith("100 characters written: typed 75%, ai_completion 20%, agent 5%")
    rect = r'<rect x="([\d.]+)" y="0" width="([\d.]+)" height="4" fill="(#\w+)"><title>(.*?)</title>'
    assert re.findall(rect, facts["Whose work"]) == [
        ("0.0", "75.0", "#2563eb", "typed 75.0%"), ("75.0", "20.0", "#c026d3", "ai_completion 20.0%"),
        ("95.0", "5.0", "#7c3aed", "agent 5.0%")]
    assert "1 open · 2 edits · typed 79%, ai_completion 21%" in page
    assert "1 change on disk · agent 100%" in page
    unlabelled = render_page(collect(open_episode(write(tmp_path / "u.ctape", steps[:1]))))
    assert "Whose work" not in unlabelled  # nothing written: no bar


def test_the_page_shows_active_time_by_language_as_codetape_stats_counts_it(tmp_path: Path) -> None:
    steps = [step("open", 0, path="a.py", text="", language_id="python"), insert(60_000, "a.py", 0, 0, "x"),
             step("open", 90_000, path="b.md", text=""), insert(120_000, "b.md", 0, 0, "y")]
    page = render_page(collect(open_episode(write(tmp_path / "t.ctape", steps))))
    facts = dict(re.findall(r"<div><dt>(.*?)</dt><dd>(.*?)</dd></div>", page, re.S))
    active = facts["Active time"]
    assert active.startswith("0:02:00.000 (no pause over 15 min): python 1 min 30 s, markdown 30 s")
    rect = r'<rect x="([\d.]+)" y="0" width="([\d.]+)" height="4" fill="#\w+"><title>(.*?)</title>'
    assert re.findall(rect, active) == [("0.0", "75.0", "python 1 min 30 s"),
                                        ("75.0", "25.0", "markdown 30 s")]
