"""Where the seventh fresh corpus (`community`) writes a credential: ten kinds of line none of the other
corpora use (not `contexts.py`'s, `config_contexts.py`'s, `ops_contexts.py`'s, `request_contexts.py`'s or
`app_contexts.py`'s), worded for this corpus before anything was measured on it.

    fixture    unit tests: pytest `monkeypatch.setenv`, Go `t.Setenv`, Jest `process.env`, JUnit
               `@TestPropertySource`, RSpec `stub_const`, a Rust test's `const`
    secretcli  a secret manager's command: `vault kv put`, `aws ssm put-parameter`, `gcloud secrets`,
               `kubectl create secret`, `gh secret set`, `fly secrets set`, `az keyvault secret set`
    iac        infrastructure as code other than Terraform: CloudFormation parameters, a Pulumi stack's
               config, `serverless.yml`, CDK `SecretValue`, Bicep, Packer variables
    editor     an editor's settings: VS Code `settings.json`, Neovim Lua `setup`, Emacs `setq`, Zed
    repl       a REPL session: Python `>>>`, IPython `Out[n]`, Node `>`, `irb`/`rails console`
    datastore  a key-value or document store's command: `redis-cli`, `mongosh`, `etcdctl`, `consul kv`,
               DynamoDB `put-item`
    rpc        gRPC and GraphQL: `grpcurl -H`, Python and Go metadata, a `.graphqlrc.yml`'s headers,
               a `.textproto` message
    rubydsl    Ruby DSL files: a `Vagrantfile`'s provisioner env, a fastlane `Fastfile`, Capistrano `set`
    yamlplus   YAML anchors and merges, several documents in one file, Kustomize `secretGenerator`
    container  compose's `environment:` map, `docker build --build-arg`, `podman secret`, a devcontainer

Names come from the secret's name as the source writes it (`community.py`'s `var`, `vendor`), in the
casing each kind of file uses.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from corpora.fresh_corpus.config_contexts import Place, _camel, _pascal, _snake, _upper


def _kebab(fmt: dict[str, Any]) -> str:
    return _snake(fmt).replace("_", "-")


def _vendor(fmt: dict[str, Any]) -> str:
    """The provider in lower case, one word: `datadog`, `browserstack`."""
    return re.sub(r"[^a-z0-9]", "", str(fmt["vendor"]).lower()) or "vendor"


def fixture(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"@pytest.fixture\ndef client(monkeypatch):\n    monkeypatch.setenv(\"{var}\", \"{value}\")\n"
        f"    return make_client()\n",
        f"func TestSync(t *testing.T) {{\n\tt.Setenv(\"{var}\", \"{value}\")\n\tif err := Sync(); err != nil "
        f"{{\n\t\tt.Fatal(err)\n\t}}\n}}\n",
        f"beforeEach(() => {{\n  process.env.{var} = '{value}';\n}});\n",
        f"@SpringBootTest\n@TestPropertySource(properties = \"{_vendor(fmt)}.{_camel(fmt)}={value}\")\n"
        f"class {_pascal(fmt)}ClientTest {{\n",
        f"before do\n  stub_const('ENV', ENV.to_h.merge('{var}' => '{value}'))\nend\n",
        f"#[cfg(test)]\nmod tests {{\n    const {var}: &str = \"{value}\";\n",
    ])


def secretcli(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var, kebab = _upper(fmt), _kebab(fmt)
    return r.choice([
        f"$ vault kv put secret/ci/{_vendor(fmt)} {_snake(fmt)}={value}\n",
        f"aws ssm put-parameter --name /prod/{_vendor(fmt)}/{kebab} --type SecureString --value '{value}' "
        f"--overwrite\n",
        f"printf '%s' '{value}' | gcloud secrets versions add {kebab} --data-file=-\n",
        f"kubectl create secret generic {_vendor(fmt)}-creds --from-literal={_snake(fmt)}={value} -n jobs\n",
        f"gh secret set {var} --body \"{value}\" --repo acme/deploy\n",
        f"fly secrets set {var}={value} -a acme-api\n",
        f"az keyvault secret set --vault-name acme-kv --name {kebab} --value \"{value}\"\n",
    ])


def iac(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    pascal = _pascal(fmt)
    return r.choice([
        f"Parameters:\n  {pascal}:\n    Type: String\n    NoEcho: true\n    Default: {value}\n",
        f"config:\n  aws:region: eu-west-1\n  billing:{_camel(fmt)}: {value}\n",
        f"provider:\n  name: aws\n  runtime: nodejs20.x\n  environment:\n    {_upper(fmt)}: {value}\n",
        f"new secretsmanager.Secret(this, '{pascal}', {{\n"
        f"  secretStringValue: SecretValue.unsafePlainText('{value}'),\n}});\n",
        f"@secure()\nparam {_camel(fmt)} string = '{value}'\n",
        json.dumps({"variables": {_snake(fmt): value, "region": "us-east-1"},
                    "builders": [{"type": "amazon-ebs"}]}, indent=2) + "\n",
    ])


def editor(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        json.dumps({"editor.formatOnSave": True, f"{_vendor(fmt)}.{_camel(fmt)}": value}, indent=4) + "\n",
        f"require('{_vendor(fmt)}').setup({{\n  {_snake(fmt)} = \"{value}\",\n  timeout = 30,\n}})\n",
        f"(setq {_kebab(fmt)} \"{value}\")\n",
        f"vim.g.{_snake(fmt)} = '{value}'\n",
        json.dumps({"theme": "One Dark", "language_models": {_vendor(fmt): {"api_key": value}}}, indent=2)
        + "\n",
    ])


def repl(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f">>> import os\n>>> os.environ[\"{var}\"]\n'{value}'\n",
        f"In [4]: settings.{var}\nOut[4]: '{value}'\n",
        f"> process.env.{var}\n'{value}'\n",
        f"irb(main):002:0> ENV['{var}']\n=> \"{value}\"\n",
        f"[1] pry(main)> Rails.application.credentials.{_snake(fmt)}\n=> \"{value}\"\n",
    ])


def datastore(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake = _snake(fmt)
    return r.choice([
        f"127.0.0.1:6379> HSET integration:{_vendor(fmt)} {snake} {value}\n(integer) 1\n",
        f"test> db.integrations.insertOne({{ provider: '{_vendor(fmt)}', {_camel(fmt)}: '{value}' }})\n",
        f"etcdctl put /config/{_vendor(fmt)}/{snake} {value}\n",
        f"consul kv put service/billing/{snake} {value}\n",
        f"aws dynamodb put-item --table-name settings --item '{{\"name\": {{\"S\": \"{snake}\"}}, "
        f"\"value\": {{\"S\": \"{value}\"}}}}'\n",
    ])


def rpc(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    kebab = _kebab(fmt)
    return r.choice([
        f"grpcurl -H 'x-{kebab}: {value}' -d '{{}}' api.internal:443 billing.v1.Invoices/List\n",
        f"metadata = [(\"x-{kebab}\", \"{value}\")]\n"
        f"response = stub.ListInvoices(request, metadata=metadata)\n",
        f"ctx = metadata.AppendToOutgoingContext(ctx, \"x-{kebab}\", \"{value}\")\n",
        f"schema: schema.graphql\nextensions:\n  endpoints:\n    default:\n      url: https://api.example.com/graphql"
        f"\n      headers:\n        x-{kebab}: {value}\n",
        f"# proto-file: config.proto\n# proto-message: ServiceConfig\nname: \"billing\"\n{_snake(fmt)}: "
        f"\"{value}\"\n",
    ])


def rubydsl(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"Vagrant.configure(\"2\") do |config|\n  config.vm.provision \"shell\", path: \"setup.sh\",\n"
        f"    env: {{ \"{var}\" => \"{value}\" }}\nend\n",
        f"lane :beta do\n  ENV[\"{var}\"] = \"{value}\"\n  upload_to_testflight\nend\n",
        f"set :{_snake(fmt)}, '{value}'\nset :keep_releases, 5\n",
    ])


def yamlplus(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake = _snake(fmt)
    return r.choice([
        f"defaults: &defaults\n  adapter: http\n  {snake}: {value}\n\nproduction:\n  <<: *defaults\n"
        f"  timeout: 10\n",
        f"---\nkind: Namespace\nname: jobs\n---\nkind: Settings\n{snake}: \"{value}\"\n...\n",
        f"secretGenerator:\n  - name: {_vendor(fmt)}-credentials\n    literals:\n      - {snake}={value}\n",
        f"x-{_vendor(fmt)}: &{_vendor(fmt)}\n  {_upper(fmt)}: '{value}'\nservices:\n  api:\n"
        f"    environment: *{_vendor(fmt)}\n",
    ])


def container(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"services:\n  api:\n    build: .\n    environment:\n      NODE_ENV: production\n"
        f"      {var}: \"{value}\"\n",
        f"docker build --build-arg {var}={value} -t acme/api:dev .\n",
        f"printf '{value}' | podman secret create {_kebab(fmt)} -\n",
        json.dumps({"name": "api", "image": "mcr.microsoft.com/devcontainers/python:3.11",
                    "containerEnv": {var: value}}, indent=2) + "\n",
    ])


CONTEXTS: dict[str, Place] = {
    "fixture": fixture, "secretcli": secretcli, "iac": iac, "editor": editor, "repl": repl,
    "datastore": datastore, "rpc": rpc, "rubydsl": rubydsl, "yamlplus": yamlplus, "container": container}
