"""A secret's name on one line, its value on the next: what an interactive session prints.

A REPL echoes the value of the expression typed at its prompt on the line below: `>>> os.environ["API_TOKEN"]`
then `'...'` (Python), `In [4]: settings.API_TOKEN` then `Out[4]: '...'` (IPython), `> process.env.API_TOKEN`
then `'...'` (Node), `irb(main):002:0> ENV['API_TOKEN']` then `=> "..."` (irb, pry), `test> db.x.findOne()`
(mongosh). The name is the last name of the expression (a variable, an attribute, a subscript's key); the
value the quoted string echoed alone on the next line (a REPL quotes the strings it echoes, so bare words and
numbers there, which are output of other kinds, are not read). The name is read with `keywords.py`, the value
asked that name's test (`named.py`).
"""

from __future__ import annotations

import re

from collector.redact import keywords
from collector.redact.named import named
from collector.redact.rule import Rule, compile_verbose

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
# a prompt: `>>>`, `In [4]:`, or a short word (`irb(main):002:0`, `[1] pry(main)`, `test`, none) then `>`
_PROMPT = r"""(?:>>>|In\ \[\d{1,6}\]:|(?:\[\d{1,6}\]\ )?[\w\-]{0,20}(?:\([^()\n]{0,40}\))?[:\d]{0,12}>)"""

SESSIONS: tuple[Rule, ...] = (
    Rule("generic-secret", compile_verbose(
        r"""^[ \t]*""" + _PROMPT + r"""[ \t]+[^\n]{0,200}?(?<![\w.\-])(?P<k>[A-Za-z_][\w.\-]{0,80})
        (?:["'`]\]|["'`]\)|\])?[ \t]*;?\r?\n
        [ \t]*(?:Out\[\d{1,6}\]:[ \t]*|=>[ \t]*)?
        (?P<q>["'`])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)[ \t]*\r?$""",
        re.MULTILINE),
        keywords.SECRET_WORDS, fold=True, priority=4, lines=1, check=named(),
        # the prompt's line, ending in a name holding a secret's word
        prefilter=r"(?m:^)[ \t]*(?:>>>|In \[\d+\]:|[\w\-()\[\]: ]{0,60}>)[ \t]+[^\n]*" + _K
        + r"[\w.\-]*(?:[\"'`][\])]|\])?[ \t]*;?\r?(?m:$)"),
)
