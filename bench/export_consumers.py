"""Every export of a dataset build, loaded by its consumer's own code (issue 55): how many rows each
consumer takes of how many written.

    .venv/bin/python -m bench.export_consumers [--sessions 12] [--scale 0.05] [--no-readme]

The build: `--sessions` generated sessions (tests/support/sessions.py, the profiles in turn: training
sessions carry a HEAD, a snapshot, offers and an agent) and the golden episodes of tests/fixtures/episodes
(an AI's offers, agents, origins, unicode, every step kind), signed and built by `codetape dataset build
--exports` with every per-episode format. The consumers:

- every JSON format: `datasets.load_dataset("json")` over its whole folder, the files in both orders
  (zeta2 too: every row holds `rejected_patch`, null where there is none);
- swe-messages and swe-messages-developer: TRL's own `SFTTrainer._prepare_dataset` with the Qwen2.5 training
  template TRL ships, `assistant_only_loss` on, after docs/exports.md's map parsing the arguments
  (tests/support/trl_sft.py; a tokenizer built locally, one token per byte);
- dpo and dpo-fim: TRL's own `DPOTrainer._prepare_dataset` (tests/support/trl_dpo.py);
- zeta2: as Zed's loader takes an ExampleSpec: a repository holding the files at `revision` (the
  session's snapshot), `git apply` of `uncommitted_diff`, then `edit_history` hunk by hunk as udiff.rs
  resolves it (tests/support/zed_udiff.py), which must give the text the burst began in, and the expected
  patch the text after it;
- progsnap2-zip: unzipped, MainTable.csv read by the csv module, every CodeStateID a directory in it.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from bench.report import command_line, machine, table, write_section

FIXTURES = ("full", "offers", "agents", "origins", "unicode")
PROFILES = ("training", "mixed", "edit-heavy")


def build(work: Path, sessions: int, scale: float) -> tuple[Path, dict[str, Any]]:
    """The built dataset's folder, and each generated session by its episode id."""
    from collector.episode import write_episode_file
    from collector.export import per_episode_formats
    from tests.cli import codetape
    from tests.support.dataset_helpers import contributor, sign, upload
    from tests.support.sessions import generate

    alice = contributor(work, "alice")
    made = {}
    for seed in range(sessions):
        session = generate(seed + 100, PROFILES[seed % len(PROFILES)], scale=scale)
        path = alice.home.ensure(alice.home.episodes) / f"{session.header.episode_id}.ctape"
        write_episode_file(path, session.header, session.steps, level=3)
        sign(alice, path)
        made[str(session.header.episode_id)] = session
    for name in FIXTURES:
        sign(alice, Path(__file__).parents[1] / "tests" / "fixtures" / "episodes" / f"{name}.ctape")
    upload(alice, (work / "source").as_uri())
    out = work / "built"
    done = codetape(work / "team", "dataset", "build", str(work / "source"), "-o", str(out), "--exports",
                    ",".join(per_episode_formats()))
    if done.returncode != 0:
        raise SystemExit(f"the build failed: {done.stderr[-2000:]}")
    return out, made


def files_of(out: Path, fmt: str) -> list[str]:
    return sorted(str(path) for path in (out / "exports" / fmt).rglob("*.*")
                  if path.stat().st_size and path.suffix != ".parquet")  # (not the Parquet twins: twins.py)


def lines(files: list[str]) -> int:
    return sum(len(Path(name).read_text(encoding="utf-8").splitlines()) for name in files)


def with_datasets(fmt: str, files: list[str], cache: Path) -> int:
    """Rows `datasets` loads from the folder, the same in both orders of its files."""
    import datasets

    counts = set()
    for order in (files, files[::-1]):  # zeta2 too: every row holds rejected_patch, null where none
        counts.add(datasets.load_dataset("json", data_files=order, split="train",
                                         cache_dir=str(cache)).num_rows)
    (count,) = counts
    return int(count)


def with_trl_sft(files: list[str], cache: Path) -> int:
    import datasets

    from collector.export.traces.swe_messages import PARSE_ARGUMENTS
    from tests.support.trl_sft import prepare, qwen_tokenizer

    loaded = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(cache))
    scope: dict[str, Any] = {"json": json, "ds": loaded}
    exec(PARSE_ARGUMENTS, scope)
    return int(prepare(scope["ds"], qwen_tokenizer()).num_rows)


def with_trl_dpo(files: list[str], cache: Path) -> int:
    import datasets

    from tests.support.trl_dpo import byte_tokenizer, prepare

    loaded = datasets.load_dataset("json", data_files=files, split="train", cache_dir=str(cache))
    return int(prepare(loaded.select_columns(["prompt", "chosen", "rejected"]), byte_tokenizer()).num_rows)


