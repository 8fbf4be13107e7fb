"""Commands shaped at unlinkable signing (issue 94, item 1), through `sign --unlinkable` with keys a real
issuer authorised: a `command`'s argv and command line, a `test_run`'s args and an agent step's command
line keep their program, subcommand and flags, and none of their arguments (paths, numbers, free words)
is in the signed episode read back; the output a command printed is kept (scrubbed, as before), and the
signed episode verifies. Signed attributed, the same episode keeps every command as typed."""

from __future__ import annotations

import uuid
from pathlib import Path

import msgspec

from collector.episode import open_episode, write_episode_file
from collector.home import Home
from schemas import Step, step_from_dict
from schemas import steps as kinds
from tests.cli import codetape
from tests.fixtures.make_golden import FULL_HEADER
from tests.support.issuer import Issuer
from tests.support.linkage import episode_repository

ARGUMENTS = ("quokka_parser", "wombat", "8731", "0.0425", "lyrebird feathers moult", "numbat_cache")
STEPS: list[dict[str, object]] = [
    {"kind": "command", "source": "run", "argv": ["pytest", "tests/quokka_parser/test_wombat.py", "-k",
                                                  "numbat_cache", "--maxfail", "8731"],
     "command_line": "pytest tests/quokka_parser/test_wombat.py -k numbat_cache --maxfail 8731",
     "exit_code": 0, "output_tail": "1 passed in 0.04s\n"},
    {"kind": "command", "source": "shell", "exit_code": 0,
     "command_line": "git commit -m 'lyrebird feathers moult' && python train.py --lr 0.0425"},
    {"kind": "test_run", "source": "pytest", "exit_status": 0,
     "args": ["tests/quokka_parser/test_wombat.py", "-k", "numbat_cache"],
     "tests": [{"nodeid": "tests/test_add.py::test_add", "outcome": "passed"}]},
    {"kind": "agent", "source": "agent", "agent": "claude-code", "hook": "PreToolUse", "event": "tool_call",
     "tool": "Bash", "command_line": "grep -rn wombat quokka_parser/ | head -n 8731"},
]
SHAPED = {
    "argv": ["pytest", "tests/«dir»/test_«name».py", "-k", "«word»", "--maxfail", "«number:4»"],
    "command_line": "pytest tests/«dir»/test_«name».py -k «word» --maxfail «number:4»",
    "line": "git commit -m «text» && python «name».py --lr «number:1.4»",
    "args": ["tests/«dir»/test_«name».py", "-k", "«word»"],
    "agent": "grep -rn «word» «dir»/ | head -n «number:4»",
}


def commands_of(steps: list[Step]) -> tuple[kinds.CommandStep, kinds.CommandStep, kinds.TestRunStep,
                                            kinds.AgentStep]:
    run, shell, test, agent = steps
    assert isinstance(run, kinds.CommandStep) and isinstance(shell, kinds.CommandStep)
    assert isinstance(test, kinds.TestRunStep) and isinstance(agent, kinds.AgentStep)
    return run, shell, test, agent


def an_episode(home: Path) -> Path:
    header = msgspec.structs.replace(FULL_HEADER, episode_id=uuid.uuid4())
    unsigned = Home(home).ensure(Home(home).episodes) / f"{header.episode_id}.ctape"
    steps = [step_from_dict({**step, "t_ms": 1000 * n}) for n, step in enumerate(STEPS)]
    write_episode_file(unsigned, header, steps)
    return unsigned


def test_every_command_is_shaped_in_the_signed_episode_and_it_verifies(issuer: Issuer,
                                                                       tmp_path: Path) -> None:
    home = tmp_path / "home"
    issuer.enrol(home, "commands", count=2)
    episode_repository(home, tmp_path, FULL_HEADER.workspace.root_name)
    unsigned = an_episode(home)

    done = codetape(home, "sign", str(unsigned), "--unlinkable", "--yes")
    assert done.returncode == 0, done.stderr
    signed = Home(home).outbox / unsigned.name
    run, shell, test, agent = commands_of(list(open_episode(signed).steps()))
    assert (run.argv, run.command_line) == (SHAPED["argv"], SHAPED["command_line"])
    assert shell.command_line == SHAPED["line"]
    assert test.args == SHAPED["args"]
    assert agent.command_line == SHAPED["agent"]
    assert run.output_tail == "1 passed in 0.04s\n"  # output is kept: docs/unlinkable.md says so
    everything = repr([run, shell, test, agent])
    assert not [argument for argument in ARGUMENTS if argument in everything]
    done = codetape(home, "verify", str(signed))
    assert done.returncode == 0, done.stdout + done.stderr


def test_signed_attributed_the_commands_are_kept_as_typed(tmp_path: Path) -> None:
    home = tmp_path / "home"
    unsigned = an_episode(home)
    assert codetape(home, "keys", "init").returncode == 0
    done = codetape(home, "sign", str(unsigned), "--yes")
    assert done.returncode == 0, done.stderr
    run, shell, test, agent = commands_of(list(open_episode(Home(home).outbox / unsigned.name).steps()))
    assert run.argv == STEPS[0]["argv"] and shell.command_line == STEPS[1]["command_line"]
    assert test.args == STEPS[2]["args"] and agent.command_line == STEPS[3]["command_line"]
