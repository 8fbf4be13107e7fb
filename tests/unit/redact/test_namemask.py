"""The developer's local names: where they count as written (namemask.py), where they come from
(localnames.py), and masked by redact_steps in every channel and in editor buffers that still replay."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

from collector.reconstruct.workspace import Workspace
from collector.redact import RedactionSummary, RuleSet, redact_steps
from collector.redact.localnames import LocalNames
from collector.redact.namemask import NameMask
from collector.text.digest import sha256_text
from schemas import Step, step_to_dict
from schemas.steps import CommandStep, DiagnosticsStep, OpenStep, RedactionStep, SaveStep
from tests.structs import make
from tests.unit.redact.test_steps import GH, assert_hidden, typed

ALICE = NameMask(LocalNames.of(homes=["/home/alice"], logins=["alice"],
                               hosts=["alice-laptop.corp.example.org"]), "/home/alice/app")
DEV = NameMask(LocalNames.of(homes=["/home/dev"], logins=["dev"], hosts=["vm"]), "/home/dev/work/app")
ONE = NameMask(LocalNames.of(homes=["/home/a"], logins=["a"], hosts=["localhost"]))


@pytest.mark.parametrize(("text", "masked"), [
    ("/home/alice/app/src/x.py:3: error", "./src/x.py:3: error"),
    ("cd /home/alice/app && make", "cd . && make"),
    ("/home/alice/.venv/bin/python -m pytest", "~/.venv/bin/python -m pytest"),
    ("/home/alice/apple/x", "~/apple/x"),  # not the workspace: a folder beside it
    ("saved to /home/alice.", "saved to ~."),
    ('File "/home/alice/app/a.py", line 1', 'File "./a.py", line 1'),
    ("file:///home/alice/notes.md", "file://~/notes.md"),
    ("/home/alicex/y /srv/home/alice", "/home/alicex/y /srv/home/«user»"),  # other paths: only the name
    ("/tmp/pytest-of-alice/pytest-3/t0", "/tmp/pytest-of-«user»/pytest-3/t0"),
    ("alice@alice-laptop:~$ ls", "«user»@«host»:~$ ls"),
    ("ssh alice-laptop.corp.example.org; ALICE-LAPTOP.corp", "ssh «host»; «host».corp"),
    ("Alice and malice, alice_x, alice2", "Alice and malice, «user»_x, alice2"),
    ("«redacted:alice:1» stays", "«redacted:alice:1» stays"),
])
def test_where_a_long_name_counts_as_written(text: str, masked: str) -> None:
    assert ALICE.mask(text) == masked


@pytest.mark.parametrize(("text", "masked"), [
    ("cat /dev/null > /dev/stderr", "cat /dev/null > /dev/stderr"),
    ("a dev server for development, dev-tools, DEV", "a dev server for development, dev-tools, DEV"),
    ("src/dev/x.py ./dev ~/dev/notes", "src/dev/x.py ./dev ~/dev/notes"),  # relative: the project's own
    ("/home/dev/dev/notes", "~/dev/notes"),  # the first folder in the home is the home's own
    ("/home/dev/work/app/src/x.py", "./src/x.py"),
    ("/tmp/pytest-of-dev/pytest-1", "/tmp/pytest-of-«user»/pytest-1"),
    ("PATH=/usr/bin:/opt/dev/bin", "PATH=/usr/bin:/opt/«user»/bin"),
    ("/srv/dev-tools/x /srv/tools.dev/x", "/srv/dev-tools/x /srv/tools.dev/x"),
    ("dev@vm:~$ uname -n", "«user»@«host»:~$ uname -n"),
    ("a vm, the vm's disk", "a vm, the vm's disk"),
])
def test_a_short_login_is_masked_only_where_it_names_something(text: str, masked: str) -> None:
    assert DEV.mask(text) == masked


def test_stock_names_are_never_masked_but_their_home_is() -> None:
    stock = NameMask(LocalNames.of(homes=["/home/runner"], logins=["runner", "root"], hosts=["ubuntu"]))
    text = "runner@ubuntu:/tmp/pytest-of-root/x$ /root/bin/x --runner"
    assert stock.mask(text) == text
    assert stock.mask("/home/runner/work/x") == "~/work/x"


def test_a_one_letter_login_and_localhost_leave_text_alone() -> None:
    text = "a = b if a else 'a'\nhttp://localhost:8000/a/b\nimport a.b\n"
    assert ONE.mask(text) == text
    assert ONE.mask("/home/a/x and /tmp/a/y") == "~/x and /tmp/«user»/y"


def test_ordinary_code_is_left_alone() -> None:
    """The standard library's own modules, with short and stock names: not one character masked."""
    names = LocalNames.of(homes=["/home/dev", "/root"], logins=["dev", "root", "user", "guido"],
                          hosts=["vm", "localhost", "ubuntu"])
    mask = NameMask(names, "/home/dev/app")
    stdlib = Path(sys.modules["os"].__file__ or "").parent
    for name in ("os.py", "pathlib.py", "subprocess.py", "shutil.py", "tempfile.py", "getpass.py",
                 "socket.py", "argparse.py", "logging/__init__.py", "json/decoder.py", "unittest/case.py",
                 "typing.py"):
        text = (stdlib / name).read_text(encoding="utf-8")
        assert mask.find(text) == [], name


