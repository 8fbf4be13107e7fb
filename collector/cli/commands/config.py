"""`codetape config`: show or change your settings in CODETAPE_HOME/config.toml, one at a time.

    codetape config set upload.to file:///mnt/share/episodes    where signed episodes are uploaded
    codetape config set upload.to s3://bucket/prefix             (credentials: the AWS configuration)
    codetape config get upload.to
    codetape config unset upload.to                              back to the default
    codetape config show                                         every setting, defaults marked

A setting is SECTION.NAME as config.toml's tables hold it. The value is checked before anything is written
(a destination also against the organisation's managed policy), and the rest of the file, its comments
included, stays as it was.
"""

from __future__ import annotations

import argparse

from collector.home import Home


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("config", help="show or change your settings (config.toml), e.g. upload.to",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    change = actions.add_parser("set", help="set one setting: codetape config set upload.to URL")
    change.add_argument("key", metavar="SECTION.NAME")
    change.add_argument("value", metavar="VALUE")
    change.set_defaults(func=run_set)
    read = actions.add_parser("get", help="print one setting's value")
    read.add_argument("key", metavar="SECTION.NAME")
    read.set_defaults(func=run_get)
    remove = actions.add_parser("unset", help="remove one setting, so its default applies")
    remove.add_argument("key", metavar="SECTION.NAME")
    remove.set_defaults(func=run_unset)
    show = actions.add_parser("show", help="every setting, with its value and what it does")
    show.set_defaults(func=run_show)


def run_set(args: argparse.Namespace) -> int:
    from collector.policy.config import set_value
    from collector.upload.destinations import set_destination

    home = Home.from_env(args.env)
    if args.key == "upload.to":
        destination = set_destination(home, args.value)
        print(f"upload.to = {destination.url} (in {home.config}): signed episodes are uploaded there by the "
              "collector, or by codetape upload")
        return 0
    print(f"{set_value(home, args.key, args.value).line()} (in {home.config})")
    return 0


def run_get(args: argparse.Namespace) -> int:
    from collector.policy.config import setting

    found = setting(Home.from_env(args.env), args.key)
    print("" if found.value is None else found.shown() if isinstance(found.value, tuple) else found.value)
    return 0


def run_unset(args: argparse.Namespace) -> int:
    from collector.policy.config import unset

    home = Home.from_env(args.env)
    print(f"{unset(home, args.key).line()} (in {home.config})")
    return 0


def run_show(args: argparse.Namespace) -> int:
    from collector.policy.config import settings

    home = Home.from_env(args.env)
    print(f"# {home.config}")
    for found in settings(home):
        print(found.line() + (f"    # {found.description}" if found.description else ""))
    return 0
