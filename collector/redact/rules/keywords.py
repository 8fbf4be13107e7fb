"""Which names say "a secret follows": identifiers split into words, matched against secret words.

`DB_PASSWORD`, `apiKey`, `x-api-key`, `client_secret` name secrets; `author`, `tokenize`, `password_file`
and `token_url` do not. The strength tells the value check how much evidence to ask for: a password can
be short, a token must look machine-made, and a bare `key` must look random.

Names as people write them: secret words run together with others, or misspelled.

`words` splits a name at case changes, digits and separators; `AWSACCESSKEYID`,
`passwordtravis` and `nodePreGypAccesskeyid` keep words run together, and `APP_SECRETE` or
`PYPI_PASSOWRD` hold a secret word with a typo. `read` turns each such word into the words it stands
for, so that the vocabulary (`strength`) judges the name as if it had been written out:

- a word holding one of the `STEMS` is split around it (`awsaccesskeyid` -> `aws accesskey id`), unless
  what follows the stem is an ending that makes another word of it (`tokenizer`, `secretary`,
  `passwordless`);
- a word of six letters or more one edit (a letter added, left out, changed, or two letters swapped)
  from a `TYPO_TARGETS` word is read as that word (`secrete`, `passowrd`, `credentail`), but for the
  English words that are that close (`passed`).

The check of a rule that reads a secret's name (`named`): the name says a secret (`strength`), and the value
after it passes the test that name asks for (`values.py`): a password can be short, a token must look
machine-made, a bare `key` must look random.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from itertools import pairwise
from typing import Literal

from collector.redact.rules.rule import Check
from collector.redact.rules.values import password_like, plausible, token_like, word_set

Strength = Literal["password", "token", "key"]


# Every name `strength` accepts holds one of these (any case): the engine looks for them (builtin.py).
SECRET_WORDS = ("pass", "pw", "secret", "token", "key", "auth", "cred", "bearer", "sig", "pat")
SECRET_WORD = "(?i:" + "|".join(SECRET_WORDS) + ")"  # one of them, in the engine's dialect too
WHOLE_WORDS = frozenset({"pat"})  # ...these only as a whole word of a name (`GITHUB_PAT`, not `path`)

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_PASSWORD = frozenset({"password", "passwd", "passwords", "pwd", "pw", "pass", "passphrase", "passcode",
                       "pword", "passw"})
_TOKEN = frozenset({"secret", "secrets", "token", "tokens", "apikey", "credential", "credentials",
                    "creds", "bearer", "privatekey", "secretkey", "accesskey", "authtoken", "apitoken",
                    "accesstoken", "refreshtoken", "clientsecret", "sessionkey", "authkey", "apisecret",
                    "sig", "signature", "pat", "authorization"})
_PAIRS = frozenset({("api", "key"), ("access", "key"), ("private", "key"), ("secret", "key"),
                    ("auth", "key"), ("signing", "key"), ("encryption", "key"), ("master", "key"),
                    ("session", "key"), ("account", "key"), ("storage", "key"), ("app", "key"),
                    ("consumer", "key"), ("shared", "key"), ("hmac", "key"), ("license", "key"),
                    ("subscription", "key"), ("service", "key"), ("client", "key"), ("write", "key"),
                    ("admin", "key"), ("root", "key"), ("sas", "key"), ("deploy", "key"),
                    ("primary", "key"), ("secondary", "key"), ("instrumentation", "key"),
                    ("x", "auth"), ("auth", "code")})
_AUTH = frozenset({"auth"})
# run-together names: PGPASSWORD, DBPASS, MYSECRET, AUTHTOKEN
_PASSWORD_ENDS = ("password", "passwd", "pass")
_NOT_PASS = frozenset({"getpass", "bypass", "compass", "surpass", "overpass", "underpass", "trespass",
                       "encompass", "firstpass", "onepass", "multipass", "subpass", "renderpass"})
_TOKEN_ENDS = ("secret", "token", "apikey", "accesskey", "secretkey", "privatekey")
_NOT_KEY = word_set("""monkey donkey turkey jockey hockey whiskey hotkey passkey latchkey turnkey lowkey
    sukey dickey mickey malarkey hokey""")  # run-together names ending in `key` that are not keys
# A name whose last word says it holds something about a secret, not the secret itself.
_NOT_SECRET_LAST = word_set("""
    name names file files filename path paths dir url urls uri endpoint type types id ids field fields header
    headers env var vars variable prompt label len length size count min max regex re pattern patterns format
    fmt required expires expiry expiration expired ttl timeout policy mode prefix suffix hint help message msg
    error errors valid validator validation strength changed reset input class cls attr attrs kind map list
    dict set cache manager provider providers handler handlers callback func fn method methods factory service
    location source command cmd host port user username index idx char chars entry option options param
    params flag flags setting settings config conf opts info stdin helper program prog script hash hashes
    digest salt rounds iterations algorithm alg algo enabled disabled used use present exists required
    verify verified check checked label placeholder example description desc doc docs text title table
    column col scope scopes lifetime age version versions
    store loader reader writer generator parser builder getter setter mgr obj object instance ref refs
    bits query selector xpath locator button link page route view form schema spec model
    widget dialog window event events action state status result results response request
