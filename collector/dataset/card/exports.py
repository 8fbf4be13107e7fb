"""The training exports a build keeps (`dataset build --exports`) as the card gives them: a short section
each (what its label means, the label balance read from its files, `read_labels`, and how its rows were
selected: the bias a lab should know of), and a `configs` entry for each, whose Parquet twins
(output/twins.py) `datasets.load_dataset(OUT, "kto")` loads by name.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import msgspec
import yaml

from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.output.staged import FOLDER
from collector.dataset.output.twins import twin_suffix
from collector.export.formats import FORMATS
from schemas.compiled import compile_module


@dataclass(frozen=True)
class TrainingExport:
    label: str  # what the label means, and when a row is written
    bias: str  # which rows there are, and which there cannot be


KTO_ADVICE = ("TRL's KTO advice: desirable_weight x desirable rows / (undesirable_weight x undesirable rows) "
              "within [1, 4/3]")
OFFERS_BIAS = ("offers come only from editors and language servers that report them (codetape's bridge "
               "in proxy mode, the Neovim and Emacs plugins' completion menus; VS Code's inline suggestions "
               "make no offer step), and only an AI's (an inline suggestion, a server or item known as an "
               "AI's); the prompt is the buffer's text at the offer, what the model saw")
TRAINING: dict[str, TrainingExport] = {
    "kto": TrainingExport(
        "`label` is one rule every export reads: true when the AI's suggestion's non-whitespace text stands "
        "unchanged and contiguous in what stands in its place 5 minutes after the offer (`settled`, or "
        "the episode's end if sooner; text added around it allowed), false otherwise; every dpo pair's "
        "offer is a false row, and a false row has no pair only where nothing stands in its place. Rows: "
        "suggestions taken (whole or in part) and those the developer wrote over before taking; an offer "
        "not taken and left alone, or typed as offered, makes no row (the developer may not have looked "
        "at it). Beside the label, what stayed of a suggestion taken: `survived_30s`, `survived_5min`, "
        "`survived_to_commit`, `survived_to_end`, `reverted_within_ms` (a horizon of your own). In an "
        "unlinkable episode these times are the re-timed ones the receiver holds (docs/unlinkable.md): a "
        "deletion in the same burst as the offer is at 0 ms, later ones at re-timed spans.",
        f"{OFFERS_BIAS}; negatives only where a suggestion taken did not stand, or the developer wrote over "
        f"one before taking it, so taken items kept outnumber them. {KTO_ADVICE}."),
    "dpo": TrainingExport(
        "no label: every row is a preference, `chosen` the developer's text that stands in the place of an "
        "AI's suggestion (`rejected`) whose non-whitespace text does not stand there (kto's rule), taken "
        "first or not (`outcome` overwritten or partly_accepted).",
        f"{OFFERS_BIAS}; only suggestions the developer's text replaced make a pair."),
    "dpo-fim": TrainingExport(
        "as dpo's: every row a preference, the text behind the caret in a fill-in-the-middle prompt.",
        f"{OFFERS_BIAS}; only suggestions the developer's text replaced make a pair."),
    "dpo-agent": TrainingExport(
        "no label: every row is a preference, `rejected` the lines an AI agent's write to disk made and "
        "`chosen` the same lines as the developer left them before the next commit of the file, the next "
        "prompt to an agent, the agent's next write of the file or 5 minutes after the write (kto's "
        "horizon), whichever came first; `deleted` rows have an empty (or blank) `chosen`: the developer "
        "deleted the agent's lines whole. `kept_share` is the share of the write's non-whitespace "
        "characters left then; `prompt` holds the task, the turn's prompt and the file before the turn.",
        "only agent writes the developer changed make a row (a write kept as written makes none), only "
        "from agents whose hooks record their prompts and writes (docs/agents.md); a write whose prompt "
        "the contributor left out, or to a file whose text before the turn the episode does not hold, is "
        "left out (counted below)."),
    "stepwise": TrainingExport(
        "a row per failing test run and the next green one; `labels` one per step between them (an edit "
        "burst, or a write to disk from outside the editor, `completion_actors` saying whose), false for a "
        "step none of whose inserted non-whitespace characters is left in the files at the green run "
        "(`surviving_shares`: the share left); `outside_writes` says whether an agent or a program wrote "
        "between the runs.",
        "only episodes whose test runs were recorded (the pytest plugin, `codetape run`, the shell hook), "
        "only mistakes fixed within the episode; tests that never pass again make no row."),
    "swe-messages": TrainingExport(
        "a row per task; `resolved` 1 when the task's outcome signal says it passed, 0 failed or abandoned, "
        "-1 when no signal says anything. A prompt to an AI agent says what became of its turn's writes, "
        "as kto's columns say it of a suggestion: `survived_30s`, `survived_5min` (from the turn's end; "
        "re-timed times in an unlinkable episode), `survived_to_commit`, `survived_to_end`.",
        "only episodes with actions; steps before an episode's first task are in no row."),
    "swe-messages-developer": TrainingExport(
        "as swe-messages', with an AI agent's calls as user turns.",
        "as swe-messages'; a task the agent did alone (no assistant turn left) makes no row."),
}


class _Kto(msgspec.Struct):
    label: bool


class _Pair(msgspec.Struct):
    outcome: str


class _Refined(msgspec.Struct):
    deleted: bool


class _Stepwise(msgspec.Struct):
    labels: list[bool]


class _Task(msgspec.Struct):
    resolved: int


def training_exports(manifest: DatasetManifest) -> list[str]:
    """The training exports this dataset keeps, in TRAINING's order."""
    return [name for name in TRAINING if name in manifest.exports]


