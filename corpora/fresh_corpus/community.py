"""Read the credential formats of four community secret scanners into `community_formats.json`: GitHub's
field team's custom secret scanning patterns (`advanced-security/secret-scanning-custom-patterns`), Yelp's
`detect-secrets` plugins, shhgit's content signatures (`eth0izzle/shhgit`) and semgrep-rules' own secret
rules (`semgrep/semgrep-rules`, `generic/secrets/security/`, not its `gitleaks` set).

    python -m corpora.fresh_corpus.community GHAS_GIT DETECT_SECRETS_GIT SHHGIT_GIT SEMGREP_GIT

Run once, before any measurement on the corpus (README.md). Per rule it keeps the shape of what its pattern
captures, in this corpus's own format description (`formats.py`; no pattern text, no example or test
text: semgrep-rules is under a Commons Clause licence), the tool's name for the secret and the provider.

Decided before anything was measured:
- left out: rules whose secret a shape cannot say or that are shorter than 16 characters at their least
  or hold fewer than 16 random ones (`sonar.shape_of`); personal data, not credentials (the custom
  patterns' `pii` folder: IBANs, card numbers, national IDs); generic rules that name no provider and no
  secret but a file's syntax or an encoding (`YAML with hex token`, `JSON with ...`, `Generic ...`,
  `UUIDs`, semgrep's `detected-generic-*`); a value whose literal text is a setting (`AccountKey=`,
  `:_authToken=`); an ID, not a secret (detect-secrets' Twilio account SID); a rule whose secret (its
  variable name) and shape an earlier rule already gave (sources read in the order above);
- inline flags are not applied (letters drawn as written);
- the variable name is the tool's name for the secret in upper snake case, without what it puts in
  brackets and its plural (`DATADOG_API_KEY`, `SQUARE_OAUTH_SECRET`, `TWILO_API_KEY`, as shhgit spells
  it), semgrep's rule id without `detected-` (`KOLIDE_API_KEY`, `BCRYPT_HASH`), kept even when it says
  little;
- the format is named (`provider`) `ghas:TYPE`, `detect-secrets:FILE N`, `shhgit:NAME`, `semgrep:ID`.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
from pathlib import Path
from typing import Any

import yaml

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.sonar import shape_of

HERE = Path(__file__).parent
SEMGREP_DIR = "generic/secrets/security/"
DETECT_SECRETS_DIR = "detect_secrets/plugins/"
_GENERIC = re.compile(r"^(?:YAML with|JSON with|Generic|UUID)|^detected-generic-", re.I)
_IDS = {"detect-secrets:twilio.py 1": "a Twilio account SID: an ID, not a secret"}


def var_of(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"\([^)]*\)", " ", name.removeprefix("detected-")))
    if words and words[-1].lower().endswith(("keys", "tokens", "secrets", "passwords")):
        words[-1] = words[-1][:-1]
    return "_".join(words).upper()


def _vendor(name: str) -> str:
    return str(re.findall(r"[A-Za-z0-9.]+", name.removeprefix("detected-"))[0])


def _secret_types(source: str) -> tuple[str, list[str]]:
    """A detect-secrets plugin's `secret_type` and the patterns of its `re.compile` calls with a literal."""
    tree = ast.parse(source)
    kind = ""
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "secret_type" for t in node.targets)
                and isinstance(node.value, ast.Constant)):
            kind = str(node.value.value)
    patterns = [str(n.args[0].value) for n in ast.walk(tree)
                if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "compile" and n.args
                and isinstance(n.args[0], ast.Constant) and isinstance(n.args[0].value, str)]
    return kind, patterns


def _regexes(rule: Any) -> list[str]:
    """Every `pattern-regex` in a semgrep rule, at any depth."""
    if isinstance(rule, dict):
        found: list[str] = []
        for k, v in rule.items():
            found.extend([v] if k == "pattern-regex" and isinstance(v, str) else _regexes(v))
        return found
    if isinstance(rule, list):
        return [r for v in rule for r in _regexes(v)]
    return []


