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

Machine-made tokens wherever they stand: a value only a generator writes, whatever names or surrounds it.

The other rules find a secret by its place (a keyword, a header, a URL, a record's field) or by a
provider's fixed prefix. Each new source of secrets brings new kinds of line, so those rules always
trail; this one asks nothing of the line. Any run of token characters (letters, digits, `_-+/.`, base64's
padding) is a secret when it is drawn at random: letters and digits switching, or upper and lower case
switching, within one piece, as no word, identifier or name does (`DRAWN`); letters whose pairs are not
those of words (`letters.gibberish`); varied characters (entropy >= 3.5 bits); `values.machine_made`.

What else is drawn or looks drawn is kept, by what it is:

    hexadecimal        digests, git object names, UUIDs: a hex key cannot be told from them without a
                       name, so hex values stay the context rules' (`builtin.py`)
    digest syntax      `sha512-...` (Subresource Integrity, lock files), `sha256:...`, go.sum's `h1:`
                       and similar: the algorithm's name says it is a digest of public data
    numbers            hexadecimal floats (`0x1.df11f45f4e61ap+2`)
    encoded data       base64 of text (in any encoding) or of structured binary data
                       (`values.encoded_data`), a mail header's encoded word (`=?koi8-r?b?...?=`), a line
                       of a block of base64 lines (a certificate's body)
    alphabets          characters in order (`ABCDEF...`, `abc...xyz0123456789+/`, `AaBbCc`, an option
                       string's sorted letters `acdFfGghLl`), or letters each written once (a format's
                       conversions `aAbdiuoxXDOUfFeEgG`): tables and sets, written by a person
    joined words       identifiers, paths and names made of pieces none of which is drawn
                       (`ssa.OpAMD64CMOVQGTF`, `gccgoSymbolPrefix`, `fqgitdir/gitweb/gitweb.psgi`,
                       `x86_64-pc-linux-gnu-gcc-4.4.2`), a host's or a file's name (`...googlegroups.com`)
    in a URL           a URL's path and query are the URL rules' (`places.py`): they know a key's parameter
                       from a video's or a document's id

Entropy alone is not enough (a Go op name has as much as a key): the look-alike filters are what keep
names, data and code from being taken for tokens.
The engine finds the lines worth looking at with `DRAWN` (a rule without anchors, its prefilter only).
The rule is a last resort (`scanner.LAST_RESORT`): where another rule or the engine finds anything, that
finding stands, and while its value ends at the keystroke it waits for the next (`scanner.UNTIL_TYPED`).
"""

from __future__ import annotations

import re
from itertools import pairwise

from collector.redact.rules import keywords
from collector.redact.rules.keywords import value as _v
from collector.redact.rules.rule import Rule, compile_verbose
from collector.redact.rules.values import (
    char_classes,
    encoded_data,
    entropy,
    gibberish,
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


# -- Machine-made tokens wherever they stand: a value only a generator writes, whatever names or surrounds it.

MIN_ENTROPY = 3.5  # bits per character: at least a dozen different characters in use
DIGIT_SWITCHES = 6  # letters and digits switching this often, and in a fifth of the pairs: drawn
ZERO_SHARE = 4  # base64 decoding to one zero byte in this many is structured data, not a key
WORD_RUN = 8  # letters in a row that, unless random, are a word: the value joins words and numbers
LOWER_RUNS = 4  # runs of lower case letters a piece needs to tell how cases switch
SINGLE_SHARE = 0.4  # of those, one letter long: random (about half), not words (a fifth or fewer)
URL_REACH = 512  # how far back a URL may begin
MIN_DRAWN = 8  # the shortest piece between separators that may show it was drawn
ORDERED_SHARE = 0.75  # pairs in alphabetical order: a random draw has about half
# A piece drawn at random: letters and digits switching four times (`r8TRc9Z`), or cases switching so
# often that lower case letters stand alone (`hKdWqZ`: `case_drawn`). Words, identifiers and mnemonics
# switch seldom (`OpAMD64CMOVQGTF`: twice, `auxS390XCCMaskUint8`: three times), and their words' lower
# case tails are long (`htmlEndTagInBody`).
_DRAWN_SOURCE = (r"[A-Za-z][0-9]+[A-Za-z]+[0-9]+[A-Za-z]"
                 r"|[A-Z][a-z][A-Z0-9][A-Za-z0-9]{0,6}[A-Z][a-z][A-Z0-9]")
DRAWN = re.compile(_DRAWN_SOURCE)
_SWITCHING = re.compile(_DRAWN_SOURCE.rsplit("|", 1)[0])
_LOWER_RUN = re.compile(r"(?<=[A-Z])[a-z]+")  # the lower case letters after a capital
_SEPARATORS = re.compile(r"[._\-/+]+")
_HEX = re.compile(r"(?:0[xX])?[0-9A-Fa-f]+")
_HEX_FLOAT = re.compile(r"0[xX][0-9A-Fa-f]*\.?[0-9A-Fa-f]*[pP][+-]?[0-9]+")
_LETTER_RUN = re.compile(r"[A-Za-z]{" + str(WORD_RUN) + ",}")
_BLOCK_LINE = re.compile(r"[ \t\"'`,]*[A-Za-z0-9+/]{40,}={0,2}[ \t\"'`,\\]*")
_BLOCK_END = re.compile(r"[ \t\"'`,]*[A-Za-z0-9+/]{4,}={0,2}[ \t\"'`,\\]*")  # a block's last line
_ENCODED_WORD = re.compile(r"=\?[\w\-.:]+\?[BbQq]\?$")  # a mail header's encoded text: `=?koi8-r?b?...?=`
_RUN_BEFORE = re.compile(r"[^\s\"'`<>()\[\],;]*\Z")  # a URL ends at a comma: a CSV's next field
_NAMED_END = re.compile(r"\.[a-z][a-z0-9]{1,5}")  # a host's or a file's name: `q2g2000vbk.googlegroups.com`
_DIGEST_NAME = r"(?i:h1|sha-?(?:1|224|256|384|512)|md5|blake2[bs]?(?:-?\d+)?|sha3-?\d+|xxh\d*|crc32)"
_DIGEST_PREFIX = re.compile(_DIGEST_NAME + r"[-:=~]")
_DIGEST_BEFORE = re.compile(_DIGEST_NAME + r"[\"']?[ \t]*[-:=~][ \t]*[\"']?$")
_TOKEN = re.compile(r"""(?<![\w+/\-.])(?P<v>[A-Za-z0-9][A-Za-z0-9_\-+/.]{14,1022}[A-Za-z0-9_\-+/])={0,2}
    (?![\w+/\-=]|\.[\w+/\-])""", re.VERBOSE)


def drawn_piece(piece: str) -> bool:
    """One piece between separators that switches between letters and digits, or cases, as a draw does."""
    if len(piece) < MIN_DRAWN or DRAWN.search(piece) is None:
        return False
    return _SWITCHING.search(piece) is not None or case_drawn(piece)


def case_drawn(piece: str) -> bool:
    """Lower case letters after a capital that stand alone as often as in a random draw (half of them are one
    letter long), not the tails of words (`GoAway`, `s390xCCMaskToAux`)."""
    runs = [len(run) for run in _LOWER_RUN.findall(piece)]
    return len(runs) >= LOWER_RUNS and runs.count(1) / len(runs) >= SINGLE_SHARE


def generated(value: str, before: str = "") -> bool:
    """A machine-made token that is none of the look-alikes above; `before`: the text just before it. The
    cheap tests first: most candidates are identifiers, which the first two turn away."""
    if "." in value and drawn_host(value):
        value = value.split(".", 1)[0]  # the token bound to a domain: the domain's words are no test of it
    if not any(drawn_piece(piece) and not _HEX.fullmatch(piece) for piece in _SEPARATORS.split(value)):
        return False  # hexadecimal (a digest, a UUID, a number), or words and identifiers joined
    if entropy(value) < MIN_ENTROPY or not (gibberish(value) or (digits_drawn(value) and not worded(value))):
        return False
    if _HEX_FLOAT.fullmatch(value) or _DIGEST_PREFIX.match(value) or _DIGEST_BEFORE.search(before) \
            or _ENCODED_WORD.search(before) or _NAMED_END.fullmatch(value, value.rfind(".")):
        return False
    if ordered(value) or charset(value) or not machine_made(value):
        return False
    return not encoded_data(value, zeros=-ZERO_SHARE)


def drawn_host(value: str) -> bool:
    """A host's name whose first label mixes cases as a draw does (`1234-aBcD3fGh...apps.example.com`): host
    names are written in lower case, so this is a token bound to a domain (an OAuth client's id and the
    like), not a host someone named (`q2g2000vbk.googlegroups.com` is kept)."""
    label = value.split(".", 1)[0]
    if value.count(".") < 2 or _NAMED_END.fullmatch(value, value.rfind(".")) is None:
        return False
    return any(drawn_piece(piece) and not piece.islower() and not piece.isupper()
               for piece in _SEPARATORS.split(label))


def charset(value: str) -> bool:
    """Letters each written once (`aAbdiuoxXDOUfFeEgGcCsSpn`, a format's conversions, a command's options):
    a set of characters; twenty random letters repeat one 98 times in 100."""
    return value.isalpha() and len(set(value)) == len(value)


def worded(value: str) -> bool:
    """A long run of letters that is no draw but a word (`SPECIALNOEQMEM0MEM8`, generated names)."""
    return any(not gibberish(run) for run in _LETTER_RUN.findall(value))


def digits_drawn(value: str) -> bool:
    """Letters and digits switching as often as in a draw from both (`ta85yexd78dfbly8oadgfryxf3adow`): too
    few letters side by side to tell words from random letters, but no name switches this often."""
    switches = sum(a.isdigit() != b.isdigit() for a, b in pairwise(value) if a.isalnum() and b.isalnum())
    return switches >= DIGIT_SWITCHES and switches / len(value) >= 0.2


def ordered(value: str) -> bool:
    """Characters mostly in alphabetical order, whatever their case: an alphabet or a sorted set."""
    folded = [ch.lower() for ch in value if ch.isalnum()]
    steps = [a <= b for a, b in pairwise(folded)]
    return bool(steps) and sum(steps) / len(steps) >= ORDERED_SHARE


def in_block(text: str, start: int, end: int) -> bool:
    """The token is a line of its own in a block of base64 lines (a certificate's or a test key's body,
    embedded data): the line above or below is one too. A private key's block is the private key rules'."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    if not _BLOCK_END.fullmatch(text, line_start, line_end):
        return False
    above = text.rfind("\n", 0, max(0, line_start - 1)) + 1
    below = text.find("\n", line_end + 1)
    below = len(text) if below == -1 else below
    return ((line_start > 0 and _BLOCK_LINE.fullmatch(text, above, line_start - 1) is not None)
            or (line_end < len(text) and _BLOCK_LINE.fullmatch(text, line_end + 1, below) is not None))


def in_url(text: str, start: int) -> bool:
    """The token is a part of a URL (its path, its query): those are the URL rules' (`places.py`), which
    know a key's parameter from an id's (a video's, a document's, a fingerprinted asset's)."""
    run = _RUN_BEFORE.search(text, max(0, start - URL_REACH), start)
    return run is not None and "://" in run.group()


def _check(match: re.Match[str]) -> bool:
    start = match.start()
    text = match.string
    return (generated(match.group("v"), text[max(0, start - 24):start])
            and not in_url(text, start) and not in_block(text, start, match.end()))


GENERATED: tuple[Rule, ...] = (
    Rule("generated-token", _TOKEN, priority=6, token=True, check=_check, prefilter=_DRAWN_SOURCE),
)
