"""A secret's name and its value as two fields of one record: `{"key": NAME, "value": VALUE}`.

Tools that keep settings, variables or headers as lists of records put the name in one field and the
value in another (DynamoDB's JSON wraps each in its type, `{"S": ...}`): Postman's environments and
collections (`"key": "apiKey"`, `"value": "..."`), cloud tags (`{"Key": ..., "Value": ...}`),
Kubernetes' `env` lists, and the YAML of CI variables (`- key: DEPLOY_TOKEN` / `value: ...`). The rule
reads the name field (`key` or `name`, quoted or not, then `:`) and the first `value:` field after it in
the same record: a few lines down at most, no brace between
them and no other name or value field. Fields given with `=` are left out: in code, `key = ...` and
`value = ...` are two variables (`const value = cache.get(key)`), not a record. The name is read with
`keywords.py`, the value asked that name's test (`keywords.named`).

A secret's name and its value as two sibling elements of XML: the name in one, the value in the next.

XML configurations that keep settings as name and value pairs write the name in an element of its own and
the value in the element right after it: a Java web application's `<context-param>` and `<init-param>`
(`<param-name>`, `<param-value>`), Hadoop's and Hive's `<property>` (`<name>`, `<value>`), an Apple
property list's `<key>` and `<string>`. The rule reads an element whose tag ends in `name` or `key`,
holding only a name, and the element right after it (only white space and its own closing tag between,
on the next line at most) whose tag ends in `value`, `string` or `data`; the name is read with
`keywords.py`, the value asked that name's test (`keywords.named`).

A secret's name on one line, its value on the next: what an interactive session prints.

A REPL echoes the value of the expression typed at its prompt on the line below: `>>> os.environ["API_TOKEN"]`
then `'...'` (Python), `In [4]: settings.API_TOKEN` then `Out[4]: '...'` (IPython), `> process.env.API_TOKEN`
then `'...'` (Node), `irb(main):002:0> ENV['API_TOKEN']` then `=> "..."` (irb, pry), `test> db.x.findOne()`
(mongosh). The name is the last name of the expression (a variable, an attribute, a subscript's key); the
value the quoted string echoed alone on the next line (a REPL quotes the strings it echoes, so bare words and
numbers there, which are output of other kinds, are not read). The name is read with `keywords.py`, the value
asked that name's test (`keywords.named`).

A secret in a table of comma-separated values: its column's name in the header row above.

Password managers export their vaults as CSV (`name,url,username,password,...`), and spreadsheets,
fixtures and reports keep credentials in columns: the value stands alone in its row, its name only in the
header. The rule reads each field of a row of three fields or more, finds its header (the table's first
line: going up while lines have as many fields, at most `ROWS` up, no blank line between; each of its
fields a name: words, with blanks only in quotes; a message may come before its first name on its line,
as in a diagnostic's or a log's text), and asks the field's value the test its column's name asks for
(`keywords.py`): a password column a password, a token's or a key's column a token. The column's
name must hold one of `_COLUMN_WORD` (pass, pwd, secret, token, key, auth, cred): the engine looks for
headers by them. Rows of code are no table: a row holding parentheses, brackets, braces, `;` or an
assignment outside its quoted fields is not read.
"""

from __future__ import annotations

import csv
import re

from collector.redact.rules import keywords
from collector.redact.rules.keywords import named
from collector.redact.rules.rule import Rule, compile_verbose
from collector.redact.rules.values import password_like, token_like

_K = keywords.SECRET_WORD  # a secret word in a name

_FIELD = r"""(?P<{q}>["']?)(?i:{name})(?P={q})[ \t]*:[ \t]*"""
# a field's value given with its type, as DynamoDB's JSON writes attributes: `"name": {"S": "api_token"}`
_TYPED = r"""(?:(?P<{q}>\{{)[ \t]*["']?[A-Z]{{1,4}}["']?[ \t]*:[ \t]*)?"""

RECORDS: tuple[Rule, ...] = (
    Rule("generic-secret", compile_verbose(
        r"(?<![\w\-])" + _FIELD.format(q="fq", name="key|name")
        + _TYPED.format(q="ktq") + r"""(?P<kq>["']?)(?P<k>[A-Za-z_][\w.\-:]{0,80})(?P=kq)[ \t]*
        (?(ktq)\}[ \t]*)[,;]?
        (?:(?!["']?(?i:key|name|value)["']?[ \t]*:)[^{}\[\]]){0,300}?
        (?<![\w\-])""" + _FIELD.format(q="vq", name="value") + _TYPED.format(q="vtq")
        + r"""(?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)
        |(?P<v2>[^\s"'`,;{}\[\]\#]{1,2048}))"""),
        keywords.SECRET_WORDS, fold=True, priority=4, lines=6, check=named(),
        prefilter=r"(?i:key|name)[\"']?[ \t]*:[ \t]*(?:\{[ \t]*[\"']?[A-Z]{1,4}[\"']?[ \t]*:[ \t]*)?"
        r"[\"']?[A-Za-z_][\w.\-:]*" + _K),
)


# -- A secret's name and its value as two sibling elements of XML: the name in one, the value in the next. ---

_VALUE = r"""\s{0,200}<(?P<vt>[\w.\-:]{0,40}(?i:value|string|data))(?:[ \t][^<>\n]{0,200})?>
    [ \t]*(?P<v>[^<\s]{1,2048})[ \t]*</(?P=vt)>"""

