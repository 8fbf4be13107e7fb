"""Read the credential formats of secretlint's rules (a git checkout of `secretlint/secretlint`) into
`secretlint_formats.json`.

    python -m corpora.fresh_corpus.secretlint SECRETLINT_GIT_DIR [--commit REV]

secretlint (MIT) is a linter of secrets written in TypeScript, one package a provider
(`packages/@secretlint/secretlint-rule-*/src/index.ts`): each holds regular expressions (a literal
`/.../gu` or a `new RegExp(String.raw`...`)` built from string constants of the same file) and the
messages it reports (`found Vercel app refresh token: ...`). It was written on its own, from the
providers' documentation and GitHub's list of token prefixes: not TruffleHog, not secrets-patterns-db,
not gitleaks/Betterleaks/Kingfisher/Nosey Parker (nor praetorian's titus, whose rules are theirs), not
Microsoft's list, not all-about-apikey, not sonar-text/ripsecrets, not the four community scanners. Run
once, before any measurement on the corpus (README.md). Per pattern it keeps the shape of the secret the
rule reports, in this corpus's own format description (`formats.py`: no pattern text, and none of
secretlint's test or example keys), the provider and the rule's message.

Decided before anything was measured:
- a pattern is a constant whose name says pattern (`..._PATTERN`, `pattern`, `AWSSecretPatten`) holding
  a regular expression literal or a `new RegExp(String.raw`...`)`; lookarounds are dropped (boundaries,
  no characters) and inline flags are not applied (letters drawn as written);
- the secret is what the rule reports: the whole match, or its first numbered group when the code reads
  `[1]` of the match before `[0]` (a name and `=` before it: AWS, Azure; a token before
  `:x-oauth-basic@`);
- a named group that says which kind of token (`prefix`, `type`) is one format for each of the names the
  rule gives its kinds (`cfk` -> Cloudflare Global API Key, `sk_live` -> Stripe Live Secret Key,
  `ghp` -> GitHub personal access tokens, Tailscale's `api`, `auth`, ...), so each kind is one format;
  a pattern that is a choice of several whole patterns (OpenAI's) is one format for each;
- a rule whose secret is a password or a token inside a URL whose own set a shape cannot say (basic
  auth, MongoDB, MySQL, PostgreSQL, `x-oauth-basic`) gets a fixed shape (16-24 of the letters, digits,
  `-` and `_` of the basic auth rule's own set) written inside a URL of the rule's scheme, to a host
  made up here (`around`: `{value}` is the secret); the case's value is the secret alone;
- left out: rules without a pattern of a secret (`.env` files, home directories, Kubernetes `Secret`
  manifests, comments, the example and test rules, the user's own patterns, presets), private keys'
  PEM blocks and GCP's service account files (a shape cannot say them), IDs (AWS account ID, Azure
  tenant and client IDs), values shorter than 16 characters or with fewer than 16 random ones at their
  least (`sonar.shape_of`: SendGrid's and Slack's, the new GitHub App installation token), and a
  `.npmrc`'s `_authToken=` (a setting's literal text and any character);
- the variable name is the rule's English message without `found`, brackets, possessives and plurals,
  in upper snake case (`AWS_SECRET_ACCESS_KEY`, `VERCEL_APP_REFRESH_TOKEN`, `TAILSCALE_PRE_AUTHENTICATION_
  KEY`, `SECP256K1_PRIVATE_KEY`, `MONGODB_CONNECTION_STRING`); the kind's name in place of the message's
  when the rule names kinds (`GITHUB_PERSONAL_ACCESS_TOKEN`, `OAUTH_ACCESS_TOKEN`: as secretlint names
  them, even when that says little); a leading number is spelled (`1Password` -> `ONEPASSWORD`);
- the format is named (`provider`) `secretlint:RULE:MESSAGE_ID[:KIND]`, with ` N` for the Nth of a
  choice, which are unique.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.formats import from_json
from corpora.fresh_corpus.sonar import shape_of

HERE = Path(__file__).parent
RULES_DIR = "packages/@secretlint/"
_RULE_FILE = re.compile(r"^packages/@secretlint/secretlint-rule-([a-z0-9-]+)/src/index\.ts$")
_CONST = re.compile(r"""^\s*const\s+([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*"""
                    r"""(?:"((?:[^"\\]|\\.)*)"|`([^`$]*)`)\s*;""", re.M)
