"""The dataset card, written into OUT by every build: `README.md` and `croissant.json`.

- `README.md`: Hugging Face's card metadata (one `configs` entry per table, an empty one too, so
  `datasets.load_dataset(OUT, "steps")` loads that table and not whatever `datasets` guesses; `license` the
  SPDX ids the episodes' licences name, lower-cased as the hub lists them; `language`, `task_categories` and
  `size_categories` from the hub's vocabularies; the scorecard's figures as numbers under `codetape`), what
  the dataset holds, how it was made (consent, redaction, revocation), its scorecard, its licences and
  purposes, and the data dictionary (dictionary.py) for every table;
- `croissant.json`: the same tables as Croissant 1.0 (mlcommons.org/croissant) record sets, every field typed
  and described, `month` read from the partition's path, and the Responsible AI fields (collection, timeframe,
  preprocessing and redaction, personal and sensitive information, the uses the developers consented to,
  limitations).

Both are made from the manifest and the `episodes` table (the scorecard's survival also reads the one column
`edits.survived_to_end`, a batch at a time), and neither names where the episodes were read
from (the receiver's source location). Whatever the template interpolates is taken for contributor text unless
it says otherwise, and written as code: one line, one inline code span fenced by more backticks than it holds,
`|` escaped for the table around it (`_code_cell`). Nothing in a code span is markup, so a purpose or a
licence shows as exactly its characters: no image a hub's visitors fetch, no link or autolink, no HTML tag or
entity, no emphasis, heading or extra table cell. codetape's own text (the data dictionary, what the build
says) is marked `Ours` and written as a table cell (`_cell`), whole (never cut); numbers and `Markup` (the
`count` and `code` filters' output) as they are. croissant.json holds the same texts as JSON strings, and
the YAML metadata is no template's: PyYAML dumps it, quoting a text as YAML needs, so an outcome that reads
`---` or `configs: []` stays a string inside `codetape`.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from collector import __version__
from collector.dataset.card.dictionary import TABLES as DOCS
from collector.dataset.output.known import table_rows
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.rows.tables import PARTITION, TABLES
from collector.export.split import SPLITS
from collector.policy.spdx import licence_ids, spdx_problem
from collector.text.markdown import code_span as _code
from collector.text.markdown import squeezed
from schemas.steps.edit import ORIGIN_CLASS

# The hub's card metadata (huggingface.co/docs/hub/datasets-cards): `language` from the hub's codes, as
# `datasets` lists them (utils/resources/languages.json), `code` for programming languages (the natural
# language of comments, commit messages and output is whatever the contributors wrote: none is claimed);
# `task_categories` from the hub's list (huggingface.js, packages/tasks/src/pipelines.ts): the tables and
# exports are for models that generate code and edits (next-edit prediction, agent transcripts, preference
# pairs); `size_categories` the bucket of the default config's rows, as `datasets` lists them
# (utils/resources/size_categories.json).
HF_LANGUAGE = ("code",)
HF_TASKS = ("text-generation",)
HF_TAGS = ("code", "software-engineering", "developer-activity")
SIZE_CATEGORIES = ("n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "100M<n<1B",
                   "1B<n<10B", "10B<n<100B", "100B<n<1T")
README = "README.md"
CROISSANT = "croissant.json"
CELL_LIMIT = 200
NONE_GIVEN = "(none given)"


class Ours(str):
    """codetape's own text for the card (no contributor's): written as a table cell, not escaped."""

    __slots__ = ()

# Croissant 1.0's JSON-LD context, as the specification and mlcroissant give it
CONTEXT: dict[str, Any] = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty", "examples": {"@id": "cr:examples", "@type": "@json"},
    "extract": "cr:extract", "field": "cr:field", "fileProperty": "cr:fileProperty",
    "fileObject": "cr:fileObject", "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key", "md5": "cr:md5",
    "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "samplingRate": "cr:samplingRate", "sc": "https://schema.org/", "separator": "cr:separator",
    "source": "cr:source", "subField": "cr:subField", "transform": "cr:transform",
}


@dataclass
class Facts:
    """What the card says of the episodes, read from the `episodes` table."""

    episodes: int = 0
    signers: int = 0
    licences: list[tuple[str, int]] = field(default_factory=list)
    purposes: list[tuple[str, int]] = field(default_factory=list)
    first: datetime | None = None
    last: datetime | None = None
    inserted: Counter[str] = field(default_factory=Counter)
    # (outcome, signal) -> episodes, None where the episode has none
    outcomes: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    disagree: int = 0  # episodes whose signals gave different verdicts
    survival: Counter[int] = field(default_factory=Counter)  # edits by survived_to_end, in thousandths

    @property
    def timeframe(self) -> str:
        if self.first is None or self.last is None:
            return "nothing yet"
        return f"{self.first:%Y-%m-%d} to {self.last:%Y-%m-%d} (UTC)"


def read_facts(out: Output, manifest: DatasetManifest) -> Facts:
    facts, signers = Facts(), set()
    licences: Counter[str] = Counter()
    purposes: Counter[str] = Counter()
    columns = ["signer_key_id", "licence", "purpose", "started_at", "duration_ms", "inserted_by_origin",
               "outcome", "outcome_signal", "outcome_signals"]
    for batch in table_rows(out, manifest, "episodes", columns):
        signer, licence, purpose, started, duration, inserted, outcome, signal, signals = (
            batch.column(i).to_pylist() for i in range(len(columns)))
        facts.outcomes.update(zip(outcome, signal, strict=True))
        facts.disagree += sum(len({one["verdict"] for one in given or ()}) > 1 for given in signals)
        facts.episodes += batch.num_rows
        signers.update(signer)
        licences.update(value or Ours(NONE_GIVEN) for value in licence)
        purposes.update(value or Ours(NONE_GIVEN) for value in purpose)
        for start, ms, shares in zip(started, duration, inserted, strict=True):
            end = start + timedelta(milliseconds=ms)
            facts.first = start if facts.first is None else min(facts.first, start)
            facts.last = end if facts.last is None else max(facts.last, end)
            facts.inserted.update({share["origin"]: share["chars"] for share in shares or ()})
    facts.signers = len(signers)
    for batch in table_rows(out, manifest, "edits", ["survived_to_end"]):
        thousandths = pc.cast(pc.floor(pc.multiply(batch.column(0).drop_null(), 1000)), pa.int32())
        facts.survival.update({item["values"]: item["counts"] for item in pc.value_counts(thousandths
                                                                                         ).to_pylist()})
    facts.licences = sorted(licences.items(), key=lambda item: (-item[1], item[0]))
    facts.purposes = sorted(purposes.items(), key=lambda item: (-item[1], item[0]))
    return facts


def write_card(out: Output, manifest: DatasetManifest) -> None:
    """Write README.md and croissant.json into OUT for the dataset as the manifest now describes it."""
    facts = read_facts(out, manifest)
    out.write(README, readme(manifest, facts).encode("utf-8"))
    out.write(CROISSANT, (json.dumps(croissant(out.url, manifest, facts), indent=1, ensure_ascii=False)
                          + "\n").encode("utf-8"))


def readme(manifest: DatasetManifest, facts: Facts) -> str:
    figures = scores(manifest, facts)
    rejected = sum(manifest.rejected.values())
    total = sum(facts.inserted.values())
    origins = ", ".join(f"{origin} {chars / total:.0%}" for origin, chars in facts.inserted.most_common(6)
                        ) if total else ""
    context = {
        "version": Ours(__version__), "manifest": manifest, "facts": facts,
        "timeframe": Ours(facts.timeframe),
        "last_build": Ours(manifest.builds[-1].finished_at.strftime("%Y-%m-%d %H:%M UTC")
                           if manifest.builds else "none yet"),
        "front_matter": Markup(front_matter(manifest, facts, figures)),
        "rejected_total": rejected,
        "rejected_text": Ours(", ".join(f"{reason} {count:,}" for reason, count in manifest.rejected.items())
                              or "none"),
        "trust_text": Ours(_trust_text(manifest)),
        "k_text": Ours(k_text(manifest)),
        "held_total": sum(manifest.held.values()),
        "allowed_text": Ours("any" if manifest.allowed_licences is None else
                             ", ".join(manifest.allowed_licences)),  # SPDX ids the builder gave, checked
        "origins_text": Ours(f"of the characters written (what the edits and the writes to disk inserted, as "
                             f"`--origin` counts them): {origins}" if total else "nothing written yet"),
        "tables": [_table(name, manifest) for name in TABLES],
        "scorecard": scorecard(figures),
    }
    return _environment().get_template("card.md.j2").render(context)


def front_matter(manifest: DatasetManifest, facts: Facts, figures: Scores) -> str:
    """The card's YAML metadata, dumped by PyYAML (every text quoted as YAML needs it, whatever a
    contributor wrote): the hub's own keys, one config per table, and the scorecard's figures under
    `codetape`."""
    default = next(iter(TABLES))
    meta = {
        "license": _hf_licences(facts),
        "pretty_name": "codetape: developers' recorded work, signed",
        "language": list(HF_LANGUAGE),
        "task_categories": list(HF_TASKS),
        "size_categories": [size_category(manifest.rows.get(default, 0))],
        "tags": list(HF_TAGS),
        "configs": [{"config_name": name,
                     "data_files": [{"split": "train", "path": f"{name}/**/*.parquet"}],
                     **({"default": True} if name == default else {})} for name in TABLES],
        "codetape": score_keys(figures),
    }
    text: str = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return text


def size_category(rows: int) -> str:
    """The hub's `size_categories` bucket for a table of `rows` rows: `n<1K` below 1,000, `1K<n<10K` from
    1,000, ... `n>1T` from 10^12."""
    for power, label in enumerate(SIZE_CATEGORIES, start=3):
        if rows < 10 ** power:
            return label
    return "n>1T"


@dataclass(frozen=True)
class Scores:
    """The scorecard's figures, computed once: the card's scorecard lines and its YAML's `codetape` key are
    both made from them, so the prose and the numbers a machine reads cannot say different things."""

    episodes: int
    splits: dict[str, int]  # split -> episodes, every split of SPLITS
    duplicates: int  # episodes with the same steps as another
    near_duplicates: int  # episodes with a near-duplicate diff, other steps
    split_leaks: int
    example_leaks: dict[str, dict[str, int]]  # format -> eval_left_out, train_left_out, left_in
    outcomes: dict[str, dict[str, int]]  # outcome -> signal -> episodes, the most first
    signals_disagree: int
    edits: int  # edit changes that inserted something (with a survived_to_end)
    survival: dict[str, float]  # p10 ... p90 of survived_to_end and none_left; empty without edits
    characters: int  # characters written, as `--origin` counts them
    ai_characters: int

    def rate(self, count: int) -> float:
        """`count` as a share of the episodes (0 when there are none)."""
        return count / self.episodes if self.episodes else 0.0

    @property
    def ai_share(self) -> float | None:
        return self.ai_characters / self.characters if self.characters else None


def scores(manifest: DatasetManifest, facts: Facts) -> Scores:
    """What a lab asks of a dataset before it trains on it: the splits and leaks the manifest counted, the
    outcomes, survival and AI share read from the episodes and edits tables."""
    edits = sum(facts.survival.values())
    survival: dict[str, float] = {}
    if edits:
        points = zip(QUANTILES, quantiles(facts.survival), strict=True)
        survival.update((f"p{round(q * 100)}", value) for q, value in points)
        survival["none_left"] = facts.survival.get(0, 0) / edits
    return Scores(
        episodes=facts.episodes, splits={name: manifest.splits.get(name, 0) for name in SPLITS},
        duplicates=manifest.near_duplicates, near_duplicates=manifest.near_diff_duplicates,
        split_leaks=manifest.split_leaks, example_leaks=_example_leaks(manifest), outcomes=_outcomes(facts),
        signals_disagree=facts.disagree, edits=edits, survival=survival,
        characters=sum(facts.inserted.values()),
        ai_characters=sum(chars for origin, chars in facts.inserted.items()
                          if ORIGIN_CLASS.get(origin) == "ai"))


def _example_leaks(manifest: DatasetManifest) -> dict[str, dict[str, int]]:
    """Per format: the examples left out as identical to one on the other side, and those left in (a
    format with some left in is listed though none was left out)."""
    formats = set(manifest.examples_left_out) | {fmt for fmt, n in manifest.example_leaks.items() if n}
    return {fmt: {"eval_left_out": manifest.examples_left_out.get(fmt, {}).get("eval", 0),
                  "train_left_out": manifest.examples_left_out.get(fmt, {}).get("train", 0),
                  "left_in": manifest.example_leaks.get(fmt, 0)} for fmt in sorted(formats)}


def _outcomes(facts: Facts) -> dict[str, dict[str, int]]:
    """Episodes by outcome, then by the signal it rests on (`none` for neither), the most first."""
    signals: dict[str, Counter[str]] = {}
    for (outcome, signal), count in facts.outcomes.items():
        signals.setdefault(outcome or "none", Counter())[signal or "none"] += count
    return {outcome: dict(by.most_common())
            for outcome, by in sorted(signals.items(), key=lambda item: -sum(item[1].values()))}


QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def quantiles(counts: Counter[int], scale: int = 1000) -> list[float]:
    """The QUANTILES of values counted in `counts` (value * scale -> how many), to 1/scale: the lowest
    value with at least that share of all at or below it."""
    total, seen = sum(counts.values()), 0
    found: list[float] = []
    for value, count in sorted(counts.items()):
        seen += count
        while len(found) < len(QUANTILES) and seen >= QUANTILES[len(found)] * total:
            found.append(value / scale)
    return found


def scorecard(figures: Scores) -> list[tuple[Ours, Ours]]:
    """The card's scorecard lines: (what, the figures), codetape's own text."""
    lines = [*_label_lines(figures), *_split_lines(figures)]
    return [(Ours(what), Ours(text)) for what, text in lines]


def _label_lines(figures: Scores) -> list[tuple[str, str]]:
    """Outcomes, survival and the AI share, each when there is something to say it of."""
    lines = []
    if figures.outcomes:
        parts = [f"{outcome} {sum(by.values()):,} (" + ", ".join(f"{signal} {n:,}" for signal, n in
                                                               by.items()) + ")"
                 for outcome, by in figures.outcomes.items()]
        lines.append(("episodes by outcome (signal)", "; ".join(parts) + f"; signals disagree in "
                      f"{figures.signals_disagree:,} (`episodes.outcome_signals`)"))
    if figures.edits:
        points = ", ".join(f"{name} {value:.2f}" for name, value in figures.survival.items()
                           if name != "none_left")
        lines.append(("survival", f"of the {figures.edits:,} edit changes that inserted something, the "
                                  f"share of their characters left at the end (`edits.survived_to_end`): "
                                  f"{points}; none left: {figures.survival['none_left']:.0%}"))
    if figures.ai_share is not None:
        lines.append(("AI share", f"{figures.ai_share:.1%} of the characters written were an AI's "
                                  "(ai_completion, agent: `episodes.ai_share`)"))
    return lines


def _split_lines(figures: Scores) -> list[tuple[str, str]]:
    """The split sizes, duplicates and leaks."""
    def rate(count: int) -> str:
        return f"{100 * figures.rate(count):.1f} % ({count:,} of {figures.episodes:,} episodes"

    leaks = "; ".join(_example_leak_text(fmt, counts) for fmt, counts in figures.example_leaks.items())
    return [
        ("split sizes (episodes)", ", ".join(f"{name} {size:,}" for name, size in figures.splits.items())),
        ("duplicate rate", f"{rate(figures.duplicates)} have the same steps as another)"),
        ("near-duplicate rate", f"{rate(figures.near_duplicates)} have a near-duplicate diff, other steps)"),
        ("split leaks", f"{figures.split_leaks:,} episodes with a duplicate or near duplicate on the other "
                        "side"),
        *([("example leaks", leaks)] if leaks else []),
    ]


def _example_leak_text(fmt: str, counts: dict[str, int]) -> str:
    text = f"{fmt}: {counts['eval_left_out']:,} eval examples left out (identical to a train example)"
    if counts["train_left_out"]:
        text += f", {counts['train_left_out']:,} train (identical to an eval example published before)"
    return text + f", {counts['left_in']:,} left in"


def score_keys(figures: Scores) -> dict[str, Any]:
    """The same figures as the card's `codetape` YAML key: numbers as numbers (shares from 0 to 1, not
    rounded), and a figure there is nothing to compute from (survival's quantiles without edits, the AI
    share of nothing written) left out, as the scorecard leaves out its line."""
    share = {} if figures.ai_share is None else {"share": figures.ai_share}
    return {
        "episodes": figures.episodes,
        "splits": dict(figures.splits),
        "duplicates": {"episodes": figures.duplicates, "rate": figures.rate(figures.duplicates)},
        "near_duplicates": {"episodes": figures.near_duplicates,
                            "rate": figures.rate(figures.near_duplicates)},
        "split_leaks": figures.split_leaks,
        "example_leaks": {fmt: dict(counts) for fmt, counts in figures.example_leaks.items()},
        "outcomes": {outcome: dict(by) for outcome, by in figures.outcomes.items()},
        "signals_disagree": figures.signals_disagree,
        "survival": {"edits": figures.edits, **figures.survival},
        "ai_share": {**share, "characters": figures.characters, "ai_characters": figures.ai_characters},
    }


def _trust_text(manifest: DatasetManifest) -> str:
    if manifest.trust is not None:
        return f"{len(manifest.trust)} listed (--trust)"
    return "any signer" if manifest.trust_issuer is None else "only unlinkable ones (--trust-issuer)"


def consent_mode(manifest: DatasetManifest) -> str:
    """How the dataset's episodes were consented to: attributed (each names its signer's key), unlinkable
    (each under a key of its own an issuer authorised blindly), or both."""
    if manifest.trust_issuer is None:
        return "attributed"
    return "unlinkable" if manifest.trust is None else "attributed and unlinkable"


def k_text(manifest: DatasetManifest) -> str:
    """k as the card states it: the last build's, and the lowest an earlier build published under when it
    was lower (a higher k is taken; a lower one is refused, build.py)."""
    used = manifest.k_used()
    if not used:
        return "none"
    if min(used) < used[-1]:
        return f"{used[-1]} (earlier builds published under k = {min(used)})"
    return str(used[-1])


def croissant(url: str, manifest: DatasetManifest, facts: Facts) -> dict[str, Any]:
    uses = "; ".join(f"{purpose} ({count} episode{'s' * (count != 1)})" for purpose, count in facts.purposes)
    licences = [f"https://spdx.org/licenses/{licence}" for licence, _ in facts.licences
                if spdx_problem(licence) is None and " " not in licence and not licence.startswith("(")]
    data: dict[str, Any] = {
        "@context": CONTEXT, "@type": "sc:Dataset",
        "name": "codetape-dataset",
        "description": "Developers' recorded work (edits, saves, diagnostics, test runs, terminal commands, "
                       "git operations) as timestamped steps, each episode reviewed and signed by its "
                       "developer before it was shared; built by codetape.",
        "conformsTo": "http://mlcommons.org/croissant/1.0",
        "citeAs": "codetape dataset",
        "url": url,
        "version": f"{len(manifest.builds)}.0.0",
        "datePublished": manifest.builds[-1].finished_at.strftime("%Y-%m-%d") if manifest.builds else None,
        "license": licences or None,
        "rai:dataCollection": (
            "Recorded on developers' own machines by codetape: a language-server bridge beside their editor "
            "(edits, saves, diagnostics, cursor), a file watcher, git, the shell hook and test reports, in "
            "workspaces each developer opted in. Each episode was reviewed (files excluded, time ranges "
            "dropped, text trimmed) and signed by its developer before upload."),
        "rai:dataCollectionType": ["Direct measurement"],
        "rai:dataCollectionTimeframe": [facts.first.strftime("%Y-%m-%d"), facts.last.strftime("%Y-%m-%d")]
        if facts.first is not None and facts.last is not None else None,
        "rai:dataPreprocessingProtocol": (
            "Secrets replaced by placeholders naming their rule before an episode left its journal; files "
            "excluded by the workspace or organisation policy never recorded; the developer's trims applied "
            "before signing. The build verified every episode's hash, signature, consent scope and replay, "
            "and left out the rest (table rejected), revoked episodes and those past their signed "
            "retain_until."),
        "rai:personalSensitiveInformation": (
            "Source code, file paths, terminal commands and their output, test names and messages from the "
            "contributors' workspaces, and the editor they used. Secrets matching the redaction rules were "
            "replaced, but code and output may still hold personal data (names, e-mail addresses in "
            "comments or commits) that no rule recognises. " + _signers_said(manifest)),
        "rai:dataUseCases": uses or None,
        "rai:dataLimitations": (
            "Only what the editor, the watchers and the hooks reported: work outside opted-in workspaces, in "
            "other tools, or while recording was paused is missing (gap steps say where). Whose work an edit "
            "is (origin) is known only where an editor or agent gave evidence; the rest is unknown."),
        "additionalProperty": _properties(manifest),
        "distribution": [_file_set(name) for name in TABLES],
        "recordSet": [_record_set(name) for name in TABLES],
    }
    return {key: value for key, value in data.items() if value is not None}


def _signers_said(manifest: DatasetManifest) -> str:
    attributed = "Attributed episodes name their signer by the signer's public key (signer_key_id)."
    if manifest.trust_issuer is None:
        return attributed
    unlinkable = (
        f"Unlinkable episodes name no signer: each is signed with a key of its own, authorised blindly (RFC "
        f"9474) by issuer {manifest.trust_issuer}, so a receiver can tell that an enrolled member consented, "
        "not which one nor whether two episodes came from the same member; a month is published once at "
        f"least k = {k_text(manifest)} members took authorisations under its key. Their times keep the day "
        "only, codetape's and the editor's versions major.minor (the editor's release channel left out), "
        "step times 100 ms steps (unless the statement's timing is exact); they name no workspace folder "
        "and no git remote but a shared one the organisation's policy lists. Their commit ids (the git "
        "table's sha, parents, old and new, the header's head_at_start, and their abbreviations in "
        "commands, output and messages) and agent conversation ids are "
        "pseudonyms of that episode alone: the same commit has the same pseudonym within an episode, and no "
        "repository holds it. The content itself (a repository only one member works on, a coding style, "
        "work pushed to a shared repository) can still identify a member, and the issuer knows who enrolled "
        "and how many authorisations each took.")
    return unlinkable if manifest.trust is None else f"{attributed} {unlinkable}"


def _properties(manifest: DatasetManifest) -> list[dict[str, Any]]:
    """The consent mode and k as schema.org PropertyValues, for a machine to read what the card says."""
    found: list[dict[str, Any]] = [{
        "@type": "sc:PropertyValue", "name": "consent_mode", "value": consent_mode(manifest),
        "description": "attributed: each episode names its signer's key; unlinkable: each is signed under a "
                       "key of its own an issuer authorised blindly, naming no one"}]
    used = manifest.k_used()
    if manifest.trust_issuer is not None and used:
        found.append({
            "@type": "sc:PropertyValue", "name": "min_contributors", "value": used[-1], "minValue": min(used),
            "description": "k (--min-contributors): a month of unlinkable episodes is published once at "
                           "least this many members took authorisations under its key (minValue: the lowest "
                           "k any build published under)"})
    return found


@dataclass(frozen=True)
class _Column:
    name: Ours
    type: Ours
    nullable: bool
    description: Ours


@dataclass(frozen=True)
class _Doc:
    summary: Ours
    key: Ours
    order: Ours


@dataclass(frozen=True)
class _Table:
    name: Ours
    rows: int
    doc: _Doc
    columns: list[_Column]


def _table(name: str, manifest: DatasetManifest) -> _Table:
    schema, doc = TABLES[name], DOCS[name]
    return _Table(Ours(name), manifest.rows.get(name, 0), _Doc(Ours(doc.summary), Ours(doc.key),
                                                                Ours(doc.order)),
                  [_Column(Ours(f.name), Ours(str(f.type)), f.nullable, Ours(doc.columns[f.name]))
                   for f in schema])


def _file_set(name: str) -> dict[str, Any]:
    return {"@type": "cr:FileSet", "@id": f"{name}-files", "name": f"{name}-files",
            "description": f"the Parquet files of {name}", "encodingFormat": "application/x-parquet",
            "includes": f"{name}/**/*.parquet"}


def _record_set(name: str) -> dict[str, Any]:
    doc = DOCS[name]
    fields = [_field(name, arrow) for arrow in TABLES[name]]
    return {"@type": "cr:RecordSet", "@id": name, "name": name, "description": doc.summary, "field": fields}


def _field(table: str, arrow: pa.Field) -> dict[str, Any]:
    described = DOCS[table].columns[arrow.name]
    made: dict[str, Any] = {"@type": "cr:Field", "@id": f"{table}/{arrow.name}", "name": arrow.name,
                            "description": described}
    source: dict[str, Any] = {"fileSet": {"@id": f"{table}-files"}}
    if arrow.name == PARTITION:  # in the path, not in the files
        source["extract"] = {"fileProperty": "fullpath"}
        source["transform"] = {"regex": f"^.*{PARTITION}=([0-9]{{4}}-[0-9]{{2}})/.*$"}
        made.update(dataType="sc:Text", source=source)
        return made
    source["extract"] = {"column": arrow.name}
    kind = arrow.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        made["repeated"] = True
        kind = kind.value_type
    if pa.types.is_struct(kind):
        made["subField"] = [{"@type": "cr:Field", "@id": f"{table}/{arrow.name}/{child.name}",
                             "name": child.name, "dataType": _data_type(child.type),
                             "source": {"fileSet": {"@id": f"{table}-files"},
                                        "extract": {"column": arrow.name}, "transform": {
                                            "jsonPath": child.name}}}
                            for child in kind]
        made["dataType"] = "sc:Text"
    else:
        made["dataType"] = _data_type(kind)
    made["source"] = source
    return made


def _data_type(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind):
        return "sc:Integer"
    if pa.types.is_floating(kind):
        return "sc:Float"
    if pa.types.is_boolean(kind):
        return "sc:Boolean"
    if pa.types.is_timestamp(kind) or pa.types.is_date(kind):
        return "sc:Date"
    return "sc:Text"


def _hf_licences(facts: Facts) -> list[str]:
    """Hugging Face's `license` (a list): the SPDX licence ids the episodes' licences name, in lower case,
    `other` for episodes shared under a licence of their own (`LicenseRef-`, text that names none), and
    `unknown` for episodes shared under no licence (nothing said is no licence of any kind)."""
    found: set[str] = set()
    for licence, _count in facts.licences:
        found.update(["unknown"] if isinstance(licence, Ours) else licence_ids(licence) or ["other"])
    named = sorted(found - {"other", "unknown"})
    return named + [tag for tag in ("other", "unknown") if tag in found] if found else ["unknown"]


def _one_line(value: object, limit: int | None = CELL_LIMIT) -> str:
    return squeezed(value, limit)


def _cell(value: Ours) -> Markup:
    """codetape's own text as one Markdown table cell, whole: one line, `|` escaped, HTML's specials as
    entities."""
    return Markup(html.escape(_one_line(value, None), quote=False).replace("|", "\\|"))


def _code_cell(value: object) -> Markup:
    """A text as a code span in a table cell: `|` escaped, which GFM tables take out before the span."""
    return Markup(_code(value).replace("|", "\\|"))


def _count(value: int) -> Markup:
    return Markup(f"{value:,}")


def _finalize(value: object) -> Markup:
    """What `{{ ... }}` writes: markup as made, codetape's text as a cell, numbers, anything else escaped."""
    if isinstance(value, Markup):
        return value
    if isinstance(value, Ours):
        return _cell(value)
    if isinstance(value, int):
        return _count(value)
    return _code_cell(value)


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("collector.dataset.card", "templates"), undefined=StrictUndefined,
                      autoescape=True, keep_trailing_newline=True)
    env.filters.update(count=_count, code=_code)
    env.finalize = _finalize
    return env
