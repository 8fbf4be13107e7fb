"""Write codetape's Helix `languages.toml` from Helix's own built-in one: every language Helix knows keeps its
language servers and gets codetape's bridge beside them (observe mode); Python's pylsp runs behind the bridge
(proxy mode), so pylsp's diagnostics are recorded too; plain text (.txt) gets a language of its own that only
the bridge serves.

    cd editor_extensions/helix && python generate.py HELIX_LANGUAGES_TOML 25.01 > languages.toml

HELIX_LANGUAGES_TOML is `languages.toml` at the root of Helix's source for the release (25.01 here).
tests/e2e/helix/test_helix.py checks the shipped file against the installed Helix's built-in list.
"""

from __future__ import annotations

import json
import sys
import tomllib
from typing import Any

HEADER = """\
# codetape for Helix: copy to ~/.config/helix/languages.toml (or merge it into yours).
# Generated from Helix {release}'s built-in languages by editor_extensions/helix/generate.py: every
# language keeps Helix's own servers and gets `codetape bridge` beside them (edits and saves recorded);
# Python's pylsp runs behind the bridge, so its diagnostics are recorded too (needs pylsp on PATH).

[language-server.codetape]
command = "codetape"
args = ["bridge"]

[language-server.pylsp]
command = "codetape"
args = ["bridge", "--", "pylsp"]

[[language]]
name = "text"
scope = "text.plain"
file-types = ["txt"]
language-servers = ["codetape"]
"""
PROXIED = "pylsp"  # the server the bridge runs in front of: its language needs no observing bridge


def server_name(entry: str | dict[str, Any]) -> str:
    return entry if isinstance(entry, str) else str(entry["name"])


def toml_value(value: str | dict[str, Any]) -> str:
    """A language-servers entry as TOML: a string, or an inline table of strings and string lists."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return "{ " + ", ".join(f"{key} = {json.dumps(item, ensure_ascii=False)}"
                            for key, item in value.items()) + " }"


def generate(builtin: dict[str, Any], release: str) -> str:
    """The languages.toml for Helix `release` whose built-in configuration is `builtin`."""
    blocks = [HEADER.format(release=release)]
    for language in builtin["language"]:
        if language["name"] == "text":
            continue
        servers: list[str | dict[str, Any]] = list(language.get("language-servers", []))
        if PROXIED not in map(server_name, servers):
            servers.append("codetape")
        listed = ", ".join(toml_value(server) for server in servers)
        blocks.append(f'[[language]]\nname = {json.dumps(language["name"])}\nlanguage-servers = [{listed}]\n')
    return "\n".join(blocks)


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        sys.stderr.write("usage: generate.py HELIX_LANGUAGES_TOML RELEASE\n")
        return 2
    with open(argv[0], "rb") as source:
        builtin = tomllib.load(source)
    sys.stdout.write(generate(builtin, argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
