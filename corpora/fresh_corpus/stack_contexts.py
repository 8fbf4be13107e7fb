"""Where the ninth fresh corpus (`credsweeper`) writes a credential: twelve kinds of line none of the other
corpora use (not `contexts.py`'s, `config_contexts.py`'s, `ops_contexts.py`'s, `request_contexts.py`'s,
`app_contexts.py`'s, `dev_contexts.py`'s or `tool_contexts.py`'s), worded for this corpus before anything
was measured on it.

    template   web templates: Jinja2 and Twig `set`, ERB, Blade `@php`, Liquid `assign`, Go templates,
               Handlebars partial arguments, Razor
    proxy      reverse proxies and gateways adding a header: Caddy `header_up`, Traefik labels, Envoy
               `request_headers_to_add`, HAProxy `http-request set-header`, Kong's request-transformer
    ci         CI and task runners no other corpus writes: Bitbucket Pipelines pipe variables, Drone,
               Buildkite, Concourse `params:`, TeamCity's Kotlin DSL, a `justfile`, a `Taskfile.yml`
    messaging  message brokers' clients: Kafka's JAAS line, `mosquitto_pub -P`, a NATS server's
               `authorization`, `nats context save --token`, Pulsar's `authParams`
    shells     shells and launchers other corpora do not write: tcsh `setenv`, Nushell `$env.`, Elvish
               `set-env`, xonsh, `launchctl setenv`, `systemd-run --setenv`, `env -i`
    observe    metrics and log shippers: a Prometheus scrape's `authorization`, a Grafana data source's
               `secureJsonData`, Telegraf, Fluent Bit, an OpenTelemetry collector's exporter, Vector
    pkgauth    package registries' credentials: `.yarnrc.yml`, Composer's `auth.json`, Cargo's
               `credentials.toml`, `~/.gem/credentials`, `bunfig.toml`, `poetry config`, `pip.conf`
    vcs        version control: `.git-credentials`, `git remote set-url` with a token, `.hgrc` `[auth]`,
               `svn --password`, `git credential approve`, an askpass helper
    notebook   notebooks other than Jupyter's: a Quarto chunk, a Databricks source notebook's widget, a
               Zeppelin note, a Livebook cell, a marimo cell, a Pluto.jl cell
    morelangs  languages no other corpus writes: Pascal/Delphi, D, Fortran, Ada, Common Lisp, Racket,
               AppleScript, AutoHotkey, Apex, Solidity
    docstring  an API's documented example: a Python docstring, Javadoc `{@code}`, JSDoc `@example`, a Rust
               doc test, a Go doc comment, a C# `<example>`, PHPDoc
    gamedev    game engines: a Unity `[SerializeField]` field and asset, GDScript, `project.godot`, Luau,
               an Unreal `TEXT()` constant

Names come from the rule's name as CredSweeper writes it (`credsweeper.py`'s `var`, `vendor`), in the
casing each kind of file uses.
"""

from __future__ import annotations

import json
import random
from typing import Any

from corpora.fresh_corpus.app_contexts import _kebab
from corpora.fresh_corpus.config_contexts import Place, _camel, _pascal, _snake, _upper


def _vendor(fmt: dict[str, Any]) -> str:
    """The provider in lower case, one word: `grafana`, `onepassword`."""
    return str(fmt["vendor"]) or "vendor"


def _header(fmt: dict[str, Any]) -> str:
    """The name as an HTTP header's: `X-Doppler-Api-Key`."""
    return "X-" + "-".join(w.capitalize() for w in _snake(fmt).split("_"))


def _ada(fmt: dict[str, Any]) -> str:
    return "_".join(w.capitalize() for w in _snake(fmt).split("_"))


