"""Read Microsoft's own credential formats (a git checkout of microsoft/security-utilities) into
`microsoft_formats.json`.

    python -m corpora.fresh_corpus.microsoft GIT_DIR [--commit REV] [--path GeneratedRegexPatterns/...]

`GeneratedRegexPatterns/PreciselyClassifiedSecurityKeys.json` of `microsoft/security-utilities` (MIT) is
the list Microsoft's own secret masker uses for the keys its services issue (Azure storage, Functions,
Event Hub, Cognitive Services, Entra client secrets, DevOps PATs, NuGet, npm...): per entry an id, a
name (`AzureFunctionIdentifiableKey`), a label (`an Azure Functions access key`) and a pattern whose
`refine` group is the key. Run once, before any measurement on the corpus (README.md). Per entry it keeps
the shape of that group, in this corpus's own format description (`formats.py`), the name and the
label; no pattern text.

Decided before anything was measured:
- an entry is left out when its key's shape cannot be said (`formats.from_regex` refuses it), when it is
  shorter than 16 characters at its least, or when the label says it is a sample that opens nothing
  (`non-functional`);
- a pattern's case-insensitive flag is not applied: letters are drawn as the pattern writes them;
- the variable name is the label without its article, what it puts in brackets, and the words that
  describe the format rather than the key (`legacy`, `format`, `identifiable`, `common annotated
  security`), in upper snake case: `AZURE_FUNCTIONS_ACCESS_KEY`, `AZURE_MAPS_KEY`,
  `AZURE_ENTRA_CLIENT_APP_PASSWORD`; the format is named (`provider`) by the entry's name, which is unique.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from corpora.fresh_corpus.extract import git
from corpora.fresh_corpus.formats import kept

HERE = Path(__file__).parent
SOURCE = "GeneratedRegexPatterns/PreciselyClassifiedSecurityKeys.json"
SHORTEST = 16
_FORMAT_WORDS = re.compile(r"\b(?:legacy|format|identifiable|common annotated security)\b", re.I)


def var_of(label: str) -> str:
    words = re.sub(r"\([^)]*\)", " ", label)
    words = _FORMAT_WORDS.sub(" ", re.sub(r"^\s*(?:an?|the)\s+", "", words, flags=re.I))
    return "_".join(re.findall(r"[A-Za-z0-9]+", words)).upper()


def formats(entries: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The formats kept, and why each other entry was left out."""
    out: list[dict[str, Any]] = []
    left: list[str] = []
    seen: set[str] = set()
    for entry in entries:
        name, label = str(entry["Name"]), str(entry["Label"])
        if name in seen:
            continue
        seen.add(name)
        if "non-functional" in label:
            left.append(f"{name}: a sample that opens nothing")
            continue
        try:
            json_shape = kept(str(entry["Pattern"]), "refine", SHORTEST)
        except ValueError as e:
            left.append(f"{name}: {e}")
            continue
        out.append({"provider": name, "id": str(entry["Id"]), "label": label, "var": var_of(label),
                    "shape": json_shape})
    return out, left


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path)
    parser.add_argument("--commit", default="HEAD")
    parser.add_argument("--path", default=SOURCE)
    parser.add_argument("--out", type=Path, default=HERE / "microsoft_formats.json")
    args = parser.parse_args()
    commit = git(args.git_dir, "rev-parse", args.commit).strip()
    blob = git(args.git_dir, "rev-parse", f"{commit}:{args.path}").strip()
    entries = json.loads(git(args.git_dir, "show", f"{commit}:{args.path}"))
    kept, left = formats(entries)
    result = {"source": f"microsoft/security-utilities:{args.path}", "commit": commit, "blob": blob,
              "left_out": left, "formats": kept}
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"{len(kept)} formats of {len(entries)} entries from {result['source']} (blob {blob[:12]}), "
          f"{len(left)} left out -> {args.out}")


if __name__ == "__main__":
    main()
