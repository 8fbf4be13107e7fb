"""Is a candidate value plausibly a secret? Entropy, character classes, placeholders, code-likeness.

Most of these checks veto candidates found by a rule's structure (a keyword, an assignment, a URL with
credentials). One rule now detects on what a value is alone: `unnamed.py` finds machine-made tokens
anywhere, with `machine_made`, `letters.gibberish` and entropy as its signals and look-alike filters
(hex, digests, encoded data, alphabets, joined words) to keep what only looks drawn.

Is a run of letters language (words, identifiers) or drawn at random?

Two letters in a row of English or of code (`th`, `er`, `in`, `st`) are a few of the 676 possible: the
`COMMON` bigrams below make up 90 % of the bigrams in the words and identifiers of Python's standard
library. In a random string about one bigram in four is one of them; in words, identifiers and names
run together (`includesystemsitepackages`, `DistutilsPlatformError`) four in five are. A value with few
common bigrams is `gibberish`: a random token even without a digit (`olGVPvcfqMIKOCdishux`).
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from itertools import pairwise

PLACEHOLDER_MARK = "«redacted:"


def word_set(words: str) -> frozenset[str]:
    """The set of white-space separated words in `words`."""
    return frozenset(words.split())


# Values that stand for a secret rather than being one: templates, variable references, masks,
# and the words documentation and tests put where a secret would go.
_TEMPLATE = re.compile(
    r"""\$\{?[A-Za-z_][\w.\-:]*\}?|\$\([^)]*\)|%\([\w.]+\)[sdr]|%[sdr]|%[A-Za-z_][\w.]*%|\{\{.*\}\}|\{[\w.\-]*\}
    |<[^<>]*>|\[[^\[\]]*\]|\#\{[^}]*\}|@[A-Za-z_][\w.]*@|__[A-Z_]+__""",
    re.VERBOSE,
)
# A shell's or a template literal's expansion inside a value: the value is built when it runs
# (`pat="*.${service[1,-2]}"`, `"$(pass show ci/token)"`), not written out.
_EXPANSION = re.compile(r"\$\{[A-Za-z_#!@*0-9][^{}\s]*\}|\$\([A-Za-z_][^()]*\)")
_MASK = re.compile(r"([*xX#.•…_\-?0])\1{2,}|[*•]+[^*•]{0,4}[*•]+")
_WORDS = word_set("""
    changeme changeit change_me change-me password passwd passw0rd p@ssw0rd p@ssword pass pwd pw secret
    secrets secretkey secret_key token tokens apikey api_key api-key yourpassword your_password
    yourtoken your_token yoursecret your_secret mypassword my_password mysecret my_secret mytoken
    my_token example examplepassword sample dummy fake test testing tests none null nil undefined true
    false redacted placeholder foo foobar bar baz qux spam eggs ham admin root user username guest
    letmein qwerty default empty hidden masked private public secure insecure required optional
    string str value key keys id env tbd todo fixme xxx unknown invalid missing notset not_set
    sekrit s3cret s3cr3t abc abc123 12345 123456 1234567 12345678 123456789 1234567890 password1
    password123 pass123 letmein123 ytrewq hunter hunter2 tiger scott guessme opensesame
""")
_PREFIX_WORDS = ("your", "insert", "replace", "enter", "put_", "put-", "<", "example", "dummy",
                 "fake", "sample", "xxx", "****", "redacted", "placeholder", "change_me", "changeme")
_WORD = re.compile(r"[A-Za-z]+")
_CASE_RUN = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_NAME = re.compile(r"[A-Za-z_$][\w$]*(?:(?:\.|::|->|:)[A-Za-z_$][\w$]*)+"  # dotted, namespaced
                   r"|_?[A-Za-z]+(?:_[A-Za-z]+)+_?|_[A-Za-z_]+")  # snake_case, _private
