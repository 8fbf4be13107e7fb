"""redact_steps over every channel: the value never appears in any step, placeholders stay stable,
reconstruction yields the redacted text and every save hash still verifies."""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence

import pytest

from collector.reconstruct.workspace import Workspace
from collector.redact import PLACEHOLDER_RE, RedactionSummary, RuleSet, redact_steps
from collector.text.digest import sha256_text
from schemas import Step, step_to_dict
from schemas.common import PositionEncoding
from schemas.steps import (
    CloseStep,
    CommandStep,
    CursorStep,
    DiagnosticsStep,
    EditStep,
    FileChangeStep,
    FileState,
    GapStep,
    GitStep,
    NoteStep,
    OpenStep,
    RedactionStep,
    SaveStep,
    TaskStep,
)
from schemas.steps import TestRunStep as RunStep
from tests.structs import make

GH = "ghp_Zq8vM2nL4xR7tY1wK9pB3sD6fH0jA5cE2gU4"
AWS_ID = "AKIAQ3EGUIJ2ZK4PLMXW"
AWS_SECRET = "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"
PASSWORD = "Tr0ub4dor&3xq"
PEM_BODY = ["MIIEowIBAAKCAQEAwq3J8p8K0YVgmoN2x4Vb7lQeY3tZx9hW1nT5cR2vK8sLm0Pq",
            "Xe4aD7fG2hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hI3jK5lM7nO9pQ1rS3",
            "tU5vW7xY9zA1bC3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5zA7bC9dE1fG3hI5",
            "jK7lM9nO1pQ3rS5tU7vW9xY1zA3bC5dE7fG9hI1jK3lM5nO7pQ9rS1tU3vW5xY7"]
PEM = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(PEM_BODY) + "\n-----END RSA PRIVATE KEY-----\n"


def edit(t: int, path: str, start: tuple[int, int], end: tuple[int, int], text: str) -> EditStep:
    return make(EditStep, {"t_ms": t, "source": "bridge", "path": path, "changes": [
        {"range": {"start": {"line": start[0], "character": start[1]},
                   "end": {"line": end[0], "character": end[1]}}, "text": text}]})


def typed(t: int, path: str, line: int, col: int, text: str) -> list[EditStep]:
    """One edit per character, as an editor sends keystrokes (no line breaks in `text`)."""
    return [edit(t + i, path, (line, col + i), (line, col + i), ch) for i, ch in enumerate(text)]


def run(steps: Sequence[Step], encoding: PositionEncoding = "utf-16", *, window: int = 4096,
        rules: RuleSet | None = None) -> tuple[list[Step], Workspace, RedactionSummary]:
    """Redact, then replay the result checking every save hash (what `codetape verify` checks)."""
    summary = RedactionSummary()
    out = list(redact_steps(steps, encoding, rules or RuleSet.default(), summary, window=window))
    workspace = Workspace(encoding)
    for step in out:
        workspace.apply(step)
        if isinstance(step, SaveStep):
            assert workspace.save_mismatch(step) is None
    return out, workspace, summary


def assert_hidden(steps: Iterable[Step], secrets: Iterable[str], longest: int = 4) -> None:
    """No step holds a secret, or any piece of it longer than `longest` characters."""
    dumped = [repr(step_to_dict(step)) for step in steps]
    for secret in secrets:
        n = longest + 1
        pieces = {secret[i : i + n] for i in range(len(secret) - n + 1)}
        for text in dumped:
            leaked = [p for p in pieces if p in text]
            assert not leaked, f"{leaked[0]!r} of a secret is in {text[:200]}"


def redacted_pattern(text: str, secrets: Sequence[str]) -> re.Pattern[str]:
    """`text` with each secret replaced by a placeholder (one capture group per occurrence)."""
    if not secrets:
        return re.compile(re.escape(text), re.DOTALL)
    split = re.split("(" + "|".join(re.escape(s) for s in secrets) + ")", text)
    return re.compile("".join(re.escape(part) if i % 2 == 0 else r"(«redacted:[a-z0-9_.-]+:\d+»)"
                              for i, part in enumerate(split)), re.DOTALL)


