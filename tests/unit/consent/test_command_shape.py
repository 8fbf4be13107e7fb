"""A command's shape (collector/consent/command_shape.py): generated commands whose arguments are paths,
numbers and free words keep their program, subcommand and flags, and no argument of theirs survives."""

from __future__ import annotations

import re
import shlex

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collector.consent.command_shape import KEPT_DIRS, shape_argv, shape_line
from tests.examples import examples

GENERATED = settings(derandomize=True, database=None, max_examples=examples(300), deadline=None,
                     suppress_health_check=[HealthCheck.too_slow])  # a shared machine draws slowly
LOWER, DIGITS = "abcdefghijklmnopqrstuvwxyz", "0123456789"

KEPT_WORDS = KEPT_DIRS | {"pytest", "grep", "ls", "git", "npm", "cargo", "docker", "commit", "run", "test",
                          "build"}  # what the generated commands keep: no argument is one of them
names = st.builds(lambda first, rest: first + rest, st.sampled_from(LOWER),
                  st.text(LOWER + DIGITS + "_", min_size=2, max_size=14)).filter(
                      lambda name: name not in KEPT_WORDS)
extensions = st.sampled_from(["py", "ts", "go", "rs", "json", "txt", "toml"])
paths = st.builds(lambda folders, name, extension: "/".join([*folders, f"{name}.{extension}"]),
                  st.lists(names, min_size=0, max_size=4), names, extensions)
numbers = st.one_of(st.integers(min_value=0, max_value=10**9).map(str),
                    st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False).map(str))
words = names
texts = st.lists(names, min_size=2, max_size=8).map(" ".join)
arguments = st.one_of(paths, numbers, words, texts)
flags = st.one_of(st.sampled_from(LOWER + LOWER.upper()).map(lambda letter: f"-{letter}"),
                  st.text(LOWER, min_size=2, max_size=12).map(lambda word: f"--{word}"))
programs = st.sampled_from([("pytest", None), ("grep", None), ("ls", None), ("git", "commit"),
                            ("npm", "run"), ("cargo", "test"), ("docker", "build")])
commands = st.builds(lambda program, body: [program[0], *([program[1]] if program[1] else []), *body],
                     programs, st.lists(st.one_of(flags, arguments), max_size=10))


def pieces(argument: str) -> set[str]:
    """The parts of an argument a receiver could match: its words, path parts and digits."""
    return {piece for piece in re.split(r"[/ .]", argument) if piece} - {"py", "ts", "go", "rs", "json",
                                                                         "txt", "toml"}


def survivors(original: list[str], shaped: list[str]) -> set[str]:
    """The pieces of `original`'s arguments (not its program, subcommand or flags) found in `shaped`."""
    kept = {original[0]} | ({original[1]} if original[0] in ("git", "npm", "cargo", "docker") else set())
    arguments = [token for token in original if token not in kept and not token.startswith("-")]
    found = {piece for token in shaped for piece in re.split(r"[/ .:=]", re.sub(r"«[^»]*»", " ", token))
             if piece}
    return {piece for argument in arguments for piece in pieces(argument)} & found


@GENERATED
@given(commands)
def test_the_program_subcommand_and_flags_survive_and_no_argument_does(argv: list[str]) -> None:
    shaped = shape_argv(argv)
    assert len(shaped) == len(argv)
    for before, after in zip(argv, shaped, strict=True):
        if before.startswith("-") or after == before:
            assert after == before
        else:
            assert "«" in after
    assert survivors(argv, shaped) == set()


@GENERATED
@given(commands)
def test_a_command_line_is_shaped_as_its_argv_is(argv: list[str]) -> None:
    line = shape_line(shlex.join(argv))
    assert shlex.split(line) == shape_argv(argv)
    assert survivors(argv, shlex.split(line)) == set()


@GENERATED
@given(st.lists(commands, min_size=2, max_size=4), st.sampled_from(["&&", "|", ";", "||"]))
def test_each_command_of_a_line_keeps_its_own_program_and_the_operators_stay(
        argvs: list[list[str]], operator: str) -> None:
    line = f" {operator} ".join(shlex.join(argv) for argv in argvs)
    shaped = shape_line(line)
    assert shaped == f" {operator} ".join(" ".join(shape_argv(argv)) for argv in argvs)


def test_the_issue_s_examples() -> None:
    assert shape_argv(["pytest", "tests/unit/test_add.py", "-k", "negative"]) == [
        "pytest", "tests/«dir»/test_«name».py", "-k", "«word»"]
    assert shape_line("git commit -m 'fix the negative add'") == "git commit -m «text»"
    assert shape_line("make -j8 && ./bin/run --port=8080 2>&1 | tee out.log") == (
        "make -j«number:1» && run --port=«number:4» «number:1» >& «number:1» | tee «name».log")


def test_numbers_keep_their_magnitude_and_paths_their_depth_and_extension() -> None:
    assert shape_argv(["head", "-n", "250", "3.14"]) == ["head", "-n", "«number:3»", "«number:1.2»"]
    assert shape_argv(["vim", "/home/alice/src/app/main.test.ts", "~/notes.md"]) == [
        "vim", "/«dir»/«dir»/src/app/«name».test.ts", "~/«name».md"]
    assert shape_argv(["pytest", "tests/test_add.py::TestAdd::test_negative[1-2]"]) == [
        "pytest", "tests/test_«name».py::«name»::«name»"]


def test_the_program_is_its_file_name_and_variables_keep_their_names() -> None:
    assert shape_argv(["CI=1", "/home/alice/.venv/bin/python", "-m", "pytest", "-x", "tests/"]) == [
        "CI=«number:1»", "python", "-m", "pytest", "-x", "tests/"]
    assert shape_argv(["git", "-C", "../alice-fork", "push", "origin", "fix/alice"]) == [
        "git", "-C", "../«name»", "push", "«word»", "«dir»/«name»"]


def test_urls_and_long_words_and_texts_keep_only_their_class() -> None:
    assert shape_argv(["curl", "https://alice.example/x", "supercalifragilistic", "a " * 30]) == [
        "curl", "«url»", "«long-word»", "«long-text»"]


def test_a_line_shlex_cannot_split_keeps_its_program_only() -> None:
    assert shape_line('git commit -m "unclosed') == "git «text»"
    assert shape_line("") == ""
