"""A secret's default value, declared with its name: a command-line option's, a settings field's.

Programs that read a secret from their command line or their settings often declare a default for it on
the same line: `parser.add_argument("--api-token", default="...")`, `@click.option("--secret-key",
envvar="SECRET_KEY", default="...")`, pydantic's `api_key: str = Field(default="...")`, CUE's
`api_key: string | *"..."`. The name is a whole quoted string (an option, an environment variable) or a
declared field (`name:`), and the value is the first default after it in the same call or declaration
(`default=`, `default:`, `default "..."`, CUE's `| *`): no statement's end (`;`) and at most one
parenthesis opened between them. The name is read with `keywords.py`, the value asked that name's test
(`named.py`).

Written from the kinds of line `bench/fresh_corpus/sonar` missed (that corpus is SPENT: its README).
"""

from __future__ import annotations

from collector.redact import keywords
from collector.redact.named import named
from collector.redact.rule import Rule, compile_verbose

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
_NAME = r"(?=-{0,2}[\w.\-]{0,80}" + _K + r")(?P<k>-{0,2}[A-Za-z_][\w.\-]{0,80}+)"
# the rest of the same call or declaration, then its default
_DEFAULT = r"""[^\n();]{0,160}?(?:\([^\n();]{0,160}?)?
    (?:(?<![\w.])default["'`]?[ \t]*(?:[:=][ \t]*|[ \t]+|\([ \t]*)|\|[ ]?\*[ \t]*)
    (?P<q>["'`])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)"""
_MARK = r"(?:default|\|[ ]?\*)"
_ANCHORS = ("default", "|*", "| *")  # a default's mark: every line a default is read on holds one

DEFAULTS: tuple[Rule, ...] = (
    # an option or a variable named by a whole quoted string: add_argument("--api-token", ..., default="...")
    Rule("generic-secret", compile_verbose(r"""(?<=["'`])""" + _NAME + r"""["'`]""" + _DEFAULT),
         _ANCHORS, priority=4, check=named(),
         prefilter=_K + r"[\w.\-]*[\"'`][^\n;]*" + _MARK),
    # a declared field: api_key: str = Field(default="..."), CUE's api_key: string | *"..."
    Rule("generic-secret", compile_verbose(r"""(?<![\w.\-])""" + _NAME + r"""[ \t]*:""" + _DEFAULT),
         _ANCHORS, priority=4, check=named(),
         prefilter=_K + r"[\w.\-]*[ \t]*:[^\n;]*" + _MARK),
)
