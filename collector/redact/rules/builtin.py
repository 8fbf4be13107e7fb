"""The built-in rules: the secret formats that leak in practice, and the checks that veto look-alikes.

Provider formats with a fixed prefix need no check; rules that rely on context (a keyword, a URL's user
info, a command-line flag) check the value (`values.py`) and the name before it (`keywords.py`). The
provider formats the maintained engine finds are not repeated here: its findings carry the ids these
rules had (`scanning/engine.py`, `NAMED`); `bench/redaction_families.py` shows no family lost a value.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from collector.redact.rules import keywords
from collector.redact.rules.encoded import ENCODED_AUTH
from collector.redact.rules.keywords import named as _named
from collector.redact.rules.keywords import value as _v
from collector.redact.rules.layouts import DEFAULTS, LAYOUTS, NEARBY
from collector.redact.rules.places import COMMANDS, URLS
from collector.redact.rules.records import RECORDS, SESSIONS, SIBLINGS, TABLES
from collector.redact.rules.rule import Check, Rule, compile_verbose
from collector.redact.rules.unnamed import GENERATED, UNNAMED, drawn_piece
from collector.redact.rules.values import (
    PLACEHOLDER_MARK,
    char_classes,
    entropy,
    gibberish,
    is_placeholder,
    looks_like_code,
    machine_made,
    password_like,
    plausible,
    prose_password,
    token_like,
    word_set,
)

_re = compile_verbose


def _random(min_len: int, min_entropy: float, min_classes: int) -> Check:
    return lambda m: plausible(_v(m), min_len=min_len, min_entropy=min_entropy, min_classes=min_classes)


def _not_placeholder(match: re.Match[str]) -> bool:
    return not is_placeholder(_v(match))


_URL_PLACEHOLDERS = word_set("pass password passwd pwd pw secret pass123 password123 yourpassword mypassword")


def _url_password(match: re.Match[str]) -> bool:
    """Any password in a URL's user info, unless it is a template or the word "password" itself (default
    credentials such as guest:guest are redacted: harmless, and real ones look the same)."""
    value = _v(match)
    if len(value) < 3 or value.startswith(("$", "{", "<", "%(", "*")) or value.lower() in _URL_PLACEHOLDERS:
        return False
    return not (PLACEHOLDER_MARK in value or len(set(value)) == 1)


def _aws_secret(match: re.Match[str]) -> bool:
    value = _v(match)
    return char_classes(value) >= 3 and entropy(value) >= 3.8


def _ends_before(match: re.Match[str], marker: str) -> bool:
    """The match is followed (after white space or escaped line breaks) by `marker`."""
    rest = match.string[match.end():match.end() + len(marker) + 16]
    return rest.replace("\\n", "").replace("\\r", "").lstrip().startswith(marker)


_NOT_SETTERS = word_set("""split parse get check validate verify hash encode decode quote unquote is has make
    mask strip normalize compare test assert read load find lookup prompt ask gen generate new""")


def _setter(match: re.Match[str]) -> bool:
    """A call that gives a secret to something (`set_password("..")`), not one that inspects a string."""
    name = match.group("k").rsplit(".", 1)[-1]
    parts = keywords.words(name)
    verb = parts[0] if parts else ""
    inspects = verb in _NOT_SETTERS or (len(parts) == 1 and verb.startswith(tuple(_NOT_SETTERS)))
    return bool(parts) and not inspects and _named()(match)


def _param(match: re.Match[str]) -> bool:
    """A query parameter: a secret's name, or `key=` / `code=` (API keys, function keys), random values."""
    if match.group("k").lower() in ("key", "code"):
        return token_like(_v(match))
    return _named()(match)


def _in_pairs(match: re.Match[str]) -> bool:
    """The match is one `key=value` of a `;`-separated connection string."""
    text = match.string
    before = text[max(0, match.start() - 200) : match.start() + 1]
    after = text[match.end() : match.end() + 1]
    return after == ";" or (";" in before and "=" in before)


def _header(match: re.Match[str]) -> bool:
    """A header named like a secret (`X-Api-Key`), or `Authorization` with no scheme before its value."""
    if match.group("k").lower() in ("authorization", "proxy-authorization"):
        return token_like(_v(match).rstrip("="))
    return _named()(match)


_ASSIGNED = re.compile(r"[A-Za-z_][\w.\-]{2,}=[^=]")


def _mentioned(match: re.Match[str]) -> bool:
    """A value named in prose must look machine-made: long, varied, not words, code, a path or a URL, and
    not an assignment (`order_id=0bb2...`: its name, not the prose before it, says what it is)."""
    value = _v(match)
    return machine_made(value) and not _ASSIGNED.match(value)


_MENTIONED = r"""(?i:(?:api|auth|access|refresh|session|bearer|client|secret|private)?[\ _\-]?
    (?:keys?|tokens?)|secrets?|passwords?|passwd|passphrase|pwd|pw|pat|credentials?|creds)"""


def _inline_code(match: re.Match[str]) -> bool:
    """A value in backticks a few words after a secret's name: machine-made, or a token by its name's test
    (`keywords.strength` of the word that named it), or a password."""
    value = _v(match)
    if machine_made(value):
        return True
    level = keywords.strength(match.group("k").replace(" ", "_"))
    if level == "password":
        return prose_password(value)
    return level is not None and len(value) >= 12 and token_like(value, quoted=True)


def _argument(match: re.Match[str]) -> bool:
    """A name's argument and its value's: in a call's first two by the name's test, further in a list of
    arguments (`"AES_KEY", "PKCS7_ISSUER_AND_SERIAL"`) only a machine-made value."""
    return _named()(match) and (match.group("call") is not None or machine_made(_v(match)))


def _flag(match: re.Match[str]) -> bool:
    """A flag's value by its name's test; with one dash only a machine-made one: one-dash flags are also a
    compiler's (`-Rpass=...`, `-Wl,...`) and a completion spec's (`'-Rpass=[report ...]'`). A value that
    opens a bracket or begins with `:` is a completion spec's or a usage text's (`'--password=[use this
    password]:password'`, `'--ftp-password=:password'`), not a secret."""
    if _v(match).startswith(("[", ":")):
        return False
    return _named()(match) and (match.group("two") is not None or machine_made(_v(match)))


