"""Read the secrets SonarSource's text analyzer detects (a git checkout of SonarSource/sonar-text), and the
predefined secrets of ripsecrets (a git checkout of sirwart/ripsecrets), into `sonar_formats.json`.

    python -m corpora.fresh_corpus.sonar SONAR_GIT_DIR RIPSECRETS_GIT_DIR [--commit REV] [--rip-commit REV]

`sonar-text-plugin/src/main/resources/org/sonar/plugins/secrets/configuration/*.yaml` of `SonarSource/
sonar-text` (LGPL-3.0 at the commit read; later commits moved most of these files out of the public
repository) is one file a provider (`artifactory.yaml`, `wakatime.yaml`), each with rules: an id, a name
(`Artifactory API key`, `Docker Hub tokens should not be disclosed`) and a pattern whose first group is
the secret. `src/lib.rs` of `sirwart/ripsecrets` (MIT) lists its predefined secrets, a pattern and a
comment naming the provider (`// GitLab`). Run once, before any measurement on the corpus (README.md). Per
rule it keeps the shape of what the pattern captures, in this corpus's own format description
(`formats.py`; no pattern text, and none of sonar-text's example texts or keys), the provider and the
rule's name.

Decided before anything was measured:
- a rule is left out when its secret's shape cannot be said (`formats.kept` refuses it: a URL, a
  private key's header, a password after a context that a negated set or `.` says), when it is
  shorter than 16 characters at its least, or when fewer than 16 of those are random (a fixed header
  and a digit, `LTAI` and 12 characters: not a secret alone);
- inline flags (`(?i)`, `(?is)`) are not applied (letters drawn as written) and are dropped before
  reading, wherever they stand; a named group `(?<name>...)` is read as Python's `(?P<name>...)`;
- two rules of one provider with the same name and the same shape are one format (sonar-text writes
  some secrets as several rules that differ only by the text around them);
- the variable name is the rule's name without `should not be disclosed`/`leaked`, what it puts in
  brackets and its plural, in upper snake case (`DOCKER_HUB_TOKEN`, `AZURE_STORAGE_ACCOUNT_KEY`); a
  name that does not hold the provider's first word gets the provider's words it lacks in front
  (`JFROG_ARTIFACTORY_API_KEY`, `GOOGLE_RECAPTCHA_SECRET_KEY`), kept as the source names the secret
  even when the name says little (`STRIPE_WEBHOOK_URL` for a webhook's signing secret); ripsecrets'
  comment (without brackets) gets `_TOKEN` unless its last word already says key, token or secret
  (`GITLAB_TOKEN`, `AGE_SECRET_KEY`);
- the format is named (`provider`) `sonar:FILE:RULE-ID` or `ripsecrets:COMMENT`, which are unique.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import yaml

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.formats import kept

HERE = Path(__file__).parent
SONAR_DIR = "sonar-text-plugin/src/main/resources/org/sonar/plugins/secrets/configuration"
# The last commit of sonar-text whose public tree held all 86 providers' files (2024-10-19).
SONAR_COMMIT = "09186199c4e70bb2bebf232184dbbbb42390a73a"
RIPSECRETS_FILE = "src/lib.rs"
SHORTEST = 16
_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")
_NAMED = re.compile(r"\(\?<(?=[A-Za-z_])")
_SAID = re.compile(r"\s+should not be (?:disclosed|leaked)\s*$", re.I)
_RIP_LINE = re.compile(r'^\s*r"(.*)",\s*//\s*(.+?)\s*$')
_KINDS = ("KEY", "TOKEN", "SECRET")


def python_pattern(pattern: str) -> str:
    """The pattern as Python's `re` reads it: inline flags dropped, `(?<name>` as `(?P<name>`."""
    return _NAMED.sub("(?P<", _FLAGS.sub("", pattern))


def random_least(json_shape: list[Any]) -> int:
    """How many characters of a value of this shape are drawn at random, at its least."""
    total = 0
    for p in json_shape:
        if isinstance(p, dict) and "one_of" in p:
            total += min(random_least(o) for o in p["one_of"])
        elif isinstance(p, dict):
            total += int(p["min"])
    return total


def shape_of(pattern: str) -> tuple[list[Any] | None, str]:
    """What this corpus keeps of a rule's pattern (`formats.kept`), or None and why not."""
    try:
        json_shape = kept(python_pattern(pattern), shortest=SHORTEST)
    except ValueError as e:
        return None, str(e)
    if random_least(json_shape) < SHORTEST:
        return None, f"fewer than {SHORTEST} random characters"
    return json_shape, ""


def _singular(word: str) -> str:
    return word[:-1] if word.lower().endswith(("keys", "tokens", "secrets", "passwords", "credentials",
                                                "urls", "ids")) else word