_CODE_ROOTS = word_set("""self cls this os sys config conf cfg settings env args opts options request req ctx
    context app params kwargs data obj user form process window document props state module""")
_REGEX = re.compile(r"\(\?[:=!<P]|\[[^\]]*-[^\]]*\][*+?{]|\\[dwsb]|\[\^|\.\*|\.\+|\$\)")
_FORMAT = re.compile(r"%(?:\(\w+\))?[-+ #0]*\d*(?:\.\d+)?[sdrifxXa](?![A-Za-z0-9])|\{[^{}]*\}|\\[nt]")
HEX = frozenset("0123456789abcdefABCDEF")
LONG_DIGITS = 20  # digits alone under a token's name, at least this many, are a random number
RANDOM_LETTERS = 12  # letters alone, at least this many, may be a random token (`letters.gibberish`)
_SOURCE_FILE = re.compile(r"(?:\.{1,2}/|/|@)[\w.\-@/]*\.(?:[cm]?js|jsx?|tsx?|json|css|go|rs|java|kt|rb"
                          r"|php|lua|vim|el|cc?|h|hpp|cpp|md|wasm|node)", re.IGNORECASE)
_VERSION = re.compile(r"(?:[~^]|[<>]=?|==?)?v?\d{1,6}(?:\.\d{1,6}){1,3}(?:-[0-9A-Za-z.\-]{1,40})?")
_PATH = re.compile(r"(?:~|\.{1,2})?(?:/[\w.\-@]+)+/?|[A-Za-z]:\\[\w.\\ \-]*|\\\\[\w.\\\-]+")


def entropy(value: str) -> float:
    """Shannon entropy in bits per character."""
    if not value:
        return 0.0
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


def char_classes(value: str) -> int:
    """How many of lower case, upper case, digits and other characters the value uses."""
    lower = upper = digit = other = 0
    for ch in value:
        if "a" <= ch <= "z":
            lower = 1
        elif "A" <= ch <= "Z":
            upper = 1
        elif "0" <= ch <= "9":
            digit = 1
        else:
            other = 1
    return lower + upper + digit + other


def is_placeholder(value: str) -> bool:
    """A template, a variable reference, a mask, or a word that stands in for a secret."""
    stripped = value.strip("\"'`:")  # quoted, or a symbol (`:password`, a completion spec's `:password:`)
    folded = stripped.lower()
    if not stripped or PLACEHOLDER_MARK in stripped or folded in _WORDS:
        return True
    if folded.startswith(_PREFIX_WORDS) or folded.endswith(("_here", "-here", "here>", "...")):
        return True
    template = stripped.startswith(("${", "{{", "$(")) and _TEMPLATE.match(stripped)
    if template or _TEMPLATE.fullmatch(stripped) or _EXPANSION.search(stripped):
        return True
    if _MASK.search(stripped) and len(set(stripped)) <= 4:
        return True
    return bool(len(set(folded)) <= 2)


def looks_like_code(value: str, *, quoted: bool = False) -> bool:
    """An identifier or dotted name, a format string, a path, a URL or a file name, not a secret.

    In a string literal (`quoted`) a dotted name of plain words is data (a passphrase), not code."""
    if _NAME.fullmatch(value) and _code_name(value, quoted) and not _random_chunk(value):
        return True
    if _WORD.fullmatch(value):
        if len(value) >= RANDOM_LETTERS and gibberish(value):
            return False  # random letters: no word, no identifier (values.py)
        # a word or a CamelCase identifier (long runs of lower case); random letters switch case often
        chunks = _CASE_RUN.findall(value)
        return len(value) < 8 or len(chunks) < 3 or len(value) / len(chunks) >= 3.5
    if "://" in value:
        return True
    random = len(value) >= 16 and entropy(value) >= 3.8 and char_classes(value) >= 3
    if not random and (_REGEX.search(value) or (_FORMAT.search(value) and _wordy(_FORMAT.sub("", value)))):
        return True  # a format string or a regular expression (a random value may hold `%s` by chance)
    if _PATH.fullmatch(value) and not (entropy(value) >= 4.0 and char_classes(value) >= 3):
        return True
    if _SOURCE_FILE.fullmatch(value) or _VERSION.fullmatch(value):
        return True  # `./azureNamedKeyCredential.js` (a module required), `^7.1.2` (a dependency's version)
    if re.match(r"[A-Za-z_][\w.]*(?:\(.*\)|\[.*\])$", value):
        return True
    return bool(re.search(r"\.(?:pem|key|crt|cer|json|txt|ya?ml|toml|ini|cfg|conf|env|py|sh|p12|pfx|jks|gpg|"
                          r"asc|der|pub|log|html?|xml|csv|db|sqlite3?)$", value, re.IGNORECASE))


