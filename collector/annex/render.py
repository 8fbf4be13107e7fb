"""The annex as documents: `annex.md` and `annex.html`, from the same claims (claims.py), by Jinja2.

A sentence's own words are codetape's; its values (`Value`: a purpose, a glob, a destination, a dataset's
URL, a contributor's licence) are printed as code: in Markdown one inline code span each
(collector/text/markdown.py, as the dataset card prints them: no link, image, tag or emphasis can be made
of them), in HTML `<code>` with the value escaped (the environment autoescapes; `html_sentence` escapes
each part itself and marks the result safe). A `backticked` command in codetape's words becomes code
in HTML as in Markdown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from collector.annex.claims import Claim, Sentence, Value, claims
from collector.annex.in_force import InForce
from collector.text.markdown import code_span

FILES = ("annex.md", "annex.html")
_TICKED = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Numbered:
    """A claim as the documents print it: C1, C2, ... in order."""

    number: str
    claim: Claim


@dataclass(frozen=True)
class Section:
    title: str
    claims: list[Numbered]


def md_sentence(sentence: Sentence) -> Markup:
    """A sentence in Markdown: codetape's words as they are, each value one code span."""
    return Markup("".join(str(code_span(part)) if isinstance(part, Value) else part for part in sentence))


def html_sentence(sentence: Sentence) -> Markup:
    """A sentence in HTML: every part escaped, values and `backticked` words in <code>."""
    out = []
    for part in sentence:
        if isinstance(part, Value):
            out.append(f"<code>{escape(part)}</code>")
        else:
            out.append(_TICKED.sub(r"<code>\1</code>", str(escape(part))))
    return Markup("".join(out))


def sections(settings: InForce) -> list[Section]:
    """The claims numbered, grouped by section in the order they first appear."""
    found: dict[str, list[Numbered]] = {}
    for n, claim in enumerate(claims(settings), 1):
        found.setdefault(claim.section, []).append(Numbered(f"C{n}", claim))
    return [Section(title, numbered) for title, numbered in found.items()]


@cache
def environment() -> Environment:
    env = Environment(loader=PackageLoader("collector.annex", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                      keep_trailing_newline=True, auto_reload=False)
    env.filters.update(md=md_sentence, html=html_sentence, code=code_span)
    return env


def write_annex(settings: InForce, folder: Path) -> list[Path]:
    """Write annex.md and annex.html into `folder` (made if missing): their paths."""
    context = {"settings": settings, "sections": sections(settings),
               "value": Value}
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        text = environment().get_template(f"{name}.j2").render(context)
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
