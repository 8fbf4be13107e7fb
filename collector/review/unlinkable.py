"""What the review says of an episode it would sign unlinkably: which of what names its repository and its
editor signing leaves out (consent/unlinkable.py does it), which settings it keeps that still single the
contributor out, what the timing signed for leaves of the rhythm of typing and the habits of working
(consent/retime.py), with bench/rhythm.py's and bench/habits.py's figures (bench/README.md, "Keystroke
rhythm across episodes", "Habits of working across re-timed episodes"), and each command as typed
beside the shape signing gives it (consent/commands.py), or what keeping it whole exposes."""

from __future__ import annotations

from collections.abc import Sequence

from collector.consent.retime import BUCKET_MS
from collector.consent.unlinkable import Timing
from collector.episode.resolve import show
from collector.episode.summary import editors_text
from collector.policy.managed import Managed
from collector.policy.remotes import is_shared
from schemas.header import EpisodeHeader, WorkspaceIdentity
from schemas.settings import ALL_CHANNELS

LABEL = "unlinkable  "


def unlinkable_notes(header: EpisodeHeader, managed: Managed | None) -> list[str]:
    """One line each: what happens to the workspace's name and remote, and whether its channels differ from
    the default (the managed policy's channels when it names some, else all of them)."""
    policy = None if managed is None else managed.policy
    notes = [repository_note(header.workspace, [] if policy is None else policy.shared_remotes)]
    editors = header.editors or ([] if header.client is None else [header.client])
    if header.imported is not None and len(editors) == 1:
        notes.append(f"{LABEL}agent left out: {editors_text(editors)}, its exact version, is what your "
                     "laptop runs, so signing drops it (the steps still name the agent)")
    elif len(editors) == 1:
        notes.append(f"{LABEL}editor left out: {editors_text(editors)} is what your laptop runs, "
                     "which the fleet's configuration says, so signing drops it")
    elif editors:
        notes.append(f"{LABEL}editors left out: {editors_text(editors)} are what your laptop runs, "
                     "which the fleet's configuration says, so signing drops them")
    default = list(ALL_CHANNELS) if policy is None or policy.channels is None else list(policy.channels)
    channels = header.capture.channels
    if channels and set(channels) != set(default):
        notes.append(f"{LABEL}channels {', '.join(channels)} are recorded, not the default set "
                     f"({', '.join(default)}): signed, a set few others choose is in all your episodes "
                     "and can single you out (the channels travel: a receiver must know what was recorded)")
    return notes


def repository_note(workspace: WorkspaceIdentity, shared_remotes: Sequence[str]) -> str:
    """Whether signing keeps the repository: only a remote the managed policy lists in `shared_remotes`."""
    folder = f"the folder name {show(workspace.root_name)}"
    remote = workspace.git_remote
    if is_shared(remote, shared_remotes):
        return (f"{LABEL}repository kept: {show(remote or '')} is a shared remote of the organisation's "
                f"policy ({folder} is left out)")
    named = f"{folder} and the remote {show(remote)}" if remote else folder
    return (f"{LABEL}repository left out: {named} would join your episodes, so signing drops "
            "them (only a shared remote the organisation's policy lists is kept)")


# bench/rhythm.py (bench/README.md): the right one of 10 typists, by the better of its two classifiers, and
# the pairwise ROC AUC of "one person's two episodes"; chance 10 % and 0.50
RHYTHM = {"exact": ("82 %", "0.96"), "coarse": ("88 %", "0.98"), "retimed": ("10 %", "0.50"),
          "drawn": ("10 %", "0.50")}
# bench/habits.py (bench/README.md): on a model population whose people differ in their habits (assumed
# spreads), the pairwise ROC AUC of re-timed and of drawn episodes' timing (pauses between bursts and where
# saves and test runs fall, together) and of the counts they hold (burst sizes, deleting share, saves and
# test runs per burst), the better of its two classifiers
HABITS = {"retimed": {"timing: both above": "0.83", "counts: the three above": "0.89"},
          "drawn": {"timing: both above": "0.58", "counts: the three above": "0.89"}}


