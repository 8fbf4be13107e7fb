"""The maintained engine: Kingfisher's rule set, hundreds of provider formats found in one pass.

Kingfisher (`kingfisher-secret-scanner`, MongoDB, Apache-2.0) compiles its rules (the Betterleaks /
gitleaks rule set plus its own) into one Vectorscan database; a text is scanned in one pass in native
code, without the network. Chosen by measurement over Betterleaks and detect-secrets: `bench/README.md`,
"Redaction engines".

Its findings become codetape `Finding`s named after its rule (`betterleaks.slack-bot-token` ->
`slack-bot-token`), or, for the provider formats codetape had its own rule for before the engine ran them
(`NAMED`), after that rule (`betterleaks.github-pat` -> `github-token`): placeholders, allow entries and
old episodes keep naming a format as they did. Two adjustments so they feed the same placeholders as
codetape's own rules: offsets are character offsets of the text (Kingfisher counts UTF-8 bytes), and a
private key is its body only (codetape keeps the BEGIN and END lines readable, as its own `private-key`
rule does). A provider token's finding is the whole run of token characters around it (`scanner.py`).

A second database finds where codetape's own rules may match: each rule's prefilter (or its anchors,
`Rule.engine_pattern`) is compiled into it as one rule, `codetape.N`, and its matches come back as
`positions`, so codetape's regexes run only on those lines instead of searching the text for every
anchor in Python. It is kept apart from the engine's rules because Kingfisher's per-match work grows
with the rules loaded with them (about 250 microseconds a match next to its ~490 rules, against tens
alone), and codetape's prefilters match far more often than secrets occur. That pass reads a long text
in pieces of whole lines (`PIECE`): Kingfisher's work for each match grows with the match's offset in
what it scans (about 1 ms a match 5 MB into a text, 6 microseconds in a 15 KB one), and on the standard
library's long files that was most of the scan's time. A prefilter never matches a line break and uses
no anchor a piece would move (`tests/unit/redact/test_prefilter.py` checks each), so the pieces give the
same matches as the whole text.

The databases are compiled once per process (about 20 s the first time on a machine, then read from
Kingfisher's cache in its user cache directory, keyed by the rules' content, in about a second). Base64
decoding is off: it reports the whole encoded blob, and base64 test fixtures are not secrets.
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from collector.errors import CodetapeError
from collector.redact.rules import keywords
from collector.redact.scanning.shape import token_around

PACKAGE = "kingfisher-secret-scanner"
OWN = "codetape."  # the id prefix of codetape's prefilters in the database
SHORT = 8  # an engine finding shorter than this is a part of what it found (see `_found`)
PIECE = 4096  # bytes of whole lines the prefilters' pass scans at a time (a line longer is one piece)
_IDENTIFIERS = frozenset({"id", "name", "username", "domain", "host", "url", "address", "repository"})
_PREFIXES = ("betterleaks.", "kingfisher.", "veles.secrets/", "custom.")
_BAD = re.compile(r"[^a-z0-9_.-]+")
# The engine's rules for the provider formats it finds in codetape's place, under codetape's rule id.
NAMED: dict[str, str] = {
    **dict.fromkeys(("github-pat", "github-oauth", "github-app-token", "github-refresh-token",
                     "github-fine-grained-pat"), "github-token"),
    **dict.fromkeys(("gitlab-pat", "gitlab-pat-routable", "gitlab-pat-routable-versioned", "gitlab-ptt",
                     "gitlab-rrt", "gitlab-deploy-token", "gitlab-runner-authentication-token",
                     "gitlab-runner-authentication-token-routable", "gitlab-cicd-job-token",
                     "gitlab-feed-token", "gitlab-kubernetes-agent-token", "gitlab-scim-token",
                     "gitlab-feature-flag-client-token", "gitlab-incoming-mail-token",
                     "gitlab-oauth-app-secret"),
                    "gitlab-token"),
    **dict.fromkeys(("slack-bot-token", "slack-user-token", "slack-app-token", "slack-legacy-token",
                     "slack-legacy-bot-token", "slack-legacy-workspace-token", "slack-config-access-token",
                     "slack-config-refresh-token", "slackappleveltoken", "slackappconfigaccesstoken",
                     "slackappconfigrefreshtoken"), "slack-token"),
    "slack-webhook-url": "slack-webhook",
    "stripe-access-token": "stripe-key",
    **dict.fromkeys(("npm-access-token", "npmjsaccesstoken"), "npm-token"),
    "pypi-upload-token": "pypi-token",
    "rubygems-api-token": "rubygems-token",
    **dict.fromkeys(("dockerhub-personal-access-token", "dockerhub-organization-access-token"),
                    "docker-token"),
    **dict.fromkeys(("anthropic-api-key", "anthropic-admin-api-key"), "anthropic-key"),
    "groq-api-key": "groq-key",
    "replicate-api-token": "replicate-token",
    **dict.fromkeys(("xai-api-key", "grokxaiapikey"), "xai-key"),
    "perplexity-api-key": "perplexity-key",
    **dict.fromkeys(("sendgrid", "sendgrid-api-token"), "sendgrid-key"),
    "twilio-api-key": "twilio-key",
    **dict.fromkeys(("shopify-access-token", "shopify-custom-access-token",
                     "shopify-private-app-access-token", "shopify-shared-secret"), "shopify-token"),
    "square-access-token": "square-token",
    **dict.fromkeys(("digitalocean-access-token", "digitalocean-pat", "digitalocean-refresh-token",
                     "digitaloceanapikey"), "digitalocean-token"),
    "databricks-api-token": "databricks-token",
    "atlassian-api-token": "atlassian-token",
    **dict.fromkeys(("postman-api-token", "postmanapikey"), "postman-key"),
    "linear-api-key": "linear-key",
    **dict.fromkeys(("grafana-api-key", "grafana-cloud-api-token", "grafana-service-account-token"),
                    "grafana-token"),
    "hashicorp-tf-api-token": "terraform-token",
    "supabase-management-token": "supabase-token",
    **dict.fromkeys(("figma-personal-access-token", "figma-personal-access-header-token"), "figma-token"),
    "jwt-base64": "jwt",
}
# The public prefixes of the formats codetape leaves to the engine: shown in masked previews
# (`RuleSet.prefix`).
PREFIXES: dict[str, tuple[str, ...]] = {
    "github-token": ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), "gitlab-token": ("GR1348941",),
    "slack-token": ("xapp-",), "npm-token": ("npm_",), "pypi-token": ("pypi-",), "xai-key": ("xai-",),
    "perplexity-key": ("pplx-",), "sendgrid-key": ("SG.",), "twilio-key": ("SK",),
    "shopify-token": ("shpat_", "shpca_", "shppa_", "shpss_"),
    "digitalocean-token": ("dop_v1_", "doo_v1_", "dor_v1_"), "postman-key": ("PMAK-",),
    "linear-key": ("lin_api_", "lin_oauth_"),
}
_NL = r"(?:\\r\\n|\\n|\r?\n)?"  # a line break, or one written as an escape in a string literal
_PEM = re.compile(r"-----BEGIN[A-Z0-9 ]*-----" + _NL + r"(.*?)" + _NL + r"-----END[A-Z0-9 ]*-----", re.DOTALL)


@dataclass(frozen=True)
class Hit:
    """One engine finding: `text[start:end]` is the secret, found by rule `rule` (codetape's naming)."""

    rule: str
    start: int
    end: int


@dataclass
class Found:
    """What one pass found: the engine's secrets, and where each of codetape's prefilters matched
    (prefilter number -> `(start, end)` character spans)."""

    hits: list[Hit] = field(default_factory=list)
    positions: dict[int, list[tuple[int, int]]] = field(default_factory=dict)


def rule_name(engine_id: str) -> str:
    """Kingfisher's rule id as a codetape rule id (a placeholder's RULE): `NAMED`'s where it has one."""
    name = engine_id
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix):]
            break
    name = _BAD.sub("-", name.lower()).strip("-._") or "engine"
    return NAMED.get(name, name)[:64]


