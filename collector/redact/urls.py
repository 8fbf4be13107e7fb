"""Where a URL carries a credential by its place in it, on any host, in any language's string or log line.

An API that takes its key in the URL puts it in one of two places, whatever the vendor:

    query parameter   `?apikey=...`, `&access_token=...`, `;key=...`, ended by `&`, `#`, a quote, a bracket
                      or white space (a Markdown link's `)`, an HTML attribute's `"`, a log's `]`), and
                      the same `name=value&...` as a form body in a string (`data='api_key=...&q=x'`).
                      The name is read with `keywords.py` and its value asked that name's test; a name
                      that says an application's or a client's id (`appid`, `client_id`) is how some APIs
                      name their key, so it counts with a machine-made value only.
    path segment      a machine-made segment of the path of a URL to an API (`/v2/<key>/latest`; the host or
                      a segment before says API or a version): letters and digits that switch as only a
                      generator writes them. Left alone: pages' paths (a document's id in a shared link),
                      hexadecimal digests and UUIDs (commits, content hashes, object ids), words and
                      numbers joined by `-` or `_` (slugs, versions), and segments with a `.` (file
                      names, fingerprinted assets). A random token of hexadecimal digits alone is not told
                      from a digest, so it is left too.
"""

from __future__ import annotations

import re
from itertools import pairwise

from collector.redact import keywords
from collector.redact.letters import gibberish
from collector.redact.named import named, value
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import HEX, RANDOM_LETTERS, machine_made

_K = "(?i:" + "|".join((*keywords.SECRET_WORDS, "id")) + ")"
# the last words of a parameter that names an application's or a client's key as its id
_KEY_IDS = frozenset({("app", "id"), ("appid",), ("client", "id"), ("clientid",), ("api", "id"), ("apiid",)})
_ENDS = "&#\"'`<>()[]{},;|\\ \t\r\n"


def _query(match: re.Match[str]) -> bool:
    """A parameter of a query string (after `?`, `&` or `;`), or the first of a form body in a string (a
    quote before it, `&` after the value); named like a secret, or like a key's id with a machine-made
    value."""
    text, start, end = match.string, match.start(), match.end()
    before = text[start - 1] if start else ""
    if before not in "?&;" and not (before in "\"'`" and text.startswith("&", end)):
        return False
    parts = keywords.words(match.group("k"))
    if tuple(parts[-2:]) in _KEY_IDS or tuple(parts[-1:]) in _KEY_IDS:
        return machine_made(value(match))
    return named()(match)


_API_MARK = re.compile(r"(?i:api|rest|rpc|graphql|v\d{1,2}(?:\.\d{1,2})?)")


def _api_path(text: str, start: int) -> bool:
    """`start` is in the path of a URL to an API, after `scheme://host/` on its line with nothing between
    that a URL cannot hold: the host or a path segment before `start` says API (`api.example.com`,
    `rates-api.example`, `/api/`, `/rpc/`, a version `/v2/`). A page's path holds document and file ids
    (`/document/d/<id>`), which are shared as links, not sent as keys."""
    line = text.rfind("\n", 0, start) + 1
    scheme = text.rfind("://", line, start)
    if scheme < 0:
        return False
    between = text[scheme + 3:start]
    if "/" not in between or any(ch in _ENDS for ch in between):
        return False
    host, _, path = between.partition("/")
    return any(_API_MARK.fullmatch(word) for word in re.split(r"[.\-]", host.split(":")[0])) \
        or any(_API_MARK.fullmatch(segment) for segment in path.split("/"))


def _word_part(part: str) -> bool:
    """A part of a slug: a word (not random letters), a number, hexadecimal digits, or a short word with a
    number in it (`v2`, `oauth2`, `rfc6265bis`, `x86`)."""
    if HEX.issuperset(part) or part.isdigit():
        return True
    if part.isalpha():
        return not (len(part) >= RANDOM_LETTERS and gibberish(part))
    switches = sum(a.isdigit() != b.isdigit() for a, b in pairwise(part))
    return len(part) <= 12 and switches <= 2 and (part.islower() or part.isupper())


def _slug(segment: str) -> bool:
    """Words, numbers and hexadecimal ids joined by `-` or `_`: a slug (`norm-inv-function-54b30935-...`), a
    UUID, a digest, a version; a random token has parts that mix cases or letters past `f` with digits."""
    return all(_word_part(part) for part in re.split(r"[-_~]+", segment) if part)


def _segment(match: re.Match[str]) -> bool:
    """A machine-made path segment that is no slug, digest or UUID, in the path of a URL to an API."""
    found = value(match)
    if _slug(found) or not machine_made(found):
        return False
    return _api_path(match.string, match.start())


URLS: tuple[Rule, ...] = (
    Rule("url-query-secret", compile_verbose(r"""(?P<k>[A-Za-z_][\w.\-]{0,60}(?:\[\])?)=
         (?P<v>[^\s&#"'`<>()\[\]{},;|\\]{8,512})(?=[&#"'`<>()\[\]{},;|\\\s]|$)"""),
         (*keywords.SECRET_WORDS, "id="), fold=True, priority=3, token=True, check=_query,
         prefilter=r"[?&;\"'`][A-Za-z_][\w.\-]*" + _K + r"[\w.\-]*(?:\[\])?=[^\s&#\"'`<>()\[\]{},;|\\]{8}"),
    Rule("url-path-token", compile_verbose(r"""(?<=/)(?P<v>[A-Za-z0-9_\-~]{20,256})
         (?=[/?#"'`<>()\[\]{},;|\\\s]|$)"""),
         ("://",), priority=3, token=True, check=_segment,
         prefilter=r"://[^\s\"'`<>]*/[A-Za-z0-9_\-~]{20}"),
)
