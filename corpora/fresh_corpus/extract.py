"""Read TruffleHog's detectors (a git checkout of trufflesecurity/trufflehog) into `trufflehog_formats.json`.

    python -m corpora.fresh_corpus.extract GIT_DIR [--commit REV]

Run once, before any measurement on the corpus (see README.md). For every detector under
`pkg/detectors/` it keeps what the detector says about ONE credential: the shape of the value its
pattern captures (literal text, and runs of characters of a set with a length range), the name the
provider is known by (its first keyword), how the verification request sends it (a header, Bearer,
basic auth, a query parameter) and the API host. The shape is rewritten in this corpus's own format
description (`formats.py`); no pattern text is copied, and nothing of TruffleHog is committed.

What is left out, decided before anything was measured: detectors whose value pattern uses what a
shape cannot say (lookarounds, `.`, negated sets, whitespace), values that are URLs, e-mail addresses or
host names (they hold `://`, `@`), and values shorter than 16 characters at their shortest (ids,
not secrets). When a detector has several patterns, the one named like a secret (secret, token, key,
password) is taken, in that order; patterns named like identifiers (id, user, email, url, host...)
never are.
"""

from __future__ import annotations

import argparse
import json
import re
import string
import subprocess
from pathlib import Path
from typing import Any

from corpora.fresh_corpus.formats import Shape, from_regex

HERE = Path(__file__).parent
_ASSIGN = re.compile(r"^\s*(\w+)\s*=\s*regexp\.MustCompile\((.*)\)\s*$", re.M)
_BACKTICK = re.compile(r"`([^`]*)`")
_HEADER = re.compile(r'Header\.(?:Add|Set)\("([^"]+)",\s*(.*)\)\s*$', re.M)
_URL = re.compile(r'"(https://[a-zA-Z0-9.-]+)[/"]')
_TYPE = re.compile(r"detector_typepb\.DetectorType_(\w+)")
_NOT_SECRET = re.compile(r"id|user|email|mail|url|uri|domain|host|endpoint|account|org|region|tenant|name|"
                         r"project|instance|server|zone|base|subdomain|workspace|team|site|app$", re.I)
_RANK = ("secret", "token", "key", "pass", "pwd", "cred", "auth", "pat")
_ID_HEADER = re.compile(r"id$|application|user|email|account|client", re.I)
_SECRET_HEADER = re.compile(r"key|token|secret|auth|pass", re.I)
_CREDENTIAL_WORDS = re.compile(
    r"(_(personal|access|api|admin|user|app|oauth|auth|bearer|secret|token|key|pat|v\d))+$")
_SKIP_HEADERS = {"content-type", "accept", "user-agent", "content-length", "date", "x-ms-date",
                 "x-ms-version"}
_POSIX = {"[:alnum:]": string.ascii_letters + string.digits, "[:alpha:]": string.ascii_letters,
          "[:digit:]": string.digits, "[:upper:]": string.ascii_uppercase,
          "[:lower:]": string.ascii_lowercase, "[:xdigit:]": string.hexdigits}


def git(git_dir: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], capture_output=True, text=True,
                          check=True).stdout


def _python_regex(go: str) -> str:
    for posix, chars in _POSIX.items():
        go = go.replace(posix, re.escape(chars).replace("]", r"\]"))
    return go.replace(r"\z", "$").replace(r"\A", "^")


def _stem(name: str) -> str:
    return re.sub(r"(Pat|Pattern|Regex|Re|Regexp|Matcher)$", "", name) or name


def _rank(name: str) -> int | None:
    stem = _stem(name).lower()
    if _NOT_SECRET.search(stem.replace("key", "").replace("token", "")):
        return None
    return next((i for i, word in enumerate(_RANK) if word in stem), None)


def _auth(source: str) -> str:
    if "SetBasicAuth(" in source:
        return "basic"
    headers = [(h, v) for h, v in _HEADER.findall(source)
               if h.lower() not in _SKIP_HEADERS and not _ID_HEADER.search(h)]
    headers.sort(key=lambda hv: not _SECRET_HEADER.search(hv[0]))  # one named like a secret first
    for header, value in headers:
        if header.lower() == "authorization":
            low = value.lower()
            said = [("bearer", "bearer"), ('"token ', "token"), ("basic", "basic")]
            return next((kind for word, kind in said if word in low), "header:Authorization")
        return f"header:{header}"
    query = re.search(r'"[?&](\w*(?:key|token)\w*)=', source, re.I)
    return f"query:{query.group(1)}" if query else "header:X-API-Key"


def detector(name: str, source: str) -> dict[str, Any] | None:
    candidates = []
    for var, call in _ASSIGN.findall(source):
        literals = _BACKTICK.findall(call)
        rank = _rank(var)
        if literals and rank is not None:
            candidates.append((rank, var, literals[-1]))
    if not candidates:
        return None
    _, var, literal = min(candidates)
    try:
        shape: Shape = from_regex(_python_regex(literal))
    except ValueError:
        return None
    if sum(p.least for p in shape) < 16:
        return None
    typed = _TYPE.search(source)
    provider = typed.group(1) if typed else name
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", provider).lower()
    company = _CREDENTIAL_WORDS.sub("", snake) or snake
    stem = _stem(var).lower()
    kind = next((k for k in ("secret", "token", "pass") if k in stem), "api_key").replace("pass", "password")
    if kind == "api_key" and snake.endswith("token"):
        kind = "token"
    url = _URL.search(source)
    return {"provider": provider, "detector": name, "var": f"{company}_{kind}".upper(),
            "shape": [p.to_json() for p in shape], "auth": _auth(source),
            "host": url.group(1)[8:] if url else f"api.{company.replace('_', '')}.com"}


def extract(git_dir: Path, rev: str) -> dict[str, Any]:
    commit = git(git_dir, "rev-parse", rev).strip()
    files = git(git_dir, "ls-tree", "-r", "--name-only", commit, "pkg/detectors/").split()
    by_detector: dict[str, list[str]] = {}
    for path in files:
        parts = path.split("/")
        if len(parts) < 4 or not path.endswith(".go") or path.endswith("_test.go"):
            continue
        by_detector.setdefault(parts[2], []).append(path)
    formats = []
    for name, paths in sorted(by_detector.items()):
        newest = max(paths, key=lambda p: (p.count("/"), p))  # v2/ over v1/ over the flat file
        found = detector(name, git(git_dir, "show", f"{commit}:{newest}"))
        if found is not None:
            formats.append({**found, "path": newest})
    return {"source": "trufflesecurity/trufflehog", "commit": commit, "formats": formats}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=HERE / "trufflehog_formats.json")
    args = parser.parse_args()
    result = extract(args.git_dir, args.commit)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(result['formats'])} formats from {result['source']}@{result['commit'][:12]} -> {args.out}")


if __name__ == "__main__":
    main()