def test_a_token_typed_one_key_at_a_time_never_shows_a_prefix() -> None:
    line = 'GITHUB_TOKEN = "'
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="ci.py", text="import os\n\n")]
    steps += typed(1, "ci.py", 1, 0, line + GH + '"')
    final = 'import os\nGITHUB_TOKEN = "' + GH + '"\n'
    steps.append(SaveStep(t_ms=100, source="bridge", path="ci.py", sha256=sha256_text(final)))
    out, workspace, summary = run(steps)
    assert_hidden(out, [GH])
    assert workspace.text("ci.py") == 'import os\nGITHUB_TOKEN = "«redacted:github-token:1»"\n'
    assert summary.counts == {"github-token": 1}
    # the keystrokes that built the token became one edit writing the placeholder
    edits = [s for s in out if isinstance(s, EditStep)]
    assert len(edits) == len(line) + 2
    assert [s for s in out if isinstance(s, RedactionStep)] == [
        RedactionStep(t_ms=100, source="redact", rule="github-token", placeholder="«redacted:github-token:1»",
                      count=1)]


def test_typos_and_backspaces_while_typing_a_password() -> None:
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="settings.py", text="\n")]
    t, col = 1, 0
    for ch in 'DB_PASSWORD = "':
        steps.append(edit(t, "settings.py", (0, col), (0, col), ch))
        t, col = t + 1, col + 1
    for n, ch in enumerate(PASSWORD):
        steps.append(edit(t, "settings.py", (0, col), (0, col), ch))
        t, col = t + 1, col + 1
        if n in (2, 7):  # a wrong key, then backspace
            steps.append(edit(t, "settings.py", (0, col), (0, col), "q"))
            steps.append(edit(t + 1, "settings.py", (0, col), (0, col + 1), ""))
            t += 2
    steps.append(edit(t, "settings.py", (0, col), (0, col), '"'))
    out, workspace, _ = run(steps)
    assert_hidden(out, [PASSWORD])
    assert redacted_pattern('DB_PASSWORD = "' + PASSWORD + '"\n', [PASSWORD]).fullmatch(
        workspace.text("settings.py") or "")


def test_the_keyword_typed_after_the_value_hides_the_value_from_its_first_keystroke() -> None:
    value = "9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d1c"
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text="x = 1\n\n")]
    steps += typed(1, "a.py", 1, 0, '"' + value + '"')
    steps += typed(100, "a.py", 1, 0, "secret = ")
    out, workspace, _ = run(steps)
    assert_hidden(out, [value])
    assert workspace.text("a.py") == 'x = 1\nsecret = "«redacted:generic-secret:1»"\n'


def test_a_pasted_secret_and_the_same_value_everywhere_share_one_placeholder() -> None:
    steps: list[Step] = [
        OpenStep(t_ms=0, source="bridge", path="deploy.sh", text="#!/bin/sh\n"),
        edit(1, "deploy.sh", (1, 0), (1, 0), f"export AWS_ACCESS_KEY_ID={AWS_ID}\n"
                                             f"export AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"),
        SaveStep(t_ms=2, source="bridge", path="deploy.sh", text="#!/bin/sh\nexport AWS_ACCESS_KEY_ID="
                 f"{AWS_ID}\nexport AWS_SECRET_ACCESS_KEY={AWS_SECRET}\n"),
        FileChangeStep(t_ms=3, source="watcher", path="backup.env", change="created",
                       text=f"key={AWS_ID}\n", sha256=sha256_text(f"key={AWS_ID}\n")),
        CommandStep(t_ms=4, source="run", argv=["aws", "s3", "ls"], command_line="aws s3 ls",
                    output_tail=f"An error occurred (InvalidAccessKeyId): The AWS Access Key Id {AWS_ID} "
                                "you provided does not exist in our records.", exit_code=254),
        GitStep(t_ms=5, source="git", op="commit", sha="abc1234", message=f"add deploy script ({AWS_ID})"),
        NoteStep(t_ms=6, source="cli", text=f"rotate {AWS_ID} tomorrow"),
        TaskStep(t_ms=7, source="cli", action="start", statement=f"use the key {AWS_ID} for staging"),
    ]
    out, workspace, summary = run(steps)
    assert_hidden(out, [AWS_ID, AWS_SECRET])
    access = "«redacted:aws-access-key:1»"
    assert workspace.text("deploy.sh") == (f"#!/bin/sh\nexport AWS_ACCESS_KEY_ID={access}\n"
                                           "export AWS_SECRET_ACCESS_KEY=«redacted:aws-secret-key:1»\n")
    assert workspace.text("backup.env") == f"key={access}\n"
    by_kind = {s.kind: s for s in out}
    assert all(access in str(by_kind[kind]) for kind in ("command", "git", "note", "task"))
    change = by_kind["file_change"]
    assert isinstance(change, FileChangeStep) and change.sha256 == sha256_text(f"key={access}\n")
    counts = {s.placeholder: s.count for s in out if isinstance(s, RedactionStep)}
    assert counts == {access: 7, "«redacted:aws-secret-key:1»": 2}
    assert summary.counts == {"aws-access-key": 1, "aws-secret-key": 1}
    assert dict(summary.masked)[access] == "AKIA…MXW"[:4] + "…" + AWS_ID[-2:]


