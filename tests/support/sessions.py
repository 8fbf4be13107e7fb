"""Realistic, seeded coding sessions: codetape steps plus the LSP traffic an editor would have sent.

A simulated developer works through several real Python files from the standard library of the
running interpreter: some typed from scratch, some opened with a block of lines missing that they
then type in. They type character by character (tests/support/typist.py), switch files, save, see pylsp's
diagnostics, run the tests and commit now and then, over hours of simulated time. The `training` profile
also gets things wrong between a failing test run and the green one (tests/support/mistakes.py: wrong
attempts deleted, an AI's suggestions taken and deleted, an agent's writes). The same seed on the same
Python version gives the same session; every file ends equal to its target text.

    python -m tests.support.sessions --seed 1 --profile edit-heavy     # print a summary
"""

from __future__ import annotations

import argparse
import random
import sysconfig
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from schemas import ClientInfo, EpisodeHeader, Step, WorkspaceIdentity
from tests.support.activity import Activity
from tests.support.mistakes import ATTEMPT, wrong_attempt
from tests.support.recorder import OpenDoc, Recorder
from tests.support.timing import Timing
from tests.support.typist import Habits, Typist
from tests.support.wire import WireMessage

SKIP_DIRS = {"test", "tests", "idle_test", "site-packages", "__pycache__", "lib2to3", "encodings"}


@dataclass(frozen=True)
class Profile:
    name: str
    chars: int  # characters of target text to type, which sets the session's length
    files: tuple[int, int]  # how many files, at least and at most
    new_share: float  # files typed from scratch; the rest are opened with a hole to fill
    burst: tuple[int, int]  # lines typed before looking elsewhere
    habits: Habits = field(default_factory=Habits)
    # edits with origins, cursor steps, offers (completion lists, an AI's inline suggestions: typist.py),
    # a snapshot, a task and an AI agent's steps (tests/support/activity.py): every column of the
    # dataset a training run reads
    training: bool = False


PROFILES = {
    "edit-heavy": Profile("edit-heavy", 60_000, (3, 6), 0.5, (15, 80), Habits(paste=0.004)),
    "mixed": Profile("mixed", 36_000, (6, 10), 0.25, (5, 30), Habits(paste=0.03, complete=0.55)),
    "training": Profile("training", 36_000, (6, 10), 0.25, (5, 30),
                        Habits(paste=0.03, complete=0.55, inline=0.12), training=True),
}


@dataclass
class Session:
    name: str
    header: EpisodeHeader
    steps: list[Step]
    wire: list[WireMessage]
    expected: dict[str, str]  # path -> text every file must have after replay
    attempts: list[range] = field(default_factory=list)  # the steps of each wrong attempt (mistakes.py)
    undone: list[int] = field(default_factory=list)  # the agent's writes thrown away (activity.py)

    @property
    def epoch_ms(self) -> int:
        return int(self.header.started_at.timestamp() * 1000)

    @property
    def duration_s(self) -> float:
        return self.steps[-1].t_ms / 1000 if self.steps else 0.0


@dataclass
class Target:
    path: str
    opened: str  # the text the file has when first opened ("" for a new file)
    lines: list[str]  # the lines left to type
    fresh: bool  # new file: the first line is typed at (0, 0), not after an Enter
    caret: tuple[int, int]
    expected: str


@cache
def stdlib_files() -> tuple[Path, ...]:
    """Candidate source files: plain-ASCII-layout Python of 3-60 KB, sorted for determinism."""
    root = Path(sysconfig.get_paths()["stdlib"])
    found = []
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if SKIP_DIRS.intersection(rel.parts) or rel.name.startswith("_sysconfigdata"):
            continue
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if 3000 <= len(text) <= 60_000 and not any(c in text for c in "\t\r\f\v"):
            found.append(path)
    return tuple(found)


