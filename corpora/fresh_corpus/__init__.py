"""The FRESH corpora: credential formats from sources nobody tuned codetape's redaction on, frozen.

    python -m corpora.fresh_corpus.extract GIT_DIR        # formats from a TruffleHog checkout (once)
    python -m corpora.fresh_corpus.names GIT_DIR          # names from a secrets-patterns-db checkout (once)
    python -m corpora.fresh_corpus generate trufflehog    # the frozen cases (once, before measuring)
    python -m corpora.sealed_recall fresh trufflehog      # recall through the real seal (only the figure)

Unlike `corpora/heldout_corpus/` (whose misses codetape's context rules were written from), nothing here
may ever be read to write a rule: README.md says where each corpus comes from and the commit that froze
it. The cases are committed (`*_cases.jsonl`) and `load` reads them back: measurements read the frozen
file, never a fresh draw.

Each format gets `PER_FORMAT` cases, each with a fresh random value (never a real credential: drawn from
the format's shape with a seeded `random.Random`) on a different kind of line (`contexts.py`).
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from corpora.fresh_corpus import (
    app_contexts,
    config_contexts,
    dev_contexts,
    ops_contexts,
    request_contexts,
    stack_contexts,
    tool_contexts,
)
from corpora.fresh_corpus.contexts import CONTEXTS, Place
from corpora.fresh_corpus.formats import draw, from_json
from corpora.redaction_corpus import Case

HERE = Path(__file__).parent
PER_FORMAT = 2
# The third corpus (`github`) writes its credentials on kinds of line of its own (config_contexts.py), three
# a format (it has fewer formats); the first two keep the seven kinds they were frozen with. The fourth
# (`microsoft`, 78 formats) writes six a format on twelve kinds of line of its own (ops_contexts.py). The
# fifth (`apikey`, 130 formats) four a format on eleven: eight kinds of API call of its own and three kinds
# of line where the key is kept, from the first and third corpora (request_contexts.py). The sixth (`sonar`,
# 105 formats) four a format on twelve kinds of line of its own (app_contexts.py). The seventh (`community`,
# 64 formats) seven a format on ten kinds of line of its own (dev_contexts.py). The eighth (`secretlint`, 51
# formats) nine a format on eleven kinds of line of its own (tool_contexts.py). The ninth (`credsweeper`, 90
# formats) five a format on twelve kinds of line of its own (stack_contexts.py).
KINDS_OF: dict[str, dict[str, Place]] = {"github": config_contexts.CONTEXTS,
                                         "microsoft": ops_contexts.CONTEXTS,
                                         "apikey": request_contexts.CONTEXTS,
                                         "sonar": app_contexts.CONTEXTS,
                                         "community": dev_contexts.CONTEXTS,
                                         "secretlint": tool_contexts.CONTEXTS,
                                         "credsweeper": stack_contexts.CONTEXTS}
PER_FORMAT_OF = {"github": 3, "microsoft": 6, "apikey": 4, "sonar": 4, "community": 7, "secretlint": 9,
                 "credsweeper": 5}


def generate(source: str, seed: int = 1) -> list[Case]:
    """`PER_FORMAT` cases per format of `{source}_formats.json` (`PER_FORMAT_OF` for some), on kinds of line
    taken in turn. The case's value is the secret alone, also when its text holds it inside a URL."""
    formats = json.loads((HERE / f"{source}_formats.json").read_text())["formats"]
    r = random.Random(f"fresh-{source}-{seed}")
    places = KINDS_OF.get(source, CONTEXTS)
    per_format = PER_FORMAT_OF.get(source, PER_FORMAT)
    kinds = list(places)
    cases = []
    for n, fmt in enumerate(formats):
        shape = from_json(fmt["shape"])
        for k in range(per_format):
            context = kinds[(n * per_format + k) % len(kinds)]
            value = draw(shape, r)
            # a secret that lives in a URL (`around`: a connection string, basic auth) is written as the URL
            text = places[context](fmt, str(fmt.get("around", "{value}")).replace("{value}", value), r)
            if value not in text:
                raise AssertionError(f"{fmt['provider']}/{context}: the value is not in its text")
            cases.append(Case(fmt["provider"], context, text, (value,)))
    return cases


def path_of(source: str) -> Path:
    return HERE / f"{source}_cases.jsonl"


def load(source: str) -> list[Case]:
    """The frozen cases of one source, as committed."""
    with path_of(source).open(encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    return [Case(c["provider"], c["context"], c["text"], tuple(c["values"])) for c in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["generate"])
    parser.add_argument("source", help="the NAME of NAME_formats.json beside this file")
    args = parser.parse_args()
    cases = generate(args.source)
    with path_of(args.source).open("w", encoding="utf-8") as out:
        for c in cases:
            out.write(json.dumps({"provider": c.family, "context": c.context, "text": c.text,
                                  "values": list(c.values)}, ensure_ascii=False) + "\n")
    providers = len({c.family for c in cases})
    print(f"{len(cases)} cases, {providers} providers -> {path_of(args.source)}")
