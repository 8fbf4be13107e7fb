"""Exports of episodes to the training formats people use (jsonl, ATIF, Zed's zeta, preference pairs,
ProgSnap2, ...): `FORMATS` (formats.py) is the one list, each format with a line saying what it writes,
and `codetape export --help` prints it.

Public API (what `codetape export` and `codetape dataset build --exports` call):

    FORMATS: dict[str, Format]
        The formats by name. `Format.summary` is one line saying what it writes; `Format.suffix` names a
        per-episode format's files, `<episode id><suffix>`
        (None for progsnap2, one dataset of all the episodes); `Format.open(out_dir, result)` is how
        export_episodes starts one (a context manager giving an Exporter with `add(episode)`).

    export_episodes(episodes, fmt, out_dir, *, progress=None, splits=None) -> ExportResult
        `episodes`: any iterable of episode paths or of `Episode`s already opened (collector.episode);
        read one at a time, steps streamed, so memory does not grow with their number. `out_dir` is
        created if missing; files of the same name in it are replaced (each one atomically), nothing
        else there is touched or removed. An episode id already exported in this call is skipped and
        counted. `progress(bytes)` is called after each episode with its file's size.
        Raises UsageError (exit 2) for an unknown format, EpisodeError (exit 1) naming the first
        episode that cannot be exported: damaged, hostile (its export would pass its allowance,
        allowance.py), or steps that do not replay. `splits` (episode id -> train, eval, none): what a
        dataset decided; without it the formats that say a split decide it over the episodes given
        (split.py), reading them once more first.

    ExportResult: format, out_dir, episodes, files, records, skipped (Counter: reason -> count),
        coarse_diffs, and describe() -> one line for people.

A format is written by the module of its name (jsonl.py, traces/atif.py, edits/zeta.py, preferences/kto.py,
...), which formats.py names; docs/exports.md says what each one writes. The package goes by family, each
family's shared code in its `base` (pyproject.toml's export contracts: the driver over the families, over
follow and the families' bases; no family importing another but for its base):

    run.py         export_episodes
    formats.py     FORMATS
    split.py       the episodes' train/eval split (run's, and the dataset's)
    jsonl.py, jsonl_rows.py   the episode's lines as they are
    edits/         next-edit examples: zeta, zeta2; base/: edit bursts (a run of edits to one file with no
                   other step between them but cursor and diagnostics reports, none more than 3 s after the
                   one before: what every family sees of typing), the examples a split compares
    preferences/   dpo, kto, stepwise; base.py: the rows of AI suggestions, what stayed of each taken
    traces/        atif, swe-messages, agent-trace; base/: ATIF's steps, swe-messages' tool calls
    progsnap2/     progsnap2, progsnap2-zip; base.py: the code states
    authors.py     who wrote each line (agent-trace's)
    revision.py    a file's text at the revision (zeta2's)
    per_episode.py the formats that write a file per episode, atomically
    follow.py      formats that follow a replay (the build's, or one of their own): one replay feeds them all
    allowance.py   what one episode may make an export write and spend on diffs, by its size
    timestamps.py  step times as UTC timestamps
    result.py      ExportResult
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from collector.export.formats import FORMATS, Exporter, Format, per_episode_formats
from collector.export.result import ExportResult

if TYPE_CHECKING:
    from collector.export.run import export_episodes


def __getattr__(name: str) -> Any:  # export_episodes loads the episode reader: only when called for
    if name == "export_episodes":
        # (see the def line)
        from collector.export.run import export_episodes

        return export_episodes
    raise AttributeError(f"module 'collector.export' has no attribute {name!r}")

__all__ = ["FORMATS", "ExportResult", "Exporter", "Format", "export_episodes", "per_episode_formats"]