class Engine:
    """Two compiled Kingfisher databases: its own rules, and codetape's prefilters. `public`: the ids of
    its rules that find what is not secret (see `public`)."""

    def __init__(self, main: Any, side: Any | None, names: Sequence[str], version: str,
                 public: frozenset[str] = frozenset()) -> None:
        self._main = main.scan
        self._side = side.scan if side is not None else None
        self.rules: frozenset[str] = frozenset(names)  # what its findings are named, and `NAMED`'s keys
        self.version = version
        self.public = public

    def scan(self, text: str) -> list[Hit]:
        """Every secret the engine finds in `text` (overlapping findings too: the caller resolves)."""
        return _found(text, self._main, self.public).hits

    def prefiltered(self, text: str, piece: int = PIECE) -> dict[int, list[tuple[int, int]]]:
        """Where the prefilter of each of codetape's rules matches in `text` (rule number -> spans), read
        in pieces of about `piece` bytes of whole lines (0: the whole text at once; the same spans)."""
        return _found(text, self._side, piece=piece).positions if self._side is not None else {}


def public(meta: dict[str, Any]) -> bool:
    """A rule that finds an identifier, not a secret. Kingfisher reports some findings only as parts of
    a pair (not `visible`): an AWS secret key beside its key id, but also a client id beside its secret,
    an account name, a tenant id, a project URL. Such a part is kept only when its rule's name says it
    is a secret (`keywords.strength`) and does not end in an identifier's word, or when it is the id half
    of a key pair (`alibaba-access-key-id`: prefixed key ids are redacted like AWS's `AKIA...`)."""
    if meta.get("visible", True):
        return False
    name = re.sub(r"\.\d+$", "", rule_name(str(meta["id"])))
    words = keywords.words(name)
    if words[-2:] == ["key", "id"]:
        return False
    return keywords.strength(name) is None or words[-1] in _IDENTIFIERS