def test_a_private_key_pasted_line_by_line_is_hidden_in_every_line() -> None:
    lines = PEM.splitlines(keepends=True)
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="key.pem", text="")]
    for n, text in enumerate(lines):
        steps.append(edit(n + 1, "key.pem", (n, 0), (n, 0), text))
    steps.append(SaveStep(t_ms=50, source="bridge", path="key.pem", sha256=sha256_text(PEM)))
    out, workspace, _ = run(steps)
    assert_hidden(out, PEM_BODY, longest=8)
    assert workspace.text("key.pem") == ("-----BEGIN RSA PRIVATE KEY-----\n«redacted:private-key:1»\n"
                                         "-----END RSA PRIVATE KEY-----\n")


def test_secrets_in_test_output_commands_diagnostics_and_gaps() -> None:
    jwt = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwiaWF0IjoxNzYwMDAwMDAwfQ."
           "kX9vR2mT5qL8wN1zB4cF7hJ0dG3sA6eY9uI2oP5rK8m")
    steps: list[Step] = [
        OpenStep(t_ms=0, source="bridge", path="t.py", text=f'TOKEN = "{GH}"\n'),
        make(DiagnosticsStep, {"t_ms": 1, "source": "bridge", "path": "t.py", "items": [
            {"range": {"start": {"line": 0, "character": 9}, "end": {"line": 0, "character": 49}},
             "message": f"'{GH}' is not a valid identifier"}]}),
        make(CursorStep, {"t_ms": 2, "source": "bridge", "path": "t.py", "selections": [
            {"anchor": {"line": 0, "character": 49}, "active": {"line": 0, "character": 50}}]}),
        make(RunStep, {"t_ms": 3, "source": "pytest", "args": ["-k", f"token and {GH}"],
                                    "exit_status": 1, "tests": [
            {"nodeid": "test_api.py::test_login", "outcome": "failed",
             "summary": f"AssertionError: assert 'Bearer {jwt}' == 'Bearer None'"}]}),
        CommandStep(t_ms=4, source="run", argv=["curl", "-H", f"Authorization: Bearer {jwt}", "https://x.io"],
                    output_tail='{"error": "expired"}'),
        CommandStep(t_ms=5, source="shell", command_line="mysql -u root -pS3cr3tPw9 orders"),
        CommandStep(t_ms=6, source="run", argv=["./sync", "--password", "S3cr3tPw9", "--dry-run"]),
        GapStep(t_ms=7, source="collector", reason="recorder_behind", detail=f"lost while {GH} was typed",
                state=[FileState(path="t.py", text=f'TOKEN = "{GH}"  # again\n')]),
    ]
    out, workspace, _ = run(steps)
    assert_hidden(out, [GH, jwt, "S3cr3tPw9"])
    assert workspace.text("t.py") == 'TOKEN = "«redacted:github-token:1»"  # again\n'
    diag = next(s for s in out if isinstance(s, DiagnosticsStep))
    # positions follow the redacted text: the placeholder is 25 characters, the token was 40
    assert (diag.items[0].range.start.character, diag.items[0].range.end.character) == (9, 34)
    cursor = next(s for s in out if isinstance(s, CursorStep))
    assert (cursor.selections[0].anchor.character, cursor.selections[0].active.character) == (34, 35)
    argv = [s.argv for s in out if isinstance(s, CommandStep) and s.argv]
    assert argv == [["curl", "-H", "Authorization: Bearer «redacted:jwt:1»", "https://x.io"],
                    ["./sync", "--password", "«redacted:cli-password:1»", "--dry-run"]]


