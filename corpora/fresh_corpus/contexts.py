"""Where the fresh corpus writes a credential: seven kinds of line, worded for this corpus.

    dotenv   a `.env` or `.envrc` file         yaml   docker compose, Kubernetes, a CI workflow, app config
    export   a shell line that sets it         code   a constant or a client in Python, JS, Go, Rust, PHP...
    curl     the request the provider's API    json   a JSON config or an HTTP client's saved request
    comment  a note in code, a README, a chat paste or a shell history

Written for this corpus, before anything was measured on it, and not copied from the held-out corpus's
wordings (`corpora/heldout_corpus/contexts.py`), which codetape's context rules were fitted to. How the
credential is sent (`auth`: bearer, token, basic, a header, a query parameter) comes from the source's
own description of the provider's API.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

Place = Callable[[dict[str, Any], str, random.Random], str]


def _lower(fmt: dict[str, Any]) -> str:
    return str(fmt["var"]).lower()


def _camel(fmt: dict[str, Any]) -> str:
    first, *rest = _lower(fmt).split("_")
    return first + "".join(w.capitalize() for w in rest)


def _kind(fmt: dict[str, Any]) -> str:
    var = str(fmt["var"])
    return next((said for end, said in (("API_KEY", "API key"), ("TOKEN", "token"), ("SECRET", "secret"),
                                        ("PASSWORD", "password")) if var.endswith(end)), "key")


def _company(fmt: dict[str, Any]) -> str:
    """The provider as its variable names it, in lower case: `rocket_reach` of ROCKET_REACH_API_KEY."""
    low = _lower(fmt)
    return next((low.removesuffix(end) for end in ("_api_key", "_token", "_secret", "_password")
                 if low.endswith(end)), low)


def _name(fmt: dict[str, Any]) -> str:
    """The provider in words: `Rocket Reach`."""
    return " ".join(w.capitalize() for w in _company(fmt).split("_"))


def dotenv(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = fmt["var"]
    return r.choice([
        f"DATABASE_URL=postgres://localhost/app_dev\nREDIS_HOST=127.0.0.1\n{var}={value}\n",
        f'# .env.local -- never commit\n{var}="{value}"\nFEATURE_FLAGS=beta,search\n',
        f"export {var}={value}\nlayout python3\n",  # .envrc (direnv)
        f"APP_NAME=billing\n{var}='{value}'\nSENTRY_ENVIRONMENT=dev\n",
        f"{var} = {value}\nTIMEOUT_MS = 5000\n",
    ])


def yaml(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var, low = fmt["var"], _lower(fmt)
    return r.choice([
        f"services:\n  worker:\n    image: acme/worker:1.4\n    environment:\n      - {var}={value}\n"
        f"      - QUEUE=default\n",
        f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {low.replace('_', '-')}\ntype: Opaque\n"
        f"stringData:\n  {low}: {value}\n",
        f"jobs:\n  sync:\n    runs-on: ubuntu-latest\n    env:\n      {var}: \"{value}\"\n"
        f"    steps:\n      - run: make sync\n",
        f"integrations:\n  {_company(fmt)}:\n    enabled: true\n    {low}: '{value}'\n    retries: 3\n",
        f"- name: {var}\n  value: \"{value}\"\n- name: LOG_FORMAT\n  value: json\n",
    ])


def export(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = fmt["var"]
    return r.choice([
        f"$ export {var}='{value}'\n$ python manage.py sync_{_lower(fmt).split('_')[0]}\n",
        f"{var}={value} npm run import -- --since 2024-01-01\n",
        f"set -x {var} {value}\n",  # fish
        f"$env:{var} = \"{value}\"\n",  # PowerShell
        f"docker run --rm -e {var}={value} acme/sync:latest\n",
        f"heroku config:set {var}={value} --app acme-staging\n",
    ])


def code(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var, camel = fmt["var"], _camel(fmt)
    pascal = camel[:1].upper() + camel[1:]
    return r.choice([
        f'import os\n\n{var} = os.environ.get("{var}", "{value}")\n',
        f"const {camel} = process.env.{var} || \"{value}\";\n",
        f'var {camel} = "{value}"\n\nfunc newClient() *Client {{ return &Client{{key: {camel}}} }}\n',
        f'const {var}: &str = "{value}";\n',
        f"<?php\ndefine('{var}', '{value}');\n",
        f'settings = {{\n    "{_lower(fmt)}": "{value}",\n    "timeout": 10,\n}}\n',
        f'    val {camel} = "{value}"\n',
        f"client = {pascal.removesuffix('Key').removesuffix('Token').removesuffix('Secret')}Client"
        f"(api_key=\"{value}\")\n",
    ])


def curl(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    host, auth = fmt["host"], str(fmt["auth"])
    url = f"https://{host}{r.choice(['/v1/account', '/api/v2/search?q=test', '/v3/users/me', '/api/ping'])}"
    if auth == "bearer":
        sent = f"-H 'Authorization: Bearer {value}'"
    elif auth == "token":
        sent = f"-H 'Authorization: token {value}'"
    elif auth == "basic":
        sent = r.choice([f"--user {value}:", f"-u apikey:{value}"])
    elif auth.startswith("query:"):
        glue = "&" if "?" in url else "?"
        return f"curl -s \"{url}{glue}{auth[6:]}={value}\" | jq .\n"
    else:
        sent = f"-H \"{auth.removeprefix('header:')}: {value}\""
    return r.choice([f"curl -s {sent} {url}\n", f"curl --fail \\\n  {sent} \\\n  {url}\n"])


def json(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    low, name = _lower(fmt), _company(fmt)
    auth = str(fmt["auth"])
    header = "Authorization" if auth in ("bearer", "token", "basic") else auth.split(":", 1)[-1]
    sent = f"Bearer {value}" if auth == "bearer" else value
    return r.choice([
        f'{{\n  "{name}": {{\n    "{low}": "{value}",\n    "region": "eu"\n  }}\n}}\n',
        f'{{"url": "https://{fmt["host"]}/v1/items", "method": "GET", '
        f'"headers": {{"{header}": "{sent}"}}}}\n',
        f'{{"env": {{"{fmt["var"]}": "{value}", "NODE_ENV": "test"}}}}\n',
        f'  "{_camel(fmt)}": "{value}",\n',
    ])


def comment(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    name, kind = _name(fmt), _kind(fmt)
    return r.choice([
        f"# FIXME hardcoded {name} {kind} {value} -- remove before release\n",
        f"// {name} sandbox {kind}: {value}\n",
        f"<!-- test account {kind} {value} -->\n",
        f"  * Set the {kind} (e.g. `{value}`) in the dashboard first.\n",
        f"[10:42] dana: here is the {name} {kind} you asked for {value}\n",
        f"  512  {_lower(fmt)}={value} ./bin/sync\n",  # a line of `history`
    ])


CONTEXTS: dict[str, Place] = {"dotenv": dotenv, "yaml": yaml, "export": export, "code": code, "curl": curl,
                              "json": json, "comment": comment}
