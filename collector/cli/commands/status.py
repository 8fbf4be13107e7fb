"""`codetape status [--json]`: is the collector up (and how it was started), which workspaces it records,
how big each episode is, how many signed episodes wait in the outbox, how the last upload went, which
`.codetape.toml` files are ignored (not opted in by you, or writable by others) and why, which opted-in
workspaces record nothing because their settings are invalid (`not recording: FILE:LINE: what`), which
documents an editor opened are recorded nowhere (`PATH: not recorded: notebook in no opted-in workspace`, as
its bridge told the collector), where settings made stricter during an episode applied at once
(`tightened`), and where the settings file loosens what you accepted (only the stricter of both applies
until `codetape trust`). `--json` also lists the workspaces opted in (`opted_in`), which editor extensions
ask before they start anything for a folder, and the variables through which a pytest started in an editor's
terminal records its tests (`pytest_env`, for this command's own `PYTHONPATH`:
sources/testruns/pytest_env.py). First line, when there is one: the organisation's managed policy
(policy/managed.py), where it was read and what it requires, or why it is refused (then nothing is recorded
or signed); `managed_policy` in --json. It also warns when Codex does not trust codetape's installed hooks
(so never runs them), or a Codex session started since they were installed without calling any."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from collector.errors import CollectorError
from collector.home import Home
from collector.protocol.client import Client
from collector.protocol.stopped import STOPPED, stopped_by_you
from collector.text.sizes import byte_size

TYPE_CHECKING = False  # typing (~3 ms) and argparse (cli/quick.py) are not loaded at a command's start-up
if TYPE_CHECKING:
    import argparse
    from typing import Any

    from collector.held import Kind


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("status", help="show the collector and what it is recording", description=__doc__)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def describe(workspace: dict[str, Any]) -> str:
    if workspace.get("problem"):
        return f"{workspace['root']}: not recording: {workspace['problem']}"
    state = "paused" if workspace["paused"] else "recording"
    if not workspace["episode"]:
        return f"{workspace['root']}: {state}, no open episode"
    return (f"{workspace['root']}: {state}, episode {workspace['episode']} since {workspace['started_at']}: "
            f"{workspace['steps']} steps, journal {byte_size(workspace['bytes'])}")


def settings_lines(workspace: dict[str, Any]) -> list[str]:
    """What was made stricter during the open episode and applies at once, and what the settings file
    says that does not apply (it loosens what you accepted), if anything."""
    lines = []
    if workspace.get("tightened"):
        lines.append(f"  settings made stricter during this episode: {', '.join(workspace['tightened'])} "
                     "applied at once; the seal drops what they exclude from the whole episode")
    if workspace.get("settings_note"):
        lines.append(f"  {workspace['settings_note']}")
        lines.extend(f"    not applied: {line}" for line in workspace["withheld"])
    return lines


def watching(workspace: dict[str, Any]) -> str:
    names = {"GitWatcher": "git", "FileWatcher": "files"}
    running = [names.get(name, name) for name in workspace.get("capture", [])]
    return f"  watching: {', '.join(running)}" if running else ""


def stopped(workspace: dict[str, Any]) -> list[str]:
    """A line per watcher that could not start or stopped on its own, saying why."""
    return [f"  {why}; restart the collector to watch again"
            for why in sorted(workspace.get("capture_stopped", {}).values())]


def run(args: argparse.Namespace) -> int:
    from collector.policy.managed_status import managed_status, status_lines
    from collector.policy.scoped import governing_line, workspaces_policy
    from collector.upload.outbox import outbox_status

    home = Home.from_env(args.env)
    try:
        client = Client.connect(home, autostart=False, timeout=1.0, as_json=True)
    except CollectorError:
        status: dict[str, Any] = {"running": False, "home": str(home.root),
                                  "stopped_by_you": stopped_by_you(home)}
    else:
        with client:
            status = {"running": True, "home": str(home.root), **client.request("status")}
    status["outbox"] = outbox_status(home)
    workspaces = status.get("workspaces", [])
    status["ignored_settings"] = ignored(home, [Path(w["root"]) for w in workspaces if w.get("problem")])
    status["unwatched"] = unwatched(home, [Path(w["root"]) for w in workspaces])
    status["opted_in"] = opted_in(home)
    status["managed_policy"] = managed_status(args.env)
    status["governing"] = workspaces_policy([Path(root) for root in status["opted_in"]], args.env,
                                             home)
    status["agents"] = agent_lines(home, args.env)
    if args.json:
        from collector.sources.testruns.pytest_env import pytest_env

        status["pytest_env"] = pytest_env(home, args.env)
        print(json.dumps(status, indent=2))
        return 0
    for line in status_lines(status["managed_policy"]):
        print(line)
    for found in status["governing"]:
        print(f"{found['root']}: {governing_line(found)}")
    for reason in status["ignored_settings"]:
        print(f"warning: {reason}")
    for line in status["agents"]:
        print(f"warning: {line}")
    for workspace in status["unwatched"]:
        print(describe(workspace) if workspace["problem"] else f"{workspace['root']}:")
        for line in settings_lines(workspace):
            print(line)
    if not status["running"]:
        print(f"collector: stopped by you: {STOPPED}" if status["stopped_by_you"] else
              "collector: not running (it starts with the editor, or: codetape collector --detach)")
        print("\n".join(outbox_lines(status["outbox"])))
        return 0
    print(f"collector: running (pid {status['pid']}), socket {status['socket']}")
    if status.get("started"):
        print(f"  {status['started']['text']}; stop it with: codetape collector stop")
    if isinstance(status.get("idle_exit_s"), (int, float)):
        from collector.daemon.idle_exit import said

        print(f"  {said(status['idle_exit_s'])}")
    if not status["workspaces"]:
        print("no workspace recorded since it started")
    for workspace in status["workspaces"]:
        print(describe(workspace))
        for line in settings_lines(workspace):
            print(line)
        if line := watching(workspace):
            print(line)
        for line in stopped(workspace):
            print(line)
    for unrecorded in status.get("unrecorded", []):
        print(f"{unrecorded['path']}: not recorded: {unrecorded['why']} (run `codetape init` in its project "
              "to record it)")
    print("\n".join(outbox_lines(status["outbox"])))
    return 0


def ignored(home: Home, reported: list[Path]) -> list[str]:
    """The `.codetape.toml` files here, above, or in the registry that opt nothing in, and why (but those of
    the `reported` workspaces, which the collector says are not recording, and why)."""
    from collector.workspace.find import ignored_settings
    from collector.workspace.registry import Registry
    from collector.workspace.trust import SETTINGS_FILE

    try:
        here = ignored_settings(Path.cwd(), home)
    except OSError:  # the current directory was removed
        here = []
    told = tuple(f"{root / SETTINGS_FILE} " for root in reported)
    reasons = dict.fromkeys([*here, *Registry(home).ignored()])
    return [reason for reason in reasons if not reason.startswith(told)]


def unwatched(home: Home, listed: list[Path]) -> list[dict[str, Any]]:
    """The opted-in workspaces the collector does not list (it is not running, or could not watch them)
    whose settings are invalid or loosen what you accepted: why nothing or less is recorded there."""
    from collector.workspace.registry import Registry

    unlisted = [root for root in Registry(home).roots() if root not in listed]
    if not unlisted:
        return []  # nothing to check: a plain status loads no settings models
    from collector.errors import SettingsError
    from collector.policy.effective import effective_settings

    found: list[dict[str, Any]] = []
    for root in unlisted:
        try:
            effective = effective_settings(root, home)
        except SettingsError as exc:
            found.append({"root": str(root), "problem": str(exc), "settings_note": None, "withheld": []})
            continue
        if effective.note() is not None:
            found.append({"root": str(root), "problem": None, "settings_note": effective.note(),
                          "withheld": list(effective.withheld)})
    return found


def agent_lines(home: Home, env: Mapping[str, str] | None) -> list[str]:
    """What stops an agent's installed hook from recording: Codex's trust in it, or no call of it while
    the agent ran (sources/agents/codex_trust.py); managed settings that let only managed hooks run
    (sources/agents/managed_hooks.py)."""
    from collector.sources.agents.codex_status import codex_status
    from collector.sources.agents.managed_hooks import lines

    return [*codex_status(home, dict(env) if env is not None else None), *lines()]


def opted_in(home: Home) -> list[str]:
    """The workspaces opted in now: registered by `codetape init` and their `.codetape.toml` the user's."""
    from collector.workspace.registry import Registry

    return [str(root) for root in Registry(home).roots()]


