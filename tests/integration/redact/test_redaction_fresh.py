"""Rules-independent recall: the FRESH corpora (corpora/fresh_corpus/), from sources no rule was written
from and frozen before they were first measured, through the collector's real seal.

The cases are journaled on the collector's channels (files, command lines, `codetape run` output,
commit messages, test failures, notes, tasks, diagnostics, keys typed one at a time), sealed with
`seal_redacted`, and searched in the sealed bytes and in `codetape cat` (corpora/sealed_recall.py).

The goal is 98 % (issue 10). Measured through the seal (bench/README.md, "Fresh corpora"): TruffleHog's
formats 99.6 % and leaked credentials' real names 98.5 %, both SPENT (the general rules of
collector/redact/rules/keywords.py and letters.py were tuned on their misses, so they pass a goal they no
longer measure honestly); GitHub's secret scanning list, on eleven new kinds of line, 89.0 %: the
honest figure until its misses were read: it is SPENT too, at 99.0 % after the rules written from them.
Microsoft's own key formats (microsoft/security-utilities), on twelve more new kinds of line (Nix,
systemd, nginx, Makefiles, Maven, dotfiles, logs, stack traces...), frozen before measuring: 77.56 %, the
honest figure until its misses were read: it is SPENT, at 100 % after the rules written from them
(collector/redact/rules/layouts.py; the scan's rejected matches no longer hide the next).
The API keys of ~130 public web APIs (daffainfo/all-about-apikey), sent as
each service's example request sends them (.http files, HTTP clients in six languages, raw requests,
Postman, curl/HTTPie, URLs in logs), frozen before measuring: 90.00 % at 54afe42 and 90.38 % at f0ba010
and 527c307, the honest figure until its misses were read: it is SPENT, at 100 % after the rules written
from them (collector/redact/rules/places.py, records.py, encoded.py).
The secrets SonarSource's text analyzer (sonar-text) and ripsecrets detect, on twelve more new kinds of
line (C headers, mobile resources, CI pipelines, Windows batch and registry, CSV, e-mail, Python dicts,
JS objects, CLI config files, Spring, HOCON/EDN, R/Julia), frozen in cebbc2d before measuring: 83.57 % at
cebbc2d and at 769557c, the honest figure until its misses were read: it is SPENT, at 91.67 % after the
context-free detector of machine-made tokens (collector/redact/rules/unnamed.py), still below the goal,
and 98.10 % at cd2aa4c after general rules written from its misses (collector/redact/rules/layouts.py and
records.py): a figure of the fitting, not of the redaction.
The formats of four community scanners (GitHub's custom secret scanning patterns, detect-secrets, shhgit,
semgrep-rules' own secret rules), on ten more new kinds of line (test fixtures, secret manager commands,
IaC other than Terraform, editor settings, REPLs, key-value stores, gRPC/GraphQL, Ruby DSLs, YAML
anchors/Kustomize, containers), frozen in ad0e0ac before measuring: 81.70 % at ad0e0ac, 92.86 % at
3514753 and 93.08 % at bbcbd7c, the honest figures until its misses were read: it is SPENT, at 99.11 %
after the rules written from them (collector/redact/rules/records.py, commands.py, and in records.py,
defaults.py, builtin.py, generated.py: issue 10's tenth session): a figure of the fitting.
The rules of secretlint, on eleven more new kinds of line (build flags, scheduled jobs, heredocs, strings in
strings, documentation markup, more languages, the browser, XML of builds, deploy commands' flags,
programs printing their settings, ORM seeds), frozen before any rule of the ninth session: 97.60 % at
c1d21b2 and at bbcbd7c, the honest figure until its misses were read: it is SPENT, at 100 % after the same
session's rules (a drawn URL user before a password, printed objects' fields, VB.NET's `As String`).
The credential formats of CredSweeper's rules (Samsung/CredSweeper, rules/config.yaml), on twelve more
new kinds of line (web templates, reverse proxies, CI and task runners, message brokers, other shells,
metrics and log shippers, package registries' credentials, version control, notebooks other than
Jupyter's, Pascal/Fortran/Ada/Lisp/Solidity..., documented examples, game engines), frozen in c06a4e3
before measuring and before the tenth session's rules were merged (their author never read it): 98.00 %
at 4e2cef9, its first measurement (9 of 450 left in full), the goal with no margin. FRESH.
A corpus below the goal is a strict expected failure: the threshold is not lowered to
the figure, and once redaction reaches it the marker must go (an unexpected pass fails the run). So is
the channel check, for the leak its reason names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from corpora.fresh_corpus import generate, load, path_of
from corpora.sealed_recall import TYPED_EVERY, Sealed, seal_cases

pytestmark = pytest.mark.eval  # an evaluation: scripts/test --all runs it

SOURCES = ("trufflehog", "leakin", "github", "microsoft", "apikey", "sonar", "community", "secretlint",
           "credsweeper")
# Microsoft's own list has 78 formats, all-about-apikey 130 kept, sonar-text and ripsecrets 105, the four
# community scanners 64, secretlint's rules 51, CredSweeper's 90; the others 150 or more
FEWEST_PROVIDERS = {"microsoft": 75, "apikey": 125, "sonar": 100, "community": 60, "secretlint": 50,
                    "credsweeper": 85}
GOAL = 0.98
# Measured recall of the corpora that do not reach the goal yet (bench/README.md, "Fresh corpora"): none
# since issue 10's tenth session (community was 93.08 % and secretlint 97.60 % at bbcbd7c, both FRESH then).
BELOW_GOAL: dict[str, str] = {}


@pytest.fixture(scope="module", params=SOURCES)
def sealed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Sealed]:
    source = str(request.param)
    return source, seal_cases(load(source), tmp_path_factory.mktemp(source), source)


@pytest.mark.parametrize("source", SOURCES)
def test_the_committed_corpus_is_what_its_generator_froze(source: str) -> None:
    """The cases measured are the frozen ones: the generator still writes the committed file exactly."""
    frozen = [json.loads(line) for line in Path(path_of(source)).read_text("utf-8").splitlines()]
    drawn = [{"provider": c.family, "context": c.context, "text": c.text, "values": list(c.values)}
             for c in generate(source)]
    assert drawn == frozen
    assert len(frozen) >= 400 and len({c["provider"] for c in frozen}) >= FEWEST_PROVIDERS.get(source, 150)


@pytest.mark.timeout(1200)
def test_fresh_recall_through_the_seal_reaches_98_percent(
        sealed: tuple[str, Sealed], request: pytest.FixtureRequest) -> None:
    source, sealed_ = sealed
    if source in BELOW_GOAL:
        request.applymarker(pytest.mark.xfail(
            strict=True, reason=f"{source}: recall {BELOW_GOAL[source]} through the seal, goal 98 %"))
    shown = sealed_.shown()
    assert sealed_.recall() >= GOAL, f"recall {sealed_.recall():.2%}, {len(shown)} values still shown in full"


# The corpora whose cases leave a value the scan finds in full after the seal, and why.
_ARGV_SPLIT = ("a multi-line YAML case split into a command's argv on white space leaves a name and its "
               "value in separate arguments, unquoted (3 cases per corpus)")
# (trufflehog's 3 such values are machine-made tokens, found alone since generated.py: its marker went;
# sonar's 3 values that one channel left in full since cd2aa4c are redacted on every channel since the
# tenth session's rules: its marker went too)
CHANNEL_LEAKS = {"leakin": _ARGV_SPLIT + ", and `'NAME=value ...'` in a test failure's repr has a quote "
                 "before the name (1 case)"}


@pytest.mark.timeout(1200)
def test_nothing_the_scan_finds_is_left_in_the_sealed_bytes_or_in_cat(
        sealed: tuple[str, Sealed], request: pytest.FixtureRequest) -> None:
    """Every channel is covered: a value redaction finds in its case's text is nowhere in full after the
    seal, neither in the episode's bytes nor in `codetape cat`."""
    source, sealed_ = sealed
    if source in CHANNEL_LEAKS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=CHANNEL_LEAKS[source]))
    found = sealed_.found_by_scan()
    assert len(found) >= 0.8 * len(sealed_.cases)
    leaked = [v[:8] for v in found if v.encode() in sealed_.blob or v in sealed_.cat]
    assert leaked == []


@pytest.mark.timeout(1200)
def test_typed_values_never_show_more_than_four_characters(sealed: tuple[str, Sealed]) -> None:
    """No step of a case typed one key at a time holds more than four characters of its value, when
    redaction finds the value in the finished text (a value it never finds is a recall miss, shown as
    typed)."""
    _, sealed_ = sealed
    found = sealed_.found_by_scan()
    typed, shown = sealed_.typed_shown(found)
    assert typed >= len(sealed_.cases) // TYPED_EVERY * 3 // 4  # most typed cases are found, and checked
    assert shown == []
