"""Names and values as ops files, logs and issue pastes lay them out (layouts.py, and the line syntaxes of
builtin.py they extend): quoted assignments, a directive's `NAME=value`, diff lines, a name then a quoted
value, inline code pairs, pgpass lines, a bare `key=` in a log, one-dash flags, a list of arguments. Each
finds its secret; its look-alikes find nothing."""

from __future__ import annotations

import pytest

from collector.redact import RuleSet, scan
from collector.redact.scanning.scanner import own_findings

RULES = RuleSet.default()
TOKEN = "Lr8Hc2WqZ5nT0vK7yB4mX9gP3dJ6sF1e"
PASSWORD = "Xk2#vLq9!mWp4z"

FOUND = [
    # quoted whole: systemd's Environment=, a compose list, a JVM option
    (f'[Service]\nEnvironment="PORT=8080" "LEDGER_SIGNING_KEY={TOKEN}"\n', TOKEN),
    (f'services:\n  app:\n    environment:\n      - "SMTP_RELAY_KEY={TOKEN}"\n', TOKEN),
    (f"JAVA_TOOL_OPTIONS='-Dpayments.api.key={TOKEN}' java -jar app.jar\n", TOKEN),
    # a directive's value, a diff's line
    (f"[Service]\nEnvironment=LEDGER_SIGNING_KEY={TOKEN}\nRestart=always\n", TOKEN),
    (f"```diff\n-LEDGER_SIGNING_KEY=\n+LEDGER_SIGNING_KEY={TOKEN}\n```\n", TOKEN),
    (f"@@ -3,2 +3,2 @@\n-  ledger_pw: old\n+  ledger_pw: {PASSWORD}\n", PASSWORD),
    # a name, white space, the value quoted: web server directives, log lines
    (f'location / {{\n    proxy_set_header X-Ledger-Token "{TOKEN}";\n}}\n', TOKEN),
    (f'<VirtualHost *:443>\n  RequestHeader set Ledger-Api-Key "{TOKEN}"\n</VirtualHost>\n', TOKEN),
    (f"ERROR 401: rejected LedgerAccessKey '{TOKEN}' for tenant acme\n", TOKEN),
    # inline code pairs
    (f"1. Set `LEDGER_API_TOKEN` to `{TOKEN}` and restart.\n", TOKEN),
    # a pgpass line
    (f"pg.example.net:5432:ledger:ledger_rw:{PASSWORD}\n", PASSWORD),
    # a bare key= with a machine-made value
    (f"ledger.Error: 403 Forbidden (key={TOKEN})\n  at ledger.Client.post\n", TOKEN),
    # one-dash flags
    (f"sync:\n\tgo run ./cmd/sync -ledger-signing-key={TOKEN} -v\n", TOKEN),
    (f"java -jar ledger-cli.jar -signingKey {TOKEN} -region eu\n", TOKEN),
    # a list of arguments, the value in escaped quotes
    (f'    buildConfigField "String", "LEDGER_API_TOKEN", "\\"{TOKEN}\\""\n', TOKEN),
]

NOT_FOUND = [
    'proxy_set_header Host "example.com";\n',
    'RequestHeader set X-Request-Id "3f2a9c1e-4b7d-4e8a-9c1f-2d3b4a5c6d7e"\n',
    "WARN token 'expired' for user 'deploy'\n",
    'Environment="PATH=/usr/local/bin:/usr/bin"\n',
    'Environment="TOKEN_FILE=/run/secrets/ledger"\n',
    'data = "key2=value2x&key3=value3&key4=value4"\n',
    "Set `API_TOKEN` in `settings.py` before running.\n",
    "localhost:5432:*:postgres:*\n",
    "aa:11:bb:cc:dd:ee\n",
    "sorted(names, key=str.lower)\n",
    "restored cache key=9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\n",
    '__all__ = ["API_KEY", "PKCS7_ISSUER_AND_SERIAL", "DEFAULT_TIMEOUT_SECONDS"]\n',
    "(None, 'joe', 'password', 'proxy.example.com:3128')\n",
    "openssl s_server -key server.key -cert server.crt -accept 8443\n",
    "+    token = get_token()\n",
]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found(text: str, secret: str) -> None:
    assert [f.value for f in scan(text, RULES)] == [secret]


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found_the_same_with_the_engines_prefilters(text: str, secret: str) -> None:
    """The prefilters (the engine's patterns for where a rule may match) cover every line found."""
    assert [f.value for f in own_findings(text, RULES, prefiltered=True)] == [secret]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_kept(text: str) -> None:
    assert scan(text, RULES) == []