""")
_NOT_SECRET_WORDS = frozenset({"csrf", "xsrf", "publishable", "sort", "foreign", "lexer", "parser",
                               "tokenizer", "ntokens"})
# Words after a secret's name that say which one, not what it is: `API_KEY_PROD`, `batchKeyIdentifiable`.
_QUALIFIERS = frozenset({"prod", "production", "staging", "stage", "dev", "development", "test", "testing",
                         "live", "sandbox", "local", "primary", "secondary", "old", "new", "current",
                         "previous", "backup", "identifiable", "encrypted", "encoded", "rotated", "legacy"})
# Paging and syncing tokens (`next_page_token`, `sync_token`) are positions, not credentials: these words
# say so of a token, not of a secret, a key or a password (`gh_next_unstable_oauth_client_secret`).
_PAGING = frozenset({"next", "page", "pagination", "continuation", "cursor", "sync"})


# A key named public is one (`public_key`, `ssh_pubkey`); a public name with a secret's word in it is not
# (`MAILGUN_PUB_APIKEY`, `mg_public_api_key`: providers call the keys given to browsers "public" too).
_PUBLIC = frozenset({"public", "pub", "pubkey"})
# What a key is stored as: `SSH_KEY_BODY`, `signing_key_data` hold the key itself.
_KEY_CONTENT = frozenset({"body", "data", "content", "contents", "material", "pem", "b64", "base64",
                          "value", "bytes", "blob"})


def words(name: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(name)]


def holds_word(text: str, lowered: str, word: str) -> bool:
    """`word` (lower case) is a whole word of some name in `text` (`lowered` is `text.lower()`)."""
    at = lowered.find(word)
    while at != -1:
        start, end = at, at + len(word)
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        if word in words(text[start:end]):
            return True
        at = lowered.find(word, at + 1)
    return False


@functools.lru_cache(maxsize=8192)
def strength(name: str) -> Strength | None:
    """How strongly `name` says that its value is a secret; None when it does not. Words run together or
    misspelled are read as written out (`keywords.py`). Remembered: a scan asks about the same few names
    (`key`, `password`, `api_key`) again and again."""
    parts = read(words(name))
    while len(parts) > 1 and (parts[-1].isdigit() or parts[-1] in _QUALIFIERS):
        parts.pop()  # numbered or qualified: algoliaSearchKey1, TOKEN_2, api_key_prod, key_identifiable
    if parts[-2:] in (["secret", "id"], ["accesskey", "id"]) or parts[-3:] == ["access", "key", "id"]:
        return "token"  # a credential, not an id: Vault AppRole's secret_id, AWS_ACCESS_KEY_ID
    if parts[-1:] and parts[-1] in _KEY_CONTENT and parts[-2:-1] and parts[-2].endswith("key") \
            and parts[-2] not in _NOT_KEY:
        parts = parts[:-1]  # the key itself, as stored
    if not parts or parts[-1] in _NOT_SECRET_LAST:
        return None
    if any(p in _NOT_SECRET_WORDS for p in parts):
        return None
    if any(p in _PASSWORD or (p.endswith(_PASSWORD_ENDS) and p not in _NOT_PASS) for p in parts):
        return "password"
    if parts[-1] in ("token", "tokens") and _PAGING.intersection(parts):
        return None  # a paging token (`next_page_token`), not a key named after a page (`page_rank_api_key`)
    if parts[-1] == "signatures":
        return "token"  # signatures, last (`shared_access_signatures`): in a longer name they are a subject
    if any(p in _TOKEN or p.endswith(_TOKEN_ENDS) for p in parts) or not _PAIRS.isdisjoint(pairwise(parts)):
        return "token"
    if any(p in _AUTH for p in parts):
        return "token"
    if _PUBLIC.intersection(parts):
        return None  # a public key
    if parts[-1] == "key" or (parts[-1].endswith("key") and parts[-1] not in _NOT_KEY):
        return "key"  # and run together: WRITEKEY, LICENSEKEY
    return None


# -- Names as people write them: secret words run together with others, or misspelled. -----------------------

# Secret words found inside a longer word, longest first (so `secretkey` wins over `secret`).
STEMS = ("credentials", "passphrase", "privatekey", "accesskey", "secretkey", "credential", "authtoken",
         "passwords", "password", "apitoken", "apikey", "passwd", "secrets", "secret", "tokens", "token")
# Endings that turn a stem into another word: tokenize, tokenizer, secretary, passwordless, secreted.
_ENDINGS = frozenset({"s", "es", "ed", "er", "ers", "ing", "ings", "ize", "izer", "izers", "ized", "izes",
                      "izing", "ization", "ise", "iser", "ised", "ary", "aries", "ly", "less", "ness", "ive",
                      "ion", "ions", "ial", "ials", "ially", "ism"})
TYPO_TARGETS = ("password", "passwd", "passphrase", "secret", "credential", "credentials", "apikey",
                "accesskey", "secretkey", "privatekey")
_CLOSE_WORDS = frozenset({"passed", "passer", "passes"})  # English words one edit from a target
MIN_TYPO = 6  # shorter words are too close to too many others (`taken` is one edit from `token`)


def read(parts: list[str]) -> list[str]:
    """The words `parts` (lower case, as `words` splits a name) stand for."""
    out: list[str] = []
    for part in parts:
        out.extend(read_word(part))
    return out


@functools.lru_cache(maxsize=4096)
def read_word(part: str) -> tuple[str, ...]:
    """One word of a name as the words it stands for: itself, a split around a stem, or a corrected typo."""
    if part in STEMS or part in TYPO_TARGETS:
        return (part,)
    split = _split(part)
    if split is not None:
        return split
    if len(part) >= MIN_TYPO and part not in _CLOSE_WORDS:
        for target in TYPO_TARGETS:
            if part != target and one_edit(part, target):
                return (target,)
    return (part,)


def _split(part: str) -> tuple[str, ...] | None:
    for stem in STEMS:
        at = part.find(stem)
        if at == -1:
            continue
        rest = part[at + len(stem):]
        if rest in _ENDINGS:
            return None  # another word: tokenizer, secretary
        before = (part[:at],) if at else ()
        after = read_word(rest) if rest else ()
        return (*before, stem, *after)
    return None


def one_edit(a: str, b: str) -> bool:
    """`a` and `b` differ by one letter added, left out or changed, or two adjacent letters swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        i, j = diff[0], diff[-1]
        return len(diff) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


# -- the check of a rule that reads a secret's name: the name's strength, the value's test -------------------

def value(match: re.Match[str]) -> str:
    """The value: group `v`, or `v2` for rules with an unquoted alternative."""
    found = match.group("v")
    return found if found is not None else match.group("v2")


def named(kind: Callable[[str], bool] | None = None) -> Check:
    """The match's `k` group names a secret, and its value passes the check its name asks for (`kind`,
    when given, instead)."""
    def check(match: re.Match[str]) -> bool:
        level = strength(match.group("k"))
        if level is None:
            return False
        found = value(match)
        if kind is not None:
            return kind(found)
        return passes(level, found, quoted=bool(match.groupdict().get("q")))
    return check


def passes(level: Strength, found: str, *, quoted: bool) -> bool:
    """The value passes the test a name of this strength asks for."""
    if level == "password":
        return password_like(found, quoted=quoted)
    if level == "token":
        return token_like(found, quoted=quoted)
    random = plausible(found, min_len=16, min_entropy=3.5, min_classes=2, quoted=quoted)
    return random and any(c.isdigit() for c in found)
