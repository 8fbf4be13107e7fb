"""The dataset card's README, written into OUT by every build (`write_card`), croissant.json beside it.

`README.md` holds Hugging Face's card metadata (one `configs` entry per table, an empty one too, so
`datasets.load_dataset(OUT, "steps")` loads that table and not whatever `datasets` guesses, and one per
training export with Parquet twins, `load_dataset(OUT, "kto")`, each export a section: exports.py; each
config names the exact files the build left, never a glob: `table_files`;
`license` the SPDX ids the episodes' licences name, lower-cased as the hub lists them; `language`,
`task_categories` and `size_categories` from the hub's vocabularies; the scorecard's figures as numbers
under `codetape`), what the dataset holds, how it was made (consent, redaction, revocation), its
scorecard (scores.py), its licences and purposes, and the data dictionary (dictionary.py) for every
table, each label column marked (rows/contract.py; each training export's too, from its writer's
declaration: contract.py), the data contract page named for what each consent mode does:
templates/card.md.j2 rendered with the `Facts` read from the manifest and the `episodes` table (facts.py);
croissant.json is croissant.py's.

Whatever the template interpolates is taken for contributor text unless it says otherwise, and written as
code: one line, one inline code span fenced by more backticks than it holds, `|` escaped for the table around
it (`_code_cell`). Nothing in a code span is markup, so a purpose or a licence shows as exactly its
characters: no image a hub's visitors fetch, no link or autolink, no HTML tag or entity, no emphasis, heading
or extra table cell. codetape's own text (the data dictionary, what the build says) is marked `Ours` and
written as a table cell (`_cell`), whole (never cut); numbers and `Markup` (the `count` and `code` filters'
output) as they are. The YAML metadata is no template's: PyYAML dumps it, quoting a text as YAML needs, so an
outcome that reads `---` or `configs: []` stays a string inside `codetape`.
"""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import yaml
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from collector import __version__
from collector.dataset.card.contract import PAGE, export_contracts
from collector.dataset.card.croissant import croissant
from collector.dataset.card.dictionary import TABLES as DOCS
from collector.dataset.card.exports import TRAINING, balance, configs, loading, named_twins, training_exports
from collector.dataset.card.facts import Facts, Ours, k_text, read_facts
from collector.dataset.card.left_out import left_out, said
from collector.dataset.card.scores import Scores, score_keys, scorecard, scores
from collector.dataset.output.layout import empty_file
from collector.dataset.output.manifest import DatasetManifest
from collector.dataset.output.output import Output
from collector.dataset.rows.contract import LABELS
from collector.dataset.rows.tables import TABLES
from collector.policy.spdx import licence_ids
from collector.text.markdown import code_span as _code
from collector.text.markdown import squeezed

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


def write_card(out: Output, manifest: DatasetManifest) -> None:
    """Write README.md and croissant.json into OUT for the dataset as the manifest now describes it."""
    facts = read_facts(out, manifest)
    out.write(README, (piece.encode("utf-8") for piece in readme_pieces(manifest, facts)))
    out.write(CROISSANT, (json.dumps(croissant(out.url, manifest, facts), indent=1, ensure_ascii=False)
                          + "\n").encode("utf-8"))


def readme(manifest: DatasetManifest, facts: Facts) -> str:
    """The card's README (all of it, in memory: `write_card` writes it in pieces)."""
    return "".join(readme_pieces(manifest, facts))


def readme_pieces(manifest: DatasetManifest, facts: Facts) -> Iterator[str]:
    """The card's README in pieces: the rendered template, each training export's list of Parquet twins
    named as the pieces are taken (exports.py `named_twins`)."""
    return named_twins(_rendered(manifest, facts), training_exports(manifest), facts.twins)


def _rendered(manifest: DatasetManifest, facts: Facts) -> str:
    figures = scores(manifest, facts)
    rejected = sum(manifest.rejected.values())
    total = sum(facts.inserted.values())
    origins = ", ".join(f"{origin} {chars / total:.0%}" for origin, chars in facts.inserted.most_common(6)
                        ) if total else ""
    left = left_out(manifest)
    context = {
        "version": Ours(__version__), "manifest": manifest, "facts": facts, "contract": Ours(f"docs/{PAGE}"),
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
        "exports": [_export(name, facts.labels.get(name, Counter()), left.get(name, Counter()))
                    for name in training_exports(manifest)],
        "others_left_out": [(Ours(fmt), Ours(said(left[fmt]))) for fmt in manifest.exports
                            if fmt not in TRAINING and fmt in left],
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
        "configs": [*({"config_name": name,
                       "data_files": [{"split": "train", "path": table_files(manifest, name)}],
                       **({"default": True} if name == default else {})} for name in TABLES),
                    *configs(manifest, facts.labels, facts.twins)],
        "codetape": score_keys(figures),
    }
    text: str = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    return text


def table_files(manifest: DatasetManifest, table: str) -> list[str]:
    """The files of `table` the manifest names now (its empty file when it has none), as its config names
    them: `datasets` keys its cache by a config's `data_files` as written, so a glob would serve the rows
    of the first build it loaded after later builds added files; a list changes with every build."""
    return sorted(manifest.files.get(table) or [empty_file(table)])


def size_category(rows: int) -> str:
    """The hub's `size_categories` bucket for a table of `rows` rows: `n<1K` below 1,000, `1K<n<10K` from
    1,000, ... `n>1T` from 10^12."""
    for power, label in enumerate(SIZE_CATEGORIES, start=3):
        if rows < 10 ** power:
            return label
    return "n>1T"


def _trust_text(manifest: DatasetManifest) -> str:
    if manifest.trust is not None:
        return f"{len(manifest.trust)} listed (--trust)"
    return "any signer" if manifest.trust_issuer is None else "only unlinkable ones (--trust-issuer)"



@dataclass(frozen=True)
class _Export:
    name: Ours
    label: Ours
    balance: Ours
    bias: Ours
    load: str  # codetape's own code, in a code span
    left_out: Ours
    labels: Ours  # its label columns, as its writer declares them (contract.py)


@dataclass(frozen=True)
class _Column:
    name: Ours
    type: Ours
    nullable: bool
    description: Ours
    label: bool  # the label, or follows from what happened after the row's moment (rows/contract.py)


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


def _export(name: str, labels: Counter[str], left: Counter[str]) -> _Export:
    doc, contract = TRAINING[name], export_contracts()[name]
    columns = ", ".join(f"`{f.name}`" for f in contract.fields if f.name in contract.labels)
    return _Export(Ours(name), Ours(doc.label), Ours(balance(name, labels)), Ours(doc.bias),
                   loading(name, labels["rows"]), Ours(said(left)), Ours(columns or "none"))


def _table(name: str, manifest: DatasetManifest) -> _Table:
    schema, doc = TABLES[name], DOCS[name]
    return _Table(Ours(name), manifest.rows.get(name, 0), _Doc(Ours(doc.summary), Ours(doc.key),
                                                                Ours(doc.order)),
                  [_Column(Ours(f.name), Ours(str(f.type)), f.nullable, Ours(doc.columns[f.name]),
                           f.name in LABELS.get(name, ()))
                   for f in schema])


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
