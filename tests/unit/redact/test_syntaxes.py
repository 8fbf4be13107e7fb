"""Configuration syntaxes beyond `NAME = "value"` (builtin.py): a Terraform variable's block, triple-quoted
strings, `name value` lines (.properties, Dockerfile `ENV`), SQL passwords and INSERT columns, Markdown
tables, and names qualified after the secret's word. Each finds its secret; its look-alikes find nothing."""

from __future__ import annotations

import pytest

from collector.redact import RuleSet, scan
from collector.redact.rules import keywords
from collector.redact.scanning.scanner import own_findings

RULES = RuleSet.default()
TOKEN = "Qm7xV2pK9rT4wZ8bN3cF6hJ1"
PASSWORD = "yZ0%R@@0@PzHw5-SAY"

FOUND = [
    (f'variable "stripe_api_key" {{\n  type      = string\n  default   = "{TOKEN}"\n}}\n', TOKEN),
    (f'variable "upstream" {{\n  type = string\n  sensitive = true\n  default = "{TOKEN}"\n}}\n', TOKEN),
    (f'variable "upstream" {{\n  default = "{TOKEN}"\n  sensitive = true\n}}\n', TOKEN),
    (f'api_token = """{TOKEN}"""\n', TOKEN),
    (f"db.password = '''{PASSWORD}'''\n", PASSWORD),
    (f"# application.properties\nserviceAuthToken {TOKEN}\nserver.port 8443\n", TOKEN),
    (f"FROM node:20-alpine\nENV SERVICE_PASSWORD {PASSWORD}\nCMD [\"node\"]\n", PASSWORD),
    (f"ALTER ROLE app_rw WITH LOGIN PASSWORD '{PASSWORD}';\n", PASSWORD),
    (f"CREATE USER app IDENTIFIED BY '{PASSWORD}';\n", PASSWORD),
    (f"INSERT INTO creds (provider, kind, secret)\nVALUES ('Acme', 'api', '{TOKEN}');\n", TOKEN),
    (f"INSERT INTO users (name, api_token, email) VALUES ('ann', '{TOKEN}', 'a@example.com');\n", TOKEN),
    (f"| Setting | Example |\n|---|---|\n| `ACME_API_TOKEN` | `{TOKEN}` |\n", TOKEN),
    (f"| acme_secret | {TOKEN} |\n", TOKEN),
    (f"batchKeyIdentifiable: \"{TOKEN}\"\n", TOKEN),
    (f"API_KEY_PROD={TOKEN}\n", TOKEN),
]

NOT_FOUND = [
    'variable "region" {\n  type = string\n  default = "us-east-1"\n}\n',
    # neither named nor sensitive (a value too short for generated.py: a longer one is found by its look)
    f'variable "image" {{\n  type = string\n  default = "{TOKEN[:12]}"\n}}\n',
    'variable "db_password" {\n  sensitive = true\n  default = "changeme"\n}\n',
    'doc = """A docstring about the token"""\n',
    "    password combination.\n",
    "  token  The token to send with each request\n",
    "ENV NODE_ENV production\n",
    "ALTER ROLE app WITH LOGIN PASSWORD NULL;\n",
    f"INSERT INTO users (name, uuid, email) VALUES ('ann', '{TOKEN[:12]}', 'a@example.com');\n",
    "| `API_TOKEN` | required | the token |\n",
    "| token_count | 1234567890 |\n",
]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found(text: str, secret: str) -> None:
    assert [f.value for f in scan(text, RULES)] == [secret]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_kept(text: str) -> None:
    assert scan(text, RULES) == []


def test_qualifier_after_the_secret_word() -> None:
    assert keywords.strength("API_KEY_PROD") == "token"
    assert keywords.strength("azure_batch_key_identifiable") == "key"
    assert keywords.strength("password_new") == "password"
    assert keywords.strength("key_id") is None
    assert keywords.strength("new") is None


@pytest.mark.parametrize("text", [t for t, _ in FOUND] + NOT_FOUND)
def test_prefilters_agree(text: str) -> None:
    assert own_findings(text, RULES, prefiltered=True) == own_findings(text, RULES, prefiltered=False)
