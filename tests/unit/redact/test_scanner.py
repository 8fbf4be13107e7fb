"""Scanning: anchors and windows, overlap resolution, allow-list, placeholders, and the quality targets
(smaller than the bench's: a sample of the standard library, a lenient speed floor for a shared machine)."""

from __future__ import annotations

import sysconfig
import time
from pathlib import Path

from collector.redact import Finding, RuleSet, scan

RULES = RuleSet.default()
GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"


def test_overlapping_findings_keep_the_longest_then_the_most_specific() -> None:
    # github-token and generic-secret find the same value: the provider rule wins
    assert [f.rule for f in scan(f'password = "{GH}"', RULES)] == ["github-token"]
    # the URL rule takes only the password part; the token inside it is the same span
    assert scan(f"https://me:{GH}@github.com/a/b.git", RULES) == [Finding("github-token", 11, 51, GH)]
    # two secrets on one line stay two findings, in order
    text = f"AKIAQ3EGUIJ2ZK4PLMXW {GH}"
    assert [(f.rule, f.start) for f in scan(text, RULES)] == [("aws-access-key", 0), ("github-token", 21)]


def test_a_secret_deep_in_a_very_long_line_is_found() -> None:
    """Minified files: windows around anchors are capped, not the line."""
    text = "var a=1;" * 20_000 + f'var password="Xk9#mP2vLq8";var t="{GH}";' + "var b=2;" * 20_000
    assert [f.value for f in scan(text, RULES)] == ["Xk9#mP2vLq8", GH]


def test_a_private_key_across_many_lines_is_one_finding() -> None:
    body = "\n".join(["MIIEowIBAAKCAQEAwq3J8p8K0YVgmoN2x4Vb7lQeY3tZx9hW1nT5cR2vK8sLm0Pq"] * 30)
    text = f"x = 1\n-----BEGIN RSA PRIVATE KEY-----\n{body}\n-----END RSA PRIVATE KEY-----\ny = 2\n"
    assert scan(text, RULES) == [Finding("private-key", text.index("MIIE"), text.index("\n-----END"), body)]


def test_allowed_values_and_disabled_rules_are_skipped() -> None:
    text = f"token {GH} and AKIAQ3EGUIJ2ZK4PLMXW"
    assert [f.rule for f in scan(text, RuleSet.default(allow=[GH]))] == ["aws-access-key"]
    assert [f.rule for f in scan(text, RuleSet.default(allow=["rule:aws-access-key"]))] == ["github-token"]


def test_placeholders_already_in_a_text_are_never_secrets() -> None:
    text = 'password = "«redacted:generic-secret:1»" and api_key="«redacted:generic-secret:2»x9"'
    assert scan(text, RULES) == []


def test_a_token_with_no_digit_in_a_short_text_is_found() -> None:
    """Short texts without a credential-shaped token skip the provider rules: an AWS key id without a
    digit (1 in 28 of them) is shaped all the same."""
    text = "The key AKIAAUPPUVPAPQFDIBCI was committed by mistake"
    assert [f.value for f in scan(text, RULES)] == ["AKIAAUPPUVPAPQFDIBCI"]


def test_the_engine_finds_secrets_not_the_identifiers_beside_them() -> None:
    """Kingfisher reports a tenant and a client id as parts of the pair with a client secret: public."""
    secret = "abc8Q~Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ_e"
    text = (f"AZURE_TENANT_ID=72f988bf-86f1-41af-91ab-2d7cd011db47\n"
            f"AZURE_CLIENT_ID=04b07795-8ddb-461a-bbee-02f9e1bf7b46\nAZURE_CLIENT_SECRET={secret}\n")
    assert [f.value for f in scan(text, RULES)] == [secret]


def test_a_match_its_check_rejects_hides_no_match_after_its_name() -> None:
    """A rejected match consumes only its name: a diagnostic's message quoting a line (`credential?`
    then a Makefile assignment) has the prose rule take `credential` and reject the setting's name as
    its value; the search goes on from there and finds the setting's own name and value."""
    secret = "pW4nZ8qL2vR6tY0xB3mK7cH1jF5gD9sA"
    for line in (f"RELEASE_SIGNING_TOKEN ?= {secret}", f"export RELEASE_SIGNING_TOKEN := {secret}"):
        text = f"hard-coded credential? {line}\n\nall:\n\tmake build\n"
        assert [f.value for f in scan(text, RULES)] == [secret]


def test_empty_and_plain_texts() -> None:
    assert scan("", RULES) == []
    assert scan("def f(x):\n    return x + 1\n", RULES) == []


def _stdlib_sample(every: int) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)
    return files[::every]


def test_false_positives_and_speed_on_a_standard_library_sample() -> None:
    """The bench scans all of it (about 0.02 findings per 1,000 lines, 20+ MB/s with the engine); here every
    8th file, with a floor a loaded shared machine keeps."""
    lines = found = size = 0
    seconds = 0.0
    for path in _stdlib_sample(8):
        text = path.read_bytes().decode("utf-8", "replace")
        lines += text.count("\n") + 1
        size += len(text.encode())
        started = time.perf_counter()
        found += len(scan(text, RULES))
        seconds += time.perf_counter() - started
    assert lines > 50_000
    assert found / lines * 1000 <= 0.1
    assert size / 1e6 / seconds >= 3.0