def var_of(name: str, provider: str) -> str:
    said = re.sub(r"\([^)]*\)", " ", _SAID.sub("", name))
    words = [_singular(w) for w in re.findall(r"[A-Za-z0-9]+", said)]
    said_words = "".join(words).lower()
    missing = [w for w in re.findall(r"[A-Za-z0-9]+", provider) if w.lower() not in said_words]
    if missing and missing[0] == re.findall(r"[A-Za-z0-9]+", provider)[0]:
        words = [*missing, *words]
    return "_".join(words).upper()


def rip_var_of(comment: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"\([^)]*\)", " ", comment))
    if not words or words[-1].upper() not in _KINDS:
        words = [*words, "TOKEN"]
    return "_".join(words).upper()


def sonar_formats(specs: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The formats kept of sonar-text's specifications (file name -> parsed YAML), and why each other rule
    was left out."""
    out: list[dict[str, Any]] = []
    left: list[str] = []
    seen: set[tuple[str, str, str]] = set()
    for file, spec in sorted(specs.items()):
        vendor = str(spec["provider"]["metadata"]["name"])
        for rule in spec["provider"]["rules"]:
            rid, name = str(rule["id"]), str(rule["metadata"]["name"])
            pattern = str(rule["detection"].get("matching", {}).get("pattern", ""))
            where = f"sonar:{file.removesuffix('.yaml')}:{rid}"
            if not pattern:
                left.append(f"{where}: no pattern")
                continue
            json_shape, why = shape_of(pattern)
            if json_shape is None:
                left.append(f"{where}: {why}")
                continue
            key = (file, name.lower(), json.dumps(json_shape))
            if key in seen:
                left.append(f"{where}: the same secret and shape as a rule before it")
                continue
            seen.add(key)
            out.append({"provider": where, "vendor": vendor, "name": name, "var": var_of(name, vendor),
                        "shape": json_shape})
    return out, left


def rip_formats(source: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The formats kept of ripsecrets' predefined secrets (the text of `src/lib.rs`), and why not the rest."""
    out: list[dict[str, Any]] = []
    left: list[str] = []
    body = source.split("fn predefined_secret_regexes", 1)[-1].split("\n}\n", 1)[0]
    counts: dict[str, int] = {}
    for line in body.split("\n"):
        m = _RIP_LINE.match(line)
        if m is None:
            continue
        pattern, comment = m.group(1), m.group(2)
        counts[comment] = counts.get(comment, 0) + 1
        where = f"ripsecrets:{comment}" + (f" {counts[comment]}" if counts[comment] > 1 else "")
        json_shape, why = shape_of(pattern)
        if json_shape is None:
            left.append(f"{where}: {why}")
            continue
        if any(isinstance(p, str) and re.search(r"[=/<]", p) for p in json_shape):
            left.append(f"{where}: the value's literal text is a setting or a tag, not the secret alone")
            continue
        vendor = re.sub(r"\s*\([^)]*\)", "", comment).strip()
        out.append({"provider": where, "vendor": vendor, "name": comment, "var": rip_var_of(comment),
                    "shape": json_shape})
    return out, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sonar_git_dir", type=Path)
    parser.add_argument("ripsecrets_git_dir", type=Path)
    parser.add_argument("--commit", default=SONAR_COMMIT)
    parser.add_argument("--rip-commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=HERE / "sonar_formats.json")
    args = parser.parse_args()
    commit = git(args.sonar_git_dir, "rev-parse", args.commit).strip()
    files = [p for p in git(args.sonar_git_dir, "ls-tree", "--name-only", commit, SONAR_DIR + "/").split("\n")
             if p.endswith(".yaml")]
    specs = {p.rsplit("/", 1)[-1]: yaml.safe_load(git(args.sonar_git_dir, "show", f"{commit}:{p}"))
             for p in files}
    sonar, sonar_left = sonar_formats(specs)
    rip_commit = git(args.ripsecrets_git_dir, "rev-parse", args.rip_commit).strip()
    rip, rip_left = rip_formats(git(args.ripsecrets_git_dir, "show", f"{rip_commit}:{RIPSECRETS_FILE}"))
    result = {"sources": {f"SonarSource/sonar-text:{SONAR_DIR}": commit,
                          f"sirwart/ripsecrets:{RIPSECRETS_FILE}": rip_commit},
              "left_out": sonar_left + rip_left, "formats": sonar + rip}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(sonar)} formats of {sum(len(s['provider']['rules']) for s in specs.values())} rules "
          f"({len(specs)} providers) from sonar-text@{commit[:12]}, {len(rip)} from ripsecrets@"
          f"{rip_commit[:12]}; {len(sonar_left) + len(rip_left)} left out -> {args.out}")


if __name__ == "__main__":
    main()
