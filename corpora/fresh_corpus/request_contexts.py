"""Where the fifth fresh corpus (`apikey`) writes a credential: eight kinds of line where a developer calls
the service's API with its key, worded for this corpus before anything was measured on it, none of them
the other corpora's (`contexts.py`'s `curl` and `json` saved request only say a header or a query).

    http      a `.http`/`.rest` file (VS Code REST Client, JetBrains HTTP client), inline or a `@variable`
    python    Python `requests`, `httpx`, `aiohttp`: headers, params, auth, form data
    fetch     JavaScript/TypeScript `fetch`, `axios`, a browser console's "copy as fetch"
    client    Go `net/http`, Java `HttpRequest`/OkHttp, C# `HttpClient`, Ruby `Net::HTTP`, PHP Guzzle
    raw       a raw request as a proxy or `curl -v` shows it (`> Header: value`)
    postman   a Postman collection's request, a Postman environment, an Insomnia request
    shell     curl, HTTPie, wget, PowerShell `Invoke-RestMethod`
    url       the request's URL in a link, an access log, an embed, an error message; a header dump

Between them, three kinds of line where the key is kept before it is sent, reused unchanged: `.env`
(`contexts.dotenv`), constants and clients in code (`contexts.code`), TOML (`config_contexts.toml`).
Each call sends the key as the service's own example request does (`apikey.py`: `auth`, `host`, `method`,
`path`, `body`): a header, Bearer, `token`, basic auth, a query or form parameter, a path segment.
"""

from __future__ import annotations

import json
import random
from typing import Any

from corpora.fresh_corpus import config_contexts, contexts
from corpora.fresh_corpus.config_contexts import Place, _camel

KEY = "{key}"  # where the key goes in a request's path or body, as `apikey.py` keeps them


def _auth(fmt: dict[str, Any]) -> str:
    return str(fmt["auth"])


def _url(fmt: dict[str, Any], value: str) -> str:
    return f"https://{fmt['host']}{str(fmt['path']).replace(KEY, value)}"


def _body(fmt: dict[str, Any], value: str) -> str:
    return str(fmt["body"]).replace(KEY, value)


def _headers(fmt: dict[str, Any], value: str) -> dict[str, str]:
    """The header that carries the key (none when the URL, the body or basic auth does)."""
    auth = _auth(fmt)
    if auth == "bearer":
        return {"Authorization": f"Bearer {value}"}
    if auth == "token":
        return {"Authorization": f"token {value}"}
    if auth.startswith("header:"):
        return {auth.removeprefix("header:"): value}
    return {}


def _user_password(fmt: dict[str, Any], value: str) -> tuple[str, str] | None:
    """Basic auth's user name and password, the key one of them; None when it is not basic auth."""
    auth = _auth(fmt)
    if auth == "basic":
        return value, ""
    if auth.startswith("basic:"):
        return auth.removeprefix("basic:"), value
    return None


def _method(fmt: dict[str, Any]) -> str:
    return str(fmt["method"]).upper()


