"""Read the credential formats of CredSweeper's rules (a git checkout of `Samsung/CredSweeper`) into
`credsweeper_formats.json`.

    python -m corpora.fresh_corpus.credsweeper CREDSWEEPER_GIT_DIR [--commit REV]

CredSweeper (Samsung, MIT) is a credential scanner in Python with a machine-learning filter; its rules
are one YAML file, `credsweeper/rules/config.yaml`: each rule has a name (`Doppler API Key`, `Grafana
Service Account Token`), a type (`pattern`, `keyword`, `multi`, `pem_key`) and regular expressions whose
group `value` is the credential. It was written on its own: its tree names none of TruffleHog, gitleaks,
Betterleaks, Kingfisher, Nosey Parker, secretlint or detect-secrets, and its patterns are in its own style
(a shared left boundary, `(?P<value>...)`, conditional groups). Not secrets-patterns-db, not GitHub's
list, not Microsoft's, not all-about-apikey, not sonar-text/ripsecrets, not the four community scanners,
not secretlint. Run once, before any measurement on the corpus (README.md). Per rule it keeps the shape of
what the group `value` captures, in this corpus's own format description (`formats.py`: no pattern text,
none of CredSweeper's test samples), and the rule's name.

Decided before anything was measured:
- only `pattern` rules are read: `keyword` rules are names, not values; `multi` rules are pairs (an ID,
  then a secret found only near it); `pem_key` is a PEM block's header;
- left out: generic rules that name no provider but a syntax, an encoding or a protocol (`_GENERIC`:
  `DOC_*`, `*_PAIR`, `UUID`, JSON web tokens and keys, base64 private keys, NTLM, `Basic`/`Bearer`
  headers, SQL, curl and command-line passwords, URL credentials, OTP seeds); IDs and public names, not
  secrets (`_PUBLIC`: AWS and Alibaba key IDs, WeChat's app ID, Firebase and S3 host names, Twilio's
  SIDs, `_PUBLIC_KIND`: Salesforce's connected app consumer key, `3MVG...`, a client ID); webhooks,
  whose secret is a URL's path (Slack's, Discord's); rules whose value a shape cannot say, shorter than
  16 characters at its least or with fewer than 16 random ones (`sonar.shape_of`'s test, on the group
  `value`);
- inline flags are not applied (letters drawn as written); an optional character no value can hold on a
  line (`\\?` before a `=`: `formats.UNWRITABLE`) is dropped from the shape;
- a value that is a choice of whole patterns (New Relic's five kinds, JFrog's, MailGun's and
  Salesforce's two) is one format for each, and each is kept or left out on its own; a choice inside a
  value (Stripe's `sk_`/`rk_`/`pk_`, `whsec_`; Heroku's two bodies) is drawn per value;
- the variable name is the rule's name without brackets and a last word's plural, in upper snake case
  (`DOPPLER_API_KEY`, `HEROKU_CREDENTIAL`, `JIRA_CONFLUENCE_PAT_TOKEN`, `DROPBOX_API_SECRET`), a leading
  number spelled (`1Password` -> `ONEPASSWORD_ACCOUNT_TOKEN`), kept as CredSweeper names it even when it
  says little (`X_AI_API_KEY`, `NEWRELIC_CREDENTIAL` for each of New Relic's kinds); the provider
  (`vendor`) is its first word;
- the format is named (`provider`) `credsweeper:RULE NAME`, with ` N` for the Nth of a choice.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

import yaml

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.formats import UNWRITABLE, from_json, kept
from corpora.fresh_corpus.sonar import random_least

HERE = Path(__file__).parent
RULES_FILE = "credsweeper/rules/config.yaml"
SHORTEST = 16
_GENERIC = {"DOC_GET", "DOC_CREDENTIALS", "SECRET_PAIR", "PASSWD_PAIR", "IP_ID_PASSWORD_TRIPLE",
            "ID_PAIR_PASSWD_PAIR", "ID_PASSWD_PAIR", "UUID", "JSON Web Token", "JSON Web Key",
            "BASE64 encoded PEM Private Key", "BASE64 Private Key", "NTLM Token", "Basic Authorization",
            "Bearer Authorization", "SQL Password", "CURL Options", "CURL User Password",
            "CMD ConvertTo-SecureString", "CMD Password", "CMD Token", "CMD Secret", "URL Credentials",
            "OTP / 2FA Secret"}
_PUBLIC = {"AWS Client ID": "an access key's ID, not its secret",
           "Alibaba Access Key ID": "an access key's ID, not its secret",
           "Tencent WeChat API App ID": "an app's ID, not a secret",
           "Firebase Domain": "a host name, not a secret",
           "AWS S3 Bucket": "a bucket's host name, not a secret",
           "Twilio Credentials": "SIDs (two letters and 32 hex digits): IDs, not secrets"}
# One kind of a rule's choice that is public: a connected app's consumer key is its OAuth client ID.
_PUBLIC_KIND = {"credsweeper:Salesforce Credentials 1":
                "a connected app's consumer key (`3MVG`): a client ID"}
_WEBHOOK = re.compile(r"webhook", re.I)
_NUMBERS = {"1": "ONE", "2": "TWO", "3": "THREE"}


def var_of(name: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", re.sub(r"\([^)]*\)", " ", name))
    if words and words[-1].lower().endswith(("keys", "tokens", "secrets", "credentials", "passwords")):
        words[-1] = words[-1][:-1]
    if words and words[0][0].isdigit():
        lead = re.match(r"\d+", words[0])
        assert lead is not None
        words[0] = _NUMBERS.get(lead.group(), lead.group()) + words[0][lead.end():]
    return "_".join(words).upper()


def _writable(json_shape: list[Any]) -> list[Any]:
    """The shape without optional runs of characters no value can hold on a line (`\\?`)."""
    out: list[Any] = []
    for p in json_shape:
        if isinstance(p, dict) and "one_of" in p:
            out.append({"one_of": [_writable(o) for o in p["one_of"]]})
        elif isinstance(p, dict) and p["min"] == 0 and set(p["chars"]) <= UNWRITABLE:
            continue
        else:
            out.append(p)
    return out


def _least(json_shape: list[Any]) -> int:
    return sum(from_json([p])[0].least for p in json_shape)


def shapes_of(pattern: str) -> list[tuple[list[Any] | None, str]]:
    """What this corpus keeps of a pattern's group `value`: one shape for each whole pattern it chooses
    between (itself when it does not choose), or None and why not."""
    try:
        json_shape = _writable(kept(pattern, group="value", shortest=0))
    except ValueError as e:
        return [(None, str(e))]
    whole = json_shape[0]
    choices = (whole["one_of"] if len(json_shape) == 1 and isinstance(whole, dict) and "one_of" in whole
               else [json_shape])
    out: list[tuple[list[Any] | None, str]] = []
    for choice in choices:
        if _least(choice) < SHORTEST:
            out.append((None, f"shorter than {SHORTEST}"))
        elif random_least(choice) < SHORTEST:
            out.append((None, f"fewer than {SHORTEST} random characters"))
        else:
            from_json(choice)
            out.append((choice, ""))
    return out


def rule_formats(rules: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The formats kept of CredSweeper's rules, and why each other rule was left out."""
    out: list[dict[str, Any]] = []
    left: list[str] = []
    for rule in rules:
        name, kind = str(rule["name"]), str(rule["type"])
        where = f"credsweeper:{name}"
        if kind == "keyword":
            left.append(f"{where}: a keyword rule (a name, not a value)")
            continue
        if kind == "multi":
            left.append(f"{where}: a pair (an ID, then a secret found only near it)")
            continue
        if kind != "pattern":
            left.append(f"{where}: a {kind} rule (a PEM block's header)")
            continue
        if name in _GENERIC:
            left.append(f"{where}: generic (a syntax, an encoding or a protocol; no provider)")
            continue
        if name in _PUBLIC:
            left.append(f"{where}: {_PUBLIC[name]}")
            continue
        if _WEBHOOK.search(name):
            left.append(f"{where}: a webhook (its secret is a URL's path)")
            continue
        for n, pattern in enumerate(rule["values"], 1):
            here = where + (f" {n}" if len(rule["values"]) > 1 else "")
            shapes = shapes_of(str(pattern))
            for m, (choice, why) in enumerate(shapes, 1):
                one = here + (f" {m}" if len(shapes) > 1 else "")
                if choice is None:
                    left.append(f"{one}: {why}")
                    continue
                if one in _PUBLIC_KIND:
                    left.append(f"{one}: {_PUBLIC_KIND[one]}")
                    continue
                var = var_of(name)
                out.append({"provider": one, "vendor": var.split("_")[0].lower(), "name": name, "var": var,
                            "shape": choice})
    return out, left


def formats(git_dir: Path, commit: str) -> tuple[list[dict[str, Any]], list[str]]:
    rules = yaml.safe_load(git(git_dir, "show", f"{commit}:{RULES_FILE}"))
    return rule_formats(rules)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--out", type=Path, default=HERE / "credsweeper_formats.json")
    args = parser.parse_args()
    commit = git(args.git_dir, "rev-parse", args.commit).strip()
    kept_, left = formats(args.git_dir, commit)
    result = {"sources": {f"Samsung/CredSweeper:{RULES_FILE}": commit}, "left_out": left, "formats": kept_}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(kept_)} formats of {len({f['name'] for f in kept_})} rules from CredSweeper@{commit[:12]}, "
          f"{len(left)} left out -> {args.out}")


if __name__ == "__main__":
    main()
