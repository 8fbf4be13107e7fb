"""Read GitHub's list of the secrets its secret scanning supports into `github_formats.json`.

    python -m corpora.fresh_corpus.github GIT_DIR [--commit REV] [--path data/secret-scanning.yml]

GIT_DIR is a git checkout holding a copy of `data/secret-scanning.yml` of `github/docs` (the data behind
docs.github.com's "Supported secret scanning patterns"): per entry the provider, the secret's name as
GitHub writes it (`Adafruit IO Key`, `Amazon AWS Access Key ID with Amazon AWS Secret Access Key`) and
its type (`adafruit_io_key`). Run once, before any measurement on the corpus (README.md). Nothing of the
source but those names is kept; it has no value formats.

Decided before anything was measured (`secret_of`, `SHAPES`):
- a pair (`... ID with ... Secret`, `... Token with ... ID and ... Key`) is written as its last part, the
  secret half; an entry whose secret is not one random value (a connection string, a certificate, a
  private key, a JSON web token, a URL or a webhook) or names a public thing (an ID, a user name, an
  e-mail address, a tenant, a host) is left out;
- the variable name is the secret's name in upper snake case (`CHECKOUT_COM_PRODUCTION_SECRET_KEY`), and
  names the format (`provider`; GitHub's provider is `vendor`);
- a secret named a password or a passphrase gets a password of 14 to 28 letters, digits and
  punctuation; any other a random value in one of nine shapes, taken in turn (hex 64, letters and digits
  36, base64 of 64 bytes, a lower-case vendor prefix and 40 letters and digits, 26 lower-case letters and
  digits, three dotted URL-safe parts, a UUID, base32 of 20 bytes, letters and digits 20).
"""

from __future__ import annotations

import argparse
import json
import re
import string
from pathlib import Path
from typing import Any

import yaml

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.formats import Literal, Run, Shape

HERE = Path(__file__).parent
SOURCE = "data/secret-scanning.yml"
_NOT_ONE_VALUE = ("connection string", "certificate", "private key", "json web token", "jwt", "url", "uri",
                  "webhook", "ssh")
_PUBLIC_LAST = frozenset({"id", "identifier", "username", "user", "email", "name", "tenant", "domain",
                          "host", "endpoint", "account", "organization", "project", "sid"})
_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
_URLSAFE = _ALNUM + "-_"
_LOWER = string.ascii_lowercase + string.digits
_PUNCT = _ALNUM + "!#$%&*+-.:=?@^_~"


def _prefixed(prefix: str) -> Shape:
    return (Literal(prefix + "_"), Run(_ALNUM, 40, 40))


SHAPES: tuple[Shape, ...] = (
    (Run(_HEX, 64, 64),),
    (Run(_ALNUM, 36, 36),),
    (Run(_ALNUM + "+/", 86, 86), Literal("==")),
    (),  # a vendor prefix and 40 letters and digits (`_prefixed`, the prefix from the provider's name)
    (Run(_LOWER, 26, 26),),
    (Run(_URLSAFE, 24, 24), Literal("."), Run(_URLSAFE, 6, 6), Literal("."), Run(_URLSAFE, 27, 27)),
    (Run(_HEX, 8, 8), Literal("-"), Run(_HEX, 4, 4), Literal("-4"), Run(_HEX, 3, 3), Literal("-b"),
     Run(_HEX, 3, 3), Literal("-"), Run(_HEX, 12, 12)),
    (Run(string.ascii_uppercase + "234567", 32, 32),),
    (Run(_ALNUM, 20, 20),),
)
PASSWORD: Shape = (Run(_PUNCT, 14, 28),)


def secret_of(supported: str) -> str | None:
    """The secret half of GitHub's name for it, or None (not one random value, or a public thing)."""
    last = re.split(r"\s+(?:with|and)\s+", supported.strip())[-1]
    folded = last.lower()
    if any(re.search(rf"\b{re.escape(w)}s?\b", folded) for w in _NOT_ONE_VALUE):
        return None
    words = re.findall(r"[a-z0-9]+", folded)
    if not words or words[-1] in _PUBLIC_LAST:
        return None
    return last


def var_of(secret: str) -> str:
    return "_".join(re.findall(r"[A-Za-z0-9]+", secret)).upper()


def formats(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    tokens = 0
    for entry in entries:
        secret = secret_of(str(entry["supportedSecret"]))
        if secret is None:
            continue
        var = var_of(secret)
        if var in seen:
            continue
        seen.add(var)
        if re.search(r"pass(?:word|phrase)", secret, re.IGNORECASE):
            shape = PASSWORD
        else:
            shape, tokens = SHAPES[tokens % len(SHAPES)], tokens + 1
            if not shape:
                initials = "".join(w[0] for w in re.findall(r"[A-Za-z]+", str(entry["provider"])))
                shape = _prefixed(initials.lower()[:4] or "k")
        out.append({"provider": var, "vendor": str(entry["provider"]), "secret": secret,
                    "type": str(entry["secretType"]), "var": var, "shape": [p.to_json() for p in shape]})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--path", default=SOURCE)
    parser.add_argument("--out", type=Path, default=HERE / "github_formats.json")
    args = parser.parse_args()
    commit = git(args.git_dir, "rev-parse", args.commit).strip()
    blob = git(args.git_dir, "rev-parse", f"{commit}:{args.path}").strip()
    entries = yaml.safe_load(git(args.git_dir, "show", f"{commit}:{args.path}"))
    result = {"source": f"github/docs:{SOURCE}", "blob": blob, "formats": formats(entries)}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(result['formats'])} secrets of {len(entries)} entries from {result['source']} "
          f"(blob {blob[:12]}) -> {args.out}")


if __name__ == "__main__":
    main()