_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


def _not_a_statement(match: re.Match[str]) -> bool:
    """The name's test, unless the value is code ended by a statement's `;` (JavaScript's `this.password =
    password;`, `exports.ClientSecretCredential = ClientSecretCredential;`, `exports.AuthFlowErrorV2 =
    AuthFlowErrorV2;`: code or an identifier that no generator wrote): a line syntax has no `;`."""
    found = _v(match)
    if found.endswith(";"):
        code = found.rstrip(";")
        if looks_like_code(code, quoted=False) or (_IDENTIFIER.fullmatch(code) and not machine_made(code)):
            return False
    return _named()(match)


def _printed_field(match: re.Match[str]) -> bool:
    """A printed field's value by its name's test, unless it is code: an identifier or an attribute no
    generator wrote (`pw`, `self.api_key`, `Secret.NONE`), a call, or an expression."""
    found = _v(match)
    if (_IDENTIFIER.fullmatch(found.replace(".", "_")) and not machine_made(found)) \
            or looks_like_code(found, quoted=False):
        return False
    return _named()(match)


def _drawn_user(match: re.Match[str]) -> bool:
    """A URL's user that a generator wrote, not a person: a token given as the user (`https://<token>:x-oauth-
    basic@github.com/`), not `deploy-bot` or `ci-user-2024`."""
    value = _v(match)
    return token_like(value) and (machine_made(value) or gibberish(value)
                                  or any(drawn_piece(piece) for piece in re.split(r"[._\-~%]+", value)))


def _has_digit_and_letter(match: re.Match[str]) -> bool:
    value = _v(match)
    return any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


_INSERT = re.compile(r"""(?i:insert)\s+(?i:into)\s+[\w."`\[\]]{1,128}\s*\((?P<cols>[^()\n]{1,400})\)\s*
    (?i:values)\s*\((?P<before>(?:\s*(?:'[^'\n]*'|[\w.\-+]{1,64})\s*,){0,64}\s*)$""", re.VERBOSE)
_SQL_VALUE = re.compile(r"'[^'\n]*'|[\w.\-+]{1,64}")


def _sql_column(match: re.Match[str]) -> bool:
    """A value of an INSERT's VALUES list whose column, in the list before it, names a secret; the value
    passes that name's test."""
    text = match.string
    insert = _INSERT.search(text, max(0, match.start() - 2048), match.start())
    if insert is None:
        return False
    cols = insert.group("cols").split(",")
    n = len(_SQL_VALUE.findall(insert.group("before")))
    if n >= len(cols):
        return False
    level = keywords.strength(cols[n].strip().strip("`\"[]"))
    value = _v(match)
    if level is None:
        return False
    return password_like(value, quoted=True) if level == "password" else token_like(value, quoted=True)


def _spaced(match: re.Match[str]) -> bool:
    """`name value` with nothing between but white space reads like prose too (`password combination.`):
    a password must pass the prose test, a token its name's."""
    if keywords.strength(match.group("k")) == "password":
        return prose_password(_v(match))
    return _named()(match)


def _hcl_default(match: re.Match[str]) -> bool:
    """A variable's default: by its name's test, or any password- or token-like value when the variable is
    marked `sensitive = true`."""
    if match.group("s"):
        value = _v(match)
        return password_like(value, quoted=True) or token_like(value, quoted=True)
    return _named()(match)


TOKEN_END = r"(?![A-Za-z0-9_\-])"
TOKEN_START = r"(?<![A-Za-z0-9_\-])"
B64_END = r"(?![A-Za-z0-9+/=])"


def _prefixed(rule_id: str, body: str, anchors: Sequence[str], prefix: int, *, check: Check | None = None,
              priority: int = 0, prefilter: str = "") -> Rule:
    """A provider token with a fixed prefix: the whole token is the secret."""
    return Rule(rule_id, _re(TOKEN_START + r"(?P<v>" + body + r")" + TOKEN_END), tuple(anchors),
                priority=priority, check=check, prefix=prefix, prefilter=prefilter, token=True)


# Prefilters (the engine's dialect, see rule.py) for the rules whose anchors are common words in code:
# each asks for what the rule's regex cannot match without, on one line. _K: a secret word in a name.
_WORDS = keywords.SECRET_WORDS  # the anchors of rules that ask `keywords.strength` about a name
_K = keywords.SECRET_WORD
_Q = "[\"'`]"


_CONN_WORDS = r"(?i:password|passwd|pwd|pass|secret|token|api[_\-]?key|access[_\-]?key|sig|auth)"
_PEM_KIND = r"(?P<kind>[A-Z0-9]+(?:\ [A-Z0-9]+)*\ )?PRIVATE\ KEY(?:\ BLOCK)?"
_NL = r"(?:\\r\\n|\\n|\r?\n)"

