"""The real Claude Code, Codex CLI, Gemini CLI and opencode, as npm installs them, run against the scripted
model (model_server).

scripts/setup installs them with `npm ci` in tests/fixtures/agent_clis (versions pinned by its
package.json and package-lock.json, each with its platform package holding the native binary). Nothing
here reaches the network: each agent talks to the scripted model on loopback, with telemetry, error
reports and update checks off, and lives in a HOME (and CODEX_HOME) of the test's own.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.support.model_server import ScriptedModel

NPM = Path(__file__).resolve().parents[1] / "fixtures" / "agent_clis"
BIN = NPM / "node_modules" / ".bin"
RUN_TIMEOUT_S = 240.0  # a turn takes 3 to 30 s here; a loaded 2-core machine gets ample room
# the model each is told it is: Codex offers its `apply_patch` tool only to models it knows
CODEX_MODEL = "gpt-5.5"
CLAUDE_MODEL = "claude-sonnet-4-5"
GEMINI_MODEL = "gemini-2.5-pro"
# opencode offers its `edit` tool to a model whose name it does not take for OpenAI's (`apply_patch` then)
OPENCODE_MODEL = "scripted-1"
COMMANDS = {"claude-code": "claude", "codex": "codex", "gemini-cli": "gemini", "opencode": "opencode"}
PACKAGES = {"claude-code": "@anthropic-ai/claude-code", "codex": "@openai/codex",
            "gemini-cli": "@google/gemini-cli", "opencode": "opencode-ai"}


def versions() -> dict[str, str]:
    """The pinned versions (package.json), e.g. {"claude-code": "2.1.332", "codex": "0.169.0"}."""
    deps = json.loads((NPM / "package.json").read_text())["dependencies"]
    return {agent: deps[package] for agent, package in PACKAGES.items()}


def binary(agent: str) -> Path:
    """The agent's command; the test fails (never skips) when scripts/setup has not installed it."""
    path = BIN / COMMANDS[agent]
    if not path.exists():
        pytest.fail(f"{path} is missing: run scripts/setup (it installs the pinned agents: npm ci in {NPM})")
    return path


def base_env(user: Path) -> dict[str, str]:
    """A clean environment: this PATH, a HOME of the test's own, nothing of the developer's."""
    return {"PATH": os.environ["PATH"], "HOME": str(user), "LANG": "C.UTF-8", "TERM": "dumb",
            "CODEX_HOME": str(user / ".codex")}


def codex_config(model: ScriptedModel) -> str:
    """The lines of `~/.codex/config.toml` that point Codex at the scripted model, with nothing sent
    elsewhere (no update check, no analytics, no feedback)."""
    return (f'model = "{CODEX_MODEL}"\nmodel_provider = "scripted"\ncheck_for_update_on_startup = false\n\n'
            '[analytics]\nenabled = false\n\n[feedback]\nenabled = false\n\n'
            '[model_providers.scripted]\nname = "scripted"\n'
            f'base_url = "{model.url}/v1"\nwire_api = "responses"\nenv_key = "SCRIPTED_MODEL_KEY"\n'
            'request_max_retries = 0\nstream_max_retries = 0\n')


