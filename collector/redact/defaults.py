"""A secret's default value, declared with its name: a command-line option's, a settings field's.

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
`keywords.py`, the value asked that name's test (`named.py`).
"""

from __future__ import annotations

import re

from collector.redact import keywords
from collector.redact.named import named, passes
from collector.redact.named import value as _v
from collector.redact.rule import Rule, compile_verbose

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
_NAME = r"(?=-{0,2}[\w.\-]{0,80}" + _K + r")(?P<k>-{0,2}[A-Za-z_][\w.\-]{0,80}+)"
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
    Rule("generic-secret", compile_verbose(r"""(?<=["'`])""" + _NAME + r"""["'`]""" + _DEFAULT),
         _ANCHORS, priority=4, check=named(),
         prefilter=_K + r"[\w.\-]*[\"'`][^\n;]*" + _MARK),
    # a declared field: api_key: str = Field(default="..."), CUE's api_key: string | *"..."
    Rule("generic-secret", compile_verbose(r"""(?<![\w.\-])""" + _NAME + r"""[ \t]*:""" + _DEFAULT),
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
