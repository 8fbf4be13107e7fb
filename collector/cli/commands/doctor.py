"""`codetape doctor [--json]`: one screen saying whether recording works on this machine for this user, and
what keeps it from working. Exit status 1 when something does, else 0.

It looks at: `codetape` on PATH (what the editor extensions and the shell hook start); the managed policy
(refused: nothing is recorded or signed); CODETAPE_HOME; whether the collector runs; what signing and
uploading need (the signing key, or in unlinkable mode the enrolment, and the upload destination: not set
up yet is `--`, the review's sign dialog sets both up; damaged or refused by the policy is a problem); the
workspaces opted
in (their settings unusable); the agents' hooks (`codetape agent hook install`: Claude Code's in each
opted-in workspace, Cursor's and Codex's in your home; or the managed form an administrator installs),
where an agent's update left codetape's entries incomplete, they run an interpreter that is gone, or the
agent does not run them (Codex has not trusted them; managed settings let only managed hooks run); the
shell hook in your shell's startup files, and whether `PYTHONPATH` here reaches the pytest plugin (a
pytest run from this shell records its tests); the editor plugins it can find (VS Code's extension
folder; Neovim's, Vim's, Emacs' and Helix's configuration naming codetape). A problem is a line starting
`PROBLEM`, with what to do; `ok` and `--` (nothing installed, not a fault) lines say what was found.
With `[upload] relay` set it proves the road unlinkable uploads take: a sealed read request through the
relay, which the gateway refuses in its one refusal shape (a sealed 403); that refusal, well formed, proves
the relay, the key configuration and the gateway (one PROBLEM line says which failed). Nothing is changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from collector.errors import CodetapeError, CollectorError
from collector.home import Home
from collector.protocol.client import Client
from collector.protocol.stopped import STOPPED, stopped_by_you

if TYPE_CHECKING:
    from collector.sources.agents.managed_hooks import Managed
    from collector.sources.agents.payloads import Agent
    from collector.upload.destinations import Destination

State = Literal["ok", "problem", "absent"]
MARK: dict[State, str] = {"ok": "ok     ", "problem": "PROBLEM", "absent": "--     "}
SYSTEM = Path("/")  # the agents' managed settings are under it (managed_hooks.py)
RC_FILES = (".bashrc", ".bash_profile", ".profile", ".zshrc", ".zshenv", ".zprofile")
# where an editor's configuration names codetape's plugin (Neovim, Vim, Emacs, Helix)
EDITOR_CONFIGS: dict[str, tuple[str, ...]] = {
    "neovim": (".config/nvim/init.lua", ".config/nvim/init.vim"),
    "vim": (".vimrc", ".vim/vimrc"),
    "emacs": (".emacs", ".emacs.el", ".emacs.d/init.el", ".config/emacs/init.el"),
    "helix": (".config/helix/languages.toml",),
}


@dataclass(frozen=True)
class Check:
    name: str
    state: State
    detail: str

    def line(self) -> str:
        return f"{MARK[self.state]} {self.name}: {self.detail}"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("doctor", help="say whether recording works here, and what keeps it from working",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    env: Mapping[str, str] = os.environ if args.env is None else args.env
    checks = diagnose(env)
    problems = [check for check in checks if check.state == "problem"]
    if args.json:
        from collector.policy.managed_status import managed_status

        print(json.dumps({"ok": not problems, "policy": managed_status(env),
                          "checks": [{"name": c.name, "state": c.state, "detail": c.detail} for c in checks]},
                         indent=2))
    else:
        from collector.cli.width import home_relative, terminal_width, wrap

        # on a terminal, paths under HOME are written from ~ and a long line wraps under its detail;
        # piped, each check is one line as it is
        width, home = terminal_width(), env.get("HOME") or str(Path.home())
        for check in checks:
            line = check.line() if width is None else home_relative(check.line(), home)
            print(wrap(line, width, len(MARK[check.state]) + 1))
        count = len(problems)
        print(f"{count} problem{'s' * (count != 1)} keep{'s' * (count == 1)} recording from working"
              if problems else "nothing keeps recording from working")
    return 1 if problems else 0


def diagnose(env: Mapping[str, str], system: Path = SYSTEM) -> list[Check]:
    """Every check, in the order the screen shows them (`system`: the root the agents' managed settings
    are read under)."""
    from collector.policy.managed_status import managed_status, status_lines

    checks = [_on_path(env)]
    policy = managed_status(env)
    states: dict[str, State] = {"none": "absent", "in force": "ok", "refused": "problem"}
    state = states[policy["state"]]
    lines = status_lines(policy)
    said = lines[0].removeprefix("managed policy: ") if lines else f"none ({policy['path']} does not exist)"
    checks.append(Check("managed policy", state, said))
    if policy["override"]:  # it only adds a policy, but who set it, and why, is worth a look
        checks.append(Check("policy override", "problem", policy["override"]))
    if policy["environment"]:  # Windows: a ProgramData variable that is not the system's folder
        checks.append(Check("policy folder", "problem", policy["environment"]))
    try:
        home = Home.from_env(env)
    except CodetapeError as exc:
        return [*checks, Check("CODETAPE_HOME", "problem", str(exc))]
    checks.append(_collector(home))
    checks.extend(_sharing(home))
    roots, workspace_checks = _workspaces(home)
    checks.extend(workspace_checks)
    user_home = Path(env.get("HOME") or Path.home())
    hooked = [*_agents(home, roots, env, system), *_shell(user_home, env), *_editors(user_home)]
    checks.extend(hooked)
    if not any(check.state == "ok" for check in hooked):
        checks.append(Check("recording", "problem", "no editor plugin, agent hook or shell hook found: "
                            "nothing starts the collector or sends it steps (docs/install.md, editors.md)"))
    checks.append(_plugins())
    checks.append(vscode_extension(_packaged_vsix()))
    return checks


def _packaged_vsix() -> Path | None:
    from collector.editors import vscode_vsix

    return vscode_vsix()


def vscode_extension(vsix: Path | None) -> Check:
    """Where this install's VS Code extension is, and the one command that installs it into VS Code or a fork
    (Cursor, Windsurf and VSCodium take the same .vsix)."""
    if vsix is None:
        return Check("VS Code extension", "absent", "this install holds no codetape.vsix; build it in "
                     "codetape's checkout: npm ci && npm run package in editor_extensions/vscode")
    return Check("VS Code extension", "ok", f"{vsix}; install it with code --install-extension {vsix} "
                 "(cursor, windsurf or codium for a fork; or Extensions: Install from VSIX...)")


def _plugins() -> Check:
    """The Neovim, Vim, Emacs and Helix plugins this install ships (the folder a configuration names), and
    the line that sets one up: shipped is not set up (the `editor ...` lines say which configuration names
    one)."""
    from collector.editors import editor_plugin

    found = {editor: editor_plugin(editor) for editor in ("neovim", "vim", "emacs", "helix")}
    named = [f"{editor} {folder}" for editor, folder in found.items() if folder is not None]
    if not named:
        return Check("plugins shipped", "absent", "this install holds none (reinstall codetape)")
    neovim = found["neovim"]
    how = ("docs/install.md" if neovim is None
           else f"Neovim's init.lua: vim.opt.runtimepath:append('{neovim}') require('codetape').setup(); "
           "the others: docs/install.md")
    return Check("plugins shipped", "absent", f"{', '.join(named)}; to set one up, {how}")


def _on_path(env: Mapping[str, str]) -> Check:
    found = shutil.which("codetape", path=env.get("PATH"))
    if found is None:
        return Check("codetape", "problem", "not on PATH: the editor extensions and the shell hook start "
                     "`codetape` from PATH (uv tool install, pipx install: docs/administrators.md)")
    return Check("codetape", "ok", found)


def _collector(home: Home) -> Check:
    try:
        client = Client.connect(home, autostart=False, timeout=1.0)
    except CollectorError:
        if stopped_by_you(home):  # your choice, not a fault
            return Check("collector", "absent", f"stopped by you: {STOPPED}")
        return Check("collector", "absent", f"not running for {home.root} (it starts with the editor, or: "
                     "codetape collector --detach)")
    with client:
        status = client.request("status")
    return Check("collector", "ok", f"running (pid {status['pid']}), {len(status.get('workspaces', []))} "
                 "workspaces recorded since it started")


def _sharing(home: Home) -> list[Check]:
    """What signing and uploading need: the signing key (or, unlinkable, the enrolment) and the
    destination. Not set up yet is not a fault (the review's sign dialog sets both up); broken is."""
    from collector.consent.enrol import ENROL_COMMAND, enrolment_path, load_enrolment
    from collector.consent.keys import key_path, load_public
    from collector.consent.mode import signing_mode
    from collector.upload.destinations import named, policy_refusal

    checks = []
    try:
        unlinkable = signing_mode(home) is not None
    except CodetapeError as exc:
        return [Check("settings", "problem", str(exc))]
    if unlinkable:
        if not enrolment_path(home).exists():
            checks.append(Check("signing", "absent", f"unlinkable mode, not enrolled yet: {ENROL_COMMAND} "
                                "(your organisation's issuer gives the URL and the secret)"))
        else:
            try:
                enrolment = load_enrolment(home)
                checks.append(Check("signing", "ok", f"unlinkable, enrolled with issuer {enrolment.issuer}"))
            except CodetapeError as exc:
                checks.append(Check("signing", "problem", str(exc)))
    elif not key_path(home).exists():
        checks.append(Check("signing", "absent", "no signing key yet: the review's sign dialog makes one "
                            "(or codetape keys init)"))
    else:
        try:
            info = load_public(home)
            protection = "protected by a passphrase" if info.protected else "not encrypted (no passphrase)"
            checks.append(Check("signing", "ok", f"key {info.key_id}, {protection}"))
        except CodetapeError as exc:
            checks.append(Check("signing", "problem", str(exc)))
    try:
        destination = named(home)
        refused = None if destination is None else policy_refusal(destination, "signed episodes wait in "
                                                                  "the outbox")
    except CodetapeError as exc:
        return [*checks, Check("upload destination", "problem", str(exc))]
    if destination is None:
        checks.append(Check("upload destination", "absent", "none: signed episodes wait in the outbox "
                            "(codetape config set upload.to file:///DIR or s3://BUCKET/PREFIX)"))
    elif refused is not None:
        checks.append(Check("upload destination", "problem", refused))
    else:
        checks.append(Check("upload destination", "ok", destination.url))
        checks.extend(_relay(destination))
    return checks


def _relay(destination: Destination) -> list[Check]:
    """With `[upload] relay` set: a sealed read request through it, which the gateway refuses in its one
    refusal shape; that refusal proves the relay, the key configuration and the gateway, writing nothing."""
    # the relay's client (HPKE) only when a relay is configured
    from collector.upload.relay import policy_relay, probe, route

    try:
        through = route(destination.settings, policy_relay())
        return [] if through is None else [Check("relay", "ok", probe(through))]
    except CodetapeError as exc:
        return [Check("relay", "problem", str(exc))]


def _workspaces(home: Home) -> tuple[list[Path], list[Check]]:
    from collector.errors import SettingsError
    from collector.policy.effective import effective_settings
    from collector.policy.scoped import governing_line, workspaces_policy
    from collector.workspace.registry import Registry

    roots = Registry(home).roots()
    if not roots:
        return [], [Check("workspaces", "absent", "none opted in (codetape init DIR)")]
    governing = {found["root"]: governing_line(found) for found in workspaces_policy(roots, home=home)}
    checks: list[Check] = []
    for root in roots:
        try:
            effective_settings(root, home)
        except SettingsError as exc:
            checks.append(Check(f"workspace {root}", "problem", f"not recording: {exc}"))
            continue
        scope = governing.get(str(root))
        usable = "opted in, settings usable" + (f"; {scope}" if scope else "")
        checks.append(Check(f"workspace {root}", "ok", usable))
    return roots, checks


def _agents(home: Home, roots: list[Path], env: Mapping[str, str], system: Path) -> list[Check]:
    """Each agent's hook: in the user's file (Cursor, Codex), each opted-in workspace's (Claude Code), or
    the agent's managed settings (Claude Code, Codex: managed_hooks.py)."""
    from collector.sources.agents.managed_hooks import MANAGED_AGENTS, managed
    from collector.sources.agents.payloads import AGENTS
    from collector.sources.agents.places import config_path

    checks: list[Check] = []
    for agent in AGENTS:
        found = managed(agent, system) if agent in MANAGED_AGENTS else None
        if found is not None:
            checks.extend(_managed_hook(agent, found.ours, found.commands))
        places = [config_path(agent, root, dict(env)) for root in roots] if agent == "claude-code" else [
            config_path(agent, Path.cwd(), dict(env))]
        for where in dict.fromkeys(places):
            check = _agent_hook(agent, where, home, found)
            if check is not None:
                checks.append(check)
        if not any(check.name.startswith(f"agent {agent}") for check in checks):
            checks.append(Check(f"agent {agent}", "absent", "no hook (codetape agent hook install --agent "
                                f"{agent})"))
    return checks


def _managed_hook(agent: Agent, files: tuple[Path, ...], commands: tuple[str, ...]) -> list[Check]:
    """codetape's hook in the managed form (managed_hooks.py), in `files`."""
    if not files:
        return []
    gone = [command for command in commands if not _runs(command)]
    if gone:
        return [Check(f"agent {agent}", "problem", f"{files[0]}: codetape's managed hook runs a program that "
                      f"is gone ({_program(gone[0])}); whoever manages this machine can fix it")]
    return [Check(f"agent {agent}", "ok", f"managed hook in {', '.join(map(str, files))} (every user's; "
                  "it records only in workspaces you opted in)")]


def _agent_hook(agent: Agent, where: Path, home: Home, found: Managed | None) -> Check | None:
    """The state of codetape's hook for `agent` in the file at `where`; None when it holds none of it."""
    from collector.sources.agents.configs import codex_not_run, hook_command, installed, is_ours
    from collector.sources.agents.managed_hooks import not_run

    try:
        text = where.read_text(encoding="utf-8")
    except OSError:
        return None
    commands = _commands(text)
    ours = [command for command in commands if is_ours(command, agent)]
    if not ours:
        return None
    name = f"agent {agent}"
    fix = f"run: codetape agent hook install --agent {agent}"
    ignored = not_run(found, where) if found is not None else None
    if ignored is not None:
        return Check(name, "problem", ignored.removeprefix(f"{agent}: "))
    try:
        whole = installed(agent, text, hook_command(agent, home), where) == text
        untrusted = codex_not_run(text, where) if agent == "codex" else []
    except CodetapeError as exc:
        return Check(name, "problem", f"{where}: {exc}")
    if whole and untrusted:
        said = " ".join(line.removeprefix("codex: ") for line in untrusted)
        return Check(name, "problem", f"{where}: {said}")
    if whole:
        return Check(name, "ok", f"hooked in {where}")
    gone = [command for command in ours if not _runs(command)]
    if gone:
        return Check(name, "problem", f"{where}: codetape's hook runs a program that is gone "
                     f"({shlex.split(gone[0])[1]}); {fix}")
    return Check(name, "problem", f"{where}: codetape's hook is incomplete or not this codetape's (an "
                 f"update of the agent or of codetape changed it); {fix}")


def _commands(text: str) -> list[str]:
    """Every string a JSON or TOML configuration holds under a `command` key (codetape's opencode plugin:
    the command it runs)."""
    import tomllib

    from collector.sources.agents.configs import plugin_command
    from collector.sources.agents.managed_hooks import commands_in

    plugin = plugin_command(text)
    if plugin is not None:
        return [plugin]

    try:
        data: object = json.loads(text)
    except ValueError:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return []
    return commands_in(data)


def _runs(command: str) -> bool:
    """Whether the program a hook command runs exists."""
    program = _program(command)
    return program is not None and (Path(program).is_file() or shutil.which(program) is not None)


def _program(command: str) -> str | None:
    """The program a hook command runs (its first word after the `VAR=value` ones)."""
    words = [word for word in shlex.split(command) if "=" not in word.split("/")[0]]
    return words[0] if words else None


def _shell(user_home: Path, env: Mapping[str, str]) -> list[Check]:
    from collector.sources.testruns.pytest_env import PLUGIN_DIR

    hooked = [name for name in RC_FILES if "codetape hook" in _read(user_home / name)]
    checks: list[Check] = []
    if not hooked:
        checks.append(Check("shell hook", "absent", 'in no startup file (add eval "$(codetape hook bash)" to '
                            "~/.bashrc, or zsh to ~/.zshrc)"))
    else:
        checks.append(Check("shell hook", "ok", f"in ~/{', ~/'.join(hooked)}"))
    if not (PLUGIN_DIR / "codetape_pytest.py").is_file():
        checks.append(Check("pytest plugin", "problem", f"{PLUGIN_DIR} lacks codetape_pytest.py: reinstall "
                            "codetape"))
    elif str(PLUGIN_DIR) in env.get("PYTHONPATH", "").split(os.pathsep):
        checks.append(Check("pytest", "ok", "PYTHONPATH here reaches the plugin: a pytest run from this "
                            "shell records its tests"))
    elif hooked:
        checks.append(Check("pytest", "problem", "PYTHONPATH here does not reach the plugin although the "
                            "shell hook is installed (something reset PYTHONPATH after it, or this shell "
                            "started before it): a pytest run here records no tests"))
    else:
        checks.append(Check("pytest", "absent", "PYTHONPATH here does not reach the plugin: pytest records "
                            "its tests under `codetape run`, the shell hook or the VS Code extension"))
    return checks


def _editors(user_home: Path) -> list[Check]:
    checks: list[Check] = []
    extensions = user_home / ".vscode" / "extensions"
    found = sorted(extensions.glob("*codetape*")) if extensions.is_dir() else []
    if found:
        checks.append(Check("editor vscode", "ok", f"extension in {found[0]}"))
    elif extensions.is_dir():
        checks.append(Check("editor vscode", "absent", f"VS Code is used here but {extensions} holds no "
                            "codetape extension (code --install-extension codetape.vsix)"))
    for editor, files in EDITOR_CONFIGS.items():
        named = [name for name in files if "codetape" in _read(user_home / name)]
        if named:
            checks.append(Check(f"editor {editor}", "ok", f"~/{named[0]} names codetape"))
    return checks


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
