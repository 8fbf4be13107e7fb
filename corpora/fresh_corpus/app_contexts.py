"""Where the sixth fresh corpus (`sonar`) writes a credential: twelve kinds of line none of the other corpora
use (not `contexts.py`'s, `config_contexts.py`'s, `ops_contexts.py`'s or `request_contexts.py`'s), worded
for this corpus before anything was measured on it.

    cdefine    C and C++ headers: `#define`, `static const char *`, `constexpr`, Objective-C `NSString`
    mobile     Android `strings.xml`, iOS `Info.plist` and `.xcconfig`, Dart/Flutter constants
    pipeline   GitLab CI `variables:`, a Jenkinsfile's `environment {}`, Azure Pipelines, CircleCI, Travis
    windows    a `.bat`/`.cmd` `set`, `setx`, a `.reg` export's value, `cmdkey`
    csv        a spreadsheet or a password manager's export: a header row, then the row with the value
    email      a mail with its headers, a forwarded message, a Teams/Outlook message's text
    pydict     Python dict literals, `argparse`/`click` defaults, a pydantic settings field
    jsobject   JavaScript object literals: `module.exports`, webpack `DefinePlugin`, `next.config.js`
    cliconfig  a CLI's own config file: kubeconfig users, `gh`'s `hosts.yml`, `rclone.conf`, git config
    spring     Spring: a bean's `<property>` in XML, `@Value` with a default, `application.yml` defaults
    confdsl    HOCON (`application.conf`), Clojure EDN, Erlang `sys.config`, Jsonnet, CUE
    datasci    R (`Sys.setenv`, `.Renviron`), Julia `ENV`, MATLAB `setenv`, a Stata/SAS macro

Names come from the secret's name as the source writes it (`sonar.py`'s `var`, `vendor`, `name`), in the
casing each kind of file uses.
"""

from __future__ import annotations

import random
import re
from typing import Any

from corpora.fresh_corpus.config_contexts import Place, _camel, _pascal, _snake, _upper

# The names' casings (`_upper`, `_snake`, `_camel`, `_pascal`) are the third corpus's; the rest are new.


def _kebab(fmt: dict[str, Any]) -> str:
    return _snake(fmt).replace("_", "-")


def _dotted(fmt: dict[str, Any]) -> str:
    return _snake(fmt).replace("_", ".")


def _vendor(fmt: dict[str, Any]) -> str:
    """The provider in lower snake case: `docker_swarm`, `jfrog`, `contributed_systems`."""
    words = re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", str(fmt["vendor"]))
    return "_".join(w.lower() for w in words) or "vendor"


def _said(fmt: dict[str, Any]) -> str:
    """The secret's name in words: `Docker Hub tokens`, without `should not be disclosed`."""
    return re.sub(r"\s+should not be (?:disclosed|leaked)\s*$", "", str(fmt["name"]), flags=re.I)


def cdefine(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f'#ifndef SECRETS_H\n#define SECRETS_H\n\n#define {var} "{value}"\n\n#endif /* SECRETS_H */\n',
        f'static const char *{_snake(fmt)} = "{value}";\n',
        f'namespace config {{\nconstexpr std::string_view k{_pascal(fmt)} = "{value}";\n'
        f'}}  // namespace config\n',
        f'NSString *const k{_pascal(fmt)} = @"{value}";\n',
        f'#define {var} L"{value}"  // TODO: move to the keychain\n',
    ])


def mobile(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f'<?xml version="1.0" encoding="utf-8"?>\n<resources>\n    <string name="app_name">Tracker</string>\n'
        f'    <string name="{_snake(fmt)}" translatable="false">{value}</string>\n</resources>\n',
        f"\t<key>{_pascal(fmt)}</key>\n\t<string>{value}</string>\n\t<key>CFBundleVersion</key>\n"
        f"\t<string>412</string>\n",
        f"// Config/Release.xcconfig\n{_upper(fmt)} = {value}\n"
        f"PRODUCT_BUNDLE_IDENTIFIER = com.acme.tracker\n",
        f"class Env {{\n  static const String {_camel(fmt)} = '{value}';\n}}\n",
        f"const {_camel(fmt)} = String.fromEnvironment('{_upper(fmt)}', defaultValue: '{value}');\n",
    ])


