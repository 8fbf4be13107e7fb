"""The checks a redaction rule's examples get (`test_redact_urls.py`, `test_redact_records.py`,
`test_redact_encoded_auth.py`, `test_redact_requests_written.py`): a text with a secret finds that secret
and nothing else, by the scan and by codetape's rules run where the engine's prefilters say; a look-alike
finds nothing."""

from __future__ import annotations

from collector.redact import RuleSet, scan
from collector.redact.scanning.scanner import own_findings

RULES = RuleSet.default()


def found(text: str) -> list[str]:
    """The values the scan finds in `text`."""
    return [f.value for f in scan(text, RULES)]


def found_where_prefiltered(text: str) -> list[str]:
    """The values codetape's rules find in `text`, each run only where its prefilter matched."""
    return [f.value for f in own_findings(text, RULES, prefiltered=True)]