def test_editing_inside_a_secret_keeps_what_is_left_hidden() -> None:
    text = f'token = "{GH}"\n'
    edited = 'token = "' + GH[:11] + "-" + GH[11:20] + GH[23:] + '"\n'
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text=text),
                         edit(1, "a.py", (0, 20), (0, 20), "-"),  # typed inside the token: no token now
                         edit(2, "a.py", (0, 30), (0, 33), ""),  # part of it deleted
                         SaveStep(t_ms=3, source="bridge", path="a.py", sha256=sha256_text(edited)),
                         CloseStep(t_ms=4, source="bridge", path="a.py"),
                         FileChangeStep(t_ms=5, source="watcher", path="a.py", change="modified",
                                        text=edited),
                         NoteStep(t_ms=6, source="cli", text=f"left: {edited[9:-2]}")]
    out, workspace, _ = run(steps)
    assert_hidden(out, [GH], longest=8)
    # with the dash the whole value is still a token after `token = `: one secret, another placeholder
    assert workspace.text("a.py") == 'token = "«redacted:generic-secret:1»"\n'
    assert out[-3] == NoteStep(t_ms=6, source="cli", text="left: «redacted:generic-secret:1»")


def test_what_is_left_of_an_edited_secret_stays_hidden() -> None:
    edited = "k = " + GH[:11] + " " + GH[11:20] + GH[23:] + "\n"
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text=f"k = {GH}\n"),
                         edit(1, "a.py", (0, 15), (0, 15), " "),  # a space inside: no token any more
                         edit(2, "a.py", (0, 25), (0, 28), ""),
                         SaveStep(t_ms=3, source="bridge", path="a.py", sha256=sha256_text(edited)),
                         CloseStep(t_ms=4, source="bridge", path="a.py"),
                         FileChangeStep(t_ms=5, source="watcher", path="a.py", change="modified",
                                        text=edited),
                         NoteStep(t_ms=6, source="cli", text=f"left: {GH[11:20] + GH[23:]}")]
    out, workspace, _ = run(steps)
    assert_hidden(out, [GH], longest=8)
    assert workspace.text("a.py") == "k = «redacted:github-token:1» «redacted:github-token:1»\n"
    assert out[-2] == NoteStep(t_ms=6, source="cli", text="left: «redacted:github-token:1»")


def test_a_character_inside_a_token_that_makes_another_token_gets_its_own_placeholder() -> None:
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text=f'token = "{GH}"\n'),
                         edit(1, "a.py", (0, 20), (0, 20), "X")]
    out, workspace, _ = run(steps)
    assert_hidden(out, [GH, GH[:11] + "X" + GH[11:]])
    assert workspace.text("a.py") == 'token = "«redacted:github-token:2»"\n'


def test_deleting_a_secret_removes_its_placeholder() -> None:
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text=f"k = '{GH}'\nx = 1\n")]
    steps += [edit(1 + i, "a.py", (0, 44 - i), (0, 45 - i), "") for i in range(40)]
    out, workspace, _ = run(steps)
    assert workspace.text("a.py") == "k = ''\nx = 1\n"
    assert len([s for s in out if isinstance(s, EditStep)]) == 1  # only the last backspace shows


