"""Where a credential of `formats.py` is written: six kinds of line, each with a little text around it.

    dotenv    a `.env` file                      yaml     a YAML configuration, flat or nested
    export    a shell `export` (and a command)   code     a constant in Python, JS/TS, Go, Java, Ruby or C#
    curl      a `curl` command sending it        comment  a comment naming the provider

The same six for every provider: nothing here knows which provider it is writing about beyond its
format entry (name, variable name, how the key is sent).
"""

from __future__ import annotations

import base64
import random
import re
import string
import uuid
from collections.abc import Callable

from corpora.heldout_corpus.formats import Format

ALPHABETS = {
    "n": string.ascii_letters + string.digits,
    "a": string.ascii_lowercase,
    "A": string.ascii_uppercase,
    "0": string.digits,
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "l": string.ascii_lowercase + string.digits,
    "U": string.ascii_uppercase + string.digits,
    "u": string.ascii_letters + string.digits + "-_",
    "b": string.ascii_letters + string.digits + "+/",
    "3": string.ascii_uppercase + "234567",
    "c": "023456789ACDEFGHJKLMNPQRSTUVWXYZ",
}
_FIELD = re.compile(r"\{(uuid|b64:\d+|[nahHlUub3cA0]:\d+)\}")


def fill(template: str, r: random.Random) -> str:
    """The template with every `{C:N}`, `{uuid}` and `{b64:N}` replaced by random characters."""
    def one(match: re.Match[str]) -> str:
        spec = match.group(1)
        if spec == "uuid":
            return str(uuid.UUID(int=r.getrandbits(128), version=4))
        code, n = spec.split(":")
        if code == "b64":
            return base64.b64encode(r.randbytes(int(n))).decode()
        return "".join(r.choice(ALPHABETS[code]) for _ in range(int(n)))
    return _FIELD.sub(one, template)


def value_of(fmt: Format, r: random.Random) -> tuple[str, str]:
    """A fresh value, and the text that stands wherever it is written (the value, or its URL)."""
    value = fill(fmt.template, r)
    shown = fill(fmt.wrap, r).replace("{v}", value) if fmt.wrap else value
    return value, shown


def _words(var: str) -> list[str]:
    return var.lower().split("_")


def _camel(var: str) -> str:
    first, *rest = _words(var)
    return first + "".join(w.capitalize() for w in rest)


def _kind(var: str) -> str:
    """What the name says it holds: key, token, secret, password, url..."""
    last = _words(var)[-1]
    return {"pat": "token", "authkey": "key", "writekey": "key", "uri": "url", "dsn": "DSN"}.get(last, last)


def dotenv(fmt: Format, shown: str, r: random.Random) -> str:
    q = r.choice(["", "", '"'])
    before = r.choice(["NODE_ENV=production\n", "APP_ENV=staging\nDEBUG=false\n", "# local settings\n", ""])
    after = r.choice(["PORT=8080\n", "LOG_LEVEL=info\n", ""])
    return f"{before}{fmt.var}={q}{shown}{q}\n{after}"


def yaml(fmt: Format, shown: str, r: random.Random) -> str:
    q = r.choice(["", '"', "'"])
    words = _words(fmt.var)
    if len(words) > 2 and r.random() < 0.5:
        return (f"{words[0]}:\n  enabled: true\n  {'_'.join(words[1:])}: {q}{shown}{q}\n"
                f"  timeout: 30\n")
    return f"service: web\n{fmt.var.lower()}: {q}{shown}{q}\nreplicas: 2\n"


def export(fmt: Format, shown: str, r: random.Random) -> str:
    q = r.choice(["", '"', "'"])
    then = r.choice(["", "./deploy.sh --env prod\n", "make release\n", "npm run sync\n"])
    return f"export {fmt.var}={q}{shown}{q}\n{then}"


def code(fmt: Format, shown: str, r: random.Random) -> str:
    var, camel = fmt.var, _camel(fmt.var)
    pascal = camel[:1].upper() + camel[1:]
    return r.choice([
        f'import requests\n\n{var} = "{shown}"\n',
        f"const {camel} = '{shown}';\nexport default {{ {camel} }};\n",
        f'package config\n\nconst {pascal} = "{shown}"\n',
        f'public class Config {{\n    private static final String {var} = "{shown}";\n}}\n',
        f"module Settings\n  {var} = '{shown}'\nend\n",
        f'internal static class Keys\n{{\n    public const string {pascal} = "{shown}";\n}}\n',
    ])


def curl(fmt: Format, shown: str, r: random.Random) -> str:
    path = r.choice(["/v1/status", "/api/v2/items", "/v1/me", "/api/projects"])
    url = f"https://{fmt.host}{path}"
    auth = fmt.auth
    if auth == "url":
        body = '{"text": "deploy done"}'
        return f"curl -sS -X POST -H 'Content-Type: application/json' -d '{body}' {shown}\n"
    if auth == "bearer":
        sent = f'-H "Authorization: Bearer {shown}"'
    elif auth == "token":
        sent = f'-H "Authorization: token {shown}"'
    elif auth == "basic":
        sent = f'-u "{shown}:"'
    elif auth == "pair":
        sent = f"-u {r.choice(['api', 'admin', 'deploy', 'acme'])}:{shown}"
    elif auth.startswith("header:"):
        sent = f'-H "{auth[7:]}: {shown}"'
    elif auth.startswith("query:"):
        return f'curl -sS "{url}?{auth[6:]}={shown}&limit=10"\n'
    else:
        raise ValueError(f"{fmt.provider}: unknown auth {auth!r}")
    return f"curl -sS {sent} {url}\n"


def comment(fmt: Format, shown: str, r: random.Random) -> str:
    kind = _kind(fmt.var)
    return r.choice([
        f"# {fmt.provider} {kind} (rotate after the demo): {shown}\n",
        f"// TODO move to the vault: {fmt.provider} {kind} {shown}\n",
        f"-- old {fmt.provider} {kind} was {shown}\n",
    ])


CONTEXTS: dict[str, Callable[[Format, str, random.Random], str]] = {
    "dotenv": dotenv, "yaml": yaml, "export": export, "code": code, "curl": curl, "comment": comment,
}
