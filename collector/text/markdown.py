"""Text as Markdown code: what the dataset card and the policy annex print of values they do not write
themselves (a contributor's purpose or licence, a policy's glob), so that no markup can be made of them."""

from __future__ import annotations

import re

from markupsafe import Markup

CODE_LIMIT = 200  # characters of a value a code span shows (then `…`)


def squeezed(value: object, limit: int | None = CODE_LIMIT) -> str:
    """`value` as one line, runs of whitespace as one space, cut to `limit` characters with `…`."""
    text = " ".join(str(value).split())
    return text[:limit] + "…" if limit is not None and len(text) > limit else text


def code_span(value: object) -> Markup:
    """A text as one inline code span (one line), fenced by more backticks than it holds in a row: its
    characters exactly, no markup (no image, link, autolink, tag, entity or emphasis is made in code)."""
    text = squeezed(value)
    if not text:
        return Markup("")
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")