def test_the_names_come_from_the_environment_else_the_account_and_the_host() -> None:
    names = LocalNames.of_this_machine({"HOME": "/home/zq/../zq", "USER": "zqlogin", "HOSTNAME": "zqhost"})
    assert names == LocalNames(("/home/zq",), ("zqlogin",), ("zqhost",))
    import pwd  # (POSIX's: only this test skips under Windows' simulation)

    account = pwd.getpwuid(os.getuid())
    assert LocalNames.of_this_machine({}) == LocalNames.of(homes=[account.pw_dir], logins=[account.pw_name],
                                                           hosts=[socket.gethostname()])
    assert LocalNames.of(homes=["relative/home", ""], logins=["", " x "]) == LocalNames((), ("x",), ())


def _redacted(steps: list[Step], mask: NameMask) -> tuple[list[Step], Workspace]:
    out = list(redact_steps(steps, "utf-16", RuleSet.default(), RedactionSummary(), names=mask))
    workspace = Workspace("utf-16")
    for step in out:
        workspace.apply(step)
        if isinstance(step, SaveStep):
            assert workspace.save_mismatch(step) is None
    return out, workspace


def test_a_home_path_typed_one_key_at_a_time_never_shows_and_the_buffer_replays() -> None:
    line = 'LOG = "/home/alice/logs"  # on alice-laptop, ' + f'token = "{GH}"'
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text="import os\n\n")]
    steps += typed(1, "a.py", 1, 0, line)
    final = "import os\n" + line + "\n"
    steps.append(make(DiagnosticsStep, {"t_ms": 200, "source": "bridge", "path": "a.py", "items": [
        {"range": {"start": {"line": 1, "character": 7}, "end": {"line": 1, "character": 18}},
         "message": "/home/alice does not exist"}]}))
    steps.append(SaveStep(t_ms=201, source="bridge", path="a.py", sha256=sha256_text(final)))
    steps.append(CommandStep(t_ms=202, source="run", cwd="/home/alice/app/src", argv=["cat", "/home/alice/x"],
                             output_tail="alice-laptop: /home/alice/app/a.py"))
    out, workspace = _redacted(steps, ALICE)
    assert_hidden(out, ["/home/alice", "alice-laptop"], longest=3)
    assert "alice" not in repr([step_to_dict(s) for s in out])
    assert workspace.text("a.py") == \
        'import os\nLOG = "~/logs"  # on «host», token = "«redacted:github-token:1»"\n'
    diagnostics = next(s for s in out if isinstance(s, DiagnosticsStep)).items[0]
    assert diagnostics.message == "~ does not exist"
    assert (diagnostics.range.start.character, diagnostics.range.end.character) == (7, 8)  # the placeholder
    command = next(s for s in out if isinstance(s, CommandStep))
    assert (command.cwd, command.argv, command.output_tail) == ("./src", ["cat", "~/x"], "«host»: ./a.py")
    assert [s.rule for s in out if isinstance(s, RedactionStep)] == ["github-token"]  # names are no secrets


def test_without_names_nothing_but_secrets_is_touched() -> None:
    step = CommandStep(t_ms=0, source="run", cwd="src", argv=["cat", "/home/alice/x"], output_tail="alice")
    assert list(redact_steps([step], "utf-16", RuleSet.default())) == [step]
