"""The engine's prefilters find every place codetape's rules can match: the same findings as searching
for the rules' anchors in Python, on both corpora, a sample of the standard library and long lines, on
whole texts and on the few lines around an edit (with and without the provider tokens' rules); and the
engine's pass reads a long text in pieces of whole lines with the same matches as the text whole."""

from __future__ import annotations

import functools
import random
import sysconfig
import warnings
from pathlib import Path
from typing import Any

import pytest

from collector.redact import RuleSet
from collector.redact.scanning.engine import PIECE
from collector.redact.scanning.scanner import own_findings
from corpora.heldout_corpus import build as heldout
from corpora.redaction_corpus import build as tuned
from tests.examples import ALL

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import sre_constants as sc
    import sre_parse

RULES = RuleSet.default()
GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"


@functools.cache
def _texts() -> list[str]:
    """Both corpora and a sample of the standard library (a twenty-fourth of its modules), all under
    `scripts/test --all`, a quarter of the cases and a tenth of the modules otherwise (tests/examples.py);
    long lines and non-ASCII text."""
    cases = [case.text for case in tuned(1, 12)] + [case.text for case in heldout(1)]
    texts = cases if ALL else cases[::4]
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)[::24 if ALL else 240]
    texts += [p.read_bytes().decode("utf-8", "replace") for p in files]
    texts.append("var a=1;" * 20_000 + f'var password="Xk9#mP2vLq8";var t="{GH}";' + "var b=2;" * 20_000)
    texts.append("é ü 漢字 🙂\n" * 50 + f'DB_PASSWORD="Vq7#mK2p!Lx9sRt" token = "{GH}"\n' + "🙂 key=\n" * 50)
    return texts


@pytest.mark.parametrize("chunk", range(4))
def test_prefilters_find_what_the_anchors_find(chunk: int) -> None:
    texts = _texts()[chunk::4]
    differ = [text[:80] for text in texts
              if own_findings(text, RULES, prefiltered=True) != own_findings(text, RULES, prefiltered=False)]
    assert not differ, differ[:3]


def _few_lines(texts: list[str], seed: int) -> list[str]:
    """One to ten lines from each text, as the scan around an edit takes them."""
    rng = random.Random(seed)
    out = []
    for text in texts:
        lines = text.splitlines(keepends=True)
        count = rng.randint(1, 10)
        at = rng.randrange(max(1, len(lines) - count))
        out.append("".join(lines[at : at + count]))
    return out


@pytest.mark.parametrize("tokens", [True, False])
def test_the_lines_around_an_edit_give_the_same_findings_both_ways(tokens: bool) -> None:
    texts = _few_lines(_texts(), 7) + _few_lines(_texts(), 8)
    differ = [text[:80] for text in texts
              if own_findings(text, RULES, prefiltered=True, tokens=tokens)
              != own_findings(text, RULES, prefiltered=False, tokens=tokens)]
    assert not differ, differ[:3]


_LINE_BREAKING = {sc.CATEGORY_SPACE, sc.CATEGORY_NOT_DIGIT, sc.CATEGORY_NOT_WORD, sc.CATEGORY_LINEBREAK,
                  sc.CATEGORY_UNI_SPACE, sc.CATEGORY_UNI_NOT_DIGIT, sc.CATEGORY_UNI_NOT_WORD,
                  sc.CATEGORY_UNI_LINEBREAK}


def _in_set(items: list[tuple[Any, Any]]) -> bool:
    """A character set (`[...]`) that holds the line break."""
    negated = False
    held = False
    for op, av in items:
        if op is sc.NEGATE:
            negated = True
        elif op is sc.LITERAL:
            held = held or av == 10
        elif op is sc.RANGE:
            held = held or av[0] <= 10 <= av[1]
        elif op is sc.CATEGORY:
            held = held or av in _LINE_BREAKING
        else:
            raise AssertionError(f"unexpected set item {op}")
    return held != negated


