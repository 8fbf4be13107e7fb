"""Credentials whose name no vocabulary knows, found by where they stand and by what they look like.

`keywords.py` knows the names of secrets (`API_KEY`, `X-Api-Key`, `client_secret`), but a provider may
call its credential anything: `X-JFrog-Art-Api`, `X-Honeycomb-Team`, `CB-ACCESS-SIGN`, `APP_CERTIFICATE`,
or nothing at all (the user half of HTTP basic auth, a webhook URL's path). These rules look at places
where a value is sent or configured as a credential whatever its name, and ask the value to be
machine-made, so that a word, a path, an id or a hash there is left alone:

    request-header   any header of a request that is not a standard or an id header: `curl -H` /
                     `--header`, httpie's `Name:value`, a quoted header map (`"X-Team": "..."`, or any
                     `"Title-Case": "..."` after the word `header`)
    basic-auth       `-a` / `--auth` of HTTP clients (httpie, `ab`), a key as the user name
                     (`auth=("KEY", "")`)
    webhook-url      the path of a webhook URL (`hooks.*` hosts, `/hooks/`, `/webhooks/`, `/inputs/`),
                     which is the capability itself
    machine-secret   an UPPER_SNAKE setting (`.env`, `export`, YAML, Dockerfile) whose value is a long
                     mixed-case token no identifier, hash or encoded text looks like

Every value here is one credential-shaped token (`shape.py`), so the rules are `token` rules: a keystroke
that leaves no such token around it does not run them.
"""

from __future__ import annotations

import re

from collector.redact import keywords
from collector.redact.named import value as _v
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import (
    char_classes,
    encoded_data,
    entropy,
    machine_made,
    password_like,
    token_like,
    word_set,
)

# Headers that carry no credential: content negotiation, caching, tracing and request ids, routing.
_STANDARD_HEADERS = word_set("""accept accept-charset accept-encoding accept-language cache-control connection
    content-length content-type content-encoding content-disposition content-md5 date etag expect from host
    if-match if-modified-since if-none-match if-range if-unmodified-since max-forwards origin pragma range
    referer te trailer transfer-encoding upgrade user-agent via warning dnt traceparent tracestate baggage
    x-requested-with x-forwarded-for x-forwarded-host x-forwarded-proto x-real-ip x-http-method-override
    x-b3-traceid x-b3-spanid x-b3-parentspanid x-b3-sampled x-amzn-trace-id x-cloud-trace-context
    idempotency-key x-idempotency-key content-sha256 x-amz-content-sha256 x-amz-date x-ms-date x-ms-version
    x-github-api-version""")
# The last word of a header or setting that names something public: an id, a version, a digest.
_PUBLIC_LAST = word_set("""id ids uuid guid version ver rev revision date time timestamp ts region zone locale
    lang language hash sha sha1 sha256 sha512 md5 digest checksum fingerprint etag commit ref trace span
    request correlation session-id type format encoding charset length count page limit offset cursor
    name user username email account org tenant project workspace team-id app-id client-id host url uri
    path dir file endpoint domain data image icon logo blob payload base64 b64 encoded expected sample
    fixture example pattern regex message text template salt nonce iv""")


def _public_name(name: str) -> bool:
    """A header or setting that names something public (an id, a version, a digest, a place)."""
    parts = keywords.words(name)
    return not parts or parts[-1] in _PUBLIC_LAST or name.lower() in _STANDARD_HEADERS


def _sent_value(value: str) -> bool:
    """What a credential sent under any name looks like: a machine-made token (not a word, a version,
    an address or a path)."""
    return len(value) >= 16 and token_like(value) and machine_made(value)


def _header(match: re.Match[str]) -> bool:
    """A header named like a secret with a token, or any other but a public one with a long token."""
    name, value = match.group("k"), _v(match)
    if keywords.strength(name) is not None:
        return token_like(value)
    return not _public_name(name) and _sent_value(value)


def _basic_auth(match: re.Match[str]) -> bool:
    value = _v(match)
    if match.group("v") is not None:
        return password_like(value) or token_like(value)
    return _sent_value(value)


def _webhook(match: re.Match[str]) -> bool:
    path = _v(match)
    return sum(ch.isalnum() for ch in path) >= 10 and any(ch.isdigit() for ch in path)


def _machine_secret(match: re.Match[str]) -> bool:
    """A long mixed-case machine-made value under a setting's name that says nothing public."""
    value = _v(match)
    if _public_name(match.group("k")) or keywords.strength(match.group("k")) is not None:
        return False  # a name that says secret is the named rules' (they ask less of the value)
    return (len(value) >= 24 and char_classes(value) >= 3 and entropy(value) >= 4.0 and machine_made(value)
            and not encoded_data(value) and not any(map(_word, value.split("/")[:-1])))


def _word(part: str) -> bool:
    """A directory's name (`Library`, `Frameworks`): letters in at most two runs of one case."""
    return part.isalpha() and len(part) >= 5 and len(re.findall(r"[A-Z]+|[a-z]+", part)) <= 2


_NAME = r"[A-Za-z][A-Za-z0-9_\-]{1,80}"
_VALUE = r"[^\s\"'`]{16,2048}"