def replayed(steps: Sequence[Step], encoding: PositionEncoding, path: str) -> str:
    workspace = Workspace(encoding)
    for step in steps:
        workspace.apply(step)
    return workspace.text(path) or ""


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
def test_positions_stay_right_after_non_ascii_text_and_crlf(encoding: PositionEncoding) -> None:
    text = "# café 😀 ok\r\nkey = 'x'\r\nprint('é😀')\r\n"
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text=text)]
    units = {"utf-8": len("# café 😀 ".encode()), "utf-16": 10, "utf-32": 9}[encoding]
    steps += typed(1, "a.py", 0, units, f"token={GH} ")  # typed run together with "ok" until the space
    steps.append(edit(60, "a.py", (2, 0), (2, 0), "z"))  # after the secret, on a later line
    end = {"utf-8": len("zprint('é😀".encode()), "utf-16": 11, "utf-32": 10}[encoding]
    steps.append(edit(61, "a.py", (2, end), (2, end), "!"))
    final = "# café 😀 token=" + GH + " ok\r\nkey = 'x'\r\nzprint('é😀!')\r\n"
    assert replayed(steps, encoding, "a.py") == final
    steps.append(SaveStep(t_ms=62, source="bridge", path="a.py", sha256=sha256_text(final)))
    out, workspace, _ = run(steps, encoding)
    assert_hidden(out, [GH])
    assert workspace.text("a.py") == final.replace(GH, "«redacted:github-token:1»")


def test_a_value_seen_unrecognised_earlier_in_the_window_is_hidden_there_too() -> None:
    value = "kP9vX2mQ7rT4"  # too short to be found by its look alone (generated.py)
    steps: list[Step] = [CommandStep(t_ms=0, source="shell", command_line=f"echo {value}"),
                         NoteStep(t_ms=1, source="cli", text=f"db_password: '{value}'")]
    out, _, _ = run(steps)
    assert_hidden(out, [value])
    assert str(out[0]).count("«redacted:generic-secret:1»") == 1


def test_a_small_window_still_redacts_everything_it_can() -> None:
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text="\n")]
    steps += typed(1, "a.py", 0, 0, "x = 1  # " + "y" * 40)
    steps += typed(100, "a.py", 0, 0, f"k = '{GH}'; ")
    out, workspace, _ = run(steps, window=16)
    assert_hidden(out, [GH])
    assert workspace.text("a.py") == "k = '«redacted:github-token:1»'; x = 1  # " + "y" * 40 + "\n"


def test_the_rules_never_flag_their_own_placeholders_on_a_second_pass() -> None:
    first, _, summary = run([NoteStep(t_ms=0, source="cli", text=f"password = '{PASSWORD}' and {GH}")])
    seeded = RedactionSummary(counts=dict(summary.counts))
    again = list(redact_steps([s for s in first if not isinstance(s, RedactionStep)], "utf-16",
                              RuleSet.default(extra_patterns=["and"]), seeded))
    assert again[0] == NoteStep(t_ms=0, source="cli", text="password = '«redacted:generic-secret:1»' "
                                "«redacted:custom:1» «redacted:github-token:1»")
    assert seeded.counts == {"generic-secret": 1, "github-token": 1, "custom": 1}


def test_unchanged_steps_are_passed_through_as_they_are() -> None:
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="a.py", text="x = 1\n"),
                         edit(1, "a.py", (0, 4), (0, 5), "2"), NoteStep(t_ms=2, source="cli", text="hello")]
    out, _, summary = run(steps)
    assert all(a is b for a, b in zip(out, steps, strict=True))
    assert summary.counts == {} and summary.masked == []


SECRETS = [GH, AWS_ID, "sk-proj-" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6kM9nP2rS5uV8xA1dG4",
           "xoxb-2841930571-8812093311-Qm7RkT2vXw9LpZs4NcYb6HdF", "glpat-Xy7Kp2Rm9Qz4Tn6Vw8Lb"]
FILLER = ["def handler(event):", "    return event['body']", "x = compute(1, 2)", "# TODO: tidy", "",
          "for item in items:", "    total += item.price", "print('done')"]