def rules(ghas: Path, detect: Path, shhgit: Path, semgrep: Path) -> list[tuple[str, str, str, str]]:
    """Every rule of the four sources, in order: (provider, name, vendor, pattern)."""
    out: list[tuple[str, str, str, str]] = []
    for f in git(ghas, "ls-tree", "-r", "--name-only", "HEAD").split("\n"):
        if f.endswith("patterns.yml"):
            for p in yaml.safe_load(git(ghas, "show", f"HEAD:{f}")).get("patterns", []):
                folder = f.split("/")[0]
                out.append((f"ghas:{folder}:{p['type']}", str(p["name"]), _vendor(str(p["name"])),
                            str(p["regex"]["pattern"]).strip()))
    for f in git(detect, "ls-tree", "--name-only", "HEAD", DETECT_SECRETS_DIR).split("\n"):
        if f.endswith(".py"):
            kind, patterns = _secret_types(git(detect, "show", f"HEAD:{f}"))
            for n, pattern in enumerate(patterns):
                where = f"detect-secrets:{f.rsplit('/', 1)[-1]} {n}"
                out.append((where, kind, _vendor(kind or "x"), pattern))
    for s in yaml.safe_load(git(shhgit, "show", "HEAD:config.yaml"))["signatures"]:
        if s.get("part") == "contents":
            out.append((f"shhgit:{s['name']}", str(s["name"]), _vendor(str(s["name"])), str(s["regex"])))
    for f in git(semgrep, "ls-tree", "--name-only", "HEAD", SEMGREP_DIR).split("\n"):
        if f.endswith(".yaml"):
            for rule in yaml.safe_load(git(semgrep, "show", f"HEAD:{f}"))["rules"]:
                for n, pattern in enumerate(_regexes(rule)):
                    rid = str(rule["id"])
                    out.append((f"semgrep:{rid}" + (f" {n}" if n else ""), rid, _vendor(rid), pattern))
    return out


def formats(all_rules: list[tuple[str, str, str, str]]) -> tuple[list[dict[str, Any]], list[str]]:
    out: list[dict[str, Any]] = []
    left: list[str] = []
    seen: set[str] = set()
    for provider, name, vendor, pattern in all_rules:
        if provider.startswith("ghas:pii:") or "National ID" in name:
            left.append(f"{provider}: personal data, not a credential")
            continue
        if _GENERIC.search(name) or not name:
            left.append(f"{provider}: a generic rule, no provider and no secret named")
            continue
        if provider in _IDS:
            left.append(f"{provider}: {_IDS[provider]}")
            continue
        json_shape, why = shape_of(pattern)
        if json_shape is None:
            left.append(f"{provider}: {why}")
            continue
        if any(isinstance(p, str) and re.search(r"[=/<]", p) for p in json_shape):
            left.append(f"{provider}: the value's literal text is a setting, not the secret alone")
            continue
        key = var_of(name) + json.dumps(json_shape)
        if key in seen:
            left.append(f"{provider}: the same secret and shape as a rule before it")
            continue
        seen.add(key)
        out.append({"provider": provider, "vendor": vendor, "name": name, "var": var_of(name),
                    "shape": json_shape})
    return out, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for arg in ("ghas", "detect_secrets", "shhgit", "semgrep"):
        parser.add_argument(arg, type=Path)
    parser.add_argument("--out", type=Path, default=HERE / "community_formats.json")
    args = parser.parse_args()
    dirs = (args.ghas, args.detect_secrets, args.shhgit, args.semgrep)
    kept, left = formats(rules(*dirs))
    names = ("advanced-security/secret-scanning-custom-patterns", "Yelp/detect-secrets", "eth0izzle/shhgit",
             "semgrep/semgrep-rules")
    result = {"sources": {n: git(d, "rev-parse", "HEAD").strip() for n, d in zip(names, dirs, strict=True)},
              "left_out": left, "formats": kept}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(kept)} formats kept, {len(left)} rules left out -> {args.out}")


if __name__ == "__main__":
    main()
