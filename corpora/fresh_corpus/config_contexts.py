"""Where the third fresh corpus (`github`) writes a credential: eleven kinds of line none of the other
corpora use, worded for this corpus before anything was measured on it.

    hcl         Terraform: a variable's default, a provider block, a `.tfvars` line
    toml        a section and a key (`pyproject`-style tool config, `Cargo`/`netlify`-style settings)
    ini         a section and a key, or a bare `key=value`, unquoted
    properties  Java `.properties`: dotted names, `=`, `:` or a space
    dockerfile  `ENV` and `ARG`, both the `=` and the legacy white-space form
    actions     a GitHub Actions workflow's `env:` or an action's `with:` input
    helm        Helm `values.yaml`: the key nested under the provider, or a `secrets:` map
    jupyter     a notebook's JSON: a code cell's source lines, or a cell's printed output
    sql         an INSERT of a credential row, an UPDATE of a setting, a role's password
    typed       typed constants: Go, Rust, Kotlin, Swift, C#, TypeScript
    markdown    a README: a table of settings, a fenced config block, a sentence

Names come from the secret's name as GitHub writes it (`formats`' `var`, `vendor`, `secret`), in the
casing each kind of file uses.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Callable
from typing import Any

Place = Callable[[dict[str, Any], str, random.Random], str]


def _upper(fmt: dict[str, Any]) -> str:
    return str(fmt["var"])


def _snake(fmt: dict[str, Any]) -> str:
    return _upper(fmt).lower()


def _camel(fmt: dict[str, Any]) -> str:
    first, *rest = _snake(fmt).split("_")
    return first + "".join(w.capitalize() for w in rest)


def _pascal(fmt: dict[str, Any]) -> str:
    camel = _camel(fmt)
    return camel[:1].upper() + camel[1:]


def _section(fmt: dict[str, Any]) -> str:
    """The provider as a section or map key: `adafruit_io`, `amazon_web_services_aws`."""
    return "_".join(re.findall(r"[a-z0-9]+", str(fmt["vendor"]).lower())) or "vendor"


def _short(fmt: dict[str, Any]) -> str:
    """The secret's own words without the provider's in front, as a key under the provider's section:
    `short_lived_access_token` of ADOBE_SHORT_LIVED_ACCESS_TOKEN under `adobe`, `key` of ADAFRUIT_IO_KEY
    under `adafruit_io`; the whole name when it does not start with the provider's first word."""
    snake, section = _snake(fmt), _section(fmt)
    rest = snake.removeprefix(section + "_") if snake.startswith(section + "_") else snake
    first = section.split("_")[0]
    return rest.removeprefix(first + "_") if rest == snake and snake.startswith(first + "_") else rest


def _words(fmt: dict[str, Any]) -> str:
    return str(fmt["secret"])


def hcl(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake = _snake(fmt)
    return r.choice([
        f'variable "{snake}" {{\n  type      = string\n  sensitive = true\n  default   = "{value}"\n}}\n',
        f'provider "{_section(fmt)}" {{\n  region = "eu-west-1"\n  {_short(fmt)} = "{value}"\n}}\n',
        f'# terraform.tfvars\n{snake} = "{value}"\nenvironment = "staging"\n',
        f'resource "vault_generic_secret" "{_section(fmt)}" {{\n  path      = "secret/{_section(fmt)}"\n'
        f'  data_json = jsonencode({{ {_short(fmt)} = "{value}" }})\n}}\n',
    ])


def toml(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f'[{_section(fmt)}]\n{_short(fmt)} = "{value}"\ntimeout = 30\n',
        f'[tool.sync.credentials]\n{_snake(fmt)} = "{value}"\n',
        f"[env]\n{_upper(fmt)} = '{value}'\nRUST_LOG = \"info\"\n",
        f'{_snake(fmt)} = """{value}"""\n',
    ])


def ini(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"[{_section(fmt)}]\nenabled = true\n{_short(fmt)} = {value}\n",
        f"; local overrides\n{_snake(fmt)}={value}\n",
        f"[credentials]\n{_snake(fmt)}: {value}\n",
    ])


