"""A secret handed to a command that stores it: a secret manager's, a CI's, a container engine's.

Commands that keep a secret take its name in one argument and its value in another: `gh secret set
API_TOKEN --body "..."`, `az keyvault secret set --name api-token --value "..."`, `aws ssm put-parameter
--name /prod/api-token --value '...'`, `vault kv put secret/app api_token=...` (the `NAME=value` rules'),
or read the value from their input: `printf '...' | docker secret create api-token -`, `echo '...' |
gcloud secrets versions add api-key --data-file=-`, `echo '...' | docker login --password-stdin`.

- A value flag (`--value`, `--body`, `--secret-string`, `--secret-value`) after a word of the same command
  line named like a secret (`keywords.py`; a path's last segment, `/prod/app/api-token`): the value is
  asked that name's test (`named.py`).
- A quoted literal written by `echo`/`printf` into a pipe whose command stores a secret (it says `secret`
  or `secrets`, or reads a password or a token from its input: `--password-stdin`, `--with-token`): a
  password by the password test when the command names a password, else a token by the token test.
  Variables (`"$TOKEN"`) are not values.

Written from the kinds of line `bench/fresh_corpus/community` missed (that corpus is SPENT: its README).
"""

from __future__ import annotations

import re

from collector.redact import keywords
from collector.redact.named import named
from collector.redact.rule import Rule, compile_verbose
from collector.redact.values import password_like, token_like

_K = "(?i:" + "|".join(keywords.SECRET_WORDS) + ")"
_VALUE_FLAG = r"--(?:value|body|secret-string|secret-value)"
_SINK = r"(?<![\w\-])(?:secrets?|--password-stdin|--with-token|--token-stdin)(?![\w\-])"
_NAME_WORD = re.compile(r"[A-Za-z_][\w.\-]*")


def _piped(match: re.Match[str]) -> bool:
    """The literal piped into a command that stores a secret: the password test when a word of that command
    names a password (`db-password`, `--password-stdin`), else the token test."""
    value = match.group("v")
    if value.startswith(("$", "%")):
        return False
    sink = match.string[match.end():match.string.find("\n", match.end()) % (len(match.string) + 1)]
    levels = {keywords.strength(word) for word in _NAME_WORD.findall(sink)}
    if "password" in levels:
        return password_like(value, quoted=True)
    return token_like(value, quoted=True)


COMMANDS: tuple[Rule, ...] = (
    Rule("generic-secret", compile_verbose(
        r"""(?<![\w.\-])(?=[\w.\-]{0,80}""" + _K + r""")(?P<k>[A-Za-z_][\w.\-]{0,80})["']?[ \t]+
        (?:[^\n]{0,160}?[ \t])?""" + _VALUE_FLAG + r"""(?:=|[ \t]+)
        (?:(?P<q>["'])(?P<v>(?:(?!(?P=q))[^\n\\]){1,2048})(?P=q)|(?P<v2>[^\s"'`;&|()<>]{1,2048}))"""),
        ("--value", "--body", "--secret-string", "--secret-value"), priority=4, check=named(),
        prefilter=_K + r"[\w.\-]*[\"']?[ \t][^\n]*" + _VALUE_FLAG + r"[= \t]"),
    Rule("generic-secret", compile_verbose(
        r"""(?<![\w\-])(?:echo|printf)(?:[ \t]+-[neE]{1,3})*(?:[ \t]+(?P<f>["'])%s\\?n?(?P=f))?[ \t]+
        (?P<q>["'])(?P<v>[^"'\n\\]{8,1024})(?P=q)[ \t]*\|[ \t]*(?=[^\n|;&]{0,160}""" + _SINK + r""")"""),
        ("echo", "printf"), priority=4, check=_piped,
        prefilter=r"(?:echo|printf)[^\n|]*[\"'][ \t]*\|[^\n|;&]*(?:secret|-stdin|--with-token)"),
)
