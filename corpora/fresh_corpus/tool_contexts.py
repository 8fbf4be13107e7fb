"""Where the eighth fresh corpus (`secretlint`) writes a credential: eleven kinds of line none of the other
corpora use (not `contexts.py`'s, `config_contexts.py`'s, `ops_contexts.py`'s, `request_contexts.py`'s,
`app_contexts.py`'s or `dev_contexts.py`'s), worded for this corpus before anything was measured on it.

    build      a build's flags and settings: CMake `-D`/`set()`, Bazel `--action_env`, Go `-ldflags -X`,
               Flutter `--dart-define`, `xcodebuild` settings, Meson `-D`
    schedule   scheduled and supervised jobs: a crontab line, supervisord's `environment=`, a Nomad
               job's `env` block, `schtasks`, a PM2 ecosystem file
    heredoc    a shell script writing a file or feeding a login: `cat <<EOF`, `tee`, `--password-stdin`
    escaped    a value inside a string inside another: JSON in a JSON string, JSON in a Python or Java
               string, a YAML block scalar holding JSON, a JSON body in a PowerShell here-string
    docs       documentation markup: reStructuredText, AsciiDoc attributes, Org mode properties, LaTeX
               macros, a man page's example
    langs      languages no other corpus writes: Haskell, OCaml, F#, Nim, Zig, Crystal, VB.NET, Tcl
    browser    the browser: `localStorage.setItem`, `document.cookie`, a HAR file's header, a browser
               extension's `chrome.storage`, a bookmarklet
    xmlbuild   XML of builds and services: Ant `<property>`, MSBuild `<PropertyGroup>`, a SOAP header's
               credentials, an XML-RPC call, an Ivy resolver's credentials
    deploy     a deploy command's flags: `helm upgrade --set`, `terraform apply -var`, `kubectl set env`,
               `gcloud run deploy --set-env-vars`, `az webapp config appsettings set`, `cf set-env`
    dump       a program printing its settings: Python's repr of a dataclass, Rust's `Debug`, Go's `%+v`,
               Java's `toString()`, Node's `util.inspect`, Kotlin's data class
    seeds      seeding a database through an ORM: Rails `seeds.rb`, a Django fixture, a Laravel seeder,
               a Prisma seed, an Ecto seed, a Sequelize seeder

Names come from the secret's name as the source writes it (`secretlint.py`'s `var`, `vendor`), in the
casing each kind of file uses. A secret that lives inside a URL (`around` in the format: a connection
string, basic auth) is written as that whole URL.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from corpora.fresh_corpus.app_contexts import _dotted, _kebab
from corpora.fresh_corpus.config_contexts import Place, _camel, _pascal, _snake, _upper


def _vendor(fmt: dict[str, Any]) -> str:
    """The rule's provider in lower case, one word: `hashicorpvault`, `databaseconnectionstring`."""
    return re.sub(r"[^a-z0-9]", "", str(fmt["vendor"]).lower()) or "vendor"


def build(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -D{var}={value}\n",
        f"set({var} \"{value}\" CACHE STRING \"used by the uploader\")\n",
        f"build --action_env={var}={value}\nbuild --disk_cache=~/.cache/bazel\n",
        f"go build -ldflags \"-s -w -X main.{_camel(fmt)}={value}\" -o bin/agent ./cmd/agent\n",
        f"flutter build apk --release --dart-define={var}={value}\n",
        f"xcodebuild -scheme App -configuration Release {var}={value} archive\n",
        f"meson setup build -D{_snake(fmt)}={value} --buildtype=release\n",
    ])


