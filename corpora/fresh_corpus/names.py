"""Read the variable names of leaked credentials in `secrets-patterns-db` into `leakin_formats.json`.

    python -m corpora.fresh_corpus.names GIT_DIR [--commit REV]

GIT_DIR is a git checkout of mazen160/secrets-patterns-db; its `datasets/leakin-regexes.yml` lists the
names credentials were found under in public code (`algolia_admin_key`, `ansible_vault_password`,
`node_pre_gyp_github_token`: one pattern `NAME(=| =|:| :)` each). Run once, before any measurement on
the corpus (README.md). Nothing of the source but the names is kept.

The source names no value format, so each name gets one from this list, decided before anything was
measured (`kind_of` and `SHAPES`): a name that says password (`pass`, `pwd`, `pw`, `passphrase`) gets a
password of 12 to 24 letters, digits and punctuation; any other a random token in one of seven
alphabets and lengths (hex, letters and digits, base64, URL-safe base64, a UUID), taken in turn. Names
that say nothing secret or name a public thing (an id, a user name, an e-mail address, a URL, a host, a
bucket, a database) are left out.
"""

from __future__ import annotations

import argparse
import json
import re
import string
from pathlib import Path
from typing import Any

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.formats import Literal, Run, Shape

HERE = Path(__file__).parent
SOURCE = "datasets/leakin-regexes.yml"
_ENTRY = re.compile(r'regex:\s*"([a-z0-9_\[\]?\-]+)\(=\| =\|:\| :\)"')
_SECRET = ("key", "token", "pass", "pwd", "pw", "secret", "auth", "cred", "sig", "private")
_PUBLIC = frozenset(re.findall(r"\w+", """id ids username user email mail name url uri host hostname bucket
    database db login file path dir region project org account env config logs assets com"""))
_PASSWORD = ("pass", "pwd", "pw", "passphrase")
_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"
_PUNCT = _ALNUM + "!#%+-_.@^*=?"
SHAPES: tuple[Shape, ...] = (
    (Run(_HEX, 32, 32),),
    (Run(_ALNUM, 40, 40),),
    (Run(string.ascii_letters + string.digits + "+/", 43, 43), Literal("=")),
    (Run(_ALNUM + "-_", 43, 43),),
    (Run(_HEX, 40, 40),),
    (Run(_HEX, 8, 8), Literal("-"), Run(_HEX, 4, 4), Literal("-4"), Run(_HEX, 3, 3), Literal("-a"),
     Run(_HEX, 3, 3), Literal("-"), Run(_HEX, 12, 12)),
    (Run(_ALNUM, 24, 32),),
)
PASSWORD: Shape = (Run(_PUNCT, 12, 24),)


def kind_of(name: str) -> str | None:
    """`password`, `token`, `key`, `secret` or None (a name that says nothing secret, or a public thing)."""
    words = [w for w in name.split("_") if w and not w.isdigit()]
    if not words or words[-1] in _PUBLIC or not any(s in name for s in _SECRET):
        return None
    if any(w.startswith(_PASSWORD) or w.endswith(_PASSWORD) for w in words):
        return "password"
    return next((k for k in ("token", "secret", "key") if k in words[-1]), "key")


def formats(names: list[str]) -> list[dict[str, Any]]:
    out = []
    tokens = 0
    for name in names:
        kind = kind_of(name)
        if kind is None:
            continue
        if kind == "password":
            shape, auth = PASSWORD, "basic"
        else:
            shape, tokens = SHAPES[tokens % len(SHAPES)], tokens + 1
            auth = {"token": "bearer", "secret": "header:X-Api-Secret"}.get(kind, "header:X-Api-Key")
        first = name.split("_")[0]
        out.append({"provider": name, "detector": name, "var": name.upper(),
                    "shape": [p.to_json() for p in shape], "auth": auth, "host": f"api.{first}.com"})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=HERE / "leakin_formats.json")
    args = parser.parse_args()
    commit = git(args.git_dir, "rev-parse", args.commit).strip()
    names = [n.replace("[_-]?", "_") for n in _ENTRY.findall(git(args.git_dir, "show", f"{commit}:{SOURCE}"))]
    result = {"source": f"mazen160/secrets-patterns-db:{SOURCE}", "commit": commit, "formats": formats(names)}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(result['formats'])} names of {len(names)} from {result['source']}@{commit[:12]} "
          f"-> {args.out}")


if __name__ == "__main__":
    main()
