"""`codetape policy annex [--dataset OUT] -o DIR`: the organisation's managed policy in plain language.

annex writes DIR/annex.md and DIR/annex.html, for a data-protection impact assessment and a works
agreement: what is recorded and what never is (the channels, the files never recorded, the size cap, the
redaction rules in force), the purposes, licences, retention and upload destinations the policy allows,
a legal-basis field to fill in, who holds what (contributor, issuer, receiver), what the receiver cannot
learn (only when the policy requires unlinkable consent; otherwise that it sees each contributor's key),
withdrawal, and for each statement the tests in codetape's repository that check it. Every statement is
generated from the managed policy read here (/etc/codetape/policy.toml, and what CODETAPE_POLICY adds),
codetape's own lists, the consent mode in your config.toml and, with --dataset OUT (a directory or s3:// URL),
that dataset's manifest and card. A refused managed policy writes nothing (one line saying why).

Where the managed policy holds `[[scope]]` sections (in policy.toml or in the files of policy.d, one per
organisation), annex also writes one annex for each scope, for that organisation's works council:
DIR/scopes/FILE/SCOPE/annex.md and annex.html (FILE: the policy file's name without .toml, SCOPE: the
scope's name, else `scope-N`), describing the repositories it names under the top-level keys and its own,
the stricter of each.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from collector.errors import UsageError
from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("policy", help="the managed policy in plain language (annex for a DPIA)",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="policy_command", metavar="COMMAND")
    annex = commands.add_parser("annex", help="write the annex for a DPIA and a works agreement",
                                description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    annex.add_argument("--dataset", metavar="OUT",
                       help="a built dataset (directory or s3:// URL) to describe")
    annex.add_argument("-o", "--output", type=Path, required=True, metavar="DIR",
                       help="the folder to write annex.md and annex.html into")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.policy_command != "annex":
        raise UsageError("name what to do: codetape policy annex -o DIR")
    from collector.annex.in_force import for_each_scope, in_force
    from collector.annex.render import write_annex

    settings = in_force(Home.from_env(args.env), args.dataset)
    scoped = for_each_scope(settings)  # all read before anything is written: a refused scope writes nothing
    for path in write_annex(settings, args.output):
        print(path)
    for folder, each in scoped:
        for path in write_annex(each, args.output / folder):
            print(path)
    return 0