def pipeline(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"# .gitlab-ci.yml\nvariables:\n  {var}: \"{value}\"\n  GIT_DEPTH: \"10\"\n\n"
        f"deploy:\n  stage: deploy\n  script:\n    - ./deploy.sh\n",
        f"pipeline {{\n  agent any\n  environment {{\n    {var} = '{value}'\n  }}\n  stages {{\n"
        f"    stage('Publish') {{ steps {{ sh 'make publish' }} }}\n  }}\n}}\n",
        f"# azure-pipelines.yml\nvariables:\n- name: {var}\n  value: {value}\n- name: buildConfiguration\n"
        f"  value: Release\n",
        f"jobs:\n  build:\n    docker:\n      - image: cimg/node:20.11\n        environment:\n"
        f"          {var}: {value}\n",
        f"# .travis.yml\nenv:\n  global:\n    - {var}={value}\n    - NODE_ENV=test\n",
    ])


def windows(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"@echo off\r\nrem deploy.bat\r\nset {var}={value}\r\ncall npm run release\r\n",
        f'setx {var} "{value}"\r\n',
        f'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\Acme\\Sync]\r\n'
        f'"{_pascal(fmt)}"="{value}"\r\n"Region"="eu-west-1"\r\n',
        f'@echo off\r\nset "{var}={value}"\r\npython sync.py --quiet\r\n',
        f"cmdkey /generic:{_vendor(fmt)}-api /user:deploy /pass:{value}\r\n",
    ])


