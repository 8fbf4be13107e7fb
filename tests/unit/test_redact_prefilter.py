"""The engine's prefilters find every place codetape's rules can match: the same findings as searching
for the rules' anchors in Python, on both corpora, a sample of the standard library and long lines."""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from bench.heldout_corpus import build as heldout
from bench.redaction_corpus import build as tuned
from collector.redact import RuleSet
from collector.redact.scanner import own_findings

RULES = RuleSet.default()
GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"


def _texts() -> list[str]:
    texts = [case.text for case in tuned(1, 12)] + [case.text for case in heldout(1)]
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.rglob("*.py") if "site-packages" not in p.parts)[::24]
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