def configs(manifest: DatasetManifest, labels: dict[str, Counter[str]],
            twins: Callable[[str], Iterable[str]]) -> list[dict[str, object]]:
    """The card's `configs` entries for the training exports the dataset keeps that have rows (`labels`,
    read_labels) and Parquet twins (output/twins.py, a schema for each of TRAINING; `twins`, twin_files),
    one `train` split (each row carries its own `split`). A config names its twins one by one as the tables'
    files are (card.py `table_files`), but not here: its list is one placeholder (`twins_placeholder`),
    which `named_twins` replaces by the twins' lines as the card is written (a million episodes' twins are
    millions of names: never held, never dumped by PyYAML as one list)."""
    return [{"config_name": name, "data_files": [{"split": "train", "path": [twins_placeholder(name)]}]}
            for name in training_exports(manifest)
            if labels.get(name, Counter())["rows"] and next(iter(twins(name)), None) is not None]


def twin_files(out: Output) -> Callable[[str], Iterator[str]]:
    """A training export's Parquet twins in OUT (relative paths, folder by folder in name order), listed a
    folder at a time each time they are asked for (Output.walk)."""
    return lambda name: (path for path, _size in out.walk(f"{FOLDER}/{name}", twin_suffix(name)))


def twins_placeholder(name: str) -> str:
    """What the front matter holds for the list of `name`'s twins until the card is written: a plain YAML
    scalar no file in OUT is named (every file's path starts with its folder)."""
    return f"codetape-twins-of-{name}"


_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_.-]+)+", re.ASCII)
_BATCH = 1 << 20  # characters of twin lines given at a time


def named_twins(text: str, names: Iterable[str], twins: Callable[[str], Iterable[str]]) -> Iterator[str]:
    """`text` (the rendered card) with each placeholder line of `names` replaced by the lines of its twins'
    list at its indentation, in pieces of about _BATCH characters."""
    marks = {f"- {twins_placeholder(name)}": name for name in names}
    held: list[str] = []
    size = 0
    for line in text.splitlines(keepends=True):
        name = marks.get(line.strip())
        if name is None:
            held.append(line)
            size += len(line)
            continue
        indent = line[:line.index("-")]
        for path in twins(name):
            held.append(_item(path, indent))
            size += len(held[-1])
            if size >= _BATCH:
                yield "".join(held)
                held, size = [], 0
    if held:
        yield "".join(held)