UNNAMED: tuple[Rule, ...] = (
    Rule("request-header", compile_verbose(r"""(?<![\w\-])(?:-H|--header)(?:=|[ \t]+)["']?
         (?P<k>""" + _NAME + r""")[ \t]*:[ \t]*(?P<v>""" + _VALUE + ")"),
         ("-H", "--header"), priority=3, token=True, check=_header,
         prefilter=r"(?:-H|--header)[= \t]+[\"']?[A-Za-z][A-Za-z0-9_\-]*[ \t]*:[ \t]*[^\s\"'`]{16}"),
    # httpie and xh: `http GET URL 'X-Team:VALUE'` (`:=`, `==` and `@` are JSON, query and file items)
    Rule("request-header", compile_verbose(r"""(?:^|(?<=[\s;&|(]))(?:http|https|xh|xhs)[ \t]
         [^\n]*?(?<=[ \t])["']?(?P<k>""" + _NAME + r"""):(?![=/])(?P<v>""" + _VALUE + ")"),
         ("http ", "https ", "http\t", "https\t", "xh ", "xhs "), fold=True, priority=3, token=True,
         check=_header,
         prefilter=r"(?:http|https|xh|xhs)[ \t][^\n]*[ \t][\"']?[A-Za-z][A-Za-z0-9_\-]*:[^\s\"'`=/]"),
    # a quoted header map or call: {"X-Team": "..."}, ("X-Team", "..."), and after `header`, any header's
    # name (words that each begin with a capital): headers: { 'CB-ACCESS-SIGN': '...' }
    Rule("request-header", compile_verbose(r"""(?P<kq>["'])(?P<k>[Xx]-[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)(?P=kq)
         [ \t]*(?::|=>|,)[ \t]*(?P<q>["'])(?P<v>[^"'\n\\\s]{16,2048})(?P=q)"""),
         ('"x-', "'x-"), fold=True, priority=4, token=True, check=_header,
         prefilter=r"[\"'][Xx]-[A-Za-z0-9\-]*[\"'][ \t]*(?::|=>|,)[ \t]*[\"'][^\"'\s]{16}"),
    Rule("request-header", compile_verbose(r"""(?i:header)[^\n]{0,200}?
         (?P<kq>["'])(?P<k>[A-Z][A-Za-z0-9]*(?:-[A-Z][A-Za-z0-9]*)+)(?P=kq)
         [ \t]*(?::|=>|,)[ \t]*(?P<q>["'])(?P<v>[^"'\n\\\s]{16,2048})(?P=q)"""),
         ("header",), fold=True, priority=4, token=True, check=_header,
         prefilter=r"(?i:header)[^\n]*[\"'][A-Z][A-Za-z0-9]*-[A-Z][A-Za-z0-9\-]*[\"'][ \t]*(?::|=>|,)"),
    Rule("basic-auth", compile_verbose(r"""(?<![\w\-])(?:-a|--auth)(?:=|[ \t]+)(?P<q>["']?)
         (?:[^\s:"'`]{1,128}:(?P<v>[^\s"'`]{3,256})|(?P<v2>[^\s:"'`]{16,256}):)(?P=q)(?=[\s;|&)]|$)"""),
         ("-a", "--auth"), priority=2, token=True, check=_basic_auth,
         prefilter=r"(?:-a|--auth)[= \t]+[\"']?[^\s:\"'`]+:(?:[^\s\"'`]{3}|[\"'\s]|$)"),
    # requests' auth=("KEY", ""), HTTPBasicAuth("KEY", ""): a key as the user, the password empty
    Rule("basic-auth", compile_verbose(r"""(?i:auth|HTTPBasicAuth|BasicAuth)[ \t]*[=(:][ \t]*[(\[]?[ \t]*
         (?P<q>["'])(?P<v>[^"'\s]{16,512})(?P=q)[ \t]*,[ \t]*(?P<e>["'])(?P=e)"""),
         ("auth",), fold=True, priority=2, token=True, check=lambda m: _sent_value(_v(m)),
         prefilter=r"(?i:auth)[ \t]*[=(:][ \t]*[(\[]?[ \t]*[\"'][^\"'\s]{16}"),
    Rule("webhook-url", compile_verbose(r"""https?://(?:hooks\.[\w.\-]+/[\w\-]+
         |[\w.\-]+(?::\d+)?/(?:[\w.\-]+/){0,3}?(?:hooks|webhooks?|inputs))
         /(?P<v>[A-Za-z0-9_\-/.~%]{10,512})"""),
         ("hooks", "webhook", "/inputs/"), fold=True, priority=3, token=True, check=_webhook,
         prefilter=r"(?i:https?://[^\s\"'`]*(?:hooks|webhook|/inputs/))"),
    Rule("machine-secret", compile_verbose(r"""(?:^|(?<=[\s;&|(\-]))(?:export[ \t]+|ENV[ \t]+|set[ \t]+)?
         (?P<k>[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)[ \t]*(?:=|:)[ \t]*
         (?P<q>["']?)(?P<v>[A-Za-z0-9_\-+/=]{24,512})(?P=q)(?=[ \t]*(?:[\s;&|)\#,]|$))""", re.MULTILINE),
         ("_",), priority=4, token=True, check=_machine_secret,
         prefilter=r"_[A-Z0-9_]*[ \t]*[=:][ \t]*[\"']?[A-Za-z0-9_\-+/=]{24}"),
)