BUILTIN: tuple[Rule, ...] = (
    # -- cloud providers -----------------------------------------------------------------------------------
    _prefixed("aws-access-key", r"(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}", ["AKIA", "ASIA", "ABIA", "ACCA"], 4),
    Rule("aws-secret-key", _re(r"""(?i:aws)?[_\-.\ ]?(?i:secret)[_\-.\ ]?(?i:access)?[_\-.\ ]?(?i:key)
         (?:\\?["'`]?\]?[ \t]*(?:[:=,]|=>|:=)[ \t]*|[ \t]+)[\[(]?\\?["'`]?
         (?<![A-Za-z0-9/+])(?P<v>[A-Za-z0-9/+]{40})""" + B64_END),
         ("secret",), fold=True, priority=0, check=lambda m: entropy(_v(m)) >= 3.0),
    _prefixed("aws-session-token", r"(?:IQoJb3JpZ2lu|FwoGZXIvYXdz|FQoGZXIvYXdz)[A-Za-z0-9+/]{80,2000}={0,2}",
              ["IQoJb3JpZ2lu", "FwoGZXIvYXdz", "FQoGZXIvYXdz"], 12),
    Rule("aws-secret-key", _re(r"""(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])[^\n]{1,100}?
         (?<![A-Za-z0-9/+])(?P<v>[A-Za-z0-9/+]{40})""" + B64_END),
         ("AKIA", "ASIA"), priority=1, check=_aws_secret),
    _prefixed("gcp-api-key", r"AIza[0-9A-Za-z_\-]{35}", ["AIza"], 4),
    _prefixed("gcp-oauth-secret", r"GOCSPX-[A-Za-z0-9_\-]{28}", ["GOCSPX-"], 7),
    _prefixed("gcp-oauth-token", r"ya29\.[0-9A-Za-z_\-]{30,2048}", ["ya29."], 5),
    _prefixed("gcp-oauth-token", r"1//0[0-9A-Za-z_\-]{40,512}", ["1//0"], 4),
    Rule("azure-storage-key", _re(r"""(?i:AccountKey|SharedAccessKey|SharedAccessSignature)[ \t]*=[ \t]*
         (?P<v>[A-Za-z0-9+/]{20,100}={0,2})""" + B64_END),
         ("accountkey", "sharedaccesskey", "sharedaccesssignature"), fold=True, priority=0,
         check=_random(20, 3.5, 2)),
    # 88 base64 characters, not a sha512 in Subresource Integrity form (npm lockfiles, <script integrity>)
    Rule("azure-storage-key", _re(r"""(?<![A-Za-z0-9+/])(?<!sha512-)(?P<v>[A-Za-z0-9+/]{86}==)""" + B64_END),
         ("==",), priority=1, check=_random(88, 4.5, 3), prefilter="[A-Za-z0-9+/]{86}==", token=True),
    Rule("azure-sas-token", _re(r"""[?&;]sig=(?P<v>[A-Za-z0-9%+/]{30,200}(?:%3[dD]|=){0,2})
         (?![A-Za-z0-9%+/=])"""),
         ("sig=",), priority=0, check=_random(30, 3.5, 2)),
    _prefixed("azure-client-secret", r"[A-Za-z0-9_~.\-]{3}\dQ~[A-Za-z0-9_~.\-]{31,34}", ["Q~"], 0,
              check=_has_digit_and_letter),
    # -- code hosting, chat, payments, package registries -------------------------------------------------
    _prefixed("github-token", r"github_pat_[A-Za-z0-9_]{60,120}", ["github_pat_"], 11),
    _prefixed("gitlab-token", r"gl(?:pat|ptt|dt|rt|cbt|soat|ffct|imt|agent|oas|ft|wt)-[A-Za-z0-9_\-]{20,80}",
              ["glpat-", "glptt-", "gldt-", "glrt-", "glcbt-", "glsoat-", "glffct-", "glimt-", "glagent-",
               "gloas-", "glft-", "glwt-"], 6),
    _prefixed("slack-token", r"xox[abposre]-(?:\d+-)?[0-9A-Za-z\-]{10,250}", ["xox"], 5,
              check=_has_digit_and_letter),
    _prefixed("slack-token", r"xoxe\.xox[bp]-\d-[0-9A-Za-z\-]{20,250}", ["xoxe."], 10),
    Rule("discord-webhook", _re(r"""discord(?:app)?\.com/api/webhooks/\d{5,30}/
         (?P<v>[A-Za-z0-9_\-]{50,100})"""),
         ("/api/webhooks/",), priority=0),
    _prefixed("stripe-key", r"(?:sk|rk|pk)_(?:live|test)_[0-9A-Za-z]{20,247}",
              ["sk_live_", "sk_test_", "rk_live_", "rk_test_", "pk_live_", "pk_test_"], 8),
    _prefixed("stripe-key", r"whsec_[A-Za-z0-9+/=]{24,100}", ["whsec_"], 6),
    Rule("npm-token", _re(r"""_(?i:authToken)(?:[ \t]*=[ \t]*|[ \t]+)["']?(?P<v>[^\s"'$]{16,512})"""),
         ("_authtoken",), fold=True, priority=0, check=_not_placeholder),
    _prefixed("rubygems-token", r"rubygems_[a-f0-9]{48}", ["rubygems_"], 9),
    _prefixed("nuget-key", r"oy2[a-z0-9]{43}", ["oy2"], 3, check=_has_digit_and_letter),
    _prefixed("docker-token", r"dckr_pat_[A-Za-z0-9_\-]{20,100}", ["dckr_pat_"], 9),
    _prefixed("huggingface-token", r"hf_[A-Za-z0-9]{30,40}", ["hf_"], 3,
              check=lambda m: char_classes(_v(m)[3:]) >= 2 and entropy(_v(m)[3:]) >= 3.5),
    # -- AI providers --------------------------------------------------------------------------------------
    _prefixed("anthropic-key", r"sk-ant-(?:[a-z]{2,8}\d{2}-)?[A-Za-z0-9_\-]{32,200}", ["sk-ant-"], 7),
    _prefixed("openai-key", r"sk-(?!ant-)(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_\-]{32,250}", ["sk-"], 3,
              check=lambda m: plausible(_v(m), min_len=35, min_entropy=3.5, min_classes=2)),
    _prefixed("groq-key", r"gsk_[A-Za-z0-9]{48,56}", ["gsk_"], 4),
    _prefixed("replicate-token", r"r8_[A-Za-z0-9]{37}", ["r8_"], 3, check=_has_digit_and_letter),
    # -- other services with recognisable prefixes ---------------------------------------------------------
    _prefixed("mailgun-key", r"key-[0-9a-f]{32}", ["key-"], 4, check=_has_digit_and_letter),
    _prefixed("mailchimp-key", r"[0-9a-f]{32}-us\d{1,2}", ["-us"], 0, check=_has_digit_and_letter,
              prefilter=r"[0-9a-f]{32}-us\d"),
    _prefixed("square-token", r"sq0(?:atp|csp)-[0-9A-Za-z_\-]{22,43}", ["sq0atp-", "sq0csp-"], 7),
    _prefixed("square-token", r"EAAA[A-Za-z0-9_\-]{60}", ["EAAA"], 4, check=_has_digit_and_letter),
    _prefixed("vault-token", r"hv[sbr]\.[A-Za-z0-9_\-]{24,200}", ["hvs.", "hvb.", "hvr."], 4,
              check=_has_digit_and_letter),
    _prefixed("databricks-token", r"dapi[a-f0-9]{32}(?:-\d)?", ["dapi"], 4, check=_has_digit_and_letter),
    # also in the Bot API's URLs: https://api.telegram.org/bot<token>/getMe
    Rule("telegram-bot-token", _re(r"(?:(?<=/bot)|" + TOKEN_START + r")(?P<v>\d{8,10}:AA[A-Za-z0-9_\-]{33})"
                                   + TOKEN_END), (":AA",), priority=0, token=True,
         prefilter=r"\d{8,10}:AA[A-Za-z0-9_\-]{33}"),
    _prefixed("atlassian-token", r"ATATT3[A-Za-z0-9_\-=]{150,250}", ["ATATT3"], 6),
    _prefixed("notion-token", r"(?:secret_[A-Za-z0-9]{43}|ntn_[A-Za-z0-9]{40,50})", ["secret_", "ntn_"], 4,
              check=_has_digit_and_letter),
    _prefixed("grafana-token", r"(?:glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|glc_[A-Za-z0-9+/]{32,400}={0,2})",
              ["glsa_", "glc_"], 4),
    _prefixed("newrelic-key", r"NR(?:AK|II|JS|RA)-[A-Za-z0-9]{27,42}",
              ["NRAK-", "NRII-", "NRJS-", "NRRA-"], 5),
    _prefixed("doppler-token", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}", ["dp."], 6),
    _prefixed("sentry-token", r"sntry[su]_[A-Za-z0-9+/=_\-]{40,300}", ["sntrys_", "sntryu_"], 7),
    _prefixed("supabase-token", r"sbp_[a-f0-9]{40}", ["sbp_"], 4),
    _prefixed("planetscale-token", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9_\-.]{32,64}", ["pscale_"], 11),
    _prefixed("flyio-token", r"fo1_[A-Za-z0-9_\-]{43}", ["fo1_"], 4),
    _prefixed("figma-token", r"figd_[A-Za-z0-9_\-]{40}", ["figd_"], 5),
    _prefixed("age-secret-key", r"AGE-SECRET-KEY-1[0-9A-Z]{58}", ["AGE-SECRET-KEY-"], 15),
    # -- structured secrets --------------------------------------------------------------------------------
    _prefixed("jwt", r"eyJ[A-Za-z0-9_\-]{10,}\.[A-Za-z0-9_\-]{4,}\.[A-Za-z0-9_\-]{10,}", ["eyJ"], 3,
              priority=1),
    Rule("private-key", _re(r"-----BEGIN\ " + _PEM_KIND + r"-----" + _NL + r"?(?P<v>[\s\S]{8,65536}?)"
                            + _NL + r"?-----END\ (?P=kind)?PRIVATE\ KEY(?:\ BLOCK)?-----"),
         ("PRIVATE KEY",), scope="block", priority=0),
    # a key whose end is not there (a truncated output tail, a key still being pasted)
    Rule("private-key", _re(r"-----BEGIN\ " + _PEM_KIND + r"-----" + _NL
                            + r"(?P<v>(?:(?:Proc-Type|DEK-Info|Comment|Version|Hash):[^\n\\]*" + _NL + r")*"
                            + _NL + r"?(?:[A-Za-z0-9+/=]{4,}(?:" + _NL + r"|$))+)"),
         ("PRIVATE KEY",), scope="block", priority=1, check=lambda m: not _ends_before(m, "-----END")),
    Rule("private-key", _re(r"""PuTTY-User-Key-File-\d:[^\n]*\n(?:[^\n]*\n){0,6}?Private-Lines:\ \d+\r?\n
         (?P<v>(?:[A-Za-z0-9+/=]{4,}\r?\n)+(?:Private-MAC:\ [0-9a-f]+)?)"""),
         ("PuTTY-User-Key-File",), scope="block", priority=0),
    # -- credentials in context ----------------------------------------------------------------------------
    Rule("url-password", _re(r"""(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,30}://
         [^\s:/?#@'"`<>\[\]{}\\]{0,128}:(?P<v>[^\s/'"`<>\\]{1,256})@(?=[A-Za-z0-9\[._\-])"""),
         ("://",), priority=1, check=_url_password, prefilter=r"://[^\s:/?#@]*:[^\s/]+@"),
    # a token as the URL's user, without a password: https://<token>@github.com/..., https://<key>:@host/, a
    # Sentry DSN
    Rule("url-token", _re(r"""(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,30}://
         (?P<v>[^\s:/?#@'"`<>\[\]{}\\]{16,256}):?@(?=[A-Za-z0-9\[._\-])"""),
         ("://",), priority=1, check=lambda m: token_like(_v(m)), prefilter=r"://[^\s:/?#@]{16}[^\s:/?#@]*:?@"),
    # ... or with one, the token as the user and a fixed word as the password (`https://<token>:x-oauth-basic@`,
    # `https://<key>:x@`): a user name is a name, so the user must look drawn (machine-made, gibberish, or a
    # piece switching letters and digits as a draw does); the password is the url-password rule's
    Rule("url-token", _re(r"""(?<![A-Za-z0-9+.\-])[A-Za-z][A-Za-z0-9+.\-]{1,30}://
         (?P<v>[^\s:/?#@'"`<>\[\]{}\\]{16,256}):[^\s/@'"`<>\\]{1,64}@(?=[A-Za-z0-9\[._\-])"""),
         ("://",), priority=1, check=_drawn_user, prefilter=r"://[^\s:/?#@]{16}[^\s:/?#@]*:[^\s/@]+@"),
    Rule("auth-header", _re(r"""(?i:proxy-)?(?i:authorization)["'`]?\]?[ \t]*[:=,][ \t]*["'`]?
         (?i:bearer|token|basic|digest|apikey|api-key|sso-key|key|ssws|dpop|negotiate)[ \t]+
         (?P<v>[A-Za-z0-9._~+/\-:!$%]{8,2048}=*)"""),
         ("authorization",), fold=True, priority=2, check=lambda m: token_like(_v(m).rstrip("="))
         or password_like(_v(m))),
    Rule("auth-header", _re(r"""(?i:x-api-key|x-auth-token|api-key|x-access-token|private-token|x-gitlab-token
         |x-vault-token|x-apikey|ocp-apim-subscription-key|x-functions-key|x-goog-api-key|x-figma-token)
         ["'`]?\]?[ \t]*[:=,][ \t]*["'`]?(?P<v>[A-Za-z0-9._~+/\-]{8,1024}=*)"""),
         ("api-key", "auth-token", "access-token", "private-token", "gitlab-token", "vault-token", "apikey",
          "subscription-key", "functions-key", "figma-token"), fold=True, priority=2,
         check=lambda m: token_like(_v(m))),
    Rule("auth-header", _re(r"""(?<![A-Za-z])(?i:bearer)[ \t]+(?P<v>[A-Za-z0-9._~+/\-!$%]{20,2048}=*)"""),
         ("bearer",), fold=True, priority=3, check=lambda m: token_like(_v(m).rstrip("=")),
         prefilter="(?i:bearer)[ \t]+[A-Za-z0-9._~+/-]{20}"),
    # --name value, and with one dash (Go's flag package, Java's tools): -name=value, -name value
    Rule("cli-password", _re(r"""(?<![\w\-])-(?P<two>-)?(?P<k>[A-Za-z0-9][\w\-]{0,60})(?:=|[ \t]+)(?P<q>["']?)
         (?P<v>[^\s"'`\-][^\s"'`]{0,511})(?P=q)"""),
         ("-",), priority=2, check=_flag, prefilter=r"-[\w\-]*" + _K + r"[\w\-]*(?:=|[ \t])"),
    Rule("cli-password", _re(r"""(?<![\w\-])(?:-u|--user)[ \t]+(?P<q>["']?)[^\s:"'`]{1,128}:
         (?P<v>[^\s"'`]{3,256})(?P=q)"""),
         ("-u", "--user"), priority=2, check=lambda m: password_like(_v(m)) or token_like(_v(m)),
         prefilter=r"(?:-u|--user)[ \t]+[\"']?[^\s:\"'`]+:[^\s\"'`]{3}"),
    # an API key as the user name, with no password: curl -u sk_...: (HTTP basic auth)
    Rule("cli-password", _re(r"""(?<![\w\-])(?:-u|--user)(?:=|[ \t]+)(?P<q>["']?)
         (?P<v>[^\s:"'`]{8,256}):(?P=q)(?=[\s;|&)]|$)"""),
         ("-u", "--user"), priority=2, check=lambda m: token_like(_v(m)),
         prefilter=r"(?:-u|--user)[= \t]+[\"']?[^\s:\"'`]{8}[^\s:\"'`]*:"),
    # a header named like a secret, on the command line: curl -H "X-Api-Key: ...", wget --header=...
    Rule("auth-header", _re(r"""(?<![\w\-])(?:-H|--header)(?:=|[ \t]+)["']?
         (?P<k>[A-Za-z][A-Za-z0-9_\-]{1,80})[ \t]*:[ \t]*(?P<v>[^\s"'`]{8,2048})"""),
         ("-H", "--header"), priority=2, check=_header),
    # query parameters end at `&`; in a libpq DSN (`host=.. password=..`) `&` is part of the value
    Rule("connection-string", _re(r"""(?<=[?&])(?P<k>[\w.\-]{0,40}(?:""" + _CONN_WORDS + r"""|(?i:key|code)))
         =(?P<v>[^;&\s"'`<>(){}\[\],]{1,512})(?=[;&"'\s]|$)"""),
         ("password", "passwd", "pwd", "pass", "secret", "token", "key", "sig", "auth", "code"), fold=True,
         priority=3, check=_param,
         prefilter=r"[?&][\w.\-]*(?i:password|passwd|pass|pwd|secret|token|key|sig|auth|code)="
                   r"[^;&\s\"'`<>(){}\[\],]"),
    Rule("connection-string", _re(r"""(?<![\w.\-?&])(?P<k>[\w.\-]{0,40}""" + _CONN_WORDS + r""")
         =(?P<v>[^;\s"'`<>(){}\[\],]{1,512})(?=[;"'\s]|$)"""),
         ("password", "passwd", "pwd", "pass", "secret", "token", "key", "sig", "auth"), fold=True,
         priority=3, check=_named(),
         prefilter="(?i:password|passwd|pwd|pass|secret|token|key|sig|auth)=[^;\\s\"'`<>(){}\\[\\],]"),
    Rule("connection-string", _re(r"""(?:^|[;"'])[ \t]*(?i:password|pwd)[ \t]*=[ \t]*
         (?P<v>[^;"'\n()\ ]{1,256}?)[ \t]*(?=;|"|'|$)""", re.MULTILINE),
         ("password", "pwd"), fold=True, priority=3,
         check=lambda m: _in_pairs(m) and password_like(_v(m), quoted=True),
         prefilter="(?i:password|pwd)[ \t]*="),
    # NAME=value in a shell, an env file or Markdown inline code (`` `NAME=value` ``), as a directive's
    # value (systemd `Environment=NAME=value`) or on a diff's added or removed line (`+NAME=value`)
    Rule("env-secret", _re(r"""(?:^[+\-]?|(?<=[\s;&|(`=]))(?:export[ \t]+|set[ \t]+|setx[ \t]+|\$env:)?
         (?P<k>[0-9]{0,4}[A-Z][A-Z0-9_]{1,80})[ \t]*=[ \t]*
         (?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n]){1,2048})(?P=q)|(?P<v2>[^\s"'`;&|()<>]{1,2048}))
         (?=[ \t]*(?:[\s;&|)\#`]|$))""", re.MULTILINE),
         _WORDS, fold=True, priority=2, check=_named(),
         prefilter=r"[A-Z0-9_]*(?:PASS|PW|SECRET|TOKEN|KEY|AUTH|CRED|BEARER|SIG|PAT)[A-Z0-9_]*[ \t]*=[ \t]*"
                   r"(?:[\"'][^\n]{6}|[^\s\"'`;&|()<>]{6})"),
    # ... a name in lower or mixed case only as the shell takes it, no space around `=` (`omise_skey=...
    # ./bin/sync`), which keyword arguments in code seldom have (`password = self.users[name]`), and not
    # `key=` alone (`sorted(x, key=len)`); after the connection strings' rules (`host=db password=...`)
    Rule("env-secret", _re(r"""(?:^|(?<=[\s;&|(`]))(?:export[ \t]+|set[ \t]+)?
         (?P<k>[a-z][A-Za-z0-9_]{0,80}(?i:pass|pw|secret|token|auth|cred|bearer|key)[A-Za-z0-9_]{0,80}
         (?<!^key)(?<![\s;&|(`]key))=(?![ \t=])
         (?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n]){1,2048})(?P=q)|(?P<v2>[^\s"'`;&|()<>]{0,511}[^\s"'`;&|()<>,\]]))
         (?=[ \t]*(?:[\s;&|)\#`]|$))""", re.MULTILINE),
         _WORDS, fold=True, priority=4, check=_named(),
         prefilter=r"(?i:[a-z0-9_]*(?:pass|pw|secret|token|auth|cred|bearer)[a-z0-9_]*|[a-z0-9_]+key[a-z0-9_]*)="
                   r"(?:[\"'][^\n]{6}|[^\s\"'`;&|()<>]{6})"),
    # fish `set -gx NAME value`, csh `setenv NAME value`
    Rule("env-secret", _re(r"""(?:^|(?<=[\s;&|(]))(?:set[ \t]+-[A-Za-z]{1,4}|setenv)[ \t]+
         (?P<k>[A-Za-z_]\w{1,80})[ \t]+(?P<q>["']?)(?P<v>[^\s"'`;&|()<>]{1,512})(?P=q)
         (?=[ \t]*(?:[\s;&|)\#]|$))""", re.MULTILINE),
         _WORDS, fold=True, priority=2, check=_named(),
         prefilter=r"(?:set[ \t]+-[A-Za-z]{1,4}|setenv)[ \t]+\w*" + _K),
    Rule("generic-secret", _re(r"""(?<![\w.\-])
         (?P<k>[A-Za-z_$@][\w.\-]{0,80}|[A-Za-z_$@][\w.\-]{0,40}\[["'][\w.\-]{1,40}["']\])
         \\?(?P<kq>["'`]?)\]?
         (?:[ \t]*:[ \t]*[&*]?(?:'[a-z]+[ \t]+)?[A-Za-z_][\w.:<>\[\],?\ ]{0,60}?(?=[ \t]*=[^=])
         |[ \t]+(?:(?i:As)[ \t]+)?(?:string|\[\]byte|str|String|&str)(?=[ \t]*=[^=]))?
         [ \t]*(?:=|:=|:|=>|==|\?\?=|\|\|=|<-|->)[ \t]*
         (?:[\w.$\[\]"']{1,80}[ \t]*(?:\|\||\?\?|\bor\b)[ \t]*)?
         (?:(?:new[ \t]+)?[A-Za-z_][\w.:]{0,40}\([ \t]*)?(?:[rRbBuUfF]{1,2}(?=["']))?
         \\?(?P<q>["'`])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})\\?(?P=q)"""),
         _WORDS, fold=True, priority=4, check=_named(),
         prefilter=_K + r"[\w.\-\[\]\"'$@]*\\?" + _Q
         + r"?\]?(?:[ \t]+(?:(?i:As)[ \t]+)?(?:string|\[\]byte|str|String|&str))?"
         r"[ \t]*(?:=|:|<-|->|\?\?=|\|\|=)[^\n]*"
         + _Q + r"[^\n\\]{6}"),
    # a name's argument, then its value's: f("NAME", "..."), and further in a list of arguments (a
    # machine-made value then: lists of names are common), the value in escaped quotes too (Gradle's
    # buildConfigField "String", "NAME", "\"...\"")
    Rule("generic-secret", _re(r"""(?:(?P<call>\()|(?<=[,\s]))[ \t]*(?P<kq>["'`])(?P<k>[\w.\-]{1,80})(?P=kq)
         [ \t]*,[ \t]*
         (?:[rRbBuUfF]{1,2}(?=["']))?
         (?P<q>["'`])(?:\\(?P<e>["']))?(?P<v>[^"'`\n\\]{1,512}?)(?(e)\\(?P=e))(?P=q)"""),
         _WORDS, fold=True, priority=4, check=_argument,
         prefilter=_K + r"[\w.\-]*" + _Q + r"[ \t]*,[ \t]*(?:[rRbBuUfF]{1,2})?" + _Q),
    # a whole `name: value` line; a YAML list's item, a Markdown quote's or `curl -v`'s header line (`> Name:
    # value`)
    Rule("generic-secret", _re(r"""^[+\-]?[ \t]*(?:-[ \t]+|[<>][ \t]+)?(?:export[ \t]+)?
         (?P<k>[A-Za-z_][\w.\-]{0,80})
         [ \t]*(?::|=|:=)[ \t]*
         (?P<v>[^\s"'`,(){}\[\]]{1,512})(?:[ \t]+[\#;].*|[ \t]*)\r?$""", re.MULTILINE),
         _WORDS, fold=True, priority=4, check=_not_a_statement,
         prefilter=r"(?m:^)[+\-]?[ \t]*(?:-[ \t]+|[<>][ \t]+)?(?:export[ \t]+)?[\w.\-]*" + _K
         + r"[\w.\-]*[ \t]*[:=]{1,2}[ \t]*[^\s\"'`,(){}\[\]]{6}"),
    # a `.http` file's variable (VS Code's REST Client, JetBrains' HTTP client): `@name = value` to the line's
    # end or a comment (`###`), also where the file's text is quoted or follows a message (`assert '@name =
    # ...\n...'`) or its lines are joined (a command's arguments)
    Rule("generic-secret", _re(r"""(?:^|(?<=[\s"'`]))@(?P<k>[A-Za-z_][\w.\-]{0,80})[ \t]*=[ \t]*
         (?P<v>[^\s"'`\\]{1,512})[ \t]*(?=\r?$|\\[nr]|["'`\#])""", re.MULTILINE),
         _WORDS, fold=True, priority=4, check=_named(),
         prefilter=r"@[\w.\-]*" + _K + r"[\w.\-]*[ \t]*=[ \t]*[^\s\"'`\\]{6}"),
    # a name, and its value in an attribute or on the next line: <add key=".." value="..">, Kubernetes
    # `- name: X` / `value: ..`, Terraform `variable "x" { default = ".." }`
    Rule("generic-secret", _re(r"""(?i:key|name)[ \t]*=[ \t]*(?P<kq>["'])(?P<k>[\w.\-:]{1,80})(?P=kq)[ \t]+
         (?i:value)[ \t]*=[ \t]*(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n]){1,2048})(?P=q)"""),
         _WORDS, fold=True, priority=4, check=_named(),
         prefilter=r"(?i:key|name)[ \t]*=[ \t]*[\"'][\w.\-:]*" + _K),
    Rule("generic-secret", _re(r"""(?:name|variable)[ \t]*:?[ \t]*["']?(?P<k>[\w.\-]{1,80})["']?
         [ \t]*\{?[ \t]*\r?\n
         [ \t]*(?:value|default)[ \t]*[:=][ \t]*
         (?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n]){1,2048})(?P=q)|(?P<v2>[^\s"'`\#]{1,2048}))[ \t]*\r?$""",
         re.MULTILINE),
         _WORDS, fold=True, priority=4, lines=1, check=_named(),
         prefilter=r"(?:name|variable)[ \t]*:?[ \t]*[\"']?[\w.\-]*" + _K),
    # a setter or a login call: client.set_password("..."), api.authenticate_token('...')
    Rule("generic-secret", _re(r"""(?<![\w.])
         (?P<k>[A-Za-z_][\w.]{0,60}(?i:password|passwd|secret|token|api_?key))
         \([ \t]*(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n\\]){1,512})(?P=q)[ \t]*\)"""),
         ("password", "passwd", "secret", "token", "key"), fold=True, priority=4, check=_setter,
         prefilter=r"(?i:password|passwd|secret|token|apikey|api_key)\([ \t]*[\"']"),
    # user and password as a pair: requests' auth=("user", "..."), HTTPBasicAuth("user", "..."), PHP's
    # 'auth' => ['user', '...']
    Rule("generic-secret", _re(r"""(?P<k>(?i:auth|basic_auth|http_auth|HTTPBasicAuth|HTTPDigestAuth|BasicAuth
         |NetworkCredential|UsernamePasswordCredentials|credentials|creds))["']?[ \t]*(?:=>|[=(:])[ \t]*
         [(\[]?[ \t]*
         (?P<u>["'])[^"'\n]{1,128}(?P=u)[ \t]*,[ \t]*(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n\\]){1,512})(?P=q)"""),
         ("auth", "credential", "creds"), fold=True, priority=4,
         check=lambda m: password_like(_v(m), quoted=True) or token_like(_v(m), quoted=True),
         prefilter=r"(?i:auth|credential|credentials|creds)[\"']?[ \t]*(?:=>|[=(:])[ \t]*[(\[]?[ \t]*[\"']"),
    Rule("generic-secret", _re(r"""\bmachine[ \t]+\S+(?:[ \t]+|\r?\n[ \t]*)
         login[ \t]+\S+(?:[ \t]+|\r?\n[ \t]*)
         (?P<k>password)[ \t]+(?P<v>\S{1,512})"""),
         ("machine",), priority=4, lines=2, check=_named()),
    Rule("url-password", _re(r"""(?<![\w/.\-])[A-Za-z][\w$\#]{0,30}/(?P<v>[^\s/@"':]{3,64})@
         (?:\(|//)?[A-Za-z0-9][\w.\-]*(?::\d+)?(?:[/:]\w+)?"""),
         ("sqlplus", "oracle", "rman ", "expdp", "impdp", "sqlldr"), fold=True, priority=2,
         check=lambda m: password_like(_v(m), quoted=True)),
    Rule("generic-secret", _re(r"""<(?P<k>[\w.\-:]{0,40}(?i:password|passwd|pwd|secret|token|apikey|api-key
         |api_key|key|credential)[\w.\-:]{0,40})(?:\ [^>]*)?>(?P<v>[^<\s]{4,512})</(?P=k)>"""),
         ("pass", "pwd", "secret", "token", "key", "credential"), fold=True, priority=4, check=_named(),
         prefilter=r"<[\w.\-:]*(?i:pass|pw|secret|token|key|cred)"),
    # a secret named in prose, a comment or a log line, a few words before it: `# old API key: 3f9c...`,
    # `token was ...`, `TODO move to the vault: Acme password ...` (only random-looking values; a quoted
    # or assigned value is the other rules' to find, once its closing quote is typed)
    Rule("mentioned-secret", _re(r"""(?<![A-Za-z])
         (?P<k>(?i:(?:api|auth|access|refresh|session|bearer|client|secret|private)?[\ _\-]?(?:keys?|tokens?)
         |secrets?|passwords?|passwd|passphrase|pwd|pw|pat|credentials?|creds))(?![A-Za-z])
         [^\n]{0,48}?(?<![A-Za-z0-9_\-+/.~%$!=:|"'`])
         (?P<v>[A-Za-z0-9_\-+/.~%$!:][A-Za-z0-9_\-+/.~%$!:=|]{14,510}[A-Za-z0-9_\-+/~%$!]={0,2})
         (?![A-Za-z0-9_\-+/.~%$!=:|])"""),
         _WORDS, fold=True, priority=5, check=_mentioned,
         # (the character before the value is none of its own nor a quote: one report per value start)
         prefilter=r"(?i:key|token|secret|pass|pw|pat|cred)[^\n]*[^\nA-Za-z0-9_\-+/.~%$!=:|\"'`]"
         r"[A-Za-z0-9_\-+/.~%$!:=|]{16}"),
    # ... or as Markdown inline code: `Set the API key (e.g. `VALUE`) in the dashboard`
    Rule("mentioned-secret", _re(r"""(?<![A-Za-z])(?P<k>""" + _MENTIONED + r""")(?![A-Za-z])
         [^\n`]{0,48}`(?P<v>[^`\s]{8,511})`"""),
         _WORDS, fold=True, priority=5, check=_inline_code,
         prefilter=r"(?i:key|token|secret|pass|pw|pat|cred)[^\n`]*`[^`\s]{8}"),
    # a password named in prose: `// Mysql sandbox password: ^fl=u4ez5w8xQ`, `here is the password ...`
    # (words between the name and the value, no code: `password.update(x)`, `password == auth[1]`)
    Rule("mentioned-secret", _re(r"""(?<![A-Za-z_.])(?P<k>(?i:passwords?|passwd|passphrase))(?![A-Za-z_.(])
         [A-Za-z0-9\ \t:,\-]{0,48}?(?<=[\ \t:])
         (?P<v>[^\s`'"<>()\[\]{}]{7,127}[^\s.,;:!?`'"<>()\[\]{}])(?=[\s.,;:!?)\]`'"<>]|$)"""),
         ("pass",), fold=True, priority=5, check=lambda m: prose_password(_v(m)),
         prefilter=r"(?i:passw|passphrase)[A-Za-z0-9 \t:,\-]*[ \t:][^\s`'\"<>()\[\]{}]{8}"),
    # -- configuration syntaxes beyond `NAME = "value"` ------------------------------------------------------
    # a Terraform variable's default, a few lines into its block; any default of a `sensitive = true` one
    Rule("generic-secret", _re(r"""(?<![\w.\-])(?:variable|output)[ \t]+"(?P<k>[\w.\-]{1,80})"[ \t]*\{
         (?=(?P<s>[^{}]{0,600}?(?<![\w.\-])sensitive[ \t]*=[ \t]*true(?![\w.\-]))?)
         (?:[^{}"]|"[^"\n]*"){0,600}?(?<![\w.\-])default[ \t]*=[ \t]*
         (?P<q>")(?P<v>[^"\n\\]{1,2048})\""""),
         ("variable", "output"), priority=4, lines=12, check=_hcl_default,
         prefilter=r"(?:variable|output)[ \t]+\"[^\"\n]*\"[ \t]*\{"),
    # a triple-quoted string (TOML, Python): name = """value"""
    Rule("generic-secret", _re(r"""(?<![\w.\-])(?P<k>[A-Za-z_][\w.\-]{0,80})[ \t]*[:=][ \t]*
         (?P<q>\"\"\"|''')(?P<v>[^"'\n\\]{1,2048})(?P=q)"""),
         _WORDS, fold=True, priority=4, check=_named(),
         prefilter=r"[:=][ \t]*(?:\"\"\"|''')"),
    # a name and its value apart by white space alone, the whole line: Java `.properties` (`name value`),
    # Dockerfile `ENV NAME value`, nginx/Apache-style directives
    Rule("generic-secret", _re(r"""^[ \t]*(?:(?:ENV|ARG)[ \t]+)?(?P<k>[A-Za-z_][\w.\-]{0,80})[ \t]+
         (?P<v>[^\s"'`=:;{}()<>\[\]\#][^\s"'`]{5,511})[ \t]*;?\r?$""", re.MULTILINE),
         _WORDS, fold=True, priority=4, check=_spaced,
         prefilter=r"(?m:^)[ \t]*(?:(?:ENV|ARG)[ \t]+)?[\w.\-]*" + _K + r"[\w.\-]*[ \t]+[^\s\"'`]{6}"),
    # SQL: `PASSWORD '...'` (CREATE/ALTER ROLE, USER), `IDENTIFIED BY '...'`
    Rule("generic-secret", _re(r"""(?<![\w.\-])(?P<k>(?i:password|identified[ \t]+by))[ \t]+
         (?P<q>')(?P<v>[^'\n\\]{1,256})'"""),
         ("password", "identified"), fold=True, priority=4,
         check=lambda m: password_like(_v(m), quoted=True),
         prefilter=r"(?i:password|identified[ \t]+by)[ \t]+'"),
    # SQL: INSERT INTO t (..., secret, ...) VALUES (..., '...', ...): the value under a secret's column
    Rule("generic-secret", _re(r"""(?<=[(,])\s{0,8}(?P<q>')(?P<v>[^'\n\\]{1,2048})'(?=\s{0,8}[,)])"""),
         ("insert",), fold=True, priority=4, lines=1, check=_sql_column,
         prefilter=r"(?i:insert)[ \t]+(?i:into)"),
    # a field of an object as a program prints it (Kotlin's data classes, Lombok's and Java records' toString,
    # Python's reprs of attrs): `Credentials(user=deploy, refreshToken=..., expires=null)`, the value bare
    # and ended by the next field's `, ` or the closing bracket; code's keyword arguments (`f(password=pw,
    # key=self.key)`) pass identifiers and expressions, which are left
    Rule("generic-secret", _re(r"""(?:(?<=[(\[{])|(?<=,[ \t]))(?P<k>[A-Za-z_][\w.\-]{0,80})=
         (?P<v>[^\s,()\[\]{}"'`=][^\s,()\[\]{}"'`]{0,511})(?=,[ \t]|[)\]}])"""),
         _WORDS, fold=True, priority=4, check=_printed_field,
         prefilter=r"[(\[{,][ \t]?[\w.\-]*" + _K + r"[\w.\-]*=[^\s,()\[\]{}\"'`=][^\s,()\[\]{}\"'`]{5}"),
    # a Markdown table row: | `NAME` | `value` |
    Rule("generic-secret", _re(r"""\|[ \t]*(?P<kq>`?)(?P<k>[A-Za-z_][\w.\-]{0,80})(?P=kq)[ \t]*\|[ \t]*
         (?P<q>`?)(?P<v>[^\s|`]{6,512})(?P=q)[ \t]*\|"""),
         _WORDS, fold=True, priority=4, check=_named(),
         prefilter=r"\|[ \t]*`?[\w.\-]*" + _K + r"[\w.\-]*`?[ \t]*\|"),
    *LAYOUTS,  # names and values as ops files, logs and issue pastes lay them out (layouts.py)
    *URLS,  # a key in a URL's query or path, on any host (places.py)
    *RECORDS,  # a name and its value as fields of one record: Postman, tags, env lists (records.py)
    *ENCODED_AUTH,  # basic auth's user:password written out in code to be encoded (encoded.py)
    *NEARBY,  # a name, punctuation, its value: tuples, literals' prefixes, switches (layouts.py)
    *DEFAULTS,  # a secret's default declared with its name: options, settings fields (layouts.py)
    *SIBLINGS,  # a name and its value in sibling XML elements: <param-name>, <key>/<string> (records.py)
    *SESSIONS,  # a name at a REPL's prompt, its value echoed on the next line (records.py)
    *COMMANDS,  # passwords tools take as arguments; secrets given to commands that store them (places.py)
    *TABLES,  # a value under a column named like a secret, in comma-separated rows (records.py)
    *UNNAMED,  # credentials under names no vocabulary knows (unnamed.py)
    *GENERATED,  # machine-made tokens wherever they stand, whatever names them (unnamed.py)
)
