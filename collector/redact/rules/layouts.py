"""Where ops files, logs and issue pastes put a secret's name and its value, beyond `NAME = value`.

Each rule reads the name with `keywords.py` and asks the value the test that name asks for (`keywords.named`),
whatever the vendor; only the way the two stand on the line is new:

    quoted assignment   `"NAME=value"` quoted whole: systemd `Environment="A=1" "NAME=..."`, a compose
                        list's `- "NAME=..."`, `"-Dname=..."` in a JVM's options
    spaced and quoted   a name, white space, the value in quotes: a directive (nginx `proxy_set_header
                        name "..."`, Apache `RequestHeader set Name "..."`), a log line or an exception's
                        message (`denied for ServiceKey '...'`)
    inline code pair    the name and the value each in Markdown inline code, a few words apart
                        (``Set `NAME` to `...` ``)
    pgpass line         `host:port:database:user:password`, the libpq password file's line
    bare key            `key=...` alone (a log's `(key=...)`), only with a machine-made value: `key=` names
                        everything in code (`sorted(x, key=len)`), so the value must say it is random

A secret's name and its value with only a few kinds of punctuation between them, in other syntaxes.

The context rules of `builtin.py` and `layouts.py` each know one way of writing `name = "value"`; other
languages and tools put other punctuation between the two. This rule reads four of them on one line:

    tuples         Erlang's and Elixir's `{name, "value"}` (a comma, then the value quoted), a Lisp pair
                   `(name . "value")`
    literals       a string literal with a prefix, after `=`, `:=` or blanks: Objective-C `@"..."`, C and
                   C++ `L"..."`, `u8"..."`, C#'s `@"..."` and `$"..."`, a `#define NAME L"..."`
    switches       Windows' `/name:value` (`cmdkey /pass:...`)
    placeholders   a placeholder's default: Spring's `${name.dotted:value}`, the shell's `${NAME:-value}`

The name must say a secret (`keywords.py`) and the value pass the test that name asks for (`keywords.named`);
and, because code puts names and other words behind this punctuation far more often than secrets, the
value must be drawn: a token as `unnamed.py` finds one anywhere, or 32 hexadecimal digits or more (a
UUID's too, or after a vendor's word: `WORD-...`, `word_live_...`). A name inside a token (the `PAT` of
a base64 hash's `...DxPAT0d...`) is none: the name begins after none of a token's characters.

A secret's default value, declared with its name: a command-line option's, a settings field's.

Programs that read a secret from their command line or their settings often declare a default for it on
the same line: `parser.add_argument("--api-token", default="...")`, `@click.option("--secret-key",
envvar="SECRET_KEY", default="...")`, pydantic's `api_key: str = Field(default="...")`, CUE's
`api_key: string | *"..."`, or a few lines below it in its YAML block: a CloudFormation or SAM template's
parameter (`ApiToken:` then `Type: String`, `NoEcho: true`, `Default: ...`), a Serverless or an Ansible
argument spec's option (that rule is anchored on `default` and its check walks up to the block's key, so
an editor's keystroke costs it nothing unless its line holds `default`). The name is a whole quoted
string (an option, an environment variable) or a declared field (`name:`), and the value is the first
default after it in the same call or declaration (`default=`, `default:`, `default "..."`, CUE's `| *`):
no statement's end (`;`) and at most one parenthesis opened between them. The name is read with
`keywords.py`, the value asked that name's test (`keywords.named`).
"""

from __future__ import annotations

import re

from collector.redact.rules import keywords
from collector.redact.rules.keywords import named, passes, value
from collector.redact.rules.keywords import value as _v
from collector.redact.rules.rule import Rule, compile_verbose
from collector.redact.rules.unnamed import generated
from collector.redact.rules.values import HEX, entropy, machine_made, password_like

_K = keywords.SECRET_WORD  # a secret word in a name


def _bare_key(match: re.Match[str]) -> bool:
    """A machine-made value that is not a hexadecimal digest (a cache or a lookup key)."""
    found = value(match)
    return machine_made(found) and not HEX.issuperset(found.rstrip("="))


_NAME = re.compile(r"-{0,2}[A-Za-z]+(?:[.\-_/][A-Za-z]+)*")  # words joined: a file, a module, a flag


def _quoted_whole(match: re.Match[str]) -> bool:
    """The name's test; a bare `key` (`'key=value%23more'` in a query string) only with a machine-made value,
    as for the bare key below."""
    if keywords.words(match.group("k")) == ["key"]:
        return _bare_key(match)
    return named()(match)