def _spans_lines(items: Any, flags: int, final: bool) -> list[str]:
    """What in a parsed pattern could take a match across a line break (a line break anywhere but as the
    match's last character: pieces end after their line breaks) or would match otherwise at a piece's
    edge (an anchor to the whole text's start or end): a description of each. `final`: `items` end the
    match. Where a line break ends a match, nothing else may follow it, not even an anchor."""
    found: list[str] = []
    for n, (op, av) in enumerate(items):
        last = final and n == len(items) - 1
        if op is sc.LITERAL:
            found += ["a line break inside"] if av == 10 and not last else []
        elif op is sc.NOT_LITERAL:
            found += ["a character but one, inside"] if av != 10 and not last else []
        elif op is sc.IN:
            found += ["a set holding the line break, inside"] if _in_set(av) and not last else []
        elif op is sc.ANY:
            found += ["a dot with DOTALL, inside"] if flags & sre_parse.SRE_FLAG_DOTALL and not last else []
        elif op is sc.AT:
            multiline = flags & sre_parse.SRE_FLAG_MULTILINE
            if av in (sc.AT_BEGINNING_STRING, sc.AT_END_STRING) or (av == sc.AT_BEGINNING and not multiline):
                found.append(f"an anchor to the text's edge ({av})")
            elif av == sc.AT_END and not multiline and not last:
                found.append(f"an anchor to the text's end not at the match's end ({av})")
        elif op in (sc.MAX_REPEAT, sc.MIN_REPEAT, sc.POSSESSIVE_REPEAT):
            found += _spans_lines(av[2], flags, last and av[1] == 1)
        elif op is sc.SUBPATTERN:
            found += _spans_lines(av[3], (flags | av[1]) & ~av[2], last)
        elif op is sc.BRANCH:
            for branch in av[1]:
                found += _spans_lines(branch, flags, last)
        elif op is sc.ATOMIC_GROUP:
            found += _spans_lines(av, flags, last)
        else:
            found.append(f"something the engine's pieces may not read alike ({op})")
    return found


def test_no_prefilter_can_match_across_a_line_break() -> None:
    """The engine reads a long text in pieces of whole lines, each ending after its line break
    (`engine.PIECE`): a prefilter's match must fit in a line and its line break, and no anchor may take
    a piece's edge for the text's (a `$` ending a match only matches where a piece ends if the match
    took the piece's last character, its line break, which nothing before a final `$` may)."""
    spanning = {}
    for number, pattern in enumerate(RULES.prefilters):
        if pattern:
            parsed = sre_parse.parse(pattern)
            why = _spans_lines(parsed, parsed.state.flags, True)
            if why:
                spanning[f"{RULES.rules[number].id} {pattern[:60]}"] = why
    assert not spanning, spanning
    # the check itself: what it must refuse
    for pattern in (r"(a\sb)", r"(key[^x]+=)", r"(^key)", r"(\Akey)", r"(key\Z)", r"(a(?s:.)b)", r"(a[\s]$)",
                    r"(a\n+)", r"(a\W\b)"):
        parsed = sre_parse.parse(pattern)
        assert _spans_lines(parsed, parsed.state.flags, True), pattern
    for pattern in (r"((?m:^)key)", r"(key$)", r"(key:(?:\w{3}|[\s\"]|$))", r"(a.b)", r"(a[^\n]*b)",
                    r"(\bkey\b)"):
        parsed = sre_parse.parse(pattern)
        assert not _spans_lines(parsed, parsed.state.flags, True), pattern


def _boundary_text() -> str:
    """Lines of every length around the pieces' edges, each with something a prefilter matches at its
    start, middle or end, some not ASCII, and one line longer than a piece."""
    rng = random.Random(3)
    values = ["password = 'Xk9#mP2vLq8'", f"token: {GH}", "api_key=r8TRc9Zq2LmXw4Pn", "AKIAZ7QW3ERT5YUI8OPA",
              "é secret: ü漢字Vq7mK2pLx9sRtZ4", "-----BEGIN PRIVATE KEY-----", "x = 1",
              "🙂 key=\"a1b2c3d4e5f6\""]
    lines = []
    for _ in range(3000):
        pad = " " * rng.randrange(0, 40)
        lines.append(pad + rng.choice(values) + pad + rng.choice(values) * rng.randrange(0, 3))
    lines.insert(1500, "filler " * (PIECE // 3) + values[0] + " " + values[2])
    return "\n".join(lines) + rng.choice(["", "\n"])


def test_the_engine_reads_a_long_text_in_pieces_as_it_reads_it_whole() -> None:
    texts = [_boundary_text()] + [t for t in _texts() if len(t.encode()) > PIECE]
    scanner = RULES.scanner
    differ = [text[:80] for text in texts if _spans(scanner.prefiltered(text)) != _spans(
        scanner.prefiltered(text, piece=0))]
    assert not differ, differ[:3]
    whole = _spans(scanner.prefiltered(texts[0], piece=0))
    assert len(whole) > 10 and sum(map(len, whole.values())) > 10_000
    for piece in (1, 64, 1000):
        assert _spans(scanner.prefiltered(texts[0], piece=piece)) == whole


def _spans(positions: dict[int, list[tuple[int, int]]]) -> dict[int, list[tuple[int, int]]]:
    return {number: sorted(spans) for number, spans in positions.items()}