@pytest.mark.parametrize("seed", range(40))
def test_random_sessions_reconstruct_to_the_redacted_text(seed: int) -> None:
    """Secrets typed (with typos), pasted or present at open, among ordinary edits, in random order."""
    r = random.Random(seed)
    lines = [r.choice(FILLER) for _ in range(6)]
    used: list[str] = []
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="m.py", text="\n".join(lines) + "\n")]
    doc = [*lines, ""]
    t = 1
    for _ in range(5):
        row = r.randrange(len(doc))
        # before a space or at the end of a line: never inside a token (typing inside a secret keeps both
        # pieces hidden, tested above), never run together with the text after it
        col = r.choice([c for c in range(len(doc[row]) + 1) if doc[row][c : c + 1] in ("", " ")])
        how = r.choice(["type", "paste", "filler", "delete"])
        if how == "delete" and len(doc[row]) > 2 and "tok = " not in doc[row]:
            a = r.randrange(len(doc[row]) - 1)
            steps.append(edit(t, "m.py", (row, a), (row, a + 1), ""))
            doc[row] = doc[row][:a] + doc[row][a + 1 :]
            t += 1
            continue
        if how == "filler" or how == "delete":
            text = " " + r.choice(FILLER).strip() + " "
        else:
            secret = r.choice(SECRETS)
            used.append(secret)
            text = f" tok = '{secret}' "
        if how == "paste":
            steps.append(edit(t, "m.py", (row, col), (row, col), text))
            t += 1
        else:
            for i, ch in enumerate(text):
                if r.random() < 0.1:  # a typo, noticed and removed
                    steps.append(edit(t, "m.py", (row, col + i), (row, col + i), "#"))
                    steps.append(edit(t + 1, "m.py", (row, col + i), (row, col + i + 1), ""))
                    t += 2
                steps.append(edit(t, "m.py", (row, col + i), (row, col + i), ch))
                t += 1
        doc[row] = doc[row][:col] + text + doc[row][col:]
        if r.random() < 0.5:
            steps.append(SaveStep(t_ms=t, source="bridge", path="m.py", sha256=sha256_text("\n".join(doc))))
            t += 1
    out, workspace, _ = run(steps, window=r.choice([8, 64, 4096]))
    assert_hidden(out, used)
    pattern = redacted_pattern("\n".join(doc), used)
    match = pattern.fullmatch(workspace.text("m.py") or "")
    assert match is not None, workspace.text("m.py")
    placeholders: dict[str, str] = {}
    occurrences = re.findall("|".join(re.escape(s) for s in used), "\n".join(doc)) if used else []
    for secret, found in zip(occurrences, match.groups(), strict=True):
        assert placeholders.setdefault(secret, found) == found  # one placeholder per value
    assert all(PLACEHOLDER_RE.fullmatch(p) for p in placeholders.values())


def test_files_a_gap_state_sets_are_editable_and_their_saves_still_verify() -> None:
    token = GH
    gap = GapStep(t_ms=1, source="bridge", reason="recorder_behind",
                  state=[FileState(path="cfg.py", text="name = 1\n")])
    steps: list[Step] = [gap, *typed(2, "cfg.py", 1, 0, f"key = '{token}'"),
                         SaveStep(t_ms=200, source="bridge", path="cfg.py",
                                  sha256=sha256_text(f"name = 1\nkey = '{token}'"))]
    out, workspace, _ = run(steps)
    assert_hidden(out, [token])
    assert PLACEHOLDER_RE.search(workspace.text("cfg.py") or "")


