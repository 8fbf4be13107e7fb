"""Recall through the collector's real seal: every case on one of ten channels, sealed, then searched.

    python -m corpora.sealed_recall fresh trufflehog   # a frozen fresh corpus (corpora/fresh_corpus/)
    python -m corpora.sealed_recall heldout            # the held-out corpus, seed 1
    python -m corpora.sealed_recall paraphrased

Every case's text goes into a journal (the collector's `JournalWriter`) on one channel: a file opened
and saved, a file changed on disk, a command line, a `codetape run` command's output, a commit message,
a test's failure, a note, a task statement, a diagnostic, a command's argv; every `TYPED_EVERY`th case is
typed one key at a time into a buffer instead. The journal is sealed with `seal_redacted` (what the
collector runs), and the episode is searched byte for byte (frames decompressed) and as `codetape cat`
prints it. Recall: the share of values no longer anywhere in full. The integration tests
`tests/integration/redact/test_redaction_heldout.py` and `test_redaction_fresh.py` assert on the same figures.

Only the figure is printed: listing a fresh corpus's misses (`--misses`) spends it (see
corpora/fresh_corpus/README.md).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from collector.episode import open_episode
from collector.episode.container import decompress, iter_frames, read_preamble
from collector.journal import JournalWriter
from collector.redact import RuleSet, scan
from collector.seal.redacted import seal_redacted
from collector.text.digest import sha256_text
from corpora.redaction_corpus import Case
from schemas import EpisodeHeader, step_from_dict
from schemas.common import validated

TYPED_EVERY = 24  # every 24th case is typed one key at a time (the rest arrive whole)
LEAK = 4  # characters of a secret a step may show


def _position(text: str) -> tuple[int, int]:
    lines = text.split("\n")
    return len(lines) - 1, len(lines[-1].encode("utf-16-le")) // 2


def path_of(n: int, case: Case) -> str:
    return f"cases/{case.context}/{n}.txt"


def is_typed(n: int) -> bool:
    return n % TYPED_EVERY == 1


def steps_of(n: int, case: Case) -> list[dict[str, Any]]:
    """The journal steps that carry case `n`'s text on its channel."""
    text, path = case.text, path_of(n, case)
    if is_typed(n):
        steps: list[dict[str, Any]] = [{"kind": "open", "source": "bridge", "path": path, "text": ""}]
        for i, ch in enumerate(text):
            line, col = _position(text[:i])
            at = {"line": line, "character": col}
            steps.append({"kind": "edit", "source": "bridge", "path": path,
                          "changes": [{"range": {"start": at, "end": at}, "text": ch}]})
        return [*steps, {"kind": "save", "source": "bridge", "path": path, "sha256": sha256_text(text)}]
    channels: list[list[dict[str, Any]]] = [
        [{"kind": "open", "source": "bridge", "path": path, "text": text},
         {"kind": "save", "source": "bridge", "path": path, "text": text, "sha256": sha256_text(text)}],
        [{"kind": "file_change", "source": "watcher", "path": path, "change": "created", "text": text,
          "sha256": sha256_text(text)}],
        [{"kind": "command", "source": "shell", "command_line": text.strip()}],
        [{"kind": "command", "source": "run", "argv": ["sh", "-c", "cat config"], "exit_code": 0,
          "output_tail": text}],
        [{"kind": "git", "source": "git", "op": "commit", "sha": f"{n:07x}",
          "message": f"Add config\n\n{text}"}],
        [{"kind": "test_run", "source": "pytest", "exit_status": 1, "tests": [
            {"nodeid": f"tests/test_config.py::test_{n}", "outcome": "failed",
             "summary": f"AssertionError: assert {text!r} == ''"}]}],
        [{"kind": "note", "source": "cli", "text": text}],
        [{"kind": "task", "source": "cli", "action": "start", "statement": text}],
        [{"kind": "diagnostics", "source": "bridge", "path": "settings.py", "items": [
            {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}},
             "message": f"hard-coded credential? {text}", "severity": 2}]}],
        [{"kind": "command", "source": "shell", "argv": text.split()}],
    ]
    return channels[n % 10]