def timing_note(timing: Timing) -> str:
    """What the timing signed for (config.toml's `[consent] timing`) leaves of the rhythm of typing and of
    the habits of working."""
    of_ten, auc = RHYTHM[timing]
    measured = (f"on a model population the rhythm names the right one of 10 typists {of_ten} of the time "
                f"(chance 10 %) and tells two episodes of one person from two people's with ROC AUC {auc}")
    before, before_auc = RHYTHM["coarse"]
    if timing == "drawn":
        return (f"{LABEL}times drawn: a burst of typing at one time, its length drawn, each pause drawn "
                f"within {BUCKET_MS // 1000} s and a save or test run at its burst's time, so neither your "
                f"typing rhythm nor how long you pause tells you apart: {measured} (in 100 ms steps: "
                f"{before}, {before_auc}), and your pauses between bursts and where your saves and test runs "
                f"fall with {HABITS['drawn']['timing: both above']} (re-timed to the second: "
                f"{HABITS['retimed']['timing: both above']}); replays and exports see no time within a burst "
                f"and no pause finer than {BUCKET_MS // 1000} s; {counts_note(timing)}")
    if timing == "retimed":
        return (f"{LABEL}times re-timed (timing = \"retimed\"): a burst of typing at one time, its length "
                f"drawn, pauses in whole seconds, so your typing rhythm does not tell you apart: {measured} "
                f"(in 100 ms steps: {before}, {before_auc}); replays and exports see no time within a burst; "
                f"your pauses are kept: on a model population whose people differ, your pauses between "
                f"bursts and where your saves and test runs fall tell two episodes of yours from two "
                f"people's with ROC AUC {HABITS['retimed']['timing: both above']} (the default, timing = "
                f"\"drawn\", leaves {HABITS['drawn']['timing: both above']}); {counts_note(timing)}")
    kept = "in 100 ms steps" if timing == "coarse" else "to the millisecond"
    return (f"{LABEL}times {kept} (timing = \"{timing}\"): your typing rhythm can link your episodes and "
            f"name you: {measured}; the default, timing = \"drawn\", leaves {RHYTHM['drawn'][0]} and "
            f"{RHYTHM['drawn'][1]}")


def counts_note(timing: str) -> str:
    """What the counts an episode holds tell of its contributor, re-timed or drawn alike."""
    return (f"how many keystrokes your bursts hold, how much you delete and how often you save and run tests "
            f"are what the episode holds, and tell two episodes of yours from two people's with ROC AUC "
            f"{HABITS[timing]['counts: the three above']} on a model population whose people differ")


SHOWN = 20  # commands shown in both forms; the rest are counted


def command_notes(forms: Sequence[tuple[str, str]], whole: frozenset[str]) -> list[str]:
    """What signing does to the episode's commands: a line on shaping, then each command that shaping
    changes (`forms`: as typed, as signed) beside its shape, or, kept whole, what that exposes."""
    if not forms:
        return []
    shaped = [form for form in forms if form[0] not in whole]
    notes = [f"{LABEL}commands shaped: {len(shaped)} of {len(forms)} keep their program, subcommand and "
             "flags, every other argument its kind and shape, so a log of your laptop's command lines "
             "(an endpoint agent's) finds none of them on the day; what they printed is kept, scrubbed "
             "(w on a command in the timeline keeps it whole)"]
    for typed, shape in sorted(forms, key=lambda form: form[0] not in whole)[:SHOWN]:  # kept whole first
        if typed in whole:
            notes.append(f"{LABEL}kept whole: {typed}: its arguments go as you typed them, and a log "
                         "that records each command line with who ran it can name you by it on its day")
        else:
            notes.append(f"{LABEL}  {typed}  ->  {shape}")
    if len(forms) > SHOWN:
        notes.append(f"{LABEL}  and {len(forms) - SHOWN} more commands")
    return notes
