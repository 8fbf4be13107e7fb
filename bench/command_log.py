"""Whether an unlinkable episode's commands name who ran them, against an endpoint log of every command
line each person ran with the day (issue 94): commands as typed, and shaped (consent/command_shape.py).

    .venv/bin/python -m bench.command_log [--people 50] [--days 20] [--seed 1]

No endpoint log of real people is at hand, so it is asked of a model population of one team on one
repository. The spreads are assumed, not measured: the repository has 60 files under 8 folders and a
vocabulary of 300 words everyone shares; each person leans on her own programs (weights over 14 programs
drawn from a gamma of shape 0.6), flags (each of a program's flags in her set with probability 0.5, in an
order of her own), files (gamma 0.5 weights over the 60) and words (gamma 0.5 weights over the 300), and
uses a number from her own small set (3 of 1-9,999) half the time a number is wanted. A day is 20 to 60
commands; an episode is a run of 5 to 20 consecutive commands of one person's day, and the log holds every
command of every day of everyone.

Asked three ways, each of the commands as typed (`typed`) and as an unlinkable episode holds them
(`shaped`):

- **exact join on the day**: the people whose log that day holds each of the episode's commands exactly;
  named when that is one person and the right one. Against shaped commands the log as it is holds none.
- **shaped join**: the same after shaping the log with codetape's own code (a receiver knows how it
  works): a command with no argument, or one shaped alike by several, is common to many.
- **classifier**: multinomial naive Bayes (add-one smoothing) over each command's tokens and the command
  whole, trained on each person's log of the other days (shaped too, for shaped episodes); the right one
  of N (10 and all `--people`) taken as the most likely; chance 1/N.

Training cost: of the commands, how many change under shaping, and how many of their tokens.
"""

from __future__ import annotations

import argparse
import math
import random
import shlex
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bench.report import command_line, machine, table, write_section
from collector.consent.command_shape import shape_line

PROGRAMS: dict[str, tuple[tuple[str, ...], tuple[str, ...], str]] = {  # subcommands, flags, what args
    "pytest": ((), ("-x", "-q", "-v", "-s", "--lf", "-vv", "--tb=short", "-p no:cacheprovider"), "tests"),
    "git": (("status", "diff", "log", "add", "commit", "checkout", "push", "show", "stash"),
            ("--oneline", "-p", "--stat", "-n", "--staged", "-v"), "git"),
    "python": ((), ("-u", "-X dev", "-W error"), "script"),
    "make": ((), ("-j", "-k", "-s"), "word"),
    "grep": ((), ("-r", "-n", "-i", "-l", "-w", "--color=auto"), "search"),
    "rg": ((), ("-n", "-i", "-w", "-l", "--hidden", "-t py"), "search"),
    "ls": ((), ("-l", "-a", "-h", "-t", "-R"), "folder"),
    "cat": ((), ("-n",), "file"),
    "vim": ((), (), "file"),
    "head": ((), ("-n",), "file"),
    "npm": (("test", "run", "install", "ci"), ("--silent", "--verbose"), "word"),
    "docker": (("build", "run", "ps", "logs"), ("--rm", "-it", "-d", "--no-cache"), "word"),
    "ruff": (("check", "format"), ("--fix", "--diff", "-q"), "folder"),
    "mypy": ((), ("--strict", "--pretty", "--no-incremental"), "folder"),
}
FOLDERS = ("src", "tests", "tests/unit", "tests/integration", "src/core", "src/api", "scripts", "docs")


@dataclass
class World:
    """The repository everyone works on."""

    files: list[str]
    words: list[str]


@dataclass
class Person:
    programs: list[float]
    flags: dict[str, list[str]]
    files: list[float]
    words: list[float]
    numbers: list[int]