def _wordy(rest: str) -> bool:
    """What is left of a format string once its fields are out: words (`user:`, `Bearer `) or nothing
    but punctuation, not random characters around a `%f` that a password holds by chance."""
    return not any(ch.isalnum() for ch in rest) or (re.search(r"[A-Za-z]{3}", rest) is not None
                                                     and not gibberish(rest))


def _random_chunk(value: str) -> bool:
    """A piece of a name-shaped value that is no word but random letters (`fw_yfxqwrMAmjWZBNyHxhJOOhIf`):
    identifiers join words."""
    return any(len(part) >= RANDOM_LETTERS and gibberish(part) for part in re.split(r"[._:\-]+", value))


def _code_name(value: str, quoted: bool) -> bool:
    parts = re.split(r"\.|::|->|:", value)
    if len(parts) == 1:
        return True  # snake_case
    if parts[0] in _CODE_ROOTS or "->" in value or "::" in value:
        return True
    if any(_random_part(part) for part in parts):
        return False  # `MTk4.Cl2FMQ.ZnCjm1XVW7vRze4b`: dots between random pieces, a token
    camel = any(any(ch.isupper() for ch in part[1:]) or "_" in part for part in parts)
    return camel or not (quoted or any(ch.isdigit() for ch in parts[-1]))


def _random_part(part: str) -> bool:
    """A piece of a dotted value that no one would name a module or an attribute."""
    if len(part) < 6:
        return False
    switches = sum(a.isdigit() != b.isdigit() for a, b in pairwise(part))
    chunks = _CASE_RUN.findall(part)
    return switches >= 3 or (len(chunks) >= 3 and len(part) / len(chunks) < 3)


def plausible(value: str, *, min_len: int, min_entropy: float, min_classes: int,
              quoted: bool = False) -> bool:
    """Long enough, varied enough, and neither a placeholder nor code. Hexadecimal values (16 symbols)
    need less entropy per character than the same length of mixed-case letters and digits."""
    if not min_len <= len(value) <= 4096 or is_placeholder(value) or looks_like_code(value, quoted=quoted):
        return False
    if HEX.issuperset(value) and len(value) >= 16:
        return char_classes(value) >= 2 and entropy(value) >= min(min_entropy, 2.7)
    return char_classes(value) >= min_classes and entropy(value) >= min_entropy


def password_like(value: str, *, quoted: bool = False) -> bool:
    """What follows a password keyword: short is fine, but not a plain word, code or a placeholder."""
    if len(value) < 6 or len(value) > 256 or any(ch.isspace() for ch in value):
        return False
    if is_placeholder(value) or looks_like_code(value, quoted=quoted):
        return False
    if value.isdigit():
        return len(value) >= 6 and len(set(value)) >= 4
    classes = char_classes(value)
    return classes >= 2 or (len(value) >= 12 and entropy(value) >= 3.0)