SIBLINGS: tuple[Rule, ...] = (
    # <param-name>NAME</param-name> <param-value>...</param-value>; <key>NAME</key> <string>...</string>
    Rule("generic-secret", compile_verbose(r"""<(?P<t>[\w.\-:]{0,40}(?i:name|key))>[ \t]*
         (?P<k>[A-Za-z_][\w.\-:]{0,80})[ \t]*</(?P=t)>""" + _VALUE),
         ("name>", "key>"), fold=True, priority=4, lines=1, check=named(),
         prefilter=r"(?i:name|key)>[ \t]*[\w.\-:]*" + _K),
)


# -- A secret's name on one line, its value on the next: what an interactive session prints. -----------------

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


# -- A secret in a table of comma-separated values: its column's name in the header row above. ---------------

ROWS = 12  # how far below its header a row is read
_CODE = re.compile(r"[()\[\]{};<>]|\s=|=\s|==")
# A column's name: words, not a value (white space only in quotes: `from a import b, c` is no header).
_CELL = r"""[ \t]*(?:"[A-Za-z][\w .\-/#]{0,60}"|[A-Za-z][\w.\-/#]{0,60})[ \t]*"""
_HEADER = re.compile(_CELL + r"(?:," + _CELL + r")+")
# The secret's words a column's name is read for (the other words of `keywords.SECRET_WORDS` name few
# columns, and reading them would wake the engine's pass on far more lines of code)
_COLUMN_WORD = "(?i:pass|pwd|secret|token|key|auth|cred)"
_ANY_FIELD = r"""[ \t]*(?:"[\w .\-/#]*"|[\w.\-/#]+)[ \t]*"""  # a header's field, for the engine
_QUOTED = re.compile(r'"[^"\n]*"')


def _fields(line: str) -> list[str]:
    return next(csv.reader([line]), [])


def _code(row: str) -> bool:
    """A line of code, not a row: parentheses, brackets, braces, `;` or an assignment outside its quoted
    fields (`=` inside a value is base64's padding or a URL's query)."""
    return _CODE.search(_QUOTED.sub('""', row)) is not None


def _after_message(line: str) -> str:
    """The line from its first field's last word: a table pasted after a message on its first line
    (`hard-coded credential? name,url,password`, a log's prefix) starts there."""
    comma = line.find(",")
    first = line[:comma]
    if comma < 0 or first.lstrip().startswith('"'):
        return line
    return line[max(first.rfind(" "), first.rfind("\t")) + 1:]


def _header(text: str, row_start: int, width: int) -> list[str] | None:
    """The header of the row starting at `row_start`: the table's first line (going up while lines have
    `width` fields, at most `ROWS` up, to a blank line or one that is no row), when each field is a name."""
    header: list[str] | None = None
    end = row_start - 1
    for _ in range(ROWS):
        if end <= 0:
            break
        start = text.rfind("\n", 0, end) + 1
        line = text[start:end].rstrip("\r")
        if line.count(",") < width - 1 or _code(line):
            break
        fields = [f.strip() for f in _fields(line)]
        if len(fields) != width:
            break
        if _HEADER.fullmatch(line):
            header = fields
        else:  # the message before the first name is no part of its column's name
            named = _after_message(line)
            header = [f.strip() for f in _fields(named)] if _HEADER.fullmatch(named) else None
        end = start - 1
    return header


# The last row read: each field of a row asks for its header, and a row has several (one text at a time).
_last: dict[tuple[int, int, int], list[str] | None] = {}


def _header_of_row(text: str, row_start: int) -> list[str] | None:
    """The header of the row starting at `row_start`, or None when the row is no row of a table."""
    key = (id(text), len(text), row_start)
    if key in _last:
        return _last[key]
    row_end = text.find("\n", row_start)
    row = text[row_start:len(text) if row_end == -1 else row_end].rstrip("\r")
    header = None
    if row.count(",") >= 2 and not _code(row):
        header = _header(text, row_start, len(_fields(row)))
    _last.clear()
    _last[key] = header
    return header


def _in_table(match: re.Match[str]) -> bool:
    text = match.string
    row_start = text.rfind("\n", 0, match.start()) + 1
    header = _header_of_row(text, row_start)
    if header is None:
        return False
    column = len(_fields(text[row_start:match.start()] + "x")) - 1
    name = header[column] if column < len(header) else ""
    level = keywords.strength(name) if re.search(_COLUMN_WORD, name) else None
    found = match.group("v")
    if level == "password":
        return password_like(found, quoted=True)
    return level is not None and token_like(found, quoted=True)


TABLES: tuple[Rule, ...] = (
    Rule("generic-secret", compile_verbose(r"""(?:^|(?<=,))[ \t]*(?P<q>"?)(?P<v>[^,"\n\r]{6,512})(?P=q)[ \t]*
         (?=,|\r?$)""", re.MULTILINE),
         # no anchors: found where its prefilter finds a header (also in Python, for short texts), and so
         # not looked for further up than the line above an editor's keystroke (`RuleSet.reach`): the
         # words of a secret are in most lines of code, a header seldom
         (), priority=4, lines=ROWS, check=_in_table,
         # the header: a name holding a secret's word, then names (quoted, or one word each) to the line's
         # end, or a name holding one last, after a comma
         prefilter=_COLUMN_WORD + r"[\w.\-/#]*\"?[ \t]*(?:," + _ANY_FIELD + r")+\r?(?m:$)"
         r"|,[ \t]*(?:\"[\w .\-/#]*" + _COLUMN_WORD + r"[\w .\-/#]*\"|[\w.\-/#]*" + _COLUMN_WORD
         + r"[\w.\-/#]*)[ \t]*\r?(?m:$)"),
)