def _found(text: str, scan: Any, public: frozenset[str] = frozenset(), piece: int = 0) -> Found:
    """What `scan` finds in `text`, in pieces of whole lines of about `piece` bytes when `piece` (the
    matches must not span a line break)."""
    out = Found()
    if not text:
        return out
    data = text.encode("utf-8", "surrogatepass")
    spans: list[tuple[int, int, str]] = []
    for base, part in _pieces(data, piece):
        for finding in scan(part):
            location = finding.location
            spans.append((base + location["start_offset"], base + location["end_offset"], finding.rule_id))
    if not spans:
        return out
    if len(data) != len(text):
        spans = _to_chars(data, spans)
    for start, end, engine_id in spans:
        if engine_id.startswith(OWN):
            out.positions.setdefault(int(engine_id[len(OWN):]), []).append((start, end))
            continue
        if end <= start or engine_id in public:
            continue
        if text.startswith("-----BEGIN", start):
            start, end = _pem_body(text, start, end)
            if end <= start:
                continue
        elif end - start < SHORT:
            # shorter than any credential: a group of a longer match (a webhook URL's), which it stands for
            start, end = token_around(text, start, end)
        out.hits.append(Hit(rule_name(engine_id), start, end))
    return out


def _pieces(data: bytes, size: int) -> Iterator[tuple[int, bytes]]:
    """`data` cut after the first line break at least `size` bytes into each piece: (offset, piece). The
    whole of `data` at once when `size` is 0."""
    if not size or len(data) <= size:
        yield 0, data
        return
    base = 0
    while base < len(data):
        cut = data.find(b"\n", base + size - 1)
        end = len(data) if cut == -1 else cut + 1
        yield base, data[base:end]
        base = end