def token_like(value: str, *, quoted: bool = False) -> bool:
    """What follows a token, key or secret keyword: machine-made, varied characters."""
    if len(value) < 8 or any(ch.isspace() for ch in value):
        return False
    if len(value) >= RANDOM_LETTERS and value.isascii() and value.isalpha() and gibberish(value):
        return not is_placeholder(value)  # random letters of one case: 1 class, but no word either
    if len(value) >= LONG_DIGITS and value.isdigit():
        return entropy(value) >= 3.0  # a long random number (not 000..., not 123123...)
    if len(value) >= SMALL_ALPHABET_LEN and _small_alphabet(value):
        return not is_placeholder(value) and not looks_like_code(value, quoted=quoted)
    if len(value) >= 20:
        return plausible(value, min_len=20, min_entropy=3.0, min_classes=2, quoted=quoted)
    return plausible(value, min_len=8, min_entropy=2.8, min_classes=2, quoted=quoted) and \
        (any(ch.isdigit() for ch in value) or gibberish(value))


SMALL_ALPHABET_LEN = 32  # a long value may be drawn from few symbols and still be random


def _small_alphabet(value: str) -> bool:
    """Letters and digits drawn at random from a small alphabet (a dozen symbols: less entropy per character
    than a token's test asks): at least 8 symbols used about equally often (entropy within 10 % of the
    most they allow), letters and digits switching as often as in a random draw, not as in words."""
    if not value.isascii() or not value.isalnum():
        return False
    symbols = len(set(value))
    if symbols < 8 or entropy(value) < 0.9 * math.log2(symbols):
        return False
    switches = sum(a.isdigit() != b.isdigit() for a, b in pairwise(value))
    return any(ch.isalpha() for ch in value) and switches / (len(value) - 1) >= 0.3


_ENCODED_TEXT = re.compile(r"[\x20-\x7e\t\r\n]+")


# The first bytes of file formats that test data and documentation embed as base64.
_MAGIC = (b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"PK\x03\x04", b"%PDF", b"\x1f\x8b", b"BZh", b"\xfd7zXZ",
          b"\x7fELF", b"MZ", b"RIFF", b"OggS", b"\x00asm", b"\xca\xfe\xba\xbe", b"SQLite format")


