"""`codetape agent hook install|uninstall|run`: record what the AI agents you work with do.

install writes codetape's hook into an agent's own hook configuration, after showing the change and asking
(or with --yes): Claude Code's .claude/settings.local.json in the workspace (personal, not committed),
Cursor's ~/.cursor/hooks.json, Codex CLI's ~/.codex/config.toml (or $CODEX_HOME/config.toml), Gemini CLI's
~/.gemini/settings.json (or $GEMINI_CLI_HOME/.gemini/settings.json), and opencode's plugin
~/.config/opencode/plugin/codetape.js (or under $XDG_CONFIG_HOME), a file wholly codetape's. Every other
setting in those files stays. uninstall takes out exactly codetape's entries. Nothing is written through a
link in the workspace (a link there, or a file another user owns, is refused); a link in your home folder
(a dotfile manager's) stays, and the file it points to is the one changed. uninstall gives each file back
byte for byte as it was before install.

Codex runs a hook only once you trust it: run `codex` and choose "Trust all and continue" when it says
"Hooks need review" (or type /hooks). install says so, and `codetape status` warns while Codex does not
trust codetape's hooks or none was called in a Codex session since they were installed. uninstall also
removes Codex's trust entries of codetape's hooks; codetape never writes one. Gemini CLI runs no hook (its
user settings' included) in a folder you have not trusted in it (its folder trust).

The agent then runs codetape's hook (one file of the standard library's modules only, run by path: `python
-P -S .../payloads.py agent hook run --agent NAME`) at each prompt you submit, each tool call it
makes on files or the shell, and when its session starts and ends. In workspaces opted in with
`codetape init` (and only there) that becomes an `agent` step: your prompt (redacted like any text when the
episode is sealed; the review can leave prompts out), the tool and the files it worked on, or its command
line; the file writes that follow (of the files a tool named, or any file while its shell command runs,
for at most 5 s) are recorded as the agent's. Nothing leaves this machine but through the review and your
signature. The hook never waits for codetape: no collector running, nothing recorded.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING, cast

from collector.errors import CodetapeError
from collector.home import Home

if TYPE_CHECKING:
    from collector.sources.agents.payloads import Agent

AGENTS = ("claude-code", "codex", "cursor", "gemini-cli", "opencode")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("agent", help="record what AI agents (Claude Code, Codex, Cursor, Gemini CLI, "
                            "opencode) do",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_subparsers(dest="what", metavar="hook", required=True)
    hook = what.add_parser("hook", help="install, remove or run codetape's hook in an agent")
    actions = hook.add_subparsers(dest="action", metavar="ACTION", required=True)
    for name, summary in (("install", "write codetape's hook into an agent's hook configuration"),
                          ("uninstall", "take codetape's hook out of an agent's hook configuration")):
        action = actions.add_parser(name, help=summary, description=summary)
        action.add_argument("--agent", choices=AGENTS, action="append", metavar="AGENT",
                            help="claude-code, codex, cursor, gemini-cli or opencode (repeatable; "
                            "default: all)")
        action.add_argument("--dir", type=Path, default=Path("."),
                            help="the workspace, for Claude Code's project settings (default: here)")
        action.add_argument("--yes", action="store_true", help="write without asking")
        action.set_defaults(func=change, install=name == "install")
    run_parser = actions.add_parser("run", help="what the installed hook runs (reads the agent's payload)")
    run_parser.add_argument("--agent", choices=AGENTS, required=True)
    run_parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """What hooks installed before the hook ran by path run (`python -m collector agent hook run`), and
    the managed form (`codetape agent hook run`, every user's: managed_hooks.py): for a user with no
    codetape home yet it ends at once, with nothing said."""
    from collector.sources.agents.payloads import main, read_payload

    home = Home.from_env(args.env)
    if not home.root.is_dir():
        with contextlib.suppress(OSError):
            read_payload(sys.stdin.buffer)  # read to the end, so the agent's write never fails
        return 0
    return main(args.agent, str(home.root))


def change(args: argparse.Namespace) -> int:
    from collector.atomic import atomic_write
    from collector.sources.agents.configs import (
        codex_trust_lines,
        diff,
        emptied,
        hook_command,
        installed,
        uninstalled,
        writable,
    )
    from collector.sources.agents.places import config_path

    home = Home.from_env(args.env)
    workspace = args.dir.expanduser().resolve()
    env = dict(args.env) if args.env is not None else None
    agents = cast("list[Agent]", args.agent or list(AGENTS))
    links = [config_path(agent, workspace, env) for agent in agents]
    files = [writable(agent, link, workspace) for agent, link in zip(agents, links, strict=True)]  # all first
    for agent, link, where in zip(agents, links, files, strict=True):
        if where != link:
            print(f"{agent}: {link} leads to {where}: that file is the one changed, the link stays")
        before = where.read_text(encoding="utf-8") if where.is_file() else None
        if args.install:
            after: str | None = installed(agent, before, hook_command(agent, home), where)
        elif before is None:
            print(f"{agent}: {where} does not exist; nothing to remove")
            continue
        else:
            after = uninstalled(agent, before, where)
            if after is None and where != link:
                after = emptied(agent)  # removing it would leave the link pointing at nothing
        if after == before:
            print(f"{agent}: {where} already {'holds' if args.install else 'lacks'} codetape's hook")
            if agent == "codex" and args.install:
                print("\n".join(codex_trust_lines(after, where)))
            continue
        print(diff(where, before, after), end="")
        if not args.yes and not _confirm(f"{'write' if after is not None else 'remove'} {where}?"):
            print(f"{agent}: left {where} as it was")
            continue
        if after is None:
            where.unlink()
        else:
            where.parent.mkdir(parents=True, exist_ok=True)
            mode = where.stat().st_mode & 0o777 if before is not None else 0o600
            atomic_write(where, after, mode=mode)
        print(f"{agent}: {'installed in' if args.install else 'removed from'} {where}")
        if agent == "codex" and args.install:
            print("\n".join(codex_trust_lines(after, where)))
    return 0


def _confirm(question: str) -> bool:
    """The yes typed on a terminal; elsewhere a refusal (exit 1: right arguments, no one said yes)."""
    if not sys.stdin.isatty():
        raise CodetapeError(f"not written: {question.rstrip('?')} needs your yes; run this again with --yes "
                         "after reading the diff above")
    return input(f"{question} [y/N] ").strip().lower() in ("y", "yes")