def schedule(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"# m h dom mon dow command\n*/15 * * * * {var}={value} /opt/sync/bin/pull --quiet\n",
        f"[program:worker]\ncommand=/srv/app/bin/worker\nenvironment={var}=\"{value}\",LOG_LEVEL=\"info\"\n",
        f"job \"reports\" {{\n  group \"nightly\" {{\n    task \"export\" {{\n      env {{\n"
        f"        {var} = \"{value}\"\n      }}\n    }}\n  }}\n}}\n",
        f"schtasks /create /tn \"Nightly Sync\" /sc daily /st 02:00 /tr \"C:\\sync\\run.exe --{_kebab(fmt)} "
        f"{value}\"\n",
        f"module.exports = {{\n  apps: [{{\n    name: 'worker',\n    script: './worker.js',\n"
        f"    env_production: {{ {var}: '{value}' }},\n  }}],\n}};\n",
    ])


def heredoc(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"cat > /etc/default/agent <<EOF\n{var}={value}\nLOG_LEVEL=warn\nEOF\n",
        f"mkdir -p ~/.config/{_vendor(fmt)}\ncat <<'CONF' > ~/.config/{_vendor(fmt)}/config\n"
        f"{_snake(fmt)} = {value}\nCONF\n",
        f"echo \"{_snake(fmt)}: {value}\" | sudo tee -a /etc/agent/agent.yaml > /dev/null\n",
        f"echo '{value}' | docker login registry.internal --username ci --password-stdin\n",
        f"sudo -u app tee /srv/app/.env.production >/dev/null <<ENV\n{var}={value}\nENV\n",
    ])


def escaped(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    camel, snake = _camel(fmt), _snake(fmt)
    inner = json.dumps({camel: value, "region": "eu-central-1"})
    return r.choice([
        json.dumps({"name": "uploader", "config": inner}, indent=2) + "\n",
        f"payload = \"{{\\\"{snake}\\\": \\\"{value}\\\", \\\"retries\\\": 3}}\"\n",
        f"String body = \"{{\\\"{camel}\\\":\\\"{value}\\\",\\\"dryRun\\\":false}}\";\n",
        f"data:\n  settings.json: |\n    {{\n      \"{camel}\": \"{value}\",\n"
        f"      \"timeout\": 30\n    }}\n",
        f"$body = @\"\n{{ \"{camel}\": \"{value}\", \"enabled\": true }}\n\"@\n"
        f"Invoke-RestMethod -Method Post -Uri $uri -Body $body\n",
    ])


def docs(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"Configuration\n-------------\n\nSet the variable before starting:\n\n.. code-block:: console\n\n"
        f"   $ export {var}={value}\n",
        f":{_kebab(fmt)}: {value}\n:toc: left\n\n== Setup\n\nThe agent reads `{{{_kebab(fmt)}}}` at start.\n",
        f"* Staging\n  :PROPERTIES:\n  :{var}: {value}\n  :END:\n",
        f"\\newcommand{{\\{_camel(fmt).replace('_', '')}}}{{{value}}}\n",
        f".SH EXAMPLES\n.nf\n{var}={value} agent --once\n.fi\n",
    ])