def claude_env(model: ScriptedModel, user: Path) -> dict[str, str]:
    """Claude Code's environment: the scripted model, its permissions bypassable as root (IS_SANDBOX), and
    nothing sent elsewhere."""
    return {**base_env(user), "ANTHROPIC_BASE_URL": model.url, "ANTHROPIC_API_KEY": "sk-scripted",
            "IS_SANDBOX": "1", "DISABLE_TELEMETRY": "1", "DISABLE_AUTOUPDATER": "1",
            "DISABLE_ERROR_REPORTING": "1", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1"}


def run_claude(model: ScriptedModel, user: Path, cwd: Path, prompt: str, *,
               prefix: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """One `claude -p PROMPT` turn, its permissions bypassed (as root only with IS_SANDBOX=1); `prefix`
    runs it (a mount namespace's setup: tests/e2e/agents/test_managed_hooks.py)."""
    return subprocess.run([*prefix, str(binary("claude-code")), "-p", prompt,
                           "--dangerously-skip-permissions", "--model", CLAUDE_MODEL], cwd=cwd,
                          env=claude_env(model, user),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          check=False)


def run_codex(model: ScriptedModel, user: Path, cwd: Path, prompt: str, *, bypass_hook_trust: bool = True,
              prefix: Sequence[str] = ()) -> subprocess.CompletedProcess[str]:
    """One `codex exec PROMPT` turn with approvals and sandbox off; `bypass_hook_trust` runs hooks the user
    has not trusted (what a test may do; a user's `codex exec` skips them); `prefix` runs it."""
    env = {**base_env(user), "SCRIPTED_MODEL_KEY": "sk-scripted"}
    argv = [*prefix, str(binary("codex")), "exec", "--dangerously-bypass-approvals-and-sandbox",
            "--skip-git-repo-check"]
    if bypass_hook_trust:
        argv.append("--dangerously-bypass-hook-trust")
    return subprocess.run([*argv, prompt], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=RUN_TIMEOUT_S, check=False)


def gemini_settings() -> dict[str, object]:
    """What `~/.gemini/settings.json` holds before codetape's hook: the API key's sign-in, no usage
    statistics, no update check (`codetape agent hook install` adds its hooks to it)."""
    return {"security": {"auth": {"selectedType": "gemini-api-key"}},
            "privacy": {"usageStatisticsEnabled": False},
            "general": {"enableAutoUpdate": False, "enableAutoUpdateNotification": False}}


def run_gemini(model: ScriptedModel, user: Path, cwd: Path, prompt: str) -> subprocess.CompletedProcess[str]:
    """One `gemini -p PROMPT` turn, every tool call approved (`--yolo`), talking to the scripted model
    (`GOOGLE_GEMINI_BASE_URL`). `--skip-trust` trusts the folder for this run: Gemini CLI runs headless
    only in a trusted folder, and runs no hook in an untrusted one."""
    env = {**base_env(user), "GEMINI_API_KEY": "sk-scripted", "GOOGLE_GEMINI_BASE_URL": model.url,
           "GEMINI_CLI_NO_RELAUNCH": "true"}
    return subprocess.run([str(binary("gemini-cli")), "-p", prompt, "--yolo", "--skip-trust", "-m",
                           GEMINI_MODEL], cwd=cwd, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=RUN_TIMEOUT_S, check=False)


def opencode_env(user: Path) -> dict[str, str]:
    """opencode's environment: its config, data and cache in the test's HOME; no update check, no model
    list fetched, no default plugins installed from npm, no sharing, no language server downloads."""
    return {**base_env(user), "XDG_CONFIG_HOME": str(user / ".config"),
            "XDG_DATA_HOME": str(user / ".local" / "share"), "XDG_CACHE_HOME": str(user / ".cache"),
            "XDG_STATE_HOME": str(user / ".local" / "state"), "OPENCODE_DISABLE_AUTOUPDATE": "1",
            "OPENCODE_DISABLE_MODELS_FETCH": "1", "OPENCODE_DISABLE_DEFAULT_PLUGINS": "1",
            "OPENCODE_DISABLE_LSP_DOWNLOAD": "1", "OPENCODE_DISABLE_SHARE": "1"}


def opencode_config(model: ScriptedModel) -> dict[str, object]:
    """`~/.config/opencode/opencode.json`: the scripted model as an OpenAI provider (its Responses API),
    edits and commands allowed without asking."""
    return {"$schema": "https://opencode.ai/config.json", "autoupdate": False, "share": "disabled",
            "model": f"scripted/{OPENCODE_MODEL}",
            "provider": {"scripted": {"npm": "@ai-sdk/openai", "name": "scripted",
                                      "options": {"baseURL": f"{model.url}/v1", "apiKey": "sk-scripted"},
                                      "models": {OPENCODE_MODEL: {"name": "scripted", "tool_call": True}}}},
            "permission": {"edit": "allow", "bash": "allow"}}


def run_opencode(model: ScriptedModel, user: Path, cwd: Path,
                 prompt: str) -> subprocess.CompletedProcess[str]:
    """One `opencode run PROMPT` turn (opencode.json: opencode_config)."""
    return subprocess.run([str(binary("opencode")), "run", prompt], cwd=cwd, env=opencode_env(user),
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=RUN_TIMEOUT_S,
                          check=False)


def ran(done: subprocess.CompletedProcess[str], model: ScriptedModel) -> str:
    """What to show when a turn went wrong: the agent's exit, its output's tail, the model's errors."""
    return (f"exit {done.returncode}\nstdout: {done.stdout[-2000:]}\nstderr: {done.stderr[-3000:]}\n"
            f"model errors: {model.errors[:3]}")