def with_zed(files: list[str], made: dict[str, Any], scratch: Path) -> int:
    """Rows that load as Zed's loader loads them and give the texts the replay has."""
    from collector.export.edits.zeta2 import INLINE_CURSOR
    from collector.reconstruct.workspace import workspace_at
    from schemas.steps import GapStep
    from tests.support.zed_udiff import apply_diff, events

    loaded = 0
    for name in files:
        for number, line in enumerate(Path(name).read_text(encoding="utf-8").splitlines()):
            example = json.loads(line)
            session = made[example["name"].split(":")[0]]
            first_step = session.steps[0]
            head = {file.path: file.text for file in first_step.state or () if file.at_head} \
                if isinstance(first_step, GapStep) else {}
            work = scratch / f"{Path(name).stem}-{number}"
            work.mkdir(parents=True)
            for path, text in head.items():
                (work / path).parent.mkdir(parents=True, exist_ok=True)
                (work / path).write_text(text or "", encoding="utf-8")
            subprocess.run(["git", "init", "-q"], cwd=work, check=True)
            applied = subprocess.run(["git", "apply", "--allow-empty", "-"], cwd=work, capture_output=True,
                                     input=example["uncommitted_diff"].encode(), check=False)
            if applied.returncode != 0:
                continue
            paths = {path for kind, path, _hunk, _status in events(example["edit_history"]) if kind == "hunk"}
            cursor = example["cursor_path"]
            texts = apply_diff(example["edit_history"], {
                path: (work / path).read_text(encoding="utf-8") for path in paths | {cursor}
                if (work / path).is_file()})
            first, last = (int(n) for n in example["name"].split(":")[1].split("-"))
            began = workspace_at("utf-16", session.steps, first - 1).text(cursor)
            after = apply_diff(example["expected_patches"][0], dict(texts))[cursor]
            excerpt = example["cursor_position"].replace(INLINE_CURSOR, "")
            ended = workspace_at("utf-16", session.steps, last).text(cursor)
            if texts[cursor] == began and texts[cursor].count(excerpt) == 1 and after == ended:
                loaded += 1
    return loaded


def with_progsnap2(files: list[str]) -> tuple[int, int]:
    """(events read, events written) of the MainTables, every state they name in the archive."""
    read = 0
    for name in files:
        with zipfile.ZipFile(name) as archive:
            names = set(archive.namelist())
            rows = list(csv.DictReader(io.TextIOWrapper(archive.open("MainTable.csv"), encoding="utf-8",
                                                        newline="")))
        read += sum(f"CodeStates/{row['CodeStateID']}/" in names for row in rows)
        del rows
    total = 0
    for name in files:
        with zipfile.ZipFile(name) as archive:
            total += len(archive.read("MainTable.csv").decode("utf-8").splitlines()) - 1
    return read, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=12)
    parser.add_argument("--scale", type=float, default=0.05)
    parser.add_argument("--no-readme", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="codetape-bench-consumers-") as scratch:
        work = Path(scratch)
        out, made = build(work, args.sessions, args.scale)
        cache = work / "hf"
        rows: list[list[object]] = []
        for fmt in ("jsonl-rows", "atif", "zeta", "zeta2", "dpo", "dpo-fim", "swe-messages",
                    "swe-messages-developer", "agent-trace"):
            files = files_of(out, fmt)
            written = lines(files)
            rows.append([fmt, "datasets.load_dataset(\"json\"), both file orders", written,
                         with_datasets(fmt, files, cache)])
            if fmt.startswith("swe-messages"):
                rows.append([fmt, "TRL SFTTrainer._prepare_dataset (Qwen2.5 template, assistant_only_loss)",
                             written, with_trl_sft(files, cache)])
            if fmt.startswith("dpo"):
                rows.append([fmt, "TRL DPOTrainer._prepare_dataset", written, with_trl_dpo(files, cache)])
            if fmt == "zeta2":
                rows.append([fmt, "Zed's loader (git apply, udiff.rs hunks), texts checked", written,
                             with_zed(files, made, work / "zed")])
        read, total = with_progsnap2(files_of(out, "progsnap2-zip"))
        rows.append(["progsnap2-zip", "unzipped, MainTable.csv by csv, each state in the archive", total,
                     read])
    body = "\n".join([
        f"Command: `{command_line()}` ({machine()}). A build of {args.sessions} generated sessions (scale "
        f"{args.scale}) and the {len(FIXTURES)} golden episodes, every per-episode format.\n",
        table(["export", "consumer", "rows written", "rows the consumer takes"], rows)])
    print(body)
    if not args.no_readme:
        write_section("export-consumers", body)


if __name__ == "__main__":
    main()
