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
    from collector.annex.in_force import in_force
    from collector.annex.render import write_annex

    settings = in_force(Home.from_env(args.env), args.dataset)
    for path in write_annex(settings, args.output):
        print(path)
    return 0