def template(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake, camel = _snake(fmt), _camel(fmt)
    return r.choice([
        f"{{% set {snake} = \"{value}\" %}}\n<script>window.config = {{{{ {{'{camel}': {snake}}}|tojson }}}};"
        f"</script>\n",
        f"<% {snake} = \"{value}\" %>\n<div id=\"widget\" data-key=\"<%= {snake} %>\"></div>\n",
        f"@php(${camel} = '{value}')\n<x-widget :key=\"${camel}\" />\n",
        f"{{{{ include('partials/widget.html.twig', {{ {camel}: '{value}' }}) }}}}\n",
        f"{{% assign {snake} = \"{value}\" %}}\n<div data-key=\"{{{{ {snake} }}}}\"></div>\n",
        f"{{{{ ${camel} := \"{value}\" }}}}\n<meta name=\"{_kebab(fmt)}\" content=\"{{{{ ${camel} }}}}\">\n",
        f"{{{{> analytics {camel}=\"{value}\" }}}}\n",
        f"@{{\n    var {camel} = \"{value}\";\n}}\n<div data-key=\"@{camel}\"></div>\n",
    ])


def proxy(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    header = _header(fmt)
    return r.choice([
        f"api.acme.dev {{\n\treverse_proxy backend:8080 {{\n\t\theader_up {header} \"{value}\"\n\t}}\n}}\n",
        f"    labels:\n      - \"traefik.http.middlewares.{_vendor(fmt)}-auth.headers.customrequestheaders."
        f"{header}={value}\"\n",
        f"request_headers_to_add:\n- header:\n    key: {header.lower()}\n    value: \"{value}\"\n"
        f"  append_action: OVERWRITE_IF_EXISTS_OR_ADD\n",
        f"backend api\n    http-request set-header {header} {value}\n    server api1 10.0.4.12:8080 check\n",
        f"plugins:\n- name: request-transformer\n  config:\n    add:\n      headers:\n"
        f"      - \"{header}:{value}\"\n",
    ])


def ci(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"      - step:\n          name: Upload\n          script:\n"
        f"            - pipe: atlassian/aws-s3-deploy:1.1.0\n"
        f"              variables:\n                {var}: '{value}'\n",
        f"kind: pipeline\ntype: docker\nname: default\n\nsteps:\n- name: publish\n  image: plugins/docker\n"
        f"  environment:\n    {var}: {value}\n",
        f"steps:\n  - label: \":rocket: deploy\"\n    command: scripts/deploy.sh\n    env:\n"
        f"      {var}: \"{value}\"\n",
        f"- task: upload\n  file: ci/tasks/upload.yml\n  params:\n    {var}: {value}\n",
        f"object Deploy : BuildType({{\n    params {{\n"
        f"        param(\"env.{var}\", \"{value}\")\n    }}\n}})\n",
        f"export {var} := \"{value}\"\n\ndeploy:\n    ./scripts/deploy.sh\n",
        f"version: '3'\n\nenv:\n  {var}: \"{value}\"\n\ntasks:\n  sync:\n    cmds:\n      - ./bin/sync\n",
    ])


def messaging(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    vendor = _vendor(fmt)
    return r.choice([
        f"sasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule "
        f"required username=\"{vendor}\" password=\"{value}\";\n",
        f"mosquitto_pub -h mqtt.internal -t sensors/ping -u {vendor} -P '{value}' -m hello\n",
        f"# nats-server.conf\nauthorization {{\n  token: \"{value}\"\n}}\n",
        f"nats context save prod --server nats://nats.internal:4222 --token {value}\n",
        f"authPlugin=org.apache.pulsar.client.impl.auth.AuthenticationToken\nauthParams=token:{value}\n",
    ])


def shells(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    var = _upper(fmt)
    return r.choice([
        f"setenv {var} \"{value}\"\n",
        f"$env.{var} = \"{value}\"\n",
        f"set-env {var} {value}\n",
        f"${var} = '{value}'\n",
        f"launchctl setenv {var} {value}\n",
        f"systemd-run --user --unit=sync --setenv={var}={value} ./bin/sync\n",
        f"env -i PATH=/usr/bin {var}={value} ./worker --once\n",
    ])


def observe(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    vendor, header = _vendor(fmt), _header(fmt)
    return r.choice([
        f"scrape_configs:\n  - job_name: {vendor}\n    authorization:\n      type: Bearer\n"
        f"      credentials: {value}\n    static_configs:\n      - targets: ['exporter:9100']\n",
        f"apiVersion: 1\ndatasources:\n  - name: {vendor}\n    type: prometheus\n    jsonData:\n"
        f"      httpHeaderName1: {header}\n    secureJsonData:\n      httpHeaderValue1: '{value}'\n",
        f"[[outputs.http]]\n  url = \"https://ingest.internal/v1/metrics\"\n  [outputs.http.headers]\n"
        f"    {header} = \"{value}\"\n",
        f"[OUTPUT]\n    Name   http\n    Match  *\n    Host   logs.internal\n    Header {header} {value}\n",
        f"exporters:\n  otlphttp:\n    endpoint: https://otlp.internal\n    headers:\n"
        f"      {header.lower()}: \"{value}\"\n",
        f"[sinks.out]\ntype = \"http\"\nuri = \"https://logs.internal/ingest\"\nauth.strategy = \"bearer\"\n"
        f"auth.token = \"{value}\"\n",
    ])


def pkgauth(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    vendor = _vendor(fmt)
    return r.choice([
        f"npmScopes:\n  acme:\n    npmRegistryServer: \"https://npm.internal\"\n"
        f"    npmAuthToken: \"{value}\"\n",
        json.dumps({"bearer": {"repo.internal": value}}, indent=4) + "\n",
        f"[registries.internal]\ntoken = \"{value}\"\n",
        f"---\n:rubygems_api_key: {value}\n",
        f"[install.scopes]\nacme = {{ token = \"{value}\", url = \"https://npm.internal/\" }}\n",
        f"poetry config pypi-token.internal {value}\n",
        f"[global]\nindex-url = https://__token__:{value}@pypi.internal/simple\n",
        f"bundle config set --global gems.internal.dev {vendor}:{value}\n",
    ])


def vcs(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    return r.choice([
        f"https://oauth2:{value}@gitlab.internal\n",
        f"git remote set-url origin https://x-access-token:{value}@github.com/acme/app.git\n",
        f"[auth]\ninternal.prefix = hg.internal\ninternal.username = ci\ninternal.password = {value}\n",
        f"svn checkout https://svn.internal/repo/trunk --username ci --password {value} --non-interactive\n",
        f"git credential approve <<EOF\nprotocol=https\nhost=git.internal\nusername=ci\n"
        f"password={value}\nEOF\n",
        f"#!/bin/sh\n# askpass helper for the mirror job ({_snake(fmt)})\necho \"{value}\"\n",
    ])


def notebook(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake = _snake(fmt)
    return r.choice([
        f"```{{python}}\n#| echo: false\n{snake} = \"{value}\"\n```\n",
        f"# Databricks notebook source\n# MAGIC %md ## Setup\n\n# COMMAND ----------\n\n"
        f"dbutils.widgets.text(\"{snake}\", \"{value}\")\n",
        json.dumps({"paragraphs": [{"text": f"%python\n{snake} = '{value}'", "status": "FINISHED"}],
                    "name": "ingest"}, indent=2) + "\n",
        f"<!-- livebook:{{\"persist_outputs\":true}} -->\n\n```elixir\n{snake} = \"{value}\"\n```\n",
        f"@app.cell\ndef _():\n    {snake} = \"{value}\"\n    return ({snake},)\n",
        f"# ╔═╡ 6a1b2c3d-4e5f-11ee-9a00-0242ac120002\n{snake} = \"{value}\"\n",
    ])


def morelangs(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    camel, pascal, upper = _camel(fmt), _pascal(fmt), _upper(fmt)
    return r.choice([
        f"const\n  {pascal} = '{value}';\n",
        f"enum {camel} = \"{value}\";\n",
        f"character(len=*), parameter :: {_snake(fmt)} = \"{value}\"\n",
        f"{_ada(fmt)} : constant String := \"{value}\";\n",
        f"(defparameter *{_kebab(fmt)}* \"{value}\")\n",
        f"(define {_kebab(fmt)} \"{value}\")\n",
        f"set {camel} to \"{value}\"\n",
        f"{camel} := \"{value}\"\n",
        f"private static final String {upper} = '{value}';\n",
        f"string private constant {upper} = \"{value}\";\n",
    ])


def docstring(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    snake, camel, pascal, vendor = _snake(fmt), _camel(fmt), _pascal(fmt), _vendor(fmt)
    return r.choice([
        f"def connect(**options):\n    \"\"\"Open a session.\n\n    Example::\n\n"
        f"        connect({snake}=\"{value}\")\n    \"\"\"\n",
        f"/**\n * Builds the client.\n * <pre>{{@code\n"
        f" * Client c = Client.builder().{camel}(\"{value}\").build();\n"
        f" * }}</pre>\n */\n",
        f"/**\n * @example\n * const client = createClient({{ {camel}: '{value}' }});\n */\n",
        f"/// ```no_run\n/// let client = Client::builder().{snake}(\"{value}\").build()?;\n/// ```\n",
        f"// New returns a client.\n//\n//\tc := {vendor}.New({vendor}.With{pascal}(\"{value}\"))\n"
        f"func New(opts ...Option) *Client {{\n",
        f"/// <example>\n/// <code>\n/// var client = new Client({camel}: \"{value}\");\n"
        f"/// </code>\n/// </example>\n",
        f"/**\n * @param string ${camel} e.g. '{value}'\n */\n",
    ])


def gamedev(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    camel, pascal = _camel(fmt), _pascal(fmt)
    return r.choice([
        f"public class Leaderboard : MonoBehaviour\n{{\n"
        f"    [SerializeField] private string {camel} = \"{value}\";\n}}\n",
        f"MonoBehaviour:\n  m_Name: ServiceSettings\n  {camel}: {value}\n",
        f"extends Node\n\nconst {_upper(fmt)} := \"{value}\"\n",
        f"[application]\n\nconfig/name=\"Arena\"\n\n[{_vendor(fmt)}]\n\n{_snake(fmt)}=\"{value}\"\n",
        f"local {pascal}: string = \"{value}\"\n",
        f"static const FString {pascal} = TEXT(\"{value}\");\n",
    ])


CONTEXTS: dict[str, Place] = {
    "template": template, "proxy": proxy, "ci": ci, "messaging": messaging, "shells": shells,
    "observe": observe, "pkgauth": pkgauth, "vcs": vcs, "notebook": notebook, "morelangs": morelangs,
    "docstring": docstring, "gamedev": gamedev}