def encoded_data(value: str, *, zeros: int = 3) -> bool:
    """Base64 of text or of structured binary data (a test fixture, an image, an encoded header): it
    decodes to text (`text_bytes`), to a file format's first bytes, or to bytes with at least `zeros` zero
    bytes (a file format's fields), not to random bytes. A key format may hold a few zero bytes of its own
    (an Azure key's), so the detector of tokens anywhere asks for a share of them (`zeros` < 0: one byte in
    -`zeros`) and tries the value as a piece cut out of a longer text's base64 (at each of the four
    alignments)."""
    for skip in range(4 if zeros < 0 else 1):
        try:
            raw = base64.b64decode("A" * skip + value + "=" * (-(len(value) + skip) % 4), validate=True)
        except (binascii.Error, ValueError):
            return False
        raw = raw[1:] if skip else raw
        if len(raw) < 8:
            return False
        if text_bytes(raw) or raw.startswith(_MAGIC):
            return True
        if raw.count(0) >= (zeros if zeros > 0 else max(3, len(raw) // -zeros)):
            return True
    return False


def text_bytes(raw: bytes) -> bool:
    """Text in some encoding: printable ASCII (with ISO-2022's escapes) or the most of it (Latin-1), or UTF-8
    (a character cut at either end, where a piece was cut out of longer text)."""
    if _ENCODED_TEXT.fullmatch(raw.decode("latin-1")) is not None:
        return True
    if sum(0x20 <= b < 0x7f or b in (9, 10, 13, 27) for b in raw) >= TEXT_SHARE * len(raw):
        return True
    start = next((i for i, b in enumerate(raw[:3]) if b & 0xC0 != 0x80), 3)
    for end in range(len(raw), max(start, len(raw) - 3) - 1, -1):
        try:
            decoded = raw[start:end].decode("utf-8")
        except UnicodeDecodeError:
            continue
        return len(decoded) >= 4 and all(ch.isprintable() or ch in "\t\r\n\x1b" for ch in decoded)
    return False


TEXT_SHARE = 0.8  # of the bytes printable ASCII: text (random bytes: about 37 %)


def machine_made(value: str) -> bool:
    """A value that nothing but a generator writes: long, letters and digits that switch often (a random
    token without a digit is not told from words), unlike the words joined into identifiers
    (`pkcs8_priv_key_info_st`, `KEY_WOW64_32KEY`, `include-system-site-packages`). For values found with
    no assignment to name them (prose)."""
    if len(value) < 16 or is_placeholder(value) or looks_like_code(value, quoted=True):
        return False
    kinds = [0 if ch.islower() else 1 if ch.isupper() else 2 for ch in value if ch.isascii() and ch.isalnum()]
    if len(kinds) < 16:
        return False
    if gibberish(value) and entropy(value) >= 3.0:
        return True  # random letters, with or without digits (values.py)
    if 2 not in kinds or len(set(kinds)) < 2:
        return False
    switches = sum(a != b for a, b in pairwise(kinds))
    return switches / (len(kinds) - 1) >= 0.2 and entropy(value) >= 3.0


_SYMBOLS = frozenset("!@#$%^&*+=?~|_-.")
_WORD_RUN = re.compile(r"[A-Z]?[a-z]{5,}|[A-Z]{6,}")  # a word as words are written: `secret`, `Required`
_ESCAPES = re.compile(r"\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|[0-7]{3})")  # bytes written out: data


def prose_password(value: str) -> bool:
    """A password a sentence names (`the staging password is ...`): no words of the sentence, code, a path
    or a URL, but three kinds of character of the four, a digit or a symbol among them, and no run of
    letters written as a word is (unless the letters are random)."""
    if not 8 <= len(value) <= 128 or "://" in value or is_placeholder(value) or _ESCAPES.search(value):
        return False
    if looks_like_code(value, quoted=True) or char_classes(value) < 3:
        return False
    if not any(ch.isdigit() or ch in _SYMBOLS for ch in value):
        return False
    return not _WORD_RUN.search(value) or gibberish(value)


# -- Is a run of letters language (words, identifiers) or drawn at random? -----------------------------------

_COMMON = """
    ab ac ad ag ai al am an ap ar as at au ba be bj bl bu by ca ce ch ci ck cl co cr ct da de di do ds du
    ea ec ed ee ef el em en ep er es et ex ey fa ff fi fo fr fu ge gs ha he hi ho ic id ie if ig il im in io
    ip ir is it iv iz ke la ld le lf li ll lo ls lt lu ly ma me mi mo mp na nc nd ne nf ng ni no ns nt nu ob
    oc od of ol om on op or os ot ou ow pa pe pl po pp pr pt qu ra re rg ri rm rn ro rr rs rt ru ry sa se sh
    si so sp ss st su sy ta te th ti to tr ts tt tu ty ue ul um un up ur us ut va ve wa wh wi wr xc xt yp yt
    ze"""
COMMON = frozenset(_COMMON.split())
MIN_BIGRAMS = 7  # fewer letter pairs than this say too little either way
RANDOM_SHARE = 0.5  # random strings: 0.1-0.4 of their bigrams common; words and identifiers: 0.8-0.95


def common_share(value: str) -> tuple[float, int]:
    """(share of common bigrams, number of bigrams) among the pairs of adjacent letters of `value`."""
    folded = value.lower()
    pairs = [a + b for a, b in pairwise(folded) if a.isalpha() and b.isalpha()]
    if not pairs:
        return 1.0, 0
    return sum(pair in COMMON for pair in pairs) / len(pairs), len(pairs)


def gibberish(value: str) -> bool:
    """Letters no language or naming habit writes: enough adjacent letter pairs, few of them common."""
    share, pairs = common_share(value)
    return pairs >= MIN_BIGRAMS and share < RANDOM_SHARE