_PATTERN_NAME = re.compile(r"pat+e?rn|patten", re.I)
_ASSIGN = re.compile(r"\bconst\s+([A-Za-z_]\w*)\s*=\s*", re.M)
_MESSAGE = re.compile(r"^\s{4}([A-Za-z_]\w*):\s*\{\s*\n\s*en:[^`]*`found ([^`$]*?):?\s*\$\{", re.M)
_KIND_MAP = re.compile(r"""^\s*\[?"?([a-z_]+)"?\s*[:,]\s*"([^"]+)"\]?,?\s*$""", re.M)
_INDEX = re.compile(r"\b(?:result|match|matches)\[(\d)\]")
_LOOKAROUND = re.compile(r"\(\?<?[=!]")
_NAMED = re.compile(r"\(\?<([A-Za-z_]\w*)>")
_KIND_GROUPS = ("prefix", "type")
# A password or token in a URL whose set a shape cannot say: the fixed shape and the URL it is written in.
URL_SECRET = [{"chars": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
               "min": 16, "max": 24}]
_AROUND = {
    "BasicAuth": "https://deploy-bot:{value}@artifacts.corp-intra.net/releases/",
    "MongoDBConnection": "mongodb+srv://reporting:{value}@cluster3.qz8fk.mongodb.net/analytics?retryWrites=true",
    "MySQLConnection": "jdbc:mysql://billing_rw:{value}@db-billing.internal:3306/ledger?useSSL=true",
    "PostgreSQLConnection": "postgresql://etl_writer:{value}@pg-warehouse.internal:5432/warehouse",
    "PackageJSON_xOauthToken": "https://{value}:x-oauth-basic@github.com/acme-corp/build-tools.git",
}
_IDS = {"AWSAccountID", "AzureTenantId", "AzureClientId"}
_NUMBERS = {"1": "ONE", "2": "TWO", "3": "THREE"}


def _closing(text: str, start: int) -> int:
    """The index just after the parenthesis that closes the group opening at `start`."""
    depth, i = 0, start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 1
            while i < len(text) and text[i] != "]":
                i += 2 if text[i] == "\\" else 1
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("an unclosed group")


def without_lookarounds(pattern: str) -> str:
    while (m := _LOOKAROUND.search(pattern)) is not None:
        pattern = pattern[:m.start()] + pattern[_closing(pattern, m.start()):]
    return pattern


def _group(pattern: str, name: str) -> tuple[int, int] | None:
    m = re.search(rf"\(\?<{name}>", pattern)
    return None if m is None else (m.start(), _closing(pattern, m.start()))


def _regex_literal(source: str, at: int) -> tuple[str, int] | None:
    """The body of a `/.../flags` literal starting at `at` (after white space), and where it ends."""
    i = at
    while i < len(source) and source[i] in " \t\n":
        i += 1
    if i >= len(source) or source[i] != "/":
        return None
    j, in_set = i + 1, False
    while j < len(source):
        ch = source[j]
        if ch == "\\":
            j += 2
            continue
        if ch == "\n":
            return None
        if ch == "[":
            in_set = True
        elif ch == "]":
            in_set = False
        elif ch == "/" and not in_set:
            return source[i + 1:j], j
        j += 1
    return None


def _raw_regexp(source: str, at: int, constants: list[tuple[int, str, str]]) -> tuple[str, int] | None:
    """The pattern of a `new RegExp(String.raw`...`` starting at `at`, its `${NAME}` read from the
    file's string constants."""
    m = re.match(r"\s*new RegExp\(\s*String\.raw`([^`]*)`", source[at:])
    if m is None:
        return None
    body = re.sub(r"\$\{(\w+)\}", lambda n: _before(constants, n.group(1), at), m.group(1))
    return body, at + m.end()


