"""Credentials and base64 (encoded_auth.py). Basic auth's `user:password` written out in code to be
base64-encoded: the password, or a key sent as the user with no password; encodings of other strings, of
variables, or of words find nothing. Credentials already encoded (issue 24): a base64 run whose decoded
text holds a secret is found whole, in a Kubernetes Secret, a base64'd `.env`, `echo ... | base64 -d`;
base64 of text, data or names without a secret finds nothing."""

from __future__ import annotations

import base64
import json

import pytest

from collector.redact import RuleSet, scan
from collector.redact.rules.encoded import encoded_runs
from collector.redact.scanning.ruleset import value_hash
from tests.unit.redact.examples import RULES, found, found_where_prefiltered

TOKEN = "xrW4cbjZ9os9cbxDki6rjSVVJDXu"
PASSWORD = "Tq8!vN3#pL6z"

FOUND = [
    (f'const res = await fetch(url, {{ headers: {{ Authorization: "Basic " + btoa("svc:{TOKEN}") }} }});\n',
     TOKEN),
    (f'auth = "Basic " + base64.b64encode(b"{TOKEN}:").decode()\n', TOKEN),
    (f'$hdr = "Basic " . base64_encode("deploy:{PASSWORD}");\n', PASSWORD),
    (f'String enc = Base64.getEncoder().encodeToString("ci:{TOKEN}".getBytes());\n', TOKEN),
    (f'req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("{TOKEN}:")))\n',
     TOKEN),
]

NOT_FOUND = [
    'btoa("hello:world")\n',
    'Buffer.from("user:" + password).toString("base64")\n',
    'base64.b64encode(b"key:value")\n',
    "const auth = btoa(`${user}:${pass}`);\n",
    'Buffer.from("data:image/png;base64,iVBORw0KGgo")\n',
    'base64.b64encode(b"localhost:8080")\n',
]




def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


REGISTRY_PASSWORD = "Vq7#mK2p!Lx9sRt"  # made up, as every value here
DOCKER_CONFIG = b64(json.dumps({"auths": {"registry.acme.test": {
    "username": "deploy", "password": REGISTRY_PASSWORD, "auth": b64("deploy:" + REGISTRY_PASSWORD)}}}))
DOCKER_AUTH_ONLY = b64(json.dumps({"auths": {"registry.gitlab.acme.test": {
    "auth": b64("deploy-bot:" + PASSWORD)}}}))
DOTENV = b64("SECRET_KEY=9f8a7sd6f5g4h3j2k1l0qwertyu\nDATABASE_URL=postgres://app:S3cretPassw0rd@db.internal/app\n"
             "DEBUG=false\n")
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(range(48))).decode()
AWS_LINE = b64("aws_secret_access_key = tN4+q8Xk2Lr7pZ0wY5vB1mJ6hG3fD9sA2eC8uQ/e\n")
GITHUB_ENV = b64("GITHUB_TOKEN=ghp_aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z5A\n")  # issue 36: under any name
NO_SECRET_ENV = b64("DEBUG=false\nPORT=8080\nLOG_LEVEL=info\n")

