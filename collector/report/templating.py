"""The Jinja environment the report's templates (`templates/`) render in, and its filters.

Episodes are untrusted, so every value a template prints is escaped for HTML (autoescape, always on)
after its control characters are replaced by visible symbols (`finalize`); an undefined name is an
error, not an empty text (`StrictUndefined`). Texts from an episode are data handed to a template,
never template source, so `{{ ... }}` in them is shown as typed.

`rawtext` is the one place a text goes into the page unescaped: the inside of the page's <style> and
<script> elements, where HTML reads neither tags nor character references, so escaping would corrupt
them. It refuses a text that could end its element or open a comment there.
"""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from collector.replay.describe import clock, plural

CONTROLS = {code: 0x2400 + code for code in range(32) if code != 9} | {0x7F: 0x2421}


def shown(value: object) -> object:
    """What a template prints for `value`: a text with its control characters as symbols (tab kept)."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return value.translate(CONTROLS)
    return value


def rawtext(text: str) -> Markup:
    """`text` as the content of a <script> or <style> element: unescaped, refused if it holds `</` or `<!--`.

    The page's own style and script, and the step list as JSON with `<`, `>` and `&` escaped
    (`render.script_json`), are the only texts that go through here.
    """
    if "</" in text or "<!--" in text:
        raise ValueError("text for a <script> or <style> element must not hold '</' or '<!--'")
    return Markup(text)  # the one unescaped insertion: see the module docstring


def count(value: int) -> str:
    """`12,345`."""
    return f"{value:,}"


def coord(value: float) -> str:
    """An SVG coordinate to a tenth, without trailing zeros: `12.5`, `3`."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("collector.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=shown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,
    )
    env.filters.update(rawtext=rawtext, count=count, coord=coord, clock=clock, plural=plural)
    return env


def template(name: str) -> Template:
    return environment().get_template(name)
