"""Masking more text in review: the reviewer's patterns, and the paths of the files they excluded.

Both go through the redaction pipeline (`redact_steps`), so a masked span gets a stable placeholder
everywhere it appears (edits typed one key at a time, saves, snapshots, commands, commit messages...)
and the episode still replays. A reviewer's pattern masks its whole match, or its first group when it
has groups; the N-th pattern's rule is `custom-N`, so what each one found can be counted. An excluded
path is masked wherever it is written as a path (not as part of a longer name), in any spelling: after
`./` or an absolute directory, with `\\` between its parts as Windows writes it, or `\\\\` as a string
literal of one does (a test failure's repr), or URL-encoded (`notes%2Fplan.md`, a space as `%20`); an
excluded folder is masked where a path goes on below it (`notes/...`). All under the rule
`excluded-path`; paths shorter than 4 characters are left alone, since as words they would mask ordinary
text. (An excluded file's bare name, as a listing prints it, is masked in free text: see `contents`.)
No rule ever matches inside a placeholder already there (see `scanner.outside_placeholders`).

One `TextRedactor` (the review's rules over one registry, numbered after the episode's placeholders)
masks the header, the paths and then the steps, so a value has one placeholder wherever it is written.
`span_reasons` says why each of its placeholders is there: which pattern, which excluded path or folder.

The patterns are plain regular expressions. Beside them, the plan's `names` (redact/knownnames.py: the
people and owners the repository knows, in unlinkable signing, consent/scrub.py `file_text_names`) are
masked as `«user»`, but on the lines a file on a remote-tracking branch holds at the same path.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace

from collector.redact import RedactionSummary, Rule, RuleSet, redact_steps
from collector.redact.knownnames import KnownNames
from collector.redact.placeholders import Registry, Secret
from collector.redact.stream.text import TextRedactor
from schemas.common import PositionEncoding
from schemas.steps import Step

PATH_RULE = "excluded-path"
CUSTOM_RULE = "custom"
MIN_PATH = 4
_SEPARATOR = r"(?:/|\\+|%2[fF]|%5[cC])"  # `/`, `\\` (doubled, as a string literal writes it), URL-encoded
_SPACE = r"(?: |%20)"
_AFTER_ENCODED = r"(?<=%2[fF])|(?<=%5[cC])"  # a path goes on after an encoded separator


def review_rules(patterns: Iterable[str], paths: Iterable[str], folders: Iterable[str] = ()) -> RuleSet:
    """Only the review's rules: the reviewer's patterns and one rule for the excluded paths."""
    patterns = tuple(patterns)
    extra = [rule for rule in RuleSet.default(extra_patterns=patterns).rules if rule.id == CUSTOM_RULE]
    rules = [replace(rule, id=pattern_rule(n)) for n, rule in enumerate(extra, start=1)]
    regex = path_regex(paths, folders)
    if regex is not None:
        rules.append(Rule(PATH_RULE, regex, scope="all", priority=-1))
    return RuleSet(tuple(rules), frozenset(), patterns)


def review_redactor(patterns: Iterable[str], paths: Iterable[str], folders: Iterable[str],
                    summary: RedactionSummary, names: KnownNames | None = None) -> TextRedactor | None:
    """The review's rules over a registry numbered after `summary`'s counts, and `names` masked as `«user»`
    (redact/knownnames.py); None when there are none."""
    rules = review_rules(patterns, paths, folders)
    if not rules.rules and not names:
        return None
    return TextRedactor(rules, Registry(summary.counts), names or None, kept=names.kept if names else None)


def pattern_rule(number: int) -> str:
    """The rule id of the reviewer's `number`-th pattern (from 1)."""
    return f"{CUSTOM_RULE}-{number}"


def path_regex(paths: Iterable[str], folders: Iterable[str] = ()) -> re.Pattern[str] | None:
    """Any of `paths` written as a path (not inside a longer name; any separator between its parts, any
    directory in front), or any of `folders` followed by a separator."""
    files, dirs = spelled(paths), spelled(folders)
    if not files and not dirs:
        return None
    either = [f"(?:{files})(?![\\w\\-/\\\\])" if files else "", f"(?:{dirs})(?={_SEPARATOR})" if dirs else ""]
    written = "|".join(part for part in either if part)
    return re.compile(rf"(?:(?<![\w.\-])|{_AFTER_ENCODED})(?:{written})")


def spelled(names: Iterable[str]) -> str:
    """A regex alternation of `names` (4 characters or more, longest first), each written with any
    separator between its parts."""
    kept = sorted({name for name in names if len(name) >= MIN_PATH}, key=lambda name: (-len(name), name))
    return "|".join(_SEPARATOR.join(re.escape(part).replace("\\ ", _SPACE) for part in name.split("/"))
                    for name in kept)


def name_regex(paths: Iterable[str], kept: Iterable[str] = ()) -> re.Pattern[str] | None:
    """The bare names of the files at `paths` in folders (what `ls notes` prints, or `git status` run in
    `notes/`) written as words: not inside a longer name and not after a folder (`docs/plan.md` is
    another file, and this file's own path is `path_regex`'s), though after `./` or `../`. A name one of
    the `kept` paths has too (`__init__.py`) is left alone: it tells nothing the kept file does not. The
    group `name` is the name."""
    shared = {path.rsplit("/", 1)[-1] for path in kept}
    names = spelled(name for path in paths if "/" in path and (name := path.rsplit("/", 1)[1]) not in shared)
    if not names:
        return None
    return re.compile(rf"(?<![\w.\-/\\%])(?:\.{{1,2}}{_SEPARATOR})*(?P<name>{names})(?![\w\-/\\])")


def mask_spans(steps: Iterable[Step], encoding: PositionEncoding, redactor: TextRedactor,
               summary: RedactionSummary, written: Counter[str]) -> Iterator[Step]:
    """`steps` with the review's spans masked by `redactor`; `summary` (seeded with the episode's counts,
    so numbering goes on after its placeholders) gets the new values' counts and masked previews.
    `written`: placeholders the same redactor wrote outside the steps' texts (header, paths)."""
    version = summary.rules_version
    yield from redact_steps(steps, encoding, redactor.rules, summary, redactor=redactor, written=written)
    summary.rules_version = version


def span_reasons(secrets: Iterable[Secret], patterns: Iterable[str], paths: Iterable[str],
                 folders: Iterable[str]) -> dict[str, str]:
    """placeholder -> why the review's rules masked it: "it matches /PATTERN/, redacted in this review", or
    "it is the path of excluded FILE" (the file or folder whose path it is, however it was spelled)."""
    patterns, paths, folders = tuple(patterns), set(paths), set(folders)
    rules = {pattern_rule(n): pattern for n, pattern in enumerate(patterns, start=1)}
    reasons: dict[str, str] = {}
    for secret in secrets:
        if secret.rule in rules:
            reasons[secret.placeholder] = f"it matches /{rules[secret.rule]}/, redacted in this review"
        elif secret.rule == PATH_RULE:
            path = _spelled_back(secret.value)
            what = path if path in paths else f"{path}/" if path in folders else "an excluded file or folder"
            reasons[secret.placeholder] = f"it is the path of excluded {what}"
    return reasons


def _spelled_back(written: str) -> str:
    """A path as `spelled` matches it, written back with `/` between its parts and blanks as blanks."""
    return re.sub(_SEPARATOR, "/", written).replace("%20", " ")