ENCODED = [
    ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: regcred\ntype: kubernetes.io/dockerconfigjson\n"
     f"data:\n  .dockerconfigjson: {DOCKER_CONFIG}\n", DOCKER_CONFIG),
    (f'{{"data": {{".dockerconfigjson": "{DOCKER_AUTH_ONLY}"}}, "type": "kubernetes.io/dockerconfigjson"}}\n',
     DOCKER_AUTH_ONLY),
    (f"kind: Secret\ndata:\n  .env: {DOTENV}\n", DOTENV),
    (f"echo {AWS_LINE} | base64 -d > ~/.aws/credentials\n", AWS_LINE),
    (f"echo '{b64('admin:' + PASSWORD)}' | base64 --decode\n", b64("admin:" + PASSWORD)),
    (f'"manifest": "kind: ConfigMap\\ndata:\\n  .env: {DOTENV}\\n"\n', DOTENV),  # in a JSON string
    # assigned to a name (issue 36): a shell's, an `.env`'s, an option's, a query's
    (f"ENV_FILE_B64={GITHUB_ENV}\n", GITHUB_ENV),
    (f"export APP_CONFIG={DOTENV}\n", DOTENV),
    (f"DEBUG=false\nSETTINGS_B64={AWS_LINE}\n", AWS_LINE),
    (f"docker run --rm -e ENV_FILE_B64={GITHUB_ENV} acme/api:1.4\n", GITHUB_ENV),
    (f"./deploy --env-file-b64={DOTENV} --region eu\n", DOTENV),
    (f"curl 'https://hooks.acme.test/run?payload={GITHUB_ENV}'\n", GITHUB_ENV),
]

NOT_ENCODED = [
    f"echo {b64('hello world, nothing to see in this line')} | base64 -d\n",
    f"header = '{b64(json.dumps({'alg': 'HS256', 'typ': 'JWT'}))}'\n",
    f"AUTH = 'Basic {b64('Aladdin:open sesame')}'\n",  # RFC 7617's example: a phrase, not a password
    f"  .env: {b64('DEBUG=false' + chr(10) + 'PORT=8080' + chr(10) + 'LOG_LEVEL=info' + chr(10))}\n",
    f"icon = 'data:image/png;base64,{PNG}'\n",
    f"nested = '{b64(b64('just some words, encoded twice over'))}'\n",
    "class AbstractBaseConnectionFactoryManager:\n",
    # assigned to a name, with no secret inside: text, an image
    f"ENV_FILE_B64={NO_SECRET_ENV}\n",
    f"ICON={PNG}\n",
    f"NOTE={b64('deploy:the usual words, nothing hidden')}\n",
]


@pytest.mark.parametrize(("text", "secret"), ENCODED)
def test_a_base64_run_holding_a_secret_is_found_whole(text: str, secret: str) -> None:
    assert [(f.rule, f.value) for f in scan(text, RULES)] == [("base64-secret", secret)]


@pytest.mark.parametrize("text", NOT_ENCODED)
def test_base64_without_a_secret_is_kept(text: str) -> None:
    assert found(text) == []


def test_a_wrapped_run_is_one_finding_over_its_lines() -> None:
    """`base64 .env` wraps at 76 columns: the lines are one run, found whole, indentation and all."""
    encoded = base64.encodebytes(base64.b64decode(DOTENV) * 2).decode()
    lines = encoded.splitlines()
    assert len(lines) >= 3 and len(lines[0]) == 76
    block = "\n".join("    " + line for line in lines)
    text = f"data:\n  env: |\n{block}\n  other: 1\n"
    assert [(f.rule, f.value) for f in scan(text, RULES)] == [("base64-secret", block.lstrip())]
    assert [(start, end) for start, end, _ in encoded_runs(text)] == [(text.index(lines[0]),
                                                                     text.index(lines[-1]) + len(lines[-1]))]


def test_the_allow_list_lets_an_encoded_run_through() -> None:
    text = f"  .env: {DOTENV}\n"
    assert scan(text, RuleSet.default(allow=[value_hash(DOTENV)])) == []
    assert scan(text, RuleSet.default(allow=["rule:base64-secret"])) == []
    # a value inside it allowed by its own rule: the run holds no other secret, and is kept
    encoded = b64("password=" + PASSWORD)
    assert [f.value for f in scan(f"x: {encoded}", RuleSet.default(allow=[PASSWORD]))] == []


@pytest.mark.parametrize(("text", "secret"), FOUND)
def test_found(text: str, secret: str) -> None:
    assert found(text) == found_where_prefiltered(text) == [secret]


@pytest.mark.parametrize("text", NOT_FOUND)
def test_look_alikes_kept(text: str) -> None:
    assert found(text) == []