def make_target(
    rng: random.Random, path: Path, budget: int, fresh: bool, *, anywhere: bool = False
) -> Target:
    """What to type of `path`: from its top into a new file (`fresh`) or a hole in it.

    `anywhere` (the training profile) starts a new file with a comment line of its own (which part of the
    module it holds, and a draft number drawn from `rng`) and then one of the module's lines at column 0
    (but its last) instead of its top, and leaves a comment of its own (a draft number) above a hole: a
    thousand sessions type a few hundred modules, and two typing the same part of one would see the same
    text before the caret and repeat each other's training rows (rows past 2,000 characters into a hole,
    the prompt's limit, can still repeat where two sessions are offered a suggestion on the same line)."""
    root = Path(sysconfig.get_paths()["stdlib"])
    name = "src/" + path.relative_to(root).as_posix()
    lines = [line.rstrip() for line in path.read_text("utf-8").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    if fresh:
        if anywhere:
            tops = [k for k, line in enumerate(lines[:-1]) if line[:1].strip()]
            at = rng.choice(tops or [0])
            lines = [f"# {name} from its line {at + 1}, draft {rng.getrandbits(32):08x}", *lines[at:]]
        count = len(lines)
        while count > 20 and sum(len(x) + 1 for x in lines[:count]) > budget:
            count = int(count * 0.8)
        typed = [*lines[:count], ""]
        return Target(name, "", typed, True, (0, 0), "\n".join(lines[:count]) + "\n")
    first = rng.randint(1, max(1, len(lines) // 2))
    last = first
    while last < len(lines) - 1 and sum(len(x) + 1 for x in lines[first:last]) < budget:
        last += 1
    while last > first + 1 and not lines[last - 1].strip():
        last -= 1
    if anywhere:  # the draft's comment, left above the hole
        indent = len(lines[first]) - len(lines[first].lstrip())
        lines.insert(first, f"{' ' * indent}# draft {rng.getrandbits(32):08x}: {last - first} lines to write")
        first, last = first + 1, last + 1
    opened = lines[:first] + lines[last:]
    return Target(name, "\n".join(opened) + "\n", lines[first:last], False,
                  (first - 1, len(lines[first - 1])), "\n".join(lines) + "\n")


def plan(rng: random.Random, profile: Profile) -> list[Target]:
    files = stdlib_files()
    count = max(rng.randint(*profile.files), profile.chars // 12_000)
    chosen = rng.sample(files, count)
    weights = [rng.uniform(0.5, 1.5) for _ in chosen]
    budgets = [int(profile.chars * w / sum(weights)) for w in weights]
    return [make_target(rng, path, budget, rng.random() < profile.new_share, anywhere=profile.training)
            for path, budget in zip(chosen, budgets, strict=True)]


def generate(seed: int, profile_name: str = "edit-heavy", *, scale: float = 1.0) -> Session:
    """One session; `scale` multiplies the amount of typing (and so the step count)."""
    profile = PROFILES[profile_name]
    rng = random.Random(f"{profile_name}:{seed}:{scale}")
    if scale != 1.0:
        profile = Profile(profile.name, int(profile.chars * scale), profile.files, profile.new_share,
                          profile.burst, profile.habits, profile.training)
    targets = plan(rng, profile)
    recorder = Recorder(rng, "file:///home/dev/work/project", training=profile.training)
    timing = Timing(rng)
    typist = Typist(rng, timing, profile.habits, recorder.advance, recorder.emit,
                    recorder.offer if profile.training else None)
    activity = Activity(rng, recorder, targets_defs(targets))
    activity.start()
    todo = list(targets)
    total = sum(len(line) + 1 for t in targets for line in t.lines)
    current: Target | None = None
    attempts: list[range] = []
    while todo:
        if current is None or all(t is not current for t in todo) or rng.random() < 0.35:
            current = rng.choice(todo)
        doc = _activate(recorder, current, timing)
        burst = rng.randint(*profile.burst)
        chunk, current.lines = current.lines[:burst], current.lines[burst:]
        if profile.training and activity.failing and not current.fresh and rng.random() < ATTEMPT:
            attempt = wrong_attempt(rng, typist, recorder, doc, chunk[0])
            attempts += [attempt] if attempt is not None else []
        typist.type_lines(doc.buf, chunk, first_enter=not current.fresh)
        current.fresh = False
        current.caret = (doc.buf.line, doc.buf.col)
        recorder.cursor(doc)
        if not current.lines:
            todo = [t for t in todo if t is not current]
        left = sum(len(line) + 1 for t in todo for line in t.lines)
        activity.between_bursts(progress=1 - left / total)
        recorder.advance(timing.between_tasks() if rng.random() < 0.5 else timing.line_end(True))
    recorder.save_all()
    activity.finish()
    started = datetime(2026, 3, 2, 9, 0, tzinfo=UTC) + timedelta(days=seed % 365, minutes=rng.randint(0, 480))
    header = EpisodeHeader(
        codetape_version="0.1.0", episode_id=uuid.UUID(int=rng.getrandbits(128), version=4),
        started_at=started, position_encoding="utf-16",
        workspace=WorkspaceIdentity(root_name="project", head_at_start=activity.start_head),
        client=ClientInfo(name="Visual Studio Code", version="1.95.3"))
    return Session(f"{profile_name}/{seed}", header, recorder.steps, recorder.wire,
                   {t.path: t.expected for t in targets}, attempts, activity.undone)


def _activate(recorder: Recorder, target: Target, timing: Timing) -> OpenDoc:
    doc = recorder.docs.get(target.path)
    if recorder.active is not None and recorder.active is not doc:
        recorder.save_all()
    if doc is None:
        recorder.advance(timing.choose() * 2)
        doc = recorder.open(target.path, target.opened)
    recorder.active = doc
    doc.buf.move(*target.caret)
    recorder.cursor(doc)  # (training mode: the editor reports the caret where the developer put it)
    return doc


def targets_defs(targets: list[Target]) -> dict[str, list[str]]:
    """Function names per file (for test node ids)."""
    out: dict[str, list[str]] = {}
    for target in targets:
        text = target.expected
        out[target.path] = [line.split("def ", 1)[1].split("(", 1)[0] for line in text.split("\n")
                            if line.lstrip().startswith("def ") and "(" in line][:60]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=sorted(PROFILES), default="edit-heavy")
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    session = generate(args.seed, args.profile, scale=args.scale)
    kinds: dict[str, int] = {}
    for step in session.steps:
        kinds[step.kind] = kinds.get(step.kind, 0) + 1
    print(f"{session.name}: {len(session.steps)} steps over {session.duration_s / 3600:.2f} h, "
          f"{len(session.expected)} files, {len(session.wire)} LSP messages")
    print("  " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))


if __name__ == "__main__":
    main()
