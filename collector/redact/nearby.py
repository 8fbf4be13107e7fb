"""A secret's name and its value with only a few kinds of punctuation between them, in other syntaxes.

The context rules of `builtin.py` and `layouts.py` each know one way of writing `name = "value"`; other
languages and tools put other punctuation between the two. This rule reads four of them on one line:

    tuples         Erlang's and Elixir's `{name, "value"}` (a comma, then the value quoted), a Lisp pair
                   `(name . "value")`
    literals       a string literal with a prefix, after `=`, `:=` or blanks: Objective-C `@"..."`, C and
                   C++ `L"..."`, `u8"..."`, C#'s `@"..."` and `$"..."`, a `#define NAME L"..."`
    switches       Windows' `/name:value` (`cmdkey /pass:...`)
    placeholders   a placeholder's default: Spring's `${name.dotted:value}`, the shell's `${NAME:-value}`

The name must say a secret (`keywords.py`) and the value pass the test that name asks for (`named.py`);
and, because code puts names and other words behind this punctuation far more often than secrets, the
value must be drawn: a token as `generated.py` finds one anywhere, or 32 hexadecimal digits or more (a
UUID's too, or after a vendor's word: `WORD-...`, `word_live_...`). A name inside a token (the `PAT` of
a base64 hash's `...DxPAT0d...`) is none: the name begins after none of a token's characters.
"""

from __future__ import annotations

import re

from collector.redact import keywords
from collector.redact.generated import generated
from collector.redact.named import named, value
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import HEX, entropy

MIN_HEX = 32  # hexadecimal digits of a key's value (a UUID's 32)
# a vendor's word before a hexadecimal key: `WORD-...`, `word_live_...`
_PREFIXED_HEX = re.compile(r"[A-Za-z]{2,12}(?:[_\-][A-Za-z]{2,12}){0,2}[_\-]"
                           r"(?P<b>[0-9a-f]{32,}|[0-9A-F]{32,})")
_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
_LITERAL = r"(?:L|u8|u|U|@\$|\$@|@|\$)"  # a string literal's prefix, written against its quote
# What may stand between the name (and its closing quote) and the value:
_SEP = (r"""(?:[ \t]*,[ \t]*(?=["'`])"""  # a tuple's comma, the value quoted: {name, "value"}
        r"""|[ \t]+\.[ \t]+(?=["'])"""  # a Lisp pair: (name . "value")
        r"""|:-?(?=[A-Za-z0-9+/_\-.~=%])"""  # a placeholder's default or a switch: ${name:-v}, /pass:v
        r"""|[ \t]*(?::?=)?[ \t]*""" + _LITERAL + r"""(?=["']))""")  # a prefixed literal: = @"v", L"v"


def _drawn(found: str) -> bool:
    """Drawn as `generated.py` tells a token anywhere, or a long hexadecimal value, bare or after a vendor's
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
