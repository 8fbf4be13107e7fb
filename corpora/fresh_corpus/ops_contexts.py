"""Where the fourth fresh corpus (`microsoft`) writes a credential: twelve kinds of line none of the other
corpora use (not `contexts.py`'s, not `config_contexts.py`'s), worded for this corpus before anything was
measured on it.

    nix        a NixOS module or a flake: `environment.variables`, a service's settings, a `let` binding
    ansible    configuration management: Ansible group vars and a play's `vars:`, Puppet, Chef attributes
    systemd    a unit's `[Service]` section: `Environment=`, quoted or not
    webserver  nginx `proxy_set_header`/`fastcgi_param`, Apache `SetEnv`/`RequestHeader`
    makefile   a Makefile's variables (`?=`, `:=`, `export`) and a recipe's flag
    jvm        Maven `settings.xml` and `pom.xml` properties, Gradle `buildConfigField`
    dotfiles   `.npmrc`, `.pypirc`, `.netrc`, `.pgpass`, `NuGet.Config`
    script     Ruby, Elixir, Scala, Perl, Lua, a PHP config array
    log        an application's log line: key=value, a dumped header map, an access log's query
    trace      a stack trace or a failing call's message (Python, Java, .NET)
    issue      an issue or pull request pasted: steps to reproduce, a diff, a quoted reply
    appconfig  .NET `web.config`/`app.config` appSettings, a storage connection string, `appsettings.json`

Names come from the key's name (`microsoft.py`'s `var` and `label`), in the casing each kind of file uses.
"""

from __future__ import annotations

import json
import random
import re
from typing import Any

from corpora.fresh_corpus.config_contexts import Place, _camel, _pascal, _snake, _upper

# The names' casings (`_upper`, `_snake`, `_camel`, `_pascal`) are the third corpus's; the rest are new.


def _kebab(fmt: dict[str, Any]) -> str:
    return _snake(fmt).replace("_", "-")


def _dotted(fmt: dict[str, Any]) -> str:
    return _snake(fmt).replace("_", ".")


def _service(fmt: dict[str, Any]) -> str:
    """The service's words without `azure` and the key's own last words: `functions` of
    AZURE_FUNCTIONS_ACCESS_KEY, `maps` of AZURE_MAPS_KEY, `npm_author` of NPM_AUTHOR_KEY."""
    words = _snake(fmt).removeprefix("azure_")
    return re.sub(r"(?:_(?:personal|access|api|key|token|password|admin|query))+$", "", words) or "app"


def _said(fmt: dict[str, Any]) -> str:
    """The label without its article: `Azure Functions access key`."""
    return re.sub(r"^\s*(?:an?|the)\s+", "", str(fmt["label"]))


def nix(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f'{{ config, pkgs, ... }}:\n{{\n  environment.variables.{_upper(fmt)} = "{value}";\n}}\n',
        f'  services.{_camel({"var": _service(fmt)})} = {{\n    enable = true;\n'
        f'    settings.{_camel(fmt)} = "{value}";\n  }};\n',
        f'let\n  {_camel(fmt)} = "{value}";\nin\n'
        f'pkgs.writeShellScriptBin "sync" \'\'\n  exec sync --quiet\n\'\'\n',
        f'  systemd.services.worker.environment = {{\n    {_upper(fmt)} = "{value}";\n'
        f'    LOG_LEVEL = "info";\n  }};\n',
    ])


def ansible(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"# group_vars/production.yml\n{_snake(fmt)}: \"{value}\"\nworker_count: 4\n",
        f"- hosts: api\n  vars:\n    {_snake(fmt)}: {value}\n  roles:\n    - app\n",
        f"class profile::{_service(fmt)} {{\n  ${_snake(fmt)} = '{value}'\n}}\n",
        f"default['{_service(fmt)}']['{_snake(fmt)}'] = '{value}'\n",
    ])


def systemd(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"[Service]\nType=simple\nEnvironment=\"{_upper(fmt)}={value}\"\nExecStart=/usr/bin/worker\n",
        f"[Service]\nEnvironment={_upper(fmt)}={value}\nRestart=on-failure\n",
        f"# /etc/systemd/system/sync.service.d/override.conf\n[Service]\nEnvironment=\"LOG_LEVEL=info\" "
        f"\"{_upper(fmt)}={value}\"\n",
    ])


def webserver(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"location /api/ {{\n    proxy_pass https://backend;\n"
        f"    proxy_set_header api-key \"{value}\";\n}}\n",
        f"    fastcgi_param {_upper(fmt)} {value};\n    fastcgi_param APP_ENV production;\n",
        f"<VirtualHost *:443>\n    SetEnv {_upper(fmt)} {value}\n</VirtualHost>\n",
        f'    RequestHeader set Ocp-Apim-Subscription-Key "{value}"\n',
    ])


