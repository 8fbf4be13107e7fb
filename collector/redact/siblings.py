"""A secret's name and its value as two sibling elements of XML: the name in one, the value in the next.

XML configurations that keep settings as name and value pairs write the name in an element of its own and
the value in the element right after it: a Java web application's `<context-param>` and `<init-param>`
(`<param-name>`, `<param-value>`), Hadoop's and Hive's `<property>` (`<name>`, `<value>`), an Apple
property list's `<key>` and `<string>`. The rule reads an element whose tag ends in `name` or `key`,
holding only a name, and the element right after it (only white space and its own closing tag between,
on the next line at most) whose tag ends in `value`, `string` or `data`; the name is read with
`keywords.py`, the value asked that name's test (`named.py`).
"""

from __future__ import annotations

from collector.redact import keywords
from collector.redact.named import named
from collector.redact.rule import Rule, compile_verbose

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
_VALUE = r"""\s{0,200}<(?P<vt>[\w.\-:]{0,40}(?i:value|string|data))(?:[ \t][^<>\n]{0,200})?>
    [ \t]*(?P<v>[^<\s]{1,2048})[ \t]*</(?P=vt)>"""

SIBLINGS: tuple[Rule, ...] = (
    # <param-name>NAME</param-name> <param-value>...</param-value>; <key>NAME</key> <string>...</string>
    Rule("generic-secret", compile_verbose(r"""<(?P<t>[\w.\-:]{0,40}(?i:name|key))>[ \t]*
         (?P<k>[A-Za-z_][\w.\-:]{0,80})[ \t]*</(?P=t)>""" + _VALUE),
         ("name>", "key>"), fold=True, priority=4, lines=1, check=named(),
         prefilter=r"(?i:name|key)>[ \t]*[\w.\-:]*" + _K),
)