def test_a_secret_in_a_file_name_is_renamed_the_same_in_every_step() -> None:
    """Issue 24: every path a step carries is scanned; a path is renamed the same way wherever it appears,
    so the episode still replays, and a text naming the file holds the same placeholder."""
    folder = f"keys/{GH}"
    notes = f"notes/{AWS_ID}.txt"
    steps: list[Step] = [
        OpenStep(t_ms=0, source="bridge", path=f"{folder}/config.py", text="x = 1\n"),
        *typed(1, f"{folder}/config.py", 1, 0, "y = 2"),
        SaveStep(t_ms=10, source="bridge", path=f"{folder}/config.py", sha256=sha256_text("x = 1\ny = 2")),
        make(DiagnosticsStep, {"t_ms": 11, "source": "bridge", "path": f"{folder}/config.py",
                                        "items": [{"range": {"start": {"line": 0, "character": 0},
                                                             "end": {"line": 0, "character": 1}},
                                                   "message": "unused"}]}),
        make(CursorStep, {"t_ms": 12, "source": "bridge", "path": f"{folder}/config.py",
                                   "selections": [{"anchor": {"line": 0, "character": 1},
                                                   "active": {"line": 0, "character": 1}}]}),
        CloseStep(t_ms=13, source="bridge", path=f"{folder}/config.py"),
        FileChangeStep(t_ms=14, source="watcher", path="todo.txt", change="created", text="rotate\n",
                       sha256=sha256_text("rotate\n")),
        FileChangeStep(t_ms=15, source="watcher", path="todo.txt", change="renamed", new_path=notes),
        GapStep(t_ms=16, source="collector", reason="recorder_behind",
                state=[FileState(path=f"{folder}/config.py", text="x = 3\n"),
                       FileState(path=notes, text="done\n")]),
        make(GitStep, {"t_ms": 17, "source": "git", "op": "commit", "sha": "0123abcd",
                                "message": "keys", "files": [{"path": f"{folder}/config.py", "added": 1},
                                                             {"path": notes, "change": "A"}]}),
        CommandStep(t_ms=18, source="shell", command_line=f"cat {notes}", cwd=folder),
    ]
    out, workspace, summary = run(steps)
    assert_hidden(out, [GH, AWS_ID])
    renamed = "keys/«redacted:github-token:1»/config.py"
    assert workspace.text(renamed) == "x = 3\n"
    assert workspace.text("notes/«redacted:aws-access-key:1».txt") == "done\n"
    paths = {s.path for s in out if isinstance(s, (OpenStep, EditStep, SaveStep, DiagnosticsStep, CursorStep,
                                                   CloseStep))}
    assert paths == {renamed}
    commit = next(s for s in out if isinstance(s, GitStep))
    assert [f.path for f in commit.files] == [renamed, "notes/«redacted:aws-access-key:1».txt"]
    command = next(s for s in out if isinstance(s, CommandStep))
    assert (command.cwd, command.command_line) == ("keys/«redacted:github-token:1»",
                                                   "cat notes/«redacted:aws-access-key:1».txt")
    assert summary.counts == {"github-token": 1, "aws-access-key": 1}
    counts = {s.placeholder: s.count for s in out if isinstance(s, RedactionStep)}
    written = "".join(repr(step_to_dict(s)) for s in out if not isinstance(s, RedactionStep))
    assert counts == {p: written.count(p) for p in counts}


@pytest.mark.parametrize("pasted", [
    "x = Wm4kQz8Rb2VxT7nLc5Hs9PdJ3gYf6AeK",  # a token found by its look alone (generated.py)
    "  .env: " + "U0xBQ0tfVE9LRU49eG94Yi0xMjM0NTY3ODkwMTItYWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4",  # base64
])
def test_a_value_pasted_whole_at_the_end_of_a_line_is_hidden_with_nothing_typed_after_it(pasted: str) -> None:
    """A value that waits while typed (it may still grow) is complete when one change inserted it whole:
    issue 24 found a paste left in full when no keystroke followed it before the save."""
    value = pasted.split()[-1]
    steps: list[Step] = [OpenStep(t_ms=0, source="bridge", path="s.py", text="\n"),
                         edit(1, "s.py", (0, 0), (0, 0), pasted),
                         SaveStep(t_ms=2, source="bridge", path="s.py", sha256=sha256_text(pasted + "\n"))]
    out, workspace, _ = run(steps)
    assert_hidden(out, [value])
    assert PLACEHOLDER_RE.search(workspace.text("s.py") or "")


def test_a_snapshot_is_redacted_as_disk_text_and_keeps_its_placeholder_when_the_file_is_opened() -> None:
    config = f'AWS_ACCESS_KEY_ID = "{AWS_ID}"\n'
    steps: list[Step] = [
        GapStep(t_ms=0, source="collector", reason="snapshot", detail="snapshot of the files git tracks",
                state=[FileState(path="config.py", text=config), FileState(path="app.py", text="x = 1\n")]),
        OpenStep(t_ms=5, source="bridge", path="config.py", text=config),
        SaveStep(t_ms=6, source="bridge", path="config.py", sha256=sha256_text(config)),
    ]
    out, workspace, summary = run(steps)
    assert_hidden(out, [AWS_ID])
    snapshot = out[0]
    assert isinstance(snapshot, GapStep) and snapshot.state is not None
    assert snapshot.state[0].text == 'AWS_ACCESS_KEY_ID = "«redacted:aws-access-key:1»"\n'
    assert snapshot.state[1] is steps[0].state[1]  # type: ignore[union-attr]  (nothing to redact: as it was)
    assert workspace.text("config.py") == snapshot.state[0].text and summary.counts == {"aws-access-key": 1}