def makefile(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"{_upper(fmt)} ?= {value}\n\ndeploy:\n\t./scripts/deploy.sh\n",
        f"export {_upper(fmt)} := {value}\n",
        f"integration:\n\tgo test ./... -tags=integration -{_kebab(fmt)}={value}\n",
        f"{_upper(fmt)} = {value}\nREGION = westeurope\n",
    ])


def jvm(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"<settings>\n  <servers>\n    <server>\n      <id>{_kebab(fmt)}</id>\n"
        f"      <username>ci</username>\n"
        f"      <password>{value}</password>\n    </server>\n  </servers>\n</settings>\n",
        f"  <properties>\n    <{_dotted(fmt)}>{value}</{_dotted(fmt)}>\n  </properties>\n",
        f'    buildConfigField "String", "{_upper(fmt)}", "\\"{value}\\""\n',
        f"# gradle.properties\norg.gradle.jvmargs=-Xmx2g\n{_camel(fmt)}={value}\n",
    ])


def dotfiles(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"registry=https://pkgs.example.com/npm/\n//pkgs.example.com/npm/:_authToken={value}\n",
        f"[distutils]\nindex-servers = internal\n\n[internal]\nusername = __token__\npassword = {value}\n",
        f"machine pkgs.example.com login ci password {value}\n",
        f"db.internal:5432:orders:app_rw:{value}\n",
        f'<packageSourceCredentials>\n  <internal>\n    <add key="Username" value="ci" />\n'
        f'    <add key="ClearTextPassword" value="{value}" />\n  </internal>\n</packageSourceCredentials>\n',
    ])


def script(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f'{_upper(fmt)} = ENV.fetch("{_upper(fmt)}", "{value}")\n',  # Ruby
        f'config :my_app, MyApp.{_pascal({"var": _service(fmt)})},\n  {_snake(fmt)}: "{value}"\n',  # Elixir
        f'  val {_camel(fmt)} = sys.env.getOrElse("{_upper(fmt)}", "{value}")\n',  # Scala
        f"my ${_snake(fmt)} = '{value}';\n",  # Perl
        f'local {_snake(fmt)} = "{value}"\n',  # Lua
        f"return [\n    '{_snake(fmt)}' => '{value}',\n    'timeout' => 30,\n];\n",  # PHP config array
    ])


def log(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"2026-11-02T10:14:03.118Z INFO  sync.client starting {_snake(fmt)}={value} region=westeurope\n",
        f"[DEBUG] request headers: {{'Content-Type': 'application/json', 'api-key': '{value}'}}\n",
        f'10.1.4.7 - - [02/Nov/2026:10:14:03 +0000] "GET /v1/search?subscription-key={value} HTTP/1.1" 200 '
        f"512\n",
        f"Nov 02 10:14:03 api-01 worker[812]: loaded {_said(fmt)} {value} from environment\n",
    ])


def trace(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f'Traceback (most recent call last):\n  File "/srv/app/sync.py", line 41, in <module>\n'
        f'    client = connect(key="{value}")\n  File "/srv/app/client.py", line 12, in connect\n'
        f"    raise AuthError(status)\nAuthError: 401 Unauthorized\n",
        f"Exception in thread \"main\" com.acme.AuthException: 401 from service (key={value})\n"
        f"\tat com.acme.Client.send(Client.java:88)\n\tat com.acme.Main.main(Main.java:17)\n",
        f"Unhandled exception. System.UnauthorizedAccessException: Access denied for {_pascal(fmt)} "
        f"'{value}'\n   at Acme.Sync.Program.Main(String[] args) in Program.cs:line 22\n",
    ])


def issue(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"**Steps to reproduce**\n\n1. Set `{_upper(fmt)}` to `{value}`\n2. Run `make sync`\n\n"
        f"**Expected**: it uploads. **Actual**: 403.\n",
        f"```diff\n-{_upper(fmt)}=\n+{_upper(fmt)}={value}\n```\n",
        f"> I still get a 401 with the {_said(fmt)} {value}, any idea?\n\nHave you regenerated it since "
        f"the rotation?\n",
    ])


def appconfig(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f'<configuration>\n  <appSettings>\n    <add key="{_pascal(fmt)}" value="{value}" />\n'
        f"  </appSettings>\n</configuration>\n",
        f'<connectionStrings>\n  <add name="Storage" connectionString="DefaultEndpointsProtocol=https;'
        f'AccountName=acmedata;AccountKey={value};EndpointSuffix=core.windows.net" />\n'
        f"</connectionStrings>\n",
        json.dumps({"Logging": {"LogLevel": {"Default": "Information"}},
                    _pascal({"var": _service(fmt)}): {"Endpoint": "https://acme.example.com/", "Key": value}},
                   indent=2) + "\n",
        f'<add key="{_camel(fmt)}" value="{value}"/>\n',
    ])


CONTEXTS: dict[str, Place] = {"nix": nix, "ansible": ansible, "systemd": systemd, "webserver": webserver,
                              "makefile": makefile, "jvm": jvm, "dotfiles": dotfiles, "script": script,
                              "log": log, "trace": trace, "issue": issue, "appconfig": appconfig}