def _spaced(match: re.Match[str]) -> bool:
    """The name's test, and a value that is not words joined by `.`, `-`, `_` or `/` (or a flag): after a name
    and a blank, that is the next argument (Lisp's `(defconst secrets-interface "org.freedesktop.Secret")`,
    `(declare-function set-passwd "ange-ftp")`), not a secret."""
    return named()(match) and not _NAME.fullmatch(value(match))


LAYOUTS: tuple[Rule, ...] = (
    Rule("env-secret", compile_verbose(r"""(?<![\w\\])(?P<kq>["'])(?:-D)?(?P<k>[A-Za-z_][\w.\-]{0,80})=
         (?P<v>[^\s"'`&]{1,2048})(?P=kq)"""),
         keywords.SECRET_WORDS, fold=True, priority=2, check=_quoted_whole,
         prefilter=_K + r"[\w.\-]*=[^\s\"'`&]{6}[^\s\"'`&]*[\"']"),
    Rule("generic-secret", compile_verbose(r"""(?<![\w.\-])(?P<k>[A-Za-z_][\w.\-]{0,80})[ \t]+
         (?P<q>["'])(?P<v>[^"'`\s\\]{8,2048})(?P=q)"""),
         keywords.SECRET_WORDS, fold=True, priority=4, check=_spaced,
         prefilter=_K + r"[\w.\-]*[ \t]+[\"'][^\"'`\s\\]{8}"),
    Rule("generic-secret", compile_verbose(r"""`(?P<k>[A-Za-z_][\w.\-]{0,80})`[^`\n]{1,40}?
         `(?P<v>[^`\s]{8,2048})`"""),
         keywords.SECRET_WORDS, fold=True, priority=4, check=named(),
         prefilter=_K + r"[\w.\-]*`[^`\n]{1,40}`[^`\s]{8}"),
    Rule("generic-secret", compile_verbose(r"""^[ \t]*[A-Za-z0-9_.\-*]{1,253}:(?:\d{1,5}|\*):
         [^:\s]{1,128}:[^:\s]{1,128}:(?P<v>(?:[^\s:\\]|\\.){1,512})\r?$""", re.MULTILINE),
         (":",), priority=4, check=lambda m: password_like(value(m), quoted=True),
         prefilter=r":(?:\d{1,5}|\*):[^:\s]+:[^:\s]+:[^\s:]"),
    Rule("generic-secret", compile_verbose(r"""(?<![\w.\-])(?i:key)=
         (?P<v>[A-Za-z0-9+/_\-.~]{16,512}={0,2})(?![\w+/=\-.~])"""),
         ("key=",), fold=True, priority=4, check=_bare_key,
         prefilter=r"(?i:key)=[A-Za-z0-9+/_\-.~]{16}"),
)


# -- A secret's name and its value with only a few kinds of punctuation between them, in other syntaxes. -----

MIN_HEX = 32  # hexadecimal digits of a key's value (a UUID's 32)
# a vendor's word before a hexadecimal key: `WORD-...`, `word_live_...`
_PREFIXED_HEX = re.compile(r"[A-Za-z]{2,12}(?:[_\-][A-Za-z]{2,12}){0,2}[_\-]"
                           r"(?P<b>[0-9a-f]{32,}|[0-9A-F]{32,})")
_LITERAL = r"(?:L|u8|u|U|@\$|\$@|@|\$)"  # a string literal's prefix, written against its quote
# What may stand between the name (and its closing quote) and the value:
_SEP = (r"""(?:[ \t]*,[ \t]*(?=["'`])"""  # a tuple's comma, the value quoted: {name, "value"}
        r"""|[ \t]+\.[ \t]+(?=["'])"""  # a Lisp pair: (name . "value")
        r"""|:-?(?=[A-Za-z0-9+/_\-.~=%])"""  # a placeholder's default or a switch: ${name:-v}, /pass:v
        r"""|[ \t]*(?::?=)?[ \t]*""" + _LITERAL + r"""(?=["']))""")  # a prefixed literal: = @"v", L"v"


def _drawn(found: str) -> bool:
    """Drawn as `unnamed.py` tells a token anywhere, or a long hexadecimal value, bare or after a vendor's
    word (a key, under a name saying so): code and words in other syntaxes are far more common here than
    secrets, so a value that only passes its name's test (a password-like word, an identifier) is not
    enough."""
    if generated(found):
        return True
    prefixed = _PREFIXED_HEX.fullmatch(found)
    digits = prefixed.group("b") if prefixed else found.replace("-", "")
    return (len(digits) >= MIN_HEX and HEX.issuperset(digits) and not digits.isdigit()
            and not digits.isalpha() and entropy(digits) >= 3.0)


