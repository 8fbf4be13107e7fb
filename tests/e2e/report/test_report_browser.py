"""`codetape report` pages in a real headless Chromium (Debian's, driven by Playwright): they render,
log nothing to the console, fetch nothing, run nothing an episode smuggled in, filter their step list as
typed, and draw the timeline chart (checked on the screenshot's pixels).

Screenshots are left in the test's tmp_path (`timeline.png`, `page.png`) for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, Request, sync_playwright

from collector.episode import write_episode_file
from tests.lsp_typing import record_calc_session
from tests.support.sessions import generate
from tests.unit.report.test_data import PAYLOAD, write_hostile_episode
from tests.unit.report.test_templates import ATTACK, ATTACK_PATH, write_template_attack

CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
EDIT_BLUE, PASS_GREEN, GIT_VIOLET = (0x3B, 0x82, 0xF6), (0x16, 0xA3, 0x4A), (0x7C, 0x3A, 0xED)


def chromium_path() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail("Chromium is not installed: run scripts/setup (Debian package `chromium`)")
    return found


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium with a fresh profile (Playwright makes one per launch); no browser download."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield launched
        launched.close()


@dataclass
class Opened:
    page: Page
    console: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def rows(self) -> list[str]:
        return self.page.locator("#step-rows tr").all_inner_texts()

    def search(self, text: str) -> list[str]:
        """Type `text` into the search box, key by key, and wait for the list to show its matches."""
        box = self.page.locator("#step-search")
        box.fill("")
        box.press_sequentially(text)
        query = " ".join(text.lower().split())
        self.page.wait_for_function("(query) => document.getElementById('step-rows').dataset.query === query",
                                    arg=query)
        return self.rows()


def open_page(browser: Browser, html: Path) -> Opened:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    opened = Opened(page)

    def on_console(message: ConsoleMessage) -> None:
        opened.console.append(f"{message.type}: {message.text}")

    def on_dialog(dialog: Dialog) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_request(request: Request) -> None:
        opened.requests.append(request.url)

    page.on("console", on_console)
    page.on("pageerror", lambda error: opened.console.append(f"pageerror: {error}"))
    page.on("dialog", on_dialog)
    page.on("request", on_request)
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready='1']", timeout=15_000)
    return opened


def report(home: Path, episode: str, out: Path) -> Path:
    env = {**os.environ, "CODETAPE_HOME": str(home)}
    proc = subprocess.run([sys.executable, "-m", "collector", "report", episode, "-o", str(out)], env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out


def png_pixels(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """(width, height, RGB pixels) of an 8-bit RGB or RGBA PNG, as Chromium writes screenshots."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, bytearray()
    width = height = channels = 0
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset:offset + 8])
        body = data[offset + 8:offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw, stride = zlib.decompress(bytes(idat)), width * channels
    previous = bytearray(stride)
    pixels: list[tuple[int, int, int]] = []
    for row in range(height):
        kind, line = raw[row * (stride + 1)], bytearray(raw[row * (stride + 1) + 1:(row + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                closest = min((abs(guess - left), 0, left), (abs(guess - up), 1, up),
                              (abs(guess - corner), 2, corner))
                line[i] = (line[i] + closest[2]) & 0xFF
        pixels.extend((line[i], line[i + 1], line[i + 2]) for i in range(0, stride, channels))
        previous = line
    return width, height, pixels


def near(colour: tuple[int, int, int], pixel: tuple[int, int, int], slack: int = 12) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(colour, pixel, strict=True))


def check_chart(opened: Opened, shots: Path) -> Counter[str]:
    """The chart is laid out large, and its screenshot is mostly drawn, with the kinds' colours in it."""
    page = opened.page
    box = page.locator("#timeline").bounding_box()
    assert box is not None and box["width"] > 1000 and box["height"] > 250, box
    panel = shots / "timeline.png"
    page.locator("#timeline-panel").screenshot(path=str(panel))
    page.screenshot(path=str(shots / "page.png"), full_page=True)
    width, height, pixels = png_pixels(panel.read_bytes())
    assert width > 1000 and height > 250
    background = {(255, 255, 255), (0xF8, 0xFA, 0xFC)}
    drawn = sum(1 for pixel in pixels if pixel not in background)
    assert drawn > 0.04 * len(pixels), f"only {drawn} of {len(pixels)} pixels drawn"
    return Counter(name for pixel in pixels for name, colour in
                   (("edit", EDIT_BLUE), ("pass", PASS_GREEN), ("git", GIT_VIOLET)) if near(colour, pixel))


def assert_quiet(opened: Opened, html: Path) -> None:
    assert opened.console == []
    assert opened.dialogs == []
    assert opened.requests == [html.as_uri()]  # the page itself, nothing else


def test_a_recorded_session_renders_with_its_chart_and_filters_as_typed(browser: Browser,
                                                                        tmp_path: Path) -> None:
    episode = record_calc_session(tmp_path / "demo")  # typed through the real bridge (tests/lsp_typing.py)
    home = tmp_path / "demo" / "home"
    html = report(home, episode.stem[:8], tmp_path / "demo.html")
    opened = open_page(browser, html)
    page = opened.page
    assert page.inner_text("h1").startswith("project")
    assert episode.stem in page.inner_text("header.top")
    facts = page.inner_text("#summary")
    for expected in ("Started", "Duration", "codetape-demo", "utf-16", "not signed", "Redactions"):
        assert expected in facts
    colours = check_chart(opened, tmp_path)
    assert colours["edit"] > 300 and colours["pass"] > 30 and colours["git"] > 30, colours

    every = opened.rows()
    assert 5 <= len(every) <= 12 and page.inner_text("#step-count") == f"{len(every)} rows"
    assert [row.split("\t")[2] for row in opened.search("test_run")] == ["test_run"]
    assert "2 passed" in opened.rows()[0]
    both = opened.search("CALC.PY save")
    assert len(both) == 1 and "saved" in both[0]
    assert opened.search("no-such-thing-here") == ["no step matches"]
    assert page.inner_text("#step-count") == f"0 of {len(every)} rows match"
    assert opened.search("") == every

    page.click("#files details.file summary")  # collapse the one diff, then open it again
    assert page.locator("#files details.file[open]").count() == 0
    page.click("#files-open")
    assert "+def greet(name):" in page.inner_text("#files pre.diff")

    git_column = page.locator("#timeline .col", has=page.locator("title", has_text="git commit"))
    git_column.click()
    picked = opened.rows()
    assert picked and all("git" in row.split("\t")[2] for row in picked)
    assert page.locator("#window-chip").is_visible()
    page.click("#window-chip")
    assert opened.rows() == every and not page.locator("#window-chip").is_visible()
    assert_quiet(opened, html)


def test_a_hostile_episode_runs_nothing_and_still_renders(browser: Browser, tmp_path: Path) -> None:
    html = report(tmp_path, str(write_hostile_episode(tmp_path / "h.ctape")), tmp_path / "h.html")
    opened = open_page(browser, html)
    page = opened.page
    page.click("#files-open")
    assert page.title().startswith("codetape report")
    assert page.evaluate("document.scripts.length") == 2
    assert page.locator("img").count() == 0 and page.locator("iframe").count() == 0
    assert page.inner_text("h1").startswith(PAYLOAD)
    body = page.inner_text("body")
    assert f"Task{PAYLOAD}" in body.replace("\n", "") or f"fix {PAYLOAD}" in body
    assert f"# {PAYLOAD}" in page.inner_text("#files")  # the file's text, in its diff
    assert f"src/{PAYLOAD}.py" in page.inner_text("#files")
    rows = json.loads(page.inner_text("#steps-data"))["rows"]
    expected = sum(1 for row in rows if "alert(1)" in " ".join(map(str, row)).lower())
    found = opened.search("alert(1)")
    assert len(found) == expected >= 8
    assert any(f"{PAYLOAD}" in row for row in found)
    check_chart(opened, tmp_path)
    assert_quiet(opened, html)


def test_markup_and_template_syntax_in_an_episode_stay_text(browser: Browser, tmp_path: Path) -> None:
    html = report(tmp_path, str(write_template_attack(tmp_path / "a.ctape")), tmp_path / "a.html")
    opened = open_page(browser, html)
    page = opened.page
    page.click("#files-open")
    assert page.evaluate("[document.styleSheets.length, document.scripts.length]") == [1, 2]
    assert page.locator("[onmouseover]").count() == 0 and page.locator("img").count() == 0
    assert page.evaluate("getComputedStyle(document.body).display") == "block"  # no injected style
    assert page.title().startswith(f"codetape report · {ATTACK} · ")
    assert page.inner_text("h1").startswith(ATTACK)  # {{ 7*7 }} and the rest shown as typed
    assert ATTACK_PATH in page.inner_text("#files")
    page.hover("h1")
    found = opened.search("onmouseover")
    assert len(found) >= 5 and any(ATTACK_PATH in row for row in found)
    assert_quiet(opened, html)


def test_a_long_session_pages_its_step_list(browser: Browser, tmp_path: Path) -> None:
    session = generate(3, "mixed", scale=0.5)
    episode = tmp_path / "long.ctape"
    write_episode_file(episode, session.header, session.steps)
    html = report(tmp_path, str(episode), tmp_path / "long.html")
    assert html.stat().st_size < 2_000_000
    opened = open_page(browser, html)
    page = opened.page
    total = int(re.sub(r"\D", "", page.inner_text("#step-count")))
    assert total > 400 and len(opened.rows()) == 200
    assert page.inner_text("#page-info") == f"rows 1–200 of {total:,}"
    page.click("#page-next")
    assert page.inner_text("#page-info") == f"rows 201–400 of {total:,}"
    assert opened.rows()[0].startswith("#")
    runs = sum(1 for step in session.steps if step.kind == "test_run")
    assert len(opened.search("test_run")) == runs > 0
    assert page.inner_text("#page-info") == f"rows 1–{runs} of {runs}"
    colours = check_chart(opened, tmp_path)
    assert colours["edit"] > 1000, colours
    assert_quiet(opened, html)
