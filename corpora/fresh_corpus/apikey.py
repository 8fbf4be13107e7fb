"""Read the API keys described by `all-about-apikey` (a git checkout of daffainfo/all-about-apikey) into
`apikey_formats.json`.

    python -m corpora.fresh_corpus.apikey GIT_DIR [--commit REV]

`daffainfo/all-about-apikey` (MIT) describes, one folder a service (`abuseipdb/README.md`), the API keys
of ~150 public web APIs (weather, currency, geolocation, scraping, screenshots, crypto, threat
intelligence, museums...): an example request (curl and raw HTTP), the response, a regular expression
for the key and an example key. Run once, before any measurement on the corpus (README.md). Per
service it keeps the key's shape (its regular expression read into this corpus's own format
description, `formats.py`; no pattern text), the service's name, and how its raw request sends the key
(a header, Bearer, `token`, basic auth, a query or form parameter, a path segment) with the host, the
method and the request's path and body, the key's place in them marked `{key}`. No example key is kept.

Decided before anything was measured:
- a service is left out when its README has no regular expression, one a shape cannot say
  (`formats.kept` refuses it), one shorter than 16 characters at its least (the JSON web token
  expressions with open runs fall here too), or a raw request that does not show where the key goes;
- a key sent by basic auth (`Authorization: Basic ...`, base64 in the source) is `basic` (the key is the
  user name) or `basic:USER` (the decoded credentials put the placeholder after `USER:`);
- the variable name is the service's name (its README's title, without what it puts in brackets, a last
  word `API` and punctuation) in upper snake case, then `_TOKEN` when the request sends it as Bearer,
  `token` or under a name that says token, `_SECRET` under a name that says secret, else `_API_KEY`:
  `ABUSEIPDB_API_KEY`, `AIRTABLE_TOKEN`, `ALIENVAULT_OPEN_THREAT_EXCHANGE_API_KEY`;
- the format is named (`provider`) by the service's folder, which is unique.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import re
from pathlib import Path
from typing import Any

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.formats import kept
from corpora.fresh_corpus.request_contexts import KEY

HERE = Path(__file__).parent
SHORTEST = 16
_TITLE = re.compile(r"^#\s*\[([^\]]+)\]", re.M)
_REGEX = re.compile(r"^##\s*__Regex__\s*\n```[^\n]*\n([^\n]*)\n", re.M)
_RAW = re.compile(r"^\*\s*Raw\s*\n```[^\n]*\n(.*?)\n```", re.M | re.S)
_PLACEHOLDER = re.compile(r"\{\{\s*token\s*\}\}|\{\{\s*(?:api_?key|APIKEY|secret_api_key)\s*\}\}|"
                          r"\$YOUR_API_KEY|\bYOURAPIKEY\b|\bYOUR_TOKEN\b|<YOUR_JWT>|\bAPIKEY\b")


def _basic(value: str) -> str | None:
    """`basic` (the key is the user name), `basic:USER` (the key is USER's password), or None."""
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None
    user, sep, password = decoded.partition(":")
    if not sep:
        return None
    key_is_password = _PLACEHOLDER.search(password) and not _PLACEHOLDER.search(user)
    return f"basic:{user.strip()}" if key_is_password else "basic"


def request_of(raw: str) -> dict[str, str] | None:
    """Method, host, path, body and how the key is sent (`auth`) of a raw HTTP request, or None."""
    head, _, body = raw.replace("\r\n", "\n").partition("\n\n")
    first, *lines = head.split("\n")
    parts = first.split()
    if len(parts) < 2:
        return None
    method, path = parts[0], parts[1]
    headers = [(n.strip(), v.strip()) for n, sep, v in (line.partition(":") for line in lines) if sep]
    host = next((v for n, v in headers if n.lower() == "host"), "")
    if not host:
        return None
    auth = None
    for name, value in headers:
        if name.lower() == "authorization" and value.lower().startswith("basic "):
            auth = _basic(value[6:])
        elif _PLACEHOLDER.search(value):
            said = value.split()[0].lower() if len(value.split()) > 1 else ""
            auth = ("bearer" if said == "bearer" else "token" if said == "token"
                    else f"header:{name}")
        if auth:
            break
    path = re.sub(r"^https?://[^/]+", "", path) or "/"
    path, body = _PLACEHOLDER.sub(KEY, path, count=1), _PLACEHOLDER.sub(KEY, body.strip(), count=1)
    if auth is None:
        if KEY in path:
            query = re.search(r"[?&](\w+)=\{key\}", path)
            auth = f"query:{query.group(1)}" if query else "path"
        elif KEY in body:
            field = re.search(r"(\w+)\"?\s*[=:]\s*\"?\{key\}", body)
            auth = f"body:{field.group(1)}" if field else "body"
        else:
            return None
    return {"method": method, "host": host, "path": path, "body": body, "auth": auth}


def var_of(name: str, auth: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"\([^)]*\)", " ", name))
    if len(words) > 1 and words[-1].lower() == "api":
        words = words[:-1]
    said = auth.split(":", 1)[-1].lower()
    kind = ("TOKEN" if auth in ("bearer", "token") or "token" in said
            else "SECRET" if "secret" in said else "API_KEY")
    return "_".join([*words, kind]).upper()


def formats(readmes: dict[str, str]) -> tuple[list[dict[str, Any]], list[str]]:
    """The formats kept, and why each other service was left out."""
    out: list[dict[str, Any]] = []
    left: list[str] = []
    for folder, text in sorted(readmes.items()):
        title = _TITLE.search(text)
        regex = _REGEX.search(text)
        raw = _RAW.search(text)
        if title is None or regex is None or not regex.group(1).strip() or regex.group(1).startswith("```"):
            left.append(f"{folder}: no regular expression")
            continue
        try:
            json_shape = kept(regex.group(1).strip(), shortest=SHORTEST)
        except ValueError as e:
            left.append(f"{folder}: {e}")
            continue
        request = request_of(raw.group(1)) if raw else None
        if request is None:
            left.append(f"{folder}: the raw request does not show where the key goes")
            continue
        vendor = title.group(1).strip()
        var = var_of(vendor, request["auth"])
        kind = {"TOKEN": "token", "SECRET": "secret"}.get(var.rsplit("_", 1)[-1], "API key")
        out.append({"provider": folder, "vendor": vendor, "var": var, "secret": f"{vendor} {kind}",
                    "type": var.lower(), "label": f"a {vendor} {kind}", **request, "shape": json_shape})
    return out, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=HERE / "apikey_formats.json")
    args = parser.parse_args()
    commit = git(args.git_dir, "rev-parse", args.commit).strip()
    paths = [p for p in git(args.git_dir, "ls-tree", "-r", "--name-only", commit).split("\n")
             if p.count("/") == 1 and p.endswith("/README.md")]
    readmes = {p.split("/")[0]: git(args.git_dir, "show", f"{commit}:{p}") for p in paths}
    kept, left = formats(readmes)
    result = {"source": "daffainfo/all-about-apikey", "commit": commit, "left_out": left, "formats": kept}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(kept)} formats of {len(readmes)} services from {result['source']}@{commit[:12]}, "
          f"{len(left)} left out -> {args.out}")


if __name__ == "__main__":
    main()