def pushed_why(item: dict[str, Any]) -> str:
    """Why the last upload run held an episode for pushed work (outbox/pushed-held.json's entry)."""
    from collector.held import PUSHED

    return held_why(PUSHED, item)


def held_why(kind: Kind, item: dict[str, Any]) -> str:
    """Why an upload run held an episode (`kind`'s list in the outbox), for a person."""
    # the holds' wording only when one is held (asked.py's dataclasses: not for a plain `status`)
    from collector.upload.asked import reason

    return reason(kind, item)


def outbox_lines(outbox: dict[str, Any]) -> list[str]:
    """What waits in the outbox, for where, and how the last upload attempt went (why it failed)."""
    # the holds' names only when the outbox is shown
    from collector.held import DESTINATION, MODE

    count, where = outbox["waiting"], outbox["destination"]
    waits = f"{count} signed episode{'s' * (count != 1)} waiting"
    if outbox["destination_problem"] is not None:
        lines = [f"outbox: {waits}; the upload destination is not usable: {outbox['destination_problem']}"]
    elif where is None:
        lines = [f"outbox: {waits}; no upload destination configured ([upload] to in config.toml)"]
    else:
        lines = [f"outbox: {waits} for upload to {where}"]
    held = outbox.get("held_for_members") or []
    if held:
        lines.append(f"{len(held)} unlinkable episode{'s' * (len(held) != 1)} held until the issuer's record "
                     "counts enough members for its month (as of the last upload run):")
        lines += [f"  {item['episode_id'][:8]}  {item['epoch']}: " + (
            f"{item['members']} of {item['needed']} members" if item["members"] is not None
            else f"the record could not be fetched ({item['problem']}); {item['needed']} members needed")
            for item in held]
    lines += [f"{item['episode_id'][:8]} held: " + held_why(MODE, item)
              for item in outbox.get("held_for_mode") or []]
    lines += [f"{item['episode_id'][:8]} waits: " + held_why(DESTINATION, item)
              for item in outbox.get("held_for_destination") or []]
    pushed = outbox.get("held_for_pushed") or []
    if pushed:
        lines.append(f"{len(pushed)} unlinkable episode{'s' * (len(pushed) != 1)} held: work of it was "
                     "pushed after signing (as of the last upload run and the last fetch); `codetape upload "
                     "--send-anyway ID` sends it, `codetape revoke ID` withdraws it, `codetape review` "
                     "offers both:")
        lines += [f"  {item['episode_id'][:8]}  " + pushed_why(item) for item in pushed]
    last = outbox["last_attempt"]
    if last is not None:
        at = str(last["at"]).split(".")[0].replace("+00:00", "") + "Z"
        if last["error"] is not None:
            lines.append(f"last upload attempt {at} to {last['destination']} failed: {last['error']}")
        else:
            lines.append(f"last upload attempt {at} to {last['destination']}: {last['uploaded']} uploaded, "
                         f"{last['already_there']} already there")
        lines += [f"  {item['episode_id'][:8]}  left with {item['members']} members counted for "
                  f"{item['epoch']} (k = {item['needed']}; the issuer's count, its word)"
                  for item in last.get("counted") or []]
    return lines