def csv(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    vendor = str(fmt["vendor"])
    return r.choice([
        f"name,url,username,password,extra\n{vendor},https://{_vendor(fmt).replace('_', '')}.example.com,"
        f"ops@acme.io,{value},\n",
        f"service,environment,credential,value,owner,rotated\n{vendor},production,{_snake(fmt)},{value},"
        f"platform,2026-03-01\n",
        f"key\tvalue\tdescription\n{_upper(fmt)}\t{value}\t{_said(fmt)}\n",
        f'"Title","Login","Password","Notes"\n"{vendor} ({_said(fmt)})","deploy-bot","{value}",""\n',
    ])


def email(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    vendor, said = str(fmt["vendor"]), _said(fmt)
    return r.choice([
        f"From: Priya Raman <priya@acme.io>\nTo: platform@acme.io\nSubject: new {vendor} credentials\n\n"
        f"Hi all,\n\nthe {said} for the shared account is {value}\nPlease don't forward this.\n\nPriya\n",
        f"---------- Forwarded message ---------\nFrom: {vendor} Support <support@example.com>\n"
        f"Subject: Your access details\n\nYour {said}: {value}\nKeep it somewhere safe.\n",
        f"[10:42] Tom Becker\n    here's the {vendor} one for staging: {value}\n[10:43] Ana Lima\n    thx\n",
        f"> On Mon, 3 Nov 2026 at 09:12, Sam wrote:\n> can someone send me {_upper(fmt)}?\n\n"
        f"{_upper(fmt)}={value}\n",
    ])


def pydict(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake = _snake(fmt)
    return r.choice([
        f'CONFIG = {{\n    "region": "eu-west-1",\n    "{snake}": "{value}",\n    "timeout": 30,\n}}\n',
        f'parser.add_argument("--{_kebab(fmt)}", default="{value}", help="{_said(fmt)}")\n',
        f'@click.option("--{_kebab(fmt)}", envvar="{_upper(fmt)}", default="{value}")\n',
        f"class Settings(BaseSettings):\n    {snake}: SecretStr = SecretStr(\"{value}\")\n"
        f"    debug: bool = False\n",
        f"client = make_client(dict(endpoint='https://api.example.com', {snake}='{value}'))\n",
    ])


def jsobject(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    camel = _camel(fmt)
    return r.choice([
        f"module.exports = {{\n  port: 3000,\n  {camel}: '{value}',\n}};\n",
        f"new webpack.DefinePlugin({{\n  'process.env.{_upper(fmt)}': JSON.stringify('{value}'),\n}}),\n",
        f"/** @type {{import('next').NextConfig}} */\nconst nextConfig = {{\n  env: {{\n"
        f"    {_upper(fmt)}: \"{value}\",\n  }},\n}};\n",
        f"export default {{\n  {_vendor(fmt)}: {{ {camel}: `{value}`, retries: 3 }},\n}};\n",
        f"const options = {{ baseURL: API_URL, {camel}: \"{value}\" }};\n",
    ])


def cliconfig(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    vendor = _vendor(fmt)
    return r.choice([
        f"users:\n- name: {vendor}-admin\n  user:\n    token: {value}\ncontexts:\n- context:\n"
        f"    cluster: prod\n    user: {vendor}-admin\n  name: prod\n",
        f"# ~/.config/{vendor.replace('_', '-')}/hosts.yml\napi.{vendor.replace('_', '')}.example.com:\n"
        f"    user: deploy\n    oauth_token: {value}\n",
        f"[{vendor}]\ntype = s3\nprovider = Other\nsecret_access_key = {value}\n",
        f'[http "https://git.acme.io/"]\n\textraheader = AUTHORIZATION: bearer {value}\n',
        f"[{vendor}]\n\t{_camel(fmt)} = {value}\n",
    ])


def spring(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    camel, dotted = _camel(fmt), _dotted(fmt)
    return r.choice([
        f'<bean id="{_vendor(fmt)}Client"\n'
        f'      class="com.acme.integrations.{_pascal({"var": _vendor(fmt)})}Client">\n'
        f'    <property name="{camel}" value="{value}"/>\n</bean>\n',
        f'    @Value("${{{dotted}:{value}}}")\n    private String {camel};\n',
        f"{_vendor(fmt).replace('_', '-')}:\n  client:\n    {_kebab(fmt)}: ${{{_upper(fmt)}:{value}}}\n",
        f'<context-param>\n    <param-name>{camel}</param-name>\n    <param-value>{value}</param-value>\n'
        f'</context-param>\n',
    ])


def confdsl(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f'{_vendor(fmt).replace("_", "-")} {{\n  {_kebab(fmt)} = "{value}"\n  '
        f'{_kebab(fmt)} = ${{?{_upper(fmt)}}}\n}}\n',  # HOCON
        f'{{:{_vendor(fmt).replace("_", "-")} {{:{_kebab(fmt)} "{value}"\n  :timeout-ms 5000}}}}\n',  # EDN
        f'[{{my_app, [{{{_snake(fmt)}, "{value}"}}, {{pool_size, 10}}]}}].\n',  # Erlang sys.config
        f'local {_camel(fmt)} = "{value}";\n'
        f'{{\n  {_vendor(fmt)}: {{ {_camel(fmt)}: {_camel(fmt)} }},\n}}\n',  # Jsonnet
        f'{_camel(fmt)}: string | *"{value}"\n',  # CUE
    ])


def datasci(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f'Sys.setenv({var} = "{value}")\nlibrary(httr2)\n',
        f"# ~/.Renviron\n{var}={value}\nR_LIBS_USER=~/R/library\n",
        f'ENV["{var}"] = "{value}"\nusing HTTP\n',
        f"setenv('{var}', '{value}');\ndata = webread(url);\n",
        f'%let {_snake(fmt)} = {value};\n'
        f'proc http url="https://api.example.com/v1/export" method="GET"; run;\n',
        f"{_snake(fmt)} <- \"{value}\"\n",
    ])


CONTEXTS: dict[str, Place] = {
    "cdefine": cdefine, "mobile": mobile, "pipeline": pipeline, "windows": windows, "csv": csv,
    "email": email, "pydict": pydict, "jsobject": jsobject, "cliconfig": cliconfig, "spring": spring,
    "confdsl": confdsl, "datasci": datasci}
