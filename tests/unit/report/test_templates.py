"""The report's templates: autoescaping shows every episode text as inert text (template syntax in it
included), the one unescaped insertion refuses what could end its element, and the CSP's hashes are
those of the exact style and script inlined from the package's static files.

`write_template_attack` is shared with the headless-Chromium test in tests/e2e/report/test_report_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html import unescape
from pathlib import Path

import pytest
from jinja2 import StrictUndefined, UndefinedError
from markupsafe import escape
from msgspec.structs import replace

from collector.episode import open_episode
from collector.report import report_bytes
from collector.report.assets import CSP, KIND_CSS, SCRIPT, STYLE, static
from collector.report.data import collect
from collector.report.render import render_page
from collector.report.templating import environment, rawtext, template
from tests.unit.report.test_data import header, insert, step, write
from tests.unit.report.test_render import TAGS, Page

HTML_ATTACKS = ["<script>alert(1)</script>", '"onmouseover=alert(1) x="',
                "</style><style>body{display:none}</style>"]
TEMPLATE_ATTACKS = ["{{ 7*7 }}", "{% if true %}evaluated{% endif %}", "{# comment #}"]
ATTACK = " ".join(HTML_ATTACKS + TEMPLATE_ATTACKS)
ATTACK_PATH = f"src/{ATTACK}.py"
REPORT = Path(__file__).resolve().parents[3] / "collector" / "report"


def write_template_attack(path: Path) -> Path:
    """An episode whose workspace, client, file names, commands, notes and messages are all `ATTACK`."""
    steps = [
        step("task", 0, action="start", statement=ATTACK),
        step("open", 10, path=ATTACK_PATH, language_id="python", text=f"# {ATTACK}\n"),
        insert(500, ATTACK_PATH, 1, 0, f"{ATTACK}\n"),
        step("save", 600, path=ATTACK_PATH),
        step("note", 1_000, text=ATTACK),
        step("command", 2_000, command_line=f"echo {ATTACK}", exit_code=1, output_tail=ATTACK),
        step("git", 3_000, op="commit", sha="a1b2c3d4e5f6", message=ATTACK, ref=f"refs/heads/{ATTACK}"),
        step("file_change", 4_000, path=f"docs/{ATTACK}.md", change="created", text=ATTACK),
    ]
    return write(path, steps, header(root_name=ATTACK, client=ATTACK))


@pytest.fixture(scope="module")
def attacked(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = write_template_attack(tmp_path_factory.mktemp("attack") / "a.ctape")
    return report_bytes(open_episode(path)).decode("utf-8")


def texts_of(page: str, pattern: str) -> list[str]:
    """The text of each element `pattern` (a regex with one group) finds, as a browser would read it."""
    found = re.findall(pattern, page)
    assert found, pattern
    assert all("<" not in text for text in found)  # nothing in it is markup
    return [unescape(text) for text in found]


def test_every_attack_is_inert_text(attacked: str) -> None:
    page = Page(attacked)
    assert {tag for tag, _ in page.tags} <= TAGS
    assert not [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]
    assert [attrs for attrs, _ in page.scripts] == [{"id": "steps-data", "type": "application/json"}, {}]
    assert page.styles == [STYLE]  # the attack's </style> closed nothing and opened no style
    for attack in HTML_ATTACKS:
        assert attack not in attacked  # never verbatim: always escaped...
        assert escape(attack) in attacked  # ...and always shown
    assert texts_of(attacked, r"<h1>(.*?)<span") == [ATTACK]
    assert texts_of(attacked, r"<title>codetape report · (.*?) · ") == [ATTACK]
    assert texts_of(attacked, r'<p class="task"><b>Task</b>(.*?)</p>') == [ATTACK]
    paths = texts_of(attacked, r'<span class="path">(.*?)</span>')
    assert sorted(paths) == [f"docs/{ATTACK}.md", ATTACK_PATH]
    assert f"+{ATTACK}" in texts_of(attacked, r'<span class="a">(.*?)</span>')  # the diff's added line


def test_template_syntax_in_an_episode_is_never_evaluated(attacked: str) -> None:
    # the texts above are ATTACK exactly, so {{ 7*7 }} was shown, not computed; and everywhere else:
    for attack in TEMPLATE_ATTACKS:
        assert attacked.count(attack) >= 8
    assert attacked.count("evaluated") == attacked.count("{% if true %}evaluated{% endif %}")
    rows = json.loads(Page(attacked).scripts[0][1])["rows"]
    assert [row[3] for row in rows if row[4] == ATTACK_PATH] == ["open", "edit", "save"]  # intact


def test_the_chart_tooltips_are_text(attacked: str) -> None:
    tooltips = texts_of(attacked, r"<title>([^<]*)</title></rect>")
    lines = [line for tip in tooltips for line in tip.split("\n")]
    assert any(line.startswith("note: <script>alert(1)</script>") for line in lines)
    assert any("\n" in tip for tip in tooltips)  # one fact a line


def test_an_attribute_keeps_an_attack_inside_its_quotes(tmp_path: Path) -> None:
    data = collect(open_episode(write_template_attack(tmp_path / "a.ctape")))
    # a schema-valid header holds only hex here; a report must not rely on that
    data.summary.workspace = replace(data.summary.workspace, head_at_start=ATTACK)
    page = Page(render_page(data))
    spans = [attrs for tag, attrs in page.tags if tag == "span" and attrs.get("title") == ATTACK]
    assert spans == [{"class": "mono", "title": ATTACK}]
    assert not [(tag, name) for tag, attrs in page.tags for name in attrs if name.startswith("on")]


def test_the_csp_hashes_are_those_of_the_inlined_style_and_script(attacked: str) -> None:
    page = Page(attacked)
    (style,) = page.styles
    ((_, data), (_, script)) = page.scripts
    assert style == static("report.css") + KIND_CSS and script == static("report.js")
    (policy,) = [attrs["content"] for tag, attrs in page.tags
                 if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"]
    assert policy == CSP

    def sha(text: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives == {"default-src": "'none'", "style-src": sha(style), "script-src": sha(script),
                          "img-src": "'none'", "base-uri": "'none'", "form-action": "'none'"}
    assert sha(data) != directives["script-src"]  # the data block is not allowed to run (nor needs to)


def test_rawtext_refuses_what_could_end_its_element_or_open_a_comment() -> None:
    for text in ("a</script>b", "a</style>b", "a</SCRIPT", "<!-- x"):
        with pytest.raises(ValueError, match="must not hold"):
            rawtext(text)
    assert rawtext(SCRIPT) == SCRIPT and rawtext(STYLE) == STYLE


def test_the_environment_escapes_always_and_knows_every_name() -> None:
    env = environment()
    assert env.autoescape is True and env.undefined is StrictUndefined
    with pytest.raises(UndefinedError):
        template("report.html.j2").render({})
    assert env.from_string("{{ text }}").render(text="{{ 7*7 }}") == "{{ 7*7 }}"


def test_only_rawtext_makes_markup_and_no_template_turns_escaping_off() -> None:
    sources = {path.name: path.read_text() for path in REPORT.glob("*.py")}
    made = [name for name, text in sources.items() for _ in re.finditer(r"\bMarkup\(", text)]
    assert made == ["templating.py"]
    assert not [name for name, text in sources.items()
                if re.search(r"^\s*(from html import|import html\b)|\besc\(", text, re.MULTILINE)]
    for path in (REPORT / "templates").iterdir():
        assert not re.search(r"\|\s*safe\b|autoescape\s+false|\bMarkup\b", path.read_text()), path.name
    uses = [line.strip() for path in (REPORT / "templates").iterdir()
            for line in path.read_text().splitlines() if "|rawtext" in line]
    assert uses == ["<style>{{ style|rawtext }}</style>",
                    '<script id="steps-data" type="application/json">{{ rows_json|rawtext }}</script>',
                    "<script>{{ script|rawtext }}</script>"]
