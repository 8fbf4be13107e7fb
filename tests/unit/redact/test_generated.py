"""A machine-made token wherever it stands (generated.py): random tokens of this file's own making are found
in syntaxes no other rule reads (prose, CSV, a C header, a Lisp form, a Makefile, a log line), whatever
names them; what only looks drawn is kept, one example per filter; a token typed key by key never shows
more than four characters."""

from __future__ import annotations

import base64
import hashlib
import random
import string

import pytest

from collector.redact import RuleSet, scan
from collector.redact.rules.unnamed import generated
from collector.text.digest import sha256_text
from schemas.steps import NoteStep, OpenStep, SaveStep
from tests.unit.redact.examples import found, found_where_prefiltered
from tests.unit.redact.test_steps import assert_hidden, run, typed

_RANDOM = random.Random(20261123)


def _draw(alphabet: str, length: int) -> str:
    return "".join(_RANDOM.choice(alphabet) for _ in range(length))


MIXED = _draw(string.ascii_letters + string.digits, 32)
LOWER = _draw(string.ascii_lowercase + string.digits, 30)
UPPER = _draw(string.ascii_uppercase + string.digits, 24)
B64 = base64.b64encode(_RANDOM.randbytes(30)).decode()
URLSAFE = base64.urlsafe_b64encode(_RANDOM.randbytes(32)).decode().rstrip("=")
TOKENS = [MIXED, LOWER, UPPER, B64, URLSAFE]

# Where no other rule looks: no secret's name, no assignment to a name, no header, no URL.
SYNTAXES = [
    "the box I set up yesterday answers to {} so paste it in before the demo.\n",
    "id,owner,created,blob\n17,ann,2024-05-01,{}\n18,bob,2024-05-02,n/a\n",
    "name,site,contact,extra\nacme,https://acme.example.com,ops team,{},\n",  # a URL ends at its field
    '#ifndef ACME_H\n#define ACME_H\n#define ACME_UPSTREAM_SEED "{}"\n#endif\n',
    '(setq acme-upstream-seed "{}")\n',
    "deploy:\n\t./tools/push --seed {} --region eu-west-1\n",
    "2024-05-01T10:00:03Z INFO worker=7 handshake ok seed={} elapsed=12ms\n",
]

# What a generator writes too, kept by what it is (each filter of generated.py).
KEPT = [
    # hexadecimal: a git object name, a UUID, a number, a hex float
    "commit 3f2a1b9c8d7e6f5a4b3c2d1e0f9a8b7c6d5e4f3a was reverted\n",
    "request 7c1e2f3a-9b4d-4c6e-8f1a-2b3c4d5e6f70 failed\n",
    "const half = 0x3FC06EBA8214DB69\n",
    "assert x == float.fromhex('0x1.df11f45f4e61ap+2')\n",
    # digest syntax: Subresource Integrity (a lock file), go.sum's h1:
    '"integrity": "' + "sha512-" + base64.b64encode(hashlib.sha512(b"left-pad").digest()).decode() + '"\n',
    "golang.org/x/text v0.14.0 h1:" + base64.b64encode(hashlib.sha256(b"x/text").digest()).decode() + "\n",
    # base64 of text, and of a file format's first bytes
    "expected = '" + base64.b64encode(b"Hello, world! This is a fixture.").decode() + "'\n",
    "icon = '" + base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(200, 224))).decode() + "'\n",
    # a mail header's encoded word
    "Subject: =?koi8-r?b?8NLP18XSy8EgzsEgxsnOwczYztk=?= zz.\n",
    # an alphabet, a set of option letters
    "B32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'\n",
    "pairs = 'AaBbCcDdEeFfGgHhIiJj'\n",
    "conversions = 'aAbdiuoxXDOUfFeEgGcCsSpn'\n",
    # words and identifiers joined, paths, a target triple
    "case ssa.OpAMD64CMOVQGTF, ssa.OpS390XMOVWBR:\n",
    "const sizeofIfMsghdrFreeBSD10Emu = 0xa8\n",
    "CC=x86_64-pc-linux-gnu-gcc-4.4.2 make\n",
    'cp "$fqgitdir/gitweb/gitweb.psgi" /srv\n',
    "self.assertEqual(html2text.HTMLParser2Text, Fmt2Html5Converter)\n",
    # a host's name, a fingerprinted file's
    "Path: q2g2000vbk.googlegroups.com!not-for-mail\n",
    "<link href=\"/static/KFOmCnqEu92Fr1Mu4mxK.woff2\">\n",
    # a video's id in a URL (URLs are urls.py's)
    "https://www.example.com/watch?v=dQw4w9WgXcQ&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG\n",
    # a line of a base64 block (a certificate's body)
    "MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJ\n"
    "RTESMBAGA1UEChMJQmFsdGltb3JlMRMwEQYDVQQLEwpDeWJlclRydXN0MSIwIAYD\n",
]

WITHOUT = RuleSet(tuple(r for r in RuleSet.default().rules if r.id != "generated-token"))


@pytest.mark.parametrize("token", TOKENS)
@pytest.mark.parametrize("line", SYNTAXES)
def test_a_random_token_is_found_in_any_syntax(line: str, token: str) -> None:
    text = line.format(token)
    assert found(text) == [token]
    assert found_where_prefiltered(text) == [token]
    assert [f.rule for f in scan(text, WITHOUT)] == []  # no other rule finds it there


@pytest.mark.parametrize("text", KEPT)
def test_look_alikes_are_kept(text: str) -> None:
    assert found(text) == []
    assert found_where_prefiltered(text) == []


def test_the_value_test_alone() -> None:
    assert all(generated(token) for token in TOKENS)
    assert not generated("gccgoSymbolPrefix0") and not generated("DebGetPkgSrcNameFromDir")


def test_a_provider_token_keeps_its_rules_name() -> None:
    gh = "ghp_" + _draw(string.ascii_letters + string.digits, 36)
    assert [f.rule for f in scan(f"see {gh} here", RuleSet.default())] == ["github-token"]


@pytest.mark.parametrize("token", [MIXED, B64])
def test_a_token_typed_key_by_key_never_shows_more_than_four_characters(token: str) -> None:
    before = "notes for the demo: "
    steps = [OpenStep(t_ms=0, source="bridge", path="notes.txt", text="\n")]
    steps += typed(1, "notes.txt", 0, 0, before + token + " ok")
    final = before + token + " ok\n"
    steps.append(SaveStep(t_ms=500, source="bridge", path="notes.txt", sha256=sha256_text(final)))
    steps.append(NoteStep(t_ms=501, source="cli", text=f"pasted {token}"))
    out, workspace, _ = run(steps)
    assert_hidden(out, [token])
    assert workspace.text("notes.txt") == before + "«redacted:generated-token:1» ok\n"