def _item(path: str, indent: str) -> str:
    """One item of a YAML list at `indent`: a path of only letters, digits, `_.-` and `/` (every path
    codetape writes) as a plain scalar, which YAML reads as that string (no `:`, `#`, space or quote; a `/`
    in it, so never a number, a date or a boolean); any other as PyYAML writes it, quoted, escaped to ASCII
    (written as Unicode, PyYAML reads a U+0085 in it back as a space)."""
    if _PLAIN.fullmatch(path):
        return f"{indent}- {path}\n"
    dumped: str = yaml.safe_dump([path], width=1 << 30)
    return "".join(f"{indent}{line}" for line in dumped.splitlines(keepends=True))


def loading(name: str, rows: int) -> str:
    """How the card says to load the training export `name` of `rows` rows."""
    if not rows:
        return "no rows yet"
    return f'datasets.load_dataset("path/to/this/dataset", "{name}", split="train")'


def read_labels(out: Output, manifest: DatasetManifest) -> dict[str, Counter[str]]:
    """Each training export's rows and labels, counted from its files: kto's desirable and undesirable rows,
    stepwise's rows and steps labelled true and false, dpo's pairs by outcome, dpo-agent's rewritten and
    deleted, swe-messages' tasks by
    `resolved`."""
    counts: dict[str, Counter[str]] = {}
    for name in training_exports(manifest):
        counted = counts[name] = Counter()
        folder = f"{FOLDER}/{name}"
        for path, _size in out.walk(folder, FORMATS[name].suffix or ""):  # a folder at a time
            for line in (out.read(path) or b"").splitlines():
                if line.strip():
                    _count(name, line, counted)
    return counts


def _count(name: str, line: bytes, counted: Counter[str]) -> None:
    counted["rows"] += 1
    match name:
        case "kto":
            counted["desirable" if msgspec.json.decode(line, type=_Kto).label else "undesirable"] += 1
        case "dpo" | "dpo-fim":
            counted[msgspec.json.decode(line, type=_Pair).outcome] += 1
        case "dpo-agent":
            counted["deleted" if msgspec.json.decode(line, type=_Refined).deleted else "rewritten"] += 1
        case "stepwise":
            labels = msgspec.json.decode(line, type=_Stepwise).labels
            counted["true steps"] += sum(labels)
            counted["false steps"] += len(labels) - sum(labels)
        case _:  # swe-messages and swe-messages-developer
            counted[f"resolved {msgspec.json.decode(line, type=_Task).resolved}"] += 1


def balance(name: str, counts: Counter[str]) -> str:
    """The label balance as the card states it."""
    rows = counts["rows"]
    match name:
        case "kto":
            desirable, undesirable = counts["desirable"], counts["undesirable"]
            text = f"{rows:,} rows: {desirable:,} desirable (true), {undesirable:,} undesirable (false)"
            if desirable and undesirable:
                low = undesirable / desirable
                text += (f"; with undesirable_weight 1, a desirable_weight in [{low:.2f}, {low * 4 / 3:.2f}] "
                         f"keeps TRL's advised ratio")
            return text
        case "dpo" | "dpo-fim":
            return f"{rows:,} pairs: " + ", ".join(f"{counts[outcome]:,} {outcome}" for outcome in
                                                   ("overwritten", "partly_accepted"))
        case "dpo-agent":
            return f"{rows:,} pairs: {counts['rewritten']:,} rewritten, {counts['deleted']:,} deleted"
        case "stepwise":
            return (f"{rows:,} rows; steps: {counts['true steps']:,} labelled true, "
                    f"{counts['false steps']:,} false")
        case _:
            return f"{rows:,} rows: " + ", ".join(f"{counts[f'resolved {value}']:,} resolved {value}"
                                                  for value in (1, 0, -1))


compile_module(__name__)