def world(rng: random.Random) -> World:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 11))) for _ in range(300)})
    files = [f"{folder}/{'test_' if folder.startswith('tests') else ''}{rng.choice(words)}."
             f"{rng.choice(['py', 'py', 'py', 'md', 'toml'] if folder != 'docs' else ['md'])}"
             for folder in FOLDERS for _ in range(60 // len(FOLDERS) + 1)][:60]
    return World(files, words)


def person(place: World, rng: random.Random) -> Person:
    """Someone of the model population (the module's docstring says the spreads)."""
    def weights(count: int, shape: float) -> list[float]:
        return [rng.gammavariate(shape, 1.0) for _ in range(count)]
    flags = {}
    for program, (_, options, _) in PROGRAMS.items():
        mine = [flag for flag in options if rng.random() < 0.5]
        rng.shuffle(mine)
        flags[program] = mine
    return Person(weights(len(PROGRAMS), 0.6), flags, weights(len(place.files), 0.5),
                  weights(len(place.words), 0.5), [rng.randint(1, 9999) for _ in range(3)])


def command(who: Person, place: World, rng: random.Random) -> str:
    """One command line of `who`."""
    program = rng.choices(list(PROGRAMS), who.programs)[0]
    subcommands, _, wants = PROGRAMS[program]
    argv = [program] + ([rng.choice(subcommands)] if subcommands else [])
    for flag in who.flags[program]:
        if rng.random() < 0.8:
            argv += flag.split(" ")
            if flag in ("-n", "-j"):
                argv.append(str(rng.choice(who.numbers) if rng.random() < 0.5 else rng.randint(1, 9999)))
    file = rng.choices(place.files, who.files)[0]
    word = rng.choices(place.words, who.words)[0]
    if wants == "tests":
        argv.append(file if file.startswith("tests") else "tests/")
        argv += ["-k", word] if rng.random() < 0.5 else []
    elif wants == "git" and argv[1] == "commit":
        argv += ["-m", " ".join(rng.choices(place.words, who.words, k=rng.randint(2, 7)))]
    elif wants == "git" and argv[1] in ("add", "diff", "checkout"):
        argv.append(file)
    elif wants == "script":
        argv += [file] + ([str(rng.choice(who.numbers))] if rng.random() < 0.5 else [])
    elif wants == "search":
        argv += [word, file.rsplit("/", 1)[0]]
    elif wants in ("file", "folder"):
        argv.append(file if wants == "file" else file.rsplit("/", 1)[0])
    elif wants == "word" and rng.random() < 0.7:
        argv.append(word)
    return shlex.join(argv)


Log = dict[tuple[int, int], list[str]]  # (person, day) -> the command lines, in order


def command_log(people: Sequence[Person], place: World, days: int, rng: random.Random) -> Log:
    return {(who, day): [command(people[who], place, rng) for _ in range(rng.randint(20, 60))]
            for who in range(len(people)) for day in range(days)}


def episodes(log: Log, rng: random.Random) -> list[tuple[int, int, list[str]]]:
    """One episode of each person's day: a run of 5 to 20 of its commands."""
    made = []
    for (who, day), lines in log.items():
        length = rng.randint(5, 20)
        start = rng.randint(0, len(lines) - length)
        made.append((who, day, lines[start:start + length]))
    return made


def joined(log: Log, people: int, day: int, lines: list[str]) -> list[int]:
    """Who ran every one of `lines` on `day`, by the log."""
    return [who for who in range(people) if set(lines) <= set(log[(who, day)])]


def features(line: str) -> list[str]:
    return [line, *line.split(" ")]


def classifier(log: Log, people: int, days: int, day: int) -> Callable[[list[str]], list[float]]:
    """Naive Bayes over each person's log of the days but `day`: the log-likelihood of each person."""
    counts = [Counter(feature for other in range(days) if other != day for line in log[(who, other)]
                      for feature in features(line)) for who in range(people)]
    vocabulary = len(set().union(*counts)) + 1
    totals = [sum(count.values()) + vocabulary for count in counts]

    def score(lines: list[str]) -> list[float]:
        seen = [feature for line in lines for feature in features(line)]
        return [sum(math.log((counts[who][feature] + 1) / totals[who]) for feature in seen)
                for who in range(people)]
    return score


def measure(log: Log, raw_log: Log, eps: list[tuple[int, int, list[str]]], people: int, days: int,
            rng: random.Random) -> tuple[float, float, float, float]:
    """(exact join against the raw log, join against `log`, 1 of 10, 1 of all) over `eps`."""
    exact = shaped = ten = everyone = 0
    models = {day: classifier(log, people, days, day) for day in range(days)}
    for who, day, lines in eps:
        exact += joined(raw_log, people, day, lines) == [who]
        shaped += joined(log, people, day, lines) == [who]
        scores = models[day](lines)
        others = rng.sample([p for p in range(people) if p != who], min(9, people - 1))
        ten += max([who, *others], key=lambda p: scores[p]) == who
        everyone += max(range(people), key=lambda p: scores[p]) == who
    n = len(eps)
    return exact / n, shaped / n, ten / n, everyone / n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--days", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="replace the section in bench/README.md")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    place = world(rng)
    people = [person(place, rng) for _ in range(args.people)]
    raw = command_log(people, place, args.days, rng)
    shapes = {line: shape_line(line) for lines in raw.values() for line in lines}
    shaped_log = {key: [shapes[line] for line in lines] for key, lines in raw.items()}
    eps = episodes(raw, rng)
    shaped_eps = [(who, day, [shapes[line] for line in lines]) for who, day, lines in eps]
    rows = []
    for name, (log, these) in (("typed", (raw, eps)), ("shaped", (shaped_log, shaped_eps))):
        exact, join, ten, everyone = measure(log, raw, these, args.people, args.days, rng)
        rows.append([name, f"{exact:.1%}", f"{join:.1%}", f"{ten:.1%}", f"{everyone:.1%}"])
    rows.append(["chance", "", "", f"{1 / min(10, args.people):.1%}", f"{1 / args.people:.1%}"])
    changed = sum(shape != line for line, shape in shapes.items())
    tokens = [(len(shlex.split(line)), sum(a != b for a, b in zip(shlex.split(line), shlex.split(shape),
                                                                    strict=False)))
              for line, shape in shapes.items()]
    head = (f"`{command_line()}`: {machine()}; {args.people} people, {args.days} days, "
            f"{sum(map(len, raw.values())):,} commands in the log, {len(eps):,} episodes "
            f"({sum(len(lines) for _, _, lines in eps):,} commands)")
    cost = (f"Training cost: {changed:,} of {len(shapes):,} distinct command lines "
            f"({changed / len(shapes):.0%}) "
            f"change under shaping; {sum(t[1] for t in tokens):,} of {sum(t[0] for t in tokens):,} of their "
            "tokens become a shape (the program, subcommands and flags stay).")
    body = "\n\n".join([head, table(["commands", "exact join on the day", "shaped join on the day",
                                     "classifier: 1 of 10", f"1 of {args.people}"], rows), cost])
    print(body)
    if args.write:
        write_section("command_log", body)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