@dataclass(frozen=True)
class Sealed:
    cases: Sequence[Case]
    episode: Path
    blob: bytes  # the sealed file's bytes, then its frames decompressed
    cat: str  # what `codetape cat` printed
    seconds: float  # the seal

    def shown(self) -> list[tuple[str, str, str]]:
        """(provider, kind of line, value) of every value still somewhere in full."""
        return [(c.family, c.context, v) for c in self.cases for v in c.values
                if v.encode() in self.blob or v in self.cat]

    def found_by_scan(self) -> set[str]:
        """The values redaction finds in their case's text, scanned alone (the rest are recall misses)."""
        rules = RuleSet.default()
        return {v for c in self.cases for v in c.values
                if any(f.start <= c.text.find(v) and c.text.find(v) + len(v) <= f.end
                       for f in scan(c.text, rules))}

    def recall(self) -> float:
        return 1 - len(self.shown()) / sum(len(c.values) for c in self.cases)

    def typed_shown(self, only: set[str] | None = None) -> tuple[int, list[tuple[str, str]]]:
        """Typed cases (those whose value is in `only`, if given), and those of them a step shows more
        than `LEAK` characters of (a piece of a placeholder, `pypi-` of «redacted:pypi-token:1», is no
        leak)."""
        by_path: dict[str, list[str]] = {}
        placeholders: list[str] = []
        for step in open_episode(self.episode).step_dicts():
            if step["kind"] == "redaction":
                placeholders.append(str(step["placeholder"]))
            elif "path" in step:
                dump = repr({k: v for k, v in step.items() if k != "sha256"})
                by_path.setdefault(str(step["path"]), []).append(dump)
        typed = [(n, c) for n, c in enumerate(self.cases)
                 if is_typed(n) and (only is None or set(c.values) <= only)]
        shown = []
        for n, case in typed:
            steps = by_path.get(path_of(n, case), [])
            for value in case.values:
                pieces = {value[i:i + LEAK + 1] for i in range(len(value) - LEAK)}
                pieces = {p for p in pieces if not any(p in placeholder for placeholder in placeholders)}
                if any(piece in step for step in steps for piece in pieces):
                    shown.append((case.family, case.context))
        return len(typed), shown


def seal_cases(cases: Sequence[Case], tmp: Path, name: str = "recall") -> Sealed:
    """Journal every case on its channel, seal the journal as the collector does, read it back."""
    header = validated({
        "codetape_version": "0.1.0", "episode_id": "5f0c2a9e-1b7d-4e3a-8c6f-9d2e4b1a7c30",
        "started_at": "2026-11-22T10:00:00Z", "workspace": {"root_name": name}}, EpisodeHeader)
    journal = tmp / f"{name}.journal"
    t = 0
    with JournalWriter.create(journal, header, fsync=lambda fd: None) as writer:
        for n, case in enumerate(cases):
            for step in steps_of(n, case):
                writer.append(step_from_dict({**step, "t_ms": t}))
                t += 1
    episodes = tmp / "episodes"
    episodes.mkdir()
    started = time.perf_counter()
    result = seal_redacted(journal, episodes)
    seconds = time.perf_counter() - started
    if result is None:
        raise RuntimeError("the seal wrote no episode")
    raw = result.path.read_bytes()
    with result.path.open("rb") as stream:
        read_preamble(stream)
        frames = b"".join(decompress(f) if f.type in (0x48, 0x53) else f.payload for f in iter_frames(stream))
    cat = subprocess.run([sys.executable, "-m", "collector", "cat", str(result.path)],
                         env={**os.environ, "CODETAPE_HOME": str(tmp / "home")}, capture_output=True,
                         text=True, timeout=600, check=False)
    if cat.returncode != 0:
        raise RuntimeError(f"codetape cat failed: {cat.stderr.strip()}")
    return Sealed(tuple(cases), result.path, raw + frames, cat.stdout, seconds)


def corpus(what: str, source: str) -> list[Case]:
    if what == "fresh":
        from corpora.fresh_corpus import load
        return load(source)
    from corpora import heldout_corpus
    return heldout_corpus.build(1) if what == "heldout" else heldout_corpus.paraphrased(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("what", choices=["fresh", "heldout", "paraphrased"])
    parser.add_argument("source", nargs="?", default="trufflehog",
                        help="a fresh corpus (corpora/fresh_corpus/)")
    parser.add_argument("--misses", action="store_true",
                        help="list the values missed (spends a fresh corpus)")
    args = parser.parse_args()
    cases = corpus(args.what, args.source)
    with tempfile.TemporaryDirectory() as tmp:
        sealed = seal_cases(cases, Path(tmp))
        shown = sealed.shown()
        typed, typed_shown = sealed.typed_shown()
    values = sum(len(c.values) for c in cases)
    print(f"{args.what} {args.source if args.what == 'fresh' else ''}: {len(cases)} cases, "
          f"{len({c.family for c in cases})} providers, {values} values; "
          f"left in full after the seal: {len(shown)}; recall {1 - len(shown) / values:.2%}; "
          f"typed cases showing > {LEAK} characters: {len(typed_shown)}/{typed}; seal {sealed.seconds:.1f} s")
    if args.misses:
        for provider, context, value in shown:
            print("missed", provider, context, value)


if __name__ == "__main__":
    main()
