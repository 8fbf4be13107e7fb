"""HTTP basic auth's `user:password` written out in code, to be base64-encoded into a header.

Code that builds an `Authorization: Basic ...` header itself encodes a literal `user:password` string:
`btoa("api:...")`, `base64.b64encode(b"user:...")`, `Buffer.from("...:")`, `base64_encode('user:...')`,
`Base64.strict_encode64("...")`, `Convert.ToBase64String(Encoding.UTF8.GetBytes("..."))`,
`base64.StdEncoding.EncodeToString([]byte("..."))`. The password is the secret (a password's or a
token's test), or, when the password is empty (`"KEY:"`), the user: an API key sent as the user name,
then a machine-made token.

Written from the kinds of line `bench/fresh_corpus/apikey` missed (that corpus is SPENT: see its README).
"""

from __future__ import annotations

import re

from collector.redact.named import value
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import machine_made, password_like, token_like

_CALLS = r"(?i:btoa|b64encode|base64_encode|encode64|strict_encode64|encodetostring|getbytes|buffer\.from)"


def _credential(match: re.Match[str]) -> bool:
    """The password by a password's or a token's test; a user with no password, machine-made."""
    found = value(match)
    if match.group("v") is not None:
        return password_like(found, quoted=True) or token_like(found, quoted=True)
    return token_like(found, quoted=True) and machine_made(found)


ENCODED_AUTH: tuple[Rule, ...] = (
    Rule("basic-auth", compile_verbose(_CALLS + r"""\([ \t]*(?:\[\]byte\()?[bBuU]?(?P<q>["'`])
         (?:[^"'`:\s]{1,128}:(?P<v>[^"'`\s]{1,512})|(?P<v2>[^"'`:\s]{16,512}):)(?P=q)"""),
         ("btoa", "b64encode", "base64_encode", "encode64", "encodetostring", "getbytes", "buffer.from"),
         fold=True, priority=2, token=True, check=_credential,
         prefilter=_CALLS + r"\([ \t]*(?:\[\]byte\()?[bBuU]?[\"'`][^\"'`:\s]+:"),
)
