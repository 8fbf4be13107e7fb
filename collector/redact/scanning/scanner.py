"""Scanning a text: the engine's findings and codetape's rules, one resolved set of `Finding`s.

`scan` is the one entry point. The engine (`engine.py`, when the rule set uses it) finds provider formats
in one native pass. Each of codetape's rules runs only where it may match: on the lines holding a match
of its prefilter (see `rule.py`; or, for multi-line rules, from it on), found by the engine in a second
native pass over texts of `SIDE_SCAN` characters or more; in shorter texts (the few lines around an
edit: there the pass costs more than it saves) and without the engine around its anchors, found with
`str.find` (lower-cased text for case-insensitive anchors).

Codetape's findings are resolved among themselves, longest first, then by rule priority, so
`password = "ghp_..."` is a GitHub token and `postgres://u:p@h` yields only the password. The engine's
findings are added where codetape found nothing; where both did, codetape's span stands (a private key's
BEGIN and END lines stay readable), widened when the engine's token goes on past it, and named by the
engine's provider format (`engine.NAMED`) when a context rule found the token (`widened`).
Allow-listed findings are set aside before resolving (another rule may still find the same characters)
and returned apart, so the summary can say what was allowed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from collector.redact.placeholders import PLACEHOLDER_RE
from collector.redact.rules import keywords
from collector.redact.rules.encoded import DECODED, basic_credentials, encoded_runs
from collector.redact.rules.rule import Rule
from collector.redact.rules.values import PLACEHOLDER_MARK
from collector.redact.scanning import engine as engines
from collector.redact.scanning.ruleset import RuleSet
from collector.redact.scanning.shape import credential_shaped, holds_credential_shape

LINE_CAP = 4096  # characters either side of an anchor on a very long line
BLOCK = 70_000  # how far a multi-line rule may reach from its anchor
SIDE_SCAN = 256  # texts at least this long are searched for prefilters by the engine
LONG = 4096  # a text this long is taken to hold a credential-shaped token (see `scan`) without looking
ENGINE_PRIORITY = 1  # the engine's findings: after its provider formats (`_PROVIDERS`: 0), before context
# Rules whose value ends wherever the typing stopped (no closing quote, no assignment): while the value
# still ends at the keystroke it may be growing into a longer credential that a provider rule or the
# engine names, so it is left to the next scan (the window hides what was shown meanwhile). A value the
# change inserted whole (a paste) is complete: nothing may come after it to find it then.
UNTIL_TYPED = frozenset({"mentioned-secret", "generated-token"})
# Rules that find a token by its look alone (`unnamed.py`): where another rule or the engine finds
# anything there, that finding stands.
LAST_RESORT = frozenset({"generated-token"})
_PROVIDERS = frozenset(engines.NAMED.values())  # codetape's ids for formats the engine finds (engine.py)
DECODE_DEPTH = 2  # base64 inside base64 (a Docker config's `auth` in a Kubernetes Secret) is decoded too


@dataclass(frozen=True)
class Finding:
    """A secret value found in a text: `text[start:end] == value`."""

    rule: str
    start: int
    end: int
    value: str


@dataclass(frozen=True)
class Allowed:
    """A finding the allow-list let through, and the entry that did (`sha256:...`, `rule:ID` or a value)."""

    finding: Finding
    entry: str


@dataclass(frozen=True)
class _Candidate:
    finding: Finding
    priority: int


def scan(text: str, rules: RuleSet, *, changed: tuple[int, int] | None = None) -> list[Finding]:
    """Every secret `rules` find in `text`, in order, without overlaps or allow-listed values.

    `changed`: only `text[start:end]` changed since the text was scanned last (a keystroke in an editor
    buffer); what was found then was kept, so the engine and codetape's provider token rules need not run
    unless the change touches a credential-shaped token (`credential_shaped`); the context rules do.
    Without it, they need not run on a short text holding no such token at all."""
    return scan_allowing(text, rules, changed=changed)[0]


def scan_allowing(text: str, rules: RuleSet, *,
                  changed: tuple[int, int] | None = None) -> tuple[list[Finding], list[Allowed]]:
    """What `scan` returns, and the findings the allow-list let through (not overlapping those)."""
    return _scan(text, rules, changed, 0)


def _scan(text: str, rules: RuleSet, changed: tuple[int, int] | None,
          depth: int) -> tuple[list[Finding], list[Allowed]]:
    """The rules' and the engine's findings, then the base64 runs whose decoded text holds a secret
    (`decoded`; `depth`: how many encodings this text is inside)."""
    found, allowed = _found(text, rules, changed)
    if text and depth < DECODE_DEPTH:
        found = decoded(text, rules, found, allowed, changed, depth)
    return found, allowed


def _found(text: str, rules: RuleSet,
           changed: tuple[int, int] | None) -> tuple[list[Finding], list[Allowed]]:
    if not text:
        return [], []
    if changed is not None:
        shaped = credential_shaped(text, *changed)
    else:
        shaped = len(text) >= LONG or holds_credential_shape(text)
    # from a few lines up (more than the few around an edit) the engine's pass finds where the rules may
    # match faster than looking for their anchors in Python (a file of 1,000 characters: ~40 against ~375
    # microseconds); the findings are the same either way (tests/unit/redact/test_prefilter.py). A long
    # text runs the provider token rules whatever changed.
    own = list(_prefiltered(text, rules, shaped or len(text) >= LONG)
               if rules.engine and len(text) >= SIDE_SCAN else _rules(text, rules, shaped))
    if changed is not None and own:
        own = [c for c in own if not (c.finding.rule in UNTIL_TYPED and c.finding.end == changed[1]
                                      and c.finding.start < changed[0])]
    engine = rules.engine and shaped
    hits = [_Candidate(_whole(text, hit.rule, hit.start, hit.end),
                       0 if hit.rule in _PROVIDERS else ENGINE_PRIORITY)
            for hit in rules.scanner.scan(text)] if engine else []
    if own:
        own = _yielding(own, hits)
    if not own and not hits:
        return [], []
    allowed: list[Allowed] = []
    if rules.allow:
        own, hits = _allow(own, rules, allowed), _allow(hits, rules, allowed)
    found = widened(resolve(own), resolve(hits), text)
    found = outside_placeholders(text, found)
    if allowed:
        allowed = _apart(allowed, found)
    return found, allowed


def _whole(text: str, rule: str, start: int, end: int) -> Finding:
    """The engine's finding; a provider token's (`_PROVIDERS`) made the whole run of token characters
    around it, as a provider's token is (`ghp_...` typed in front of `ok` is one token until a quote
    ends it: the engine's pattern stops after the format's length)."""
    if rule in _PROVIDERS:
        while start > 0 and text[start - 1] in _TOKEN_CHARS:
            start -= 1
        while end < len(text) and text[end] in _TOKEN_CHARS:
            end += 1
    return Finding(rule, start, end, text[start:end])


_TOKEN_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def decoded(text: str, rules: RuleSet, found: list[Finding], allowed: list[Allowed],
            changed: tuple[int, int] | None, depth: int) -> list[Finding]:
    """`found`, and every base64 run no finding covers whose decoded text holds a secret by the same rules
    (`_holds_secret`; or is basic auth's `user:password`): the whole run, rule `base64-secret`, in place
    of the findings inside it. Allowed runs go to `allowed`. With `changed` (a keystroke), not a run that
    the change made longer at its end: it may still be growing (a run pasted whole is complete)."""
    runs: list[Finding] = []
    for start, end, plain in encoded_runs(text):
        if changed is not None and end == changed[1] and start < changed[0]:
            continue
        if any(f.start <= start and end <= f.end for f in found):
            continue
        if not basic_credentials(plain) and not _holds_secret(plain, rules, depth + 1):
            continue
        run = Finding(DECODED, start, end, text[start:end])
        entry = rules.allowed(DECODED, run.value)
        if entry is None:
            runs.append(run)
        else:
            allowed.append(Allowed(run, entry))
    if not runs:
        return found
    return resolve([*(_Candidate(f, 0) for f in found), *(_Candidate(f, 0) for f in runs)])


def _holds_secret(plain: str, rules: RuleSet, depth: int) -> bool:
    """A decoded text holds a secret by a rule that knows its format or its place: a token found by its
    look alone (`LAST_RESORT`) in decoded text is more often a piece of more encoded data than a key."""
    return any(f.rule not in LAST_RESORT for f in _scan(plain, rules, None, depth)[0])


def _yielding(own: list[_Candidate], hits: list[_Candidate]) -> list[_Candidate]:
    """Codetape's candidates without those of its last-resort rules (`LAST_RESORT`) that overlap another
    rule's candidate or one of the engine's: a token is named by the rule that knows its format or its
    place, and an allow entry for that rule (`rule:ID`) is not undone by a finding of its look alone."""
    if not any(c.finding.rule in LAST_RESORT for c in own):
        return own
    spans = [(c.finding.start, c.finding.end) for c in (*own, *hits) if c.finding.rule not in LAST_RESORT]
    return [c for c in own if c.finding.rule not in LAST_RESORT
            or all(c.finding.end <= s or c.finding.start >= e for s, e in spans)]


def own_findings(text: str, rules: RuleSet, *, prefiltered: bool, tokens: bool = True) -> list[Finding]:
    """Codetape's own rules' findings in `text`, resolved, the places to run them found by the engine's
    prefilters or in Python (without the provider tokens' rules unless `tokens`): the two ways must give
    the same (a check for the prefilters)."""
    return resolve(_prefiltered(text, rules, tokens) if prefiltered else _rules(text, rules, tokens))


def _allow(candidates: list[_Candidate], rules: RuleSet, allowed: list[Allowed]) -> list[_Candidate]:
    """The candidates the allow-list does not let through; the others are added to `allowed`."""
    kept: list[_Candidate] = []
    for cand in candidates:
        entry = rules.allowed(cand.finding.rule, cand.finding.value)
        if entry is None:
            kept.append(cand)
        else:
            allowed.append(Allowed(cand.finding, entry))
    return kept


def widened(own: list[Finding], engine: list[Finding], text: str) -> list[Finding]:
    """Codetape's findings, and the engine's where codetape found nothing.

    Where both found something, codetape's finding stands (it knows where a URL's password or a private
    key's body ends), made longer on a side where the engine's finding goes on with characters of the
    same token (`%3D` after a value a header rule stopped at): no character the engine calls secret is
    left shown."""
    if not engine:
        return own
    if not own:
        return engine
    out = list(own)
    for e in engine:
        overlapping = [i for i, f in enumerate(out) if f.start < e.end and e.start < f.end]
        if not overlapping:
            out.append(e)
            continue
        first, last = out[overlapping[0]], out[overlapping[-1]]
        start, end = first.start, last.end
        if len(overlapping) == 1 and e.rule in _PROVIDERS and first.rule not in _PROVIDERS \
                and e.start <= start and end <= e.end:
            # a token a context rule found by its place (`GITHUB_TOKEN=ghp_...`) is named by its format
            first = last = out[overlapping[0]] = Finding(e.rule, start, end, first.value)
        if e.start < start and _continues(text, start - 1):
            start = e.start
        if e.end > end and _continues(text, end):
            end = e.end
        if (start, end) != (first.start, last.end):
            for i in reversed(overlapping):
                del out[i]
            rule = e.rule if (start, end) == (e.start, e.end) else first.rule
            out.append(Finding(rule, start, end, text[start:end]))
        out.sort(key=lambda f: f.start)
    out.sort(key=lambda f: f.start)
    return out


def _continues(text: str, at: int) -> bool:
    """The character at `at` could be part of the same token as its neighbour (not a separator)."""
    ch = text[at]
    return ch.isalnum() or ch in "+=%_-.~"


def _prefiltered(text: str, rules: RuleSet, tokens: bool = True) -> Iterator[_Candidate]:
    """Candidates of codetape's own rules, each run where the engine found its prefilter (without the
    provider tokens' rules when no token can have changed: see `scan`)."""
    positions = rules.scanner.prefiltered(text)
    prefilters = rules.prefilters
    for number, rule in enumerate(rules.rules):
        if rule.token and not tokens:
            continue
        if number >= len(prefilters) or not prefilters[number]:
            yield from _run(rule, text, [(0, len(text))])
            continue
        found = positions.get(number)
        if found:
            yield from _run(rule, text, _merged([_around(text, start, min(end - start, 256), rule.scope,
                                                         rule.lines) for start, end in found]))


def _rules(text: str, rules: RuleSet, tokens: bool = True) -> Iterator[_Candidate]:
    """Candidates of codetape's own rules, found without the engine (without the provider tokens' rules
    when no token can have changed: see `scan`)."""
    index = rules.index if tokens else rules.context_index
    lowered = text.lower()
    due: set[int] = set(index.always)
    for anchors, haystack in ((index.exact, text), (index.folded, lowered)):
        for anchor, numbers, contained in [group for group in anchors if group[0] in haystack]:
            if anchor in keywords.WHOLE_WORDS and not keywords.holds_word(text, lowered, anchor):
                continue
            due.update(numbers)
            for numbers in [n for longer, n in contained if longer in haystack]:
                due.update(numbers)
    windows: dict[tuple[tuple[str, ...], bool, str, int], list[tuple[int, int]]] = {}
    for number in sorted(due):
        rule = rules.rules[number]
        key = (rule.anchors, rule.fold, rule.scope, rule.lines)  # rules with the same anchors share windows
        if key not in windows:
            windows[key] = _windows(rule, text, lowered if rule.fold else text)
        yield from _run(rule, text, windows[key])


def _apart(allowed: list[Allowed], found: list[Finding]) -> list[Allowed]:
    """One allowed finding per value, only where nothing redacted overlaps it."""
    out: dict[tuple[str, str], Allowed] = {}
    for item in allowed:
        f = item.finding
        if all(f.end <= g.start or f.start >= g.end for g in found):
            out.setdefault((f.rule, f.value), item)
    return list(out.values())


def resolve(candidates: Iterable[_Candidate]) -> list[Finding]:
    """Longest first, then the rule's priority; a candidate overlapping an accepted one is dropped."""
    accepted: list[Finding] = []
    ordered = sorted(candidates, key=lambda c: (c.finding.start - c.finding.end, c.priority, c.finding.start))
    for cand in ordered:
        f = cand.finding
        if all(f.end <= a.start or f.start >= a.end for a in accepted):
            accepted.append(f)
    accepted.sort(key=lambda f: f.start)
    return accepted


def candidate(finding: Finding, priority: int) -> _Candidate:
    return _Candidate(finding, priority)


def _windows(rule: Rule, text: str, haystack: str) -> list[tuple[int, int]]:
    """Merged spans of `text` where the rule's regex is worth running."""
    if rule.scope == "all" or not (rule.anchors or rule.prefilter):
        return [(0, len(text))]
    if not rule.anchors:  # found by its look alone (unnamed.py): around its prefilter, read as Python's
        return _merged([_around(text, m.start(), min(m.end() - m.start(), 256), rule.scope, rule.lines)
                        for m in re.finditer(rule.prefilter, text)])
    spans: list[tuple[int, int]] = []
    for anchor in rule.anchors:
        at = haystack.find(anchor)
        while at != -1:
            span = _around(text, at, len(anchor), rule.scope, rule.lines)
            spans.append(span)
            # the next occurrence past this window (a window covers every anchor inside it)
            at = haystack.find(anchor, max(span[1], at + 1)) if rule.scope == "line" else \
                haystack.find(anchor, at + 1)
    return _merged(spans)


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans sorted, overlapping ones joined."""
    if len(spans) <= 1:
        return spans
    spans.sort()
    merged = [spans[0]]
    for start, end in spans[1:]:
        last_start, last_end = merged[-1]
        if start <= last_end:
            merged[-1] = (last_start, max(last_end, end))
        else:
            merged.append((start, end))
    return merged


def _around(text: str, at: int, width: int, scope: str, lines: int = 0) -> tuple[int, int]:
    line_start = text.rfind("\n", max(0, at - LINE_CAP), at) + 1 or max(0, at - LINE_CAP)
    if at - LINE_CAP > 0 and line_start == 0:
        line_start = at - LINE_CAP
    if scope == "block":
        return line_start, min(len(text), at + BLOCK)
    cap = at + width + LINE_CAP
    line_end = text.find("\n", at + width, cap)
    for _ in range(lines):
        if line_end == -1:
            break
        line_end = text.find("\n", line_end + 1, cap)
    return line_start, (min(len(text), cap) if line_end == -1 else line_end)


def _run(rule: Rule, text: str, windows: list[tuple[int, int]]) -> Iterator[_Candidate]:
    """The rule's matches in the windows that pass its check. A match the check rejects consumes nothing:
    the search goes on from the character after its start, as what it rejected may begin another match
    (in `credential? API_KEY ?= ...` the prose rule's `credential` then `API_KEY` is rejected, and `KEY
    ?= ...` is the secret; in `f "String", "API_KEY", "..."` the pair `"String", "API_KEY"` is)."""
    for start, end in windows:
        at = start
        while at < end:
            match = rule.pattern.search(text, at, end)
            if match is None:
                break
            at = match.start() + 1
            if rule.check is not None and not rule.check(match):
                continue
            at = max(match.end(), at)
            v_start, v_end = rule.value_span(match)
            if v_end > v_start:
                yield _Candidate(Finding(rule.id, v_start, v_end, text[v_start:v_end]), rule.priority)


def outside_placeholders(text: str, findings: list[Finding]) -> list[Finding]:
    """`findings` without the characters of placeholders already in `text` (redacted before): a finding
    inside one is no new secret and goes; one that covers a placeholder is cut into the pieces around it,
    each kept when it holds more than blanks, so what a rule found next to an old secret is still hidden
    and the old placeholder stays whole."""
    if PLACEHOLDER_MARK not in text or not findings:
        return findings
    spans = [(m.start(), m.end()) for m in PLACEHOLDER_RE.finditer(text)]
    if not spans:
        return findings
    out: list[Finding] = []
    for f in findings:
        cuts = [(s, e) for s, e in spans if s < f.end and e > f.start]
        if not cuts:
            out.append(f)
            continue
        start = f.start
        for s, e in [*cuts, (f.end, f.end)]:
            if s > start and text[start:s].strip():
                out.append(Finding(f.rule, start, s, text[start:s]))
            start = max(start, e)
    return out
