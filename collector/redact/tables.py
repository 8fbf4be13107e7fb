"""A secret in a table of comma-separated values: its column's name in the header row above.

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

from collector.redact import keywords
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import password_like, token_like

ROWS = 12  # how far below its header a row is read
_CODE = re.compile(r"[()\[\]{};<>]|\s=|=\s|==")
# A column's name: words, not a value (white space only in quotes: `from a import b, c` is no header).
_FIELD = r"""[ \t]*(?:"[A-Za-z][\w .\-/#]{0,60}"|[A-Za-z][\w.\-/#]{0,60})[ \t]*"""
_HEADER = re.compile(_FIELD + r"(?:," + _FIELD + r")+")
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