def _to_chars(data: bytes, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Byte offsets into `data` as character offsets into the text it encodes. A character is one byte
    that is not a UTF-8 continuation byte, so an offset inside a character (a pattern of the engine's
    may match a byte of one) stands after that character, and the next offset still counts exactly."""
    offsets = sorted({b for start, end, _ in spans for b in (start, end)})
    chars: dict[int, int] = {}
    last_b = last_c = 0
    for b in offsets:
        last_c += len(data[last_b:b].translate(None, _CONTINUATION))
        chars[b] = last_c
        last_b = b
    return [(chars[start], chars[end], rule) for start, end, rule in spans]


_CONTINUATION = bytes(range(0x80, 0xC0))  # UTF-8 continuation bytes: 10xxxxxx


def _pem_body(text: str, start: int, end: int) -> tuple[int, int]:
    """The body of an armoured block found at `[start, end)`, without its BEGIN and END lines."""
    match = _PEM.match(text, start, end)
    if match is None:
        return start, end
    return match.span(1)


def load(prefilters: tuple[str, ...] = ()) -> Engine:
    """The engine of this process, compiled (or read from Kingfisher's cache) on first use. Rule N of
    codetape's rule set is looked for by `prefilters[N]` ("" where it runs everywhere). A thread that asks
    while another loads it (the collector loads it ahead: daemon/server.py) waits for that load."""
    with _LOADING:
        return _load(prefilters)


_LOADING = threading.Lock()


def version() -> str:
    """The engine's version, as its `Engine.version` says, without compiling its rules: a seal that needs
    no engine names it in its summary without waiting for the load."""
    return f"kingfisher-{_sdk().__version__}"


def _sdk() -> ModuleType:
    """Kingfisher's module: its native module (~0.1 s) at first use, and a clear error without it."""
    try:
        import kingfisher_sdk  # start-up: a native module (~0.1 s) only a seal that redacts needs
    except ImportError as exc:
        raise CodetapeError(f"secret redaction needs {PACKAGE}, which cannot be imported ({exc}); "
                            f"reinstall codetape (pip install --force-reinstall codetape)") from None
    return kingfisher_sdk


@functools.cache
def _load(prefilters: tuple[str, ...]) -> Engine:
    kingfisher_sdk = _sdk()
    with tempfile.TemporaryDirectory(prefix="codetape-rules-") as tmp:
        try:
            main = kingfisher_sdk.Rules([], builtins=True, confidence="low")
            side = (kingfisher_sdk.Rules(_paths(Path(tmp) / "codetape.yml", prefilters), builtins=False,
                                         confidence="low") if any(prefilters) else None)
        except (OSError, RuntimeError, ValueError) as exc:
            raise CodetapeError(f"the {PACKAGE} rules cannot be loaded: {exc}") from None
    metadata = main.metadata()
    names = [rule_name(str(meta["id"])) for meta in metadata] + list(NAMED)
    return Engine(kingfisher_sdk.Scanner(main, base64=False),
                  kingfisher_sdk.Scanner(side, base64=False) if side is not None else None,
                  names, version(),
                  frozenset(str(meta["id"]) for meta in metadata if public(meta)))


def _paths(path: Path, patterns: Sequence[str]) -> list[str]:
    """`patterns` written as a rules file at `path`; the file's path, or none when there is no pattern."""
    if not any(patterns):
        return []
    path.write_text(_rules_yaml(patterns), encoding="utf-8")
    return [str(path)]


def _rules_yaml(prefilters: Sequence[str]) -> str:
    """Codetape's prefilters as a Kingfisher rules file (JSON strings are YAML strings)."""
    lines = ["rules:"]
    for n, pattern in enumerate(prefilters):
        if pattern:
            lines += [f"  - name: codetape prefilter {n}", f"    id: {OWN}{n}",
                      f"    pattern: {json.dumps(pattern)}", "    min_entropy: 0", "    confidence: medium"]
    return "\n".join(lines) + "\n"