def langs(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    camel, pascal = _camel(fmt), _pascal(fmt)
    return r.choice([
        f"{camel} :: Text\n{camel} = \"{value}\"\n",
        f"let {_snake(fmt)} = \"{value}\"\n",
        f"let [<Literal>] {pascal} = \"{value}\"\n",
        f"const {camel}* = \"{value}\"\n",
        f"const {_snake(fmt)} = \"{value}\";\n",
        f"{_upper(fmt)} = ENV.fetch(\"{_upper(fmt)}\", \"{value}\")\n",
        f"Private Const {pascal} As String = \"{value}\"\n",
        f"set {_snake(fmt)} \"{value}\"\n",
    ])


def browser(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    camel = _camel(fmt)
    return r.choice([
        f"localStorage.setItem('{camel}', '{value}');\n",
        f"document.cookie = \"{_snake(fmt)}={value}; path=/; Secure; SameSite=Strict\";\n",
        json.dumps({"request": {"method": "GET", "url": "https://app.internal/api/me",
                                "headers": [{"name": "Accept", "value": "application/json"},
                                            {"name": f"X-{_pascal(fmt)}", "value": value}]}},
                   indent=2) + "\n",
        f"chrome.storage.sync.set({{ {camel}: '{value}' }}, () => console.log('saved'));\n",
        f"javascript:(()=>{{const {camel}='{value}';open('https://app.internal/?k='+{camel})}})()\n",
    ])


def xmlbuild(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    pascal = _pascal(fmt)
    return r.choice([
        f"<project name=\"deploy\" default=\"upload\">\n"
        f"  <property name=\"{_dotted(fmt)}\" value=\"{value}\"/>\n"
        f"</project>\n",
        f"<PropertyGroup>\n  <Configuration>Release</Configuration>\n  <{pascal}>{value}</{pascal}>\n"
        f"</PropertyGroup>\n",
        f"<soapenv:Header>\n  <auth:Credentials>\n    <auth:{pascal}>{value}</auth:{pascal}>\n"
        f"  </auth:Credentials>\n</soapenv:Header>\n",
        f"<methodCall>\n  <methodName>session.open</methodName>\n  <params>\n"
        f"    <param><value><string>{value}</string></value></param>\n  </params>\n</methodCall>\n",
        f"<credentials host=\"repo.internal\" realm=\"Artifacts\" username=\"ci\" passwd=\"{value}\"/>\n",
    ])


def deploy(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var, snake = _upper(fmt), _snake(fmt)
    return r.choice([
        f"helm upgrade --install api ./chart --set secrets.{_camel(fmt)}={value} -n prod\n",
        f"terraform apply -var '{snake}={value}' -auto-approve\n",
        f"kubectl set env deployment/api {var}={value} -n prod\n",
        f"gcloud run deploy api --image gcr.io/acme/api:1.4 --set-env-vars {var}={value}\n",
        f"az webapp config appsettings set -g prod-rg -n acme-api --settings {var}={value}\n",
        f"cf set-env acme-api {var} {value}\n",
    ])


def dump(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake, camel, pascal = _snake(fmt), _camel(fmt), _pascal(fmt)
    return r.choice([
        f"Settings(endpoint='https://api.internal', {snake}='{value}', timeout=30)\n",
        f"Config {{\n    endpoint: \"https://api.internal\",\n    {snake}: \"{value}\",\n"
        f"    retries: 3,\n}}\n",
        f"config: {{Endpoint:https://api.internal {pascal}:{value} Timeout:30s}}\n",
        f"ClientSettings{{endpoint='https://api.internal', {camel}='{value}', retries=3}}\n",
        f"{{ endpoint: 'https://api.internal', {camel}: '{value}', retries: 3 }}\n",
        f"Credentials(user=deploy, {camel}={value}, expires=null)\n",
    ])


def seeds(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake, camel = _snake(fmt), _camel(fmt)
    return r.choice([
        f"Integration.find_or_create_by!(provider: '{_vendor(fmt)}') do |i|\n  i.{snake} = '{value}'\nend\n",
        json.dumps([{"model": "integrations.credential", "pk": 1,
                     "fields": {"provider": _vendor(fmt), snake: value}}], indent=2) + "\n",
        f"DB::table('integrations')->insert([\n    'provider' => '{_vendor(fmt)}',\n"
        f"    '{snake}' => '{value}',\n]);\n",
        f"await prisma.integration.create({{\n"
        f"  data: {{ provider: '{_vendor(fmt)}', {camel}: '{value}' }},\n}});\n",
        f"Repo.insert!(%Integration{{provider: \"{_vendor(fmt)}\", {snake}: \"{value}\"}})\n",
        f"await queryInterface.bulkInsert('Integrations', "
        f"[{{ provider: '{_vendor(fmt)}', {camel}: '{value}' }}]);\n",
    ])


CONTEXTS: dict[str, Place] = {
    "build": build, "schedule": schedule, "heredoc": heredoc, "escaped": escaped, "docs": docs,
    "langs": langs, "browser": browser, "xmlbuild": xmlbuild, "deploy": deploy, "dump": dump, "seeds": seeds}
