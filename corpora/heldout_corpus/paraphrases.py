"""Other wordings of the two kinds of line where codetape's context layer had to learn something new.

The comment and request lines of `contexts.py` were the held-out corpus's hardest (a key in prose, a key in
a header no rule names). The rules written for them were written after seeing those misses, so these
lines, written before those rules and never used to write them, check that they were not fitted to the
exact wording: other comment styles and sentences, other HTTP clients and header syntaxes.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from corpora.heldout_corpus.contexts import _camel, _kind
from corpora.heldout_corpus.formats import Format


def prose(fmt: Format, shown: str, r: random.Random) -> str:
    kind, name = _kind(fmt.var), fmt.provider
    return r.choice([
        f"# NOTE: the {name} {kind} is {shown} (do not commit)\n",
        f"/* {name} {kind} = {shown} */\n",
        f"<!-- {kind} for {name}: {shown} -->\n",
        f"; {name} {kind} -> {shown}\n",
        f"REM {name} {kind}: {shown}\n",
        f" * staging {kind} ({name}): {shown}\n",
        f"# {name}: use {kind} {shown} for local testing\n",
        f"> my {name} {kind} {shown} stopped working yesterday, any idea?\n",
    ])


def request(fmt: Format, shown: str, r: random.Random) -> str:
    url = f"https://{fmt.host}/v1/items"
    auth = fmt.auth
    if auth == "url":
        return r.choice([f"http POST {shown} text='deploy done'\n", f"wget -q --post-data='ok' '{shown}'\n",
                         f'requests.post("{shown}", json={{"text": "ok"}})\n'])
    if auth in ("basic", "pair"):
        name, password = (shown, "") if auth == "basic" else ("ci", shown)
        return r.choice([f"http -a {name}:{password} GET {url}\n", f"curl --user '{name}:{password}' {url}\n",
                         f'requests.get("{url}", auth=("{name}", "{password}"))\n'])
    if auth.startswith("query:"):
        return r.choice([f"wget -qO- '{url}?{auth[6:]}={shown}'\n", f'fetch("{url}?{auth[6:]}={shown}")\n'])
    header, value = {"bearer": ("Authorization", f"Bearer {shown}"),
                     "token": ("Authorization", f"token {shown}")}.get(auth, (auth[7:], shown))
    var = _camel(fmt.var)
    return r.choice([
        f"http GET {url} '{header}:{value}'\n",
        f'wget --header="{header}: {value}" {url}\n',
        f"curl -s --header '{header}: {value}' {url}\n",
        f'resp = requests.get("{url}", headers={{"{header}": "{value}"}})\n',
        f'const {var}Res = await fetch("{url}", {{ headers: {{ "{header}": "{value}" }} }});\n',
    ])


PARAPHRASES: dict[str, Callable[[Format, str, random.Random], str]] = {"prose": prose, "request": request}