# What the layouts and one-dash flags found on text other than Python (`python -m bench.redaction others`),
# each beside the secret its rule was written for, which it still finds.
MISFIRES = [
    # one-dash flags: a compiler's flag in a completion spec; a one-dash flag's value must be machine-made
    ("'-Rpass=[report transformations performed by optimization passes]:arg' \\\n",
     f"java -jar ledger-cli.jar -signingKey {TOKEN} -region eu\n", TOKEN),
    # a name, a blank, a quoted value: Lisp's next argument is words joined by . - /, not a secret
    ('(defconst secrets-interface-collection "org.freedesktop.Secret.Collection"\n',
     f"ERROR 401: rejected LedgerPassword '{PASSWORD}' for tenant acme\n", PASSWORD),
    ('(declare-function ange-ftp-set-passwd "ange-ftp" (host user passwd))\n',
     f'proxy_set_header X-Ledger-Token "{TOKEN}";\n', TOKEN),
    ("util.log.info(`to override this pass '--no-yarn' command line flag`);\n",
     f"ERROR 401: rejected LedgerAccessKey '{TOKEN}' for tenant acme\n", TOKEN),
    # NAME = value on a line of its own: JavaScript's statement assigns code, not a secret
    ("    this.password = password;\n", f"password: {PASSWORD}\n", PASSWORD),
    ("exports.ClientSecretCredential = ClientSecretCredential;\n",
     f"client_secret = {TOKEN}\n", TOKEN),
    # a quoted "key=value": a query string's bare key needs a machine-made value, as the bare key= does
    ("t.equal(reparsed.query, 'key=value%23still-query', 'hash remains query data')\n",
     f"env: ['key={TOKEN}']\n", TOKEN),
    # zsh's completion specs: a flag's value that opens a description or begins with `:`
    ("    '--smtp-pass=[specify password to use for SMTP-AUTH]::password' \\\n",
     f"git send-email --smtp-pass={PASSWORD} outgoing/\n", PASSWORD),
    ("    '(--password --ask-password)--http-password=:password' \\\n",
     f"wget --http-password={PASSWORD} https://example.com/a.tgz\n", PASSWORD),
    ("  -{,-}'password=:password:' \\\n", f"password='{PASSWORD}'\n", PASSWORD),
    # zsh and shell: a value built by an expansion when it runs
    ('    pat="*.${service[1,-2]}"\n', f'GITHUB_PAT="{TOKEN}"\n', TOKEN),
    ('AUTH_TOKEN="$(pass show ci/ledger)"\n', f'AUTH_TOKEN="{TOKEN}"\n', TOKEN),
    # JavaScript: a module required by its path, an identifier assigned, a dependency's version
    ('var azureNamedKeyCredential_js_1 = require("./azureNamedKeyCredential.js");\n',
     f'var ledgerKeyCredential = "{TOKEN}";\n', TOKEN),
    ("exports.AuthFlowErrorV2 = AuthFlowErrorV2;\n", f"client_secret = {TOKEN}\n", TOKEN),
    ('    "minipass": "^7.1.2",\n', f'    "ledger_password": "{PASSWORD}",\n', PASSWORD),
]


@pytest.mark.parametrize(("misfire", "text", "secret"), MISFIRES)
def test_misfires_on_other_languages_kept_and_their_secrets_found(misfire: str, text: str,
                                                                  secret: str) -> None:
    assert scan(misfire, RULES) == []
    assert [f.value for f in scan(text, RULES)] == [secret]
