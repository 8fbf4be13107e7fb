"""A secret's name and its value in syntaxes the other context rules do not read: punctuation between
them (nearby.py), a default declared with the name (defaults.py), sibling XML elements (siblings.py),
comma-separated rows under a header (tables.py). Each finds its secret, the same by the scan and by the
rules run where the engine's prefilters say; look-alikes (code, names, ids, words) find nothing."""

from __future__ import annotations

import pytest

from tests.unit.redact.examples import found, found_where_prefiltered

HEX = "9c41e07bd25f8a3361fe04c7b9d8a2e5"  # 32 hexadecimal digits, made up
DRAWN = "Tq7mXv2KcR9pLw4ZsB8nYd3HfJ6gQa1E"  # letters and digits drawn at random, made up
PASSWORD = "Vn4!qe-Rk7s2Zp"

NEARBY = [
    (f'[{{billing, [{{stripe_secret_key, "{DRAWN}"}}, {{timeout, 30}}]}}].\n', DRAWN),
    (f"(setq acme-settings '((api-token . \"{DRAWN}\") (region . \"eu\")))\n", DRAWN),
    (f'NSString *const kAcmeApiToken = @"{HEX}";\n', HEX),
    (f'#define ACME_SECRET_KEY L"{HEX}"\n', HEX),
    (f'static const string ApiKey = @"{DRAWN}";\n', DRAWN),
    (f"cmdkey /generic:acme /user:deploy /pass:{HEX}\n", HEX),
    (f'@Value("${{acme.api.token:{HEX}}}")\nprivate String token;\n', HEX),
    (f'echo "${{ACME_TOKEN:-{DRAWN}}}" | acme login --with-token\n', DRAWN),
]
NEARBY_KEPT = [
    # code: a name, punctuation, an identifier or a word
    "if endrec[_ECD_SIGNATURE] == stringEndArchive64:\n",
    "conn = self._Client(token.address, authkey=self._authkey)\n",
    "def login(self, user, password, *, initial_response_ok=True):\n",
    "pat_str = str(pat, 'ISO-8859-1')\n",
    "(None, 'joe', 'password', 'proxy.example.com')),\n",
    # a name inside a base64 value (`...DxPAT0d...`), not a name: a lock file's integrity hash
    '"integrity": "sha512-SFdFmIJi+ybC0vjlHN0ZGVGHc3lgE0DxPAT0djjVg+kjOnSqclqmj0KQ7ykTOLP6YxoqOvuAODGdcHJ'
    'n+43q3g==",\n',
    # a placeholder's default that is a word, a path or a short value
    'password="${DB_PASSWORD:-changeme}"\n',
    "token_file=${TOKEN_FILE:-/var/run/secrets/kubernetes.io/serviceaccount/token}\n",
    # a tuple of names, and a hex digest under a name saying so
    '{token_type, "refresh_token_grant"}, {key_hash, "' + HEX + '"}\n',
]

DEFAULTS = [
    (f'parser.add_argument("--api-token", default="{DRAWN}", help="the service\'s token")\n', DRAWN),
    (f'@click.option("--secret-key", envvar="ACME_SECRET_KEY", default="{HEX}")\n', HEX),
    (f'    api_key: SecretStr = Field(default="{DRAWN}")\n', DRAWN),
    (f'acmeApiKey: string | *"{HEX}"\n', HEX),
    (f'parser.add_argument("--db-password", default="{PASSWORD}")\n', PASSWORD),
]
DEFAULTS_KEPT = [
    'parser.add_argument("--token-file", default="~/.config/acme/token.json")\n',
    'parser.add_argument("--region", help="the api key region", default="eu-west-1")\n',
    'token_type: str = Field(default="Bearer")\n',
    'parser.add_argument("--password", default=None, help="prompted when not given")\n',
    'p.add_argument("--key", default="name", choices=["name", "size"])\n',
]

SIBLINGS = [
    (f"<context-param>\n    <param-name>acmeApiToken</param-name>\n    <param-value>{HEX}</param-value>\n"
     "</context-param>\n", HEX),
    (f"<property>\n  <name>fs.s3a.secret.key</name>\n  <value>{DRAWN}</value>\n</property>\n", DRAWN),
    (f"<key>ACME_API_KEY</key>\n<string>{DRAWN}</string>\n", DRAWN),
    (f"<init-param>\n  <param-name>db.password</param-name>\n  <param-value>{PASSWORD}</param-value>\n"
     "</init-param>\n", PASSWORD),
]
SIBLINGS_KEPT = [
    "<property>\n  <name>token.validity.seconds</name>\n  <value>3600</value>\n</property>\n",
    "<key>CFBundleIdentifier</key>\n<string>com.acme.app</string>\n",
    "<key>NSFaceIDUsageDescription</key>\n<string>Unlock your saved passwords</string>\n",
    "<param-name>tokenEndpoint</param-name>\n<param-value>https://login.acme.test/oauth/token</param-value>\n",
    "<name>hadoop.security.authentication</name>\n<value>kerberos</value>\n",
]

TABLES = [
    ('"Title","Login","Password","Notes"\n'
     f'"Acme (staging)","deploy-bot","{PASSWORD}",""\n', PASSWORD),
    (f"name,url,username,password,extra\nAcme,https://acme.example,ops@acme.test,{DRAWN},\n", DRAWN),
    (f"id,service,api_key,created\n1,billing,{DRAWN},2024-01-02\n", DRAWN),
    (f"service,token,owner\nbilling,{DRAWN}=,ops\n", f"{DRAWN}="),
    # the table pasted after a message on its first line
    (f"warning: exported credentials? name,url,password,extra\nAcme,https://acme.example,{DRAWN},\n", DRAWN),
]
TABLES_KEPT = [
    # code whose lines hold commas
    "def connect(self, host, port, password):\n    a, b, c = self.host, self.port, password\n",
    "    key, value, flags = entry\n    x, y, z = 1, 2, 3\n",
    # a header whose columns say something about a secret, not the secret
    "name,token_count,total\nalpha,1234567890123,55\n",
    "user,password_changed,expires\nalice,2024-01-02T10:00:00,never\n",
    # a row without a header above it, or with a blank line between
    "alice,Vn4qeRk7s2Zp88,admin\n",
    "name,password,role\n\nalice,Vn4qeRk7s2Zp88,admin\n",
    # placeholder passwords
    "name,password,role\nalice,changeme,admin\nbob,hunter2,dev\n",
]


@pytest.mark.parametrize(("text", "secret"), NEARBY + DEFAULTS + SIBLINGS + TABLES)
def test_found(text: str, secret: str) -> None:
    assert found(text) == found_where_prefiltered(text) == [secret]


@pytest.mark.parametrize("text", NEARBY_KEPT + DEFAULTS_KEPT + SIBLINGS_KEPT + TABLES_KEPT)
def test_look_alikes_kept(text: str) -> None:
    assert found(text) == found_where_prefiltered(text) == []
