"""Where ops files, logs and issue pastes put a secret's name and its value, beyond `NAME = value`.

Each rule reads the name with `keywords.py` and asks the value the test that name asks for (`named.py`),
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
"""

from __future__ import annotations

import re

from collector.redact import keywords
from collector.redact.named import named, value
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import HEX, machine_made, password_like

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"


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