def _nearby(match: re.Match[str]) -> bool:
    """A drawn value (`_drawn`), and the name's test."""
    return _drawn(value(match)) and named()(match)


NEARBY: tuple[Rule, ...] = (
    Rule("generic-secret", compile_verbose(r"""(?:(?<=\s/)|(?<![\w.\-+/=%~]))
         (?=[$@]?[\w.\-]{0,80}""" + _K + r""")(?P<k>[$@]?[A-Za-z_][\w.\-]{0,80}+)["'`]?""" + _SEP + r"""
         (?:(?P<q>["'`])(?P<v>[^"'`\s\\]{16,2048})(?P=q)
         |(?P<v2>[A-Za-z0-9+/_\-.~=%]{16,512})(?![\w+/=\-.~%]))"""),
         keywords.SECRET_WORDS, fold=True, priority=4, check=_nearby,
         prefilter=_K + r"[\w.\-]*[\"'`]?(?:(?:[ \t]*,[ \t]*|[ \t]+\.[ \t]+|[ \t]*(?::?=)?[ \t]*" + _LITERAL
         + r")[\"'`][^\"'`\s\\]{16}|:-?[A-Za-z0-9+/_\-.~=%]{16})"),
)


# -- A secret's default value, declared with its name: a command-line option's, a settings field's. ----------

_DEFAULT_NAME = r"(?=-{0,2}[\w.\-]{0,80}" + _K + r")(?P<k>-{0,2}[A-Za-z_][\w.\-]{0,80}+)"
# the rest of the same call or declaration, then its default
_DEFAULT = r"""[^\n();]{0,160}?(?:\([^\n();]{0,160}?)?
    (?:(?<![\w.])default["'`]?[ \t]*(?:[:=][ \t]*|[ \t]+|\([ \t]*)|\|[ ]?\*[ \t]*)
    (?P<q>["'`])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)"""
_MARK = r"(?:default|\|[ ]?\*)"
BLOCK = 6  # a YAML block's lines before its default
_ANCHORS = ("default", "|*", "| *")  # a default's mark: every line a default is read on holds one

_PARENT = re.compile(r"[ \t]*-?[ \t]*(?P<k>[A-Za-z_][\w.\-]{0,80})[ \t]*:[ \t]*\r?")  # `ApiToken:`
_SIBLING = re.compile(r"[ \t]*[\w\-]{1,40}[ \t]*:[^\n]{0,200}")  # `Type: String`, `NoEcho: true`


def _block_default(match: re.Match[str]) -> bool:
    """The default's block: going up over its siblings (`key: value` lines indented as it, at most `BLOCK`),
    the first line indented less is a key with nothing after it, named like a secret; the value passes that
    name's test."""
    text, indent = match.string, len(match.group("i"))
    end = match.start() - 1
    for _ in range(BLOCK + 1):
        if end < 0:
            return False
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].rstrip("\r")
        lead = len(line) - len(line.lstrip(" \t"))
        if lead < indent:
            parent = _PARENT.fullmatch(line)
            level = keywords.strength(parent.group("k")) if parent else None
            return level is not None and passes(level, _v(match), quoted=bool(match.group("q")))
        if lead > indent or not _SIBLING.fullmatch(line):
            return False
        end = start - 1
    return False


DEFAULTS: tuple[Rule, ...] = (
    # an option or a variable named by a whole quoted string: add_argument("--api-token", ..., default="...")
    Rule("generic-secret", compile_verbose(r"""(?<=["'`])""" + _DEFAULT_NAME + r"""["'`]""" + _DEFAULT),
         _ANCHORS, priority=4, check=named(),
         prefilter=_K + r"[\w.\-]*[\"'`][^\n;]*" + _MARK),
    # a declared field: api_key: str = Field(default="..."), CUE's api_key: string | *"..."
    Rule("generic-secret", compile_verbose(r"""(?<![\w.\-])""" + _DEFAULT_NAME + r"""[ \t]*:""" + _DEFAULT),
         _ANCHORS, priority=4, check=named(),
         prefilter=_K + r"[\w.\-]*[ \t]*:[^\n;]*" + _MARK),
    # a YAML block's default: `Default:` indented under a key named like a secret (the check walks up to it)
    Rule("generic-secret", compile_verbose(
        r"""^(?P<i>[ \t]+)(?i:default)[ \t]*:[ \t]*
        (?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)|(?P<v2>[^\s"'`\#|>&*{\[][^\s"'`]{0,2047}))
        [ \t]*\r?$""", re.MULTILINE),
         ("default",), fold=True, priority=4, check=_block_default,
         prefilter=r"(?i:default)[ \t]*:[ \t]*[^\s|>&*{\[]"),
)