def properties(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    dotted = _snake(fmt).replace("_", ".")
    return r.choice([
        f"# application-prod.properties\n{dotted}={value}\nserver.port=8443\n",
        f"{_section(fmt).replace('_', '.')}.{_short(fmt).replace('_', '-')} = {value}\n",
        f"{dotted}: {value}\n",
        f"{_camel(fmt)} {value}\n",
    ])


def dockerfile(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"FROM python:3.12-slim\nENV {var}={value}\nRUN pip install -r requirements.txt\n",
        f'ARG {var}="{value}"\nRUN ./configure --with-telemetry\n',
        f"FROM node:20-alpine\nENV {var} {value}\nCMD [\"node\", \"server.js\"]\n",
        f"ENV NODE_ENV=production \\\n    {var}={value} \\\n    PORT=8080\n",
    ])


def actions(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"env:\n  {var}: {value}\n  PYTHON_VERSION: '3.12'\n",
        f"      - uses: acme/deploy-action@v3\n        with:\n          {_snake(fmt).replace('_', '-')}: "
        f"{value}\n          region: eu-west-1\n",
        f"    steps:\n      - run: ./scripts/release.sh\n        env:\n          {var}: '{value}'\n",
    ])


def helm(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    section = _camel({"var": _section(fmt)})
    short = _camel({"var": _short(fmt)})
    return r.choice([
        f"{section}:\n  enabled: true\n  {short}: \"{value}\"\n  replicas: 2\n",
        f"secrets:\n  {_camel(fmt)}: {value}\nimage:\n  tag: 1.9.2\n",
        f"extraEnv:\n  - name: {_upper(fmt)}\n    value: {value}\n",
    ])


def jupyter(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    cell = r.choice([
        {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [],
         "source": ["import os\n", f'os.environ["{var}"] = "{value}"\n']},
        {"cell_type": "code", "execution_count": 7, "metadata": {}, "outputs": [],
         "source": [f"{_snake(fmt)} = '{value}'\n", f"client = connect({_snake(fmt)})"]},
        {"cell_type": "code", "execution_count": 2, "metadata": {},
         "outputs": [{"name": "stdout", "output_type": "stream", "text": [f"{_words(fmt)}: {value}\n"]}],
         "source": ["print(settings)"]},
    ])
    return json.dumps(cell, indent=1) + "\n"


def sql(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    if "PASS" in _upper(fmt):
        return r.choice([
            f"ALTER ROLE app_rw WITH LOGIN PASSWORD '{value}';\n",
            f"CREATE USER sync_{_section(fmt)[:12]} IDENTIFIED BY '{value}';\n",
        ])
    return r.choice([
        f"INSERT INTO api_credentials (provider, kind, secret)\nVALUES ('{fmt['vendor']}', "
        f"'{fmt['type']}', '{value}');\n",
        f"UPDATE integrations SET {_snake(fmt)} = '{value}' WHERE id = 42;\n",
        f"INSERT INTO settings (name, value) VALUES ('{_snake(fmt)}', '{value}');\n",
    ])


def typed(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var, camel = _upper(fmt), _camel(fmt)
    return r.choice([
        f'const {camel} string = "{value}"\n',  # Go
        f'pub static {var}: &str = "{value}";\n',  # Rust
        f'private const val {var}: String = "{value}"\n',  # Kotlin
        f'let {camel}: String = "{value}"\n',  # Swift
        f'private const string {_pascal(fmt)} = "{value}";\n',  # C#
        f'export const {var}: string = "{value}";\n',  # TypeScript
    ])


def markdown(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"| Setting | Example | Notes |\n|---|---|---|\n| `{var}` | `{value}` | staging only |\n",
        f"Add this to your config:\n\n```toml\n[{_section(fmt)}]\n{_short(fmt)} = \"{value}\"\n```\n",
        f"The {_words(fmt)} for the demo workspace is {value} (rotated every month).\n",
        f"- **{_words(fmt)}**: `{value}`\n",
    ])


CONTEXTS: dict[str, Place] = {"hcl": hcl, "toml": toml, "ini": ini, "properties": properties,
                              "dockerfile": dockerfile, "actions": actions, "helm": helm, "jupyter": jupyter,
                              "sql": sql, "typed": typed, "markdown": markdown}