def http(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    basic = _user_password(fmt, value)
    headers = {**_headers(fmt, value), **({"Authorization": f"Basic {basic[0]}:{basic[1]}"} if basic else {})}
    body = _body(fmt, value)
    if r.random() < 0.5 and KEY not in str(fmt["path"]) and headers and not basic:
        name, sent = next(iter(headers.items()))
        variable = _camel(fmt)
        held = sent.replace(value, f"{{{{{variable}}}}}")
        return (f"@{variable} = {value}\n\n### {fmt['vendor']}\n{_method(fmt)} https://{fmt['host']}{fmt['path']}"
                f"\n{name}: {held}\n")
    lines = [f"### {fmt['vendor']}", f"{_method(fmt)} {_url(fmt, value)}",
             *(f"{n}: {v}" for n, v in headers.items())]
    return "\n".join(lines) + (f"\n\n{body}\n" if body else "\n")


def python(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    method, url = _method(fmt).lower(), _url(fmt, value)
    basic = _user_password(fmt, value)
    extra = ", ".join(filter(None, [
        f"headers={_headers(fmt, value)!r}" if _headers(fmt, value) else "",
        f"auth=({basic[0]!r}, {basic[1]!r})" if basic else "",
        f"data={_body(fmt, value)!r}" if _body(fmt, value) else ""]))
    args = f"{url!r}" + (f", {extra}" if extra else "")
    return r.choice([
        f"import requests\n\nresp = requests.{method}({args}, timeout=10)\nresp.raise_for_status()\n",
        f"async with httpx.AsyncClient() as client:\n    r = await client.{method}({args})\n",
        f"    def fetch(self):\n        return self.session.{method}({args}).json()\n",
    ])


def fetch(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    basic = _user_password(fmt, value)
    sent = [f'"{n}": "{v}"' for n, v in _headers(fmt, value).items()]
    sent += [f'Authorization: "Basic " + btoa("{basic[0]}:{basic[1]}")'] if basic else []
    headers = "{ " + ", ".join(sent) + " }" if sent else "{}"
    body = f", body: {json.dumps(_body(fmt, value))}" if _body(fmt, value) else ""
    options = f'{{ method: "{_method(fmt)}", headers: {headers}{body} }}'
    return r.choice([
        f'const res = await fetch("{_url(fmt, value)}", {options});\nconst data = await res.json();\n',
        f"axios.request({{ url: '{_url(fmt, value)}', method: '{_method(fmt).lower()}', "
        f"headers: {headers} }})\n"
        f"  .then(({{ data }}) => console.log(data));\n",
        f'fetch("{_url(fmt, value)}", {options}).then(r => r.json()).then(console.log)\n',
    ])


def client(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    url, method = _url(fmt, value), _method(fmt)
    headers = list(_headers(fmt, value).items())
    basic = _user_password(fmt, value)
    body = json.dumps(_body(fmt, value)) if _body(fmt, value) else ""
    go = "".join(f'\treq.Header.Set("{n}", "{v}")\n' for n, v in headers)
    go += f'\treq.SetBasicAuth("{basic[0]}", "{basic[1]}")\n' if basic else ""
    java = "".join(f'        .header("{n}", "{v}")\n' for n, v in headers)
    java += (f'        .header("Authorization", basic("{basic[0]}", "{basic[1]}"))\n' if basic else "")
    java += f"        .{method}(BodyPublishers.ofString({body}))\n" if body else ""
    csharp = "".join(f'client.DefaultRequestHeaders.Add("{n}", "{v}");\n' for n, v in headers)
    csharp += (f'client.DefaultRequestHeaders.Authorization = Basic("{basic[0]}", "{basic[1]}");\n'
               if basic else "")
    send = f'PostAsync("{url}", new StringContent({body}))' if body else f'GetStringAsync("{url}")'
    ruby = "".join(f"req['{n}'] = '{v}'\n" for n, v in headers)
    ruby += f"req.basic_auth '{basic[0]}', '{basic[1]}'\n" if basic else ""
    ruby += f"req.body = {body}\n" if body else ""
    php = ", ".join(f"'{n}' => '{v}'" for n, v in headers)
    php += f"], 'auth' => ['{basic[0]}', '{basic[1]}'" if basic else ""
    php += f"], 'body' => {body}" if body else "]"
    reader = f"strings.NewReader({body})" if body else "nil"
    return r.choice([
        f'req, err := http.NewRequest("{method}", "{url}", {reader})\n'
        f"if err != nil {{\n\treturn err\n}}\n{go}",
        f'HttpRequest request = HttpRequest.newBuilder()\n        .uri(URI.create("{url}"))\n{java}'
        f"        .build();\n",
        f"using var client = new HttpClient();\n{csharp}var json = await client.{send};\n",
        f"uri = URI('{url}')\nreq = Net::HTTP::{method.capitalize()}.new(uri)\n{ruby}",
        f"$response = $client->request('{method}', '{url}', ['headers' => [{php}]);\n",
    ])


def raw(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    path, host = str(fmt["path"]).replace(KEY, value), fmt["host"]
    headers = _headers(fmt, value)
    basic = _user_password(fmt, value)
    body = _body(fmt, value)
    if (r.random() < 0.5 or basic) and KEY not in str(fmt["body"]):  # curl -v, its command line when basic
        command = f"$ curl -v -u '{basic[0]}:{basic[1]}' {_url(fmt, value)}\n" if basic else ""
        lines = "".join(f"> {n}: {v}\n" for n, v in headers.items())
        return (f"{command}*   Trying 104.18.6.1:443...\n* Connected to {host} port 443\n"
                f"> {_method(fmt)} {path} HTTP/2\n> Host: {host}\n> User-Agent: curl/8.5.0\n{lines}"
                f"> Accept: */*\n>\n< HTTP/2 200\n")
    lines = "".join(f"{n}: {v}\n" for n, v in headers.items())
    return f"{_method(fmt)} {path} HTTP/1.1\nHost: {host}\n{lines}Accept: application/json\n" + (
        f"\n{body}\n" if body else "")


def postman(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    if r.random() < 0.4:
        env = {"name": f"{fmt['vendor']} (dev)", "values": [
            {"key": "baseUrl", "value": f"https://{fmt['host']}", "enabled": True},
            {"key": _camel(fmt), "value": value, "type": "secret", "enabled": True}]}
        return json.dumps(env, indent=2) + "\n"
    basic = _user_password(fmt, value)
    request: dict[str, Any] = {
        "method": _method(fmt),
        "header": [{"key": n, "value": v, "type": "text"} for n, v in _headers(fmt, value).items()],
        "url": {"raw": _url(fmt, value), "host": [fmt["host"]]}}
    if basic:
        request["auth"] = {"type": "basic", "basic": [{"key": "username", "value": basic[0]},
                                                      {"key": "password", "value": basic[1]}]}
    if _body(fmt, value):
        request["body"] = {"mode": "raw", "raw": _body(fmt, value)}
    return json.dumps({"name": f"{fmt['vendor']} smoke test", "request": request}, indent=2) + "\n"


def shell(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    url, method = _url(fmt, value), _method(fmt)
    headers = _headers(fmt, value)
    basic = _user_password(fmt, value)
    body = _body(fmt, value)
    curl_h = "".join(f" -H '{n}: {v}'" for n, v in headers.items())
    curl_h += f" -u '{basic[0]}:{basic[1]}'" if basic else ""
    curl_d = f" -d '{body}'" if body else ""
    httpie = "".join(f" '{n}:{v}'" for n, v in headers.items())
    httpie = (f" -a '{basic[0]}:{basic[1]}'" if basic else "") + httpie
    long_h = "".join(f" \\\n  --header '{n}: {v}'" for n, v in headers.items())
    long_h += f" \\\n  --user '{basic[0]}:{basic[1]}'" if basic else ""
    ps = "; ".join(f"'{n}' = '{v}'" for n, v in headers.items())
    return r.choice([
        f"$ curl -sS -X {method} '{url}'{curl_h}{curl_d} | jq .\n",
        f"curl --request {method} \\\n  --url '{url}'{long_h}{curl_d}\n",
        f"http {method} '{url}'{httpie}" + (f" --raw '{body}'" if body else "") + "\n",
        f"wget -qO- '{url}'" + "".join(f" --header='{n}: {v}'" for n, v in headers.items()) +
        (f" --user='{basic[0]}' --password='{basic[1]}'" if basic else "") +
        (f" --post-data='{body}'" if body else "") + "\n",
        f"Invoke-RestMethod -Method {method} -Uri '{url}'" + (f" -Headers @{{{ps}}}" if ps else "") +
        (f" -Credential (New-Object PSCredential('{basic[0]}', (ConvertTo-SecureString '{basic[1]}' "
         f"-AsPlainText -Force)))" if basic else "") + (f" -Body '{body}'" if body else "") + "\n",
    ])


def url(fmt: dict[str, Any], value: str, r: random.Random) -> str:
    headers = _headers(fmt, value)
    basic = _user_password(fmt, value)
    if KEY in str(fmt["path"]):
        link = _url(fmt, value)
        return r.choice([
            f"See the [{fmt['vendor']} response]({link}) for the fields we map.\n",
            f'10.0.3.12 - - [22/Nov/2026:09:12:44 +0000] "{_method(fmt)} {link} HTTP/1.1" 200 1893 "-" '
            f'"python-requests/2.32.3"\n',
            f'<img src="{link}" alt="{fmt["vendor"]}" width="600">\n',
            f"requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for url: {link}\n",
        ])
    if basic:
        return f"https://{basic[0]}:{basic[1]}@{fmt['host']}{fmt['path']}\n"
    if headers:
        return r.choice([
            f"DEBUG:urllib3.connectionpool:https://{fmt['host']}:443 \"{_method(fmt)} {fmt['path']} "
            f"HTTP/1.1\" 401\nrequest headers: {headers}\n",
            f"Request URL: https://{fmt['host']}{fmt['path']}\nRequest Method: {_method(fmt)}\n"
            + "".join(f"{n.lower()}: {v}\n" for n, v in headers.items()),
        ])
    return f"POST https://{fmt['host']}{fmt['path']} payload={_body(fmt, value)!r} -> 403\n"


CALLS: dict[str, Place] = {"http": http, "python": python, "fetch": fetch, "client": client, "raw": raw,
                           "postman": postman, "shell": shell, "url": url}
# The corpus's eleven kinds, in the order cases take them: the calls, and where the key is kept before it
# is sent (unchanged from the corpora they were frozen with: `.env` and code constants of the first,
# TOML of the third).
CONTEXTS: dict[str, Place] = {"dotenv": contexts.dotenv, "http": http, "python": python, "fetch": fetch,
                              "code": contexts.code, "client": client, "raw": raw, "postman": postman,
                              "shell": shell, "toml": config_contexts.toml, "url": url}
