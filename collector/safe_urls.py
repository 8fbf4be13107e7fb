"""URLs as messages show them: the user and password of a URL never reach an error line, a log or `status`.

A URL the user wrote can hold credentials (`s3://KEY:SECRET@bucket`, `https://user:p@ss@host:port/`),
and a malformed one is exactly what an error quotes back. Every message that quotes a URL quotes
`safe_url(url)`; text from elsewhere that may quote one (an exception's message, a child process's
error line) goes through `safe_text` before it is shown or logged.

Both are tolerant of URLs no parser accepts: everything between `://` and the last `@` of the URL is
replaced by `***`, however many `@`, `/` or `:` the password holds, unless it is a path (`file:///dir/@x`).
"""

from __future__ import annotations

import re

MASK = "***"
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]{0,30}://")
_TOKEN_END = re.compile(r"""[\s'"`<>]""")


def safe_url(url: str) -> str:
    """`url` (all of it one URL, as given) with its user information masked."""
    scheme = _SCHEME.search(url)
    start = scheme.end() if scheme is not None else 0
    return _masked(url, start, len(url))


def safe_text(text: str) -> str:
    """`text` with the user information of every URL in it masked (a URL ends at white space or a quote)."""
    if "@" not in text:
        return text
    out, last = [], 0
    for scheme in _SCHEME.finditer(text):
        if scheme.start() < last:
            continue
        end = _TOKEN_END.search(text, scheme.end())
        stop = end.start() if end is not None else len(text)
        out.append(text[last:scheme.start()])
        out.append(_masked(text[scheme.start():stop], scheme.end() - scheme.start(), stop - scheme.start()))
        last = stop
    out.append(text[last:])
    return "".join(out)


def without_credentials(url: str) -> str:
    """`url` (all of it one URL) with its user information and the `@` after it removed."""
    scheme = _SCHEME.search(url)
    start = scheme.end() if scheme is not None else 0
    at = _userinfo_end(url, start, len(url))
    return url if at < 0 else url[:start] + url[at + 1:]


def holds_credentials(url: str) -> bool:
    """`url` has user information (a user, a password or both) by `safe_url`'s reading."""
    return safe_url(url) != url


def _masked(url: str, start: int, stop: int) -> str:
    at = _userinfo_end(url, start, stop)
    return url if at < 0 else url[:start] + MASK + url[at:]


def _userinfo_end(url: str, start: int, stop: int) -> int:
    """Where the user information of the URL in `url[start:stop]` (after its `scheme://`) ends: its last
    `@`; -1 when there is none (no `@`, nothing before it, or a path: `file:///dir/@x`)."""
    at = url.rfind("@", start, stop)
    return -1 if at <= start or url.startswith("/", start) else at