def _before(constants: list[tuple[int, str, str]], name: str, at: int) -> str:
    """The value of the string constant `name` defined last before `at` (functions redefine them)."""
    return [value for where, n, value in constants if n == name and where < at][-1]


def _js_string(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def patterns(source: str) -> list[tuple[str, str, int]]:
    """The patterns of one rule file: (constant's name, pattern, where it ends)."""
    constants = [(m.start(), m.group(1), _js_string(m.group(2)) if m.group(2) is not None else m.group(3))
                 for m in _CONST.finditer(source)]
    out = []
    for m in _ASSIGN.finditer(source):
        if not _PATTERN_NAME.search(m.group(1)):
            continue
        found = _regex_literal(source, m.end()) or _raw_regexp(source, m.end(), constants)
        if found is not None:
            out.append((m.group(1), found[0], found[1]))
    return out


def messages(source: str) -> dict[str, str]:
    """The rule's message ids and what each says in English, without `found` and its value."""
    return {m.group(1): m.group(2) for m in _MESSAGE.finditer(source)}


def _words(name: str) -> set[str]:
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", name)
    return {w.lower() for w in re.findall(r"[A-Za-z0-9]+", split)} - {"pattern", "patten"}


def message_of(const: str, end: int, source: str, said: dict[str, str]) -> str:
    """The message id a pattern reports: the one its constant is named after, else the first the code
    reports after it (`t("ID", ...)`), else the only one whose words hold the constant's, else the first."""
    bare = re.sub(r"_?(?:pat+e?rn|patten)$", "", const, flags=re.I).lower().replace("_", "")
    for mid in said:
        if mid.lower().replace("_", "") == bare:
            return mid
    named = re.search(r"""\bt\(\s*"(\w+)\"""", source[end:])
    if named is not None and named.group(1) in said:
        return named.group(1)
    holding = [mid for mid in said if _words(const) and _words(const) <= _words(mid)]
    return holding[0] if len(holding) == 1 else next(iter(said))


def _reads_group(source: str, end: int) -> bool:
    """Whether the code after a pattern reports its first group (`result[1]`) rather than the match."""
    m = _INDEX.search(source, end)
    return m is not None and m.group(1) == "1"


def var_of(said: str) -> str:
    text = re.sub(r"\([^)]*\)|'s\b", " ", said)
    words = re.findall(r"[A-Za-z0-9]+", text)
    words = [w[:-1] if w.lower().endswith(("tokens", "keys", "secrets")) else w for w in words]
    if words and words[0][0].isdigit():
        lead = re.match(r"\d+", words[0])
        assert lead is not None
        words[0] = _NUMBERS.get(lead.group(), lead.group()) + words[0][lead.end():]
    return "_".join(words).upper()


def _kinds(source: str, said: dict[str, str]) -> dict[str, str]:
    """What a rule calls each kind of its tokens: `cfk` -> a message id, or `ghp` -> a name."""
    return {m.group(1): m.group(2) for m in _KIND_MAP.finditer(source)
            if m.group(2) in said or re.search(r"[a-z] [a-z]", m.group(2))}


def _expanded(pattern: str, kinds: dict[str, str]) -> list[tuple[str, str]]:
    """(kind, pattern) for each kind a `prefix`/`type` group names; [("", pattern)] without one."""
    for name in _KIND_GROUPS:
        where = _group(pattern, name)
        if where is None:
            continue
        body = pattern[where[0] + len(f"(?<{name}>"):where[1] - 1]
        options = body.split("|") if re.fullmatch(r"[a-z_|]+", body) else sorted(kinds, key=list(kinds).index)
        return [(o, pattern[:where[0]] + re.escape(o) + pattern[where[1]:]) for o in options if o in kinds]
    return [("", pattern)]


def _top_choices(pattern: str) -> list[str]:
    """The whole patterns a pattern chooses between at its top level (itself when it does not)."""
    parts, depth, start, i, in_set = [], 0, 0, 0, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            in_set = True
        elif ch == "]":
            in_set = False
        elif not in_set and ch == "(":
            depth += 1
        elif not in_set and ch == ")":
            depth -= 1
        elif not in_set and ch == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    return [*parts, pattern[start:]]


def _secret_of(pattern: str, group: bool) -> str:
    """The pattern with only the reported secret captured: named groups made plain, and the numbered ones
    too unless the rule reports its first group."""
    plain = _NAMED.sub("(?:", pattern)
    if group:
        return plain
    return re.sub(r"(?<!\\)\((?!\?)", "(?:", plain)


def rule_formats(rule: str, source: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The formats kept of one rule file, and why each other pattern or message was left out."""
    said = messages(source)
    out: list[dict[str, Any]] = []
    left: list[str] = []
    if not said:
        return out, [f"secretlint:{rule}: no message of a secret"]
    found = patterns(source)
    reported: set[str] = set()
    names: set[str] = set()
    for const, pattern, end in found:
        mid = message_of(const, end, source, said)
        reported.add(mid)
        where = f"secretlint:{rule}:{mid}"
        if mid in _IDS:
            left.append(f"{where}: an ID, not a secret")
            continue
        if mid in _AROUND:
            out.append({"provider": where, "vendor": rule, "name": said[mid], "var": var_of(said[mid]),
                        "shape": URL_SECRET, "around": _AROUND[mid]})
            continue
        if "_authToken=" in pattern:
            left.append(f"{where}: the value's literal text is a setting and any character")
            continue
        kinds = _kinds(source, said)
        choices = _top_choices(without_lookarounds(pattern))
        for n, choice in enumerate(choices, 1):
            for kind, one in _expanded(choice, kinds):
                told = kinds.get(kind, mid)  # the kind's message id, or its name when the rule gives names
                reported.add(told)
                name = said.get(told, told)
                here = (f"secretlint:{rule}:{told if told in said else mid}" + (f":{kind}" if kind else "")
                        + (f" {n}" if len(choices) > 1 else ""))
                while here in names:
                    here += "'"
                names.add(here)
                json_shape, why = shape_of(_secret_of(one, _reads_group(source, end)))
                if json_shape is None:
                    left.append(f"{here}: {why}")
                    continue
                from_json(json_shape)
                out.append({"provider": here, "vendor": rule, "name": name, "var": var_of(name),
                            "shape": json_shape})
    for mid in said:
        if mid not in reported:
            left.append(f"secretlint:{rule}:{mid}: no pattern reports it alone (a file, a PEM block, a "
                        f"home directory, a kind the rule does not name)")
    return out, left


def formats(git_dir: Path, commit: str) -> tuple[list[dict[str, Any]], list[str]]:
    out: list[dict[str, Any]] = []
    left: list[str] = []
    for f in git(git_dir, "ls-tree", "-r", "--name-only", commit, RULES_DIR).split("\n"):
        m = _RULE_FILE.match(f)
        if m is None:
            continue
        kept, why = rule_formats(m.group(1), git(git_dir, "show", f"{commit}:{f}"))
        out.extend(kept)
        left.extend(why)
    return out, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=HERE / "secretlint_formats.json")
    args = parser.parse_args()
    commit = git(args.git_dir, "rev-parse", args.commit).strip()
    kept, left = formats(args.git_dir, commit)
    result = {"sources": {f"secretlint/secretlint:{RULES_DIR}secretlint-rule-*/src/index.ts": commit},
              "left_out": left, "formats": kept}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(kept)} formats of {len({f['vendor'] for f in kept})} rules from secretlint@{commit[:12]}, "
          f"{len(left)} left out -> {args.out}")


if __name__ == "__main__":
    main()
