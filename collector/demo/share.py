"""The demo's second half, the whole mission on the embedded defaults: sign the sealed episode with a
demo key made in the scratch home, upload it to a `file://` destination in the scratch folder, build the
dataset from there as a data team would, and ask DuckDB one question of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from collector.errors import CodetapeError

Codetape = Callable[[list[str]], str]

FIRST_QUESTION = """\
SELECT kind, count(*) AS steps
FROM read_parquet('{steps}/**/*.parquet', hive_partitioning = true)
GROUP BY kind ORDER BY steps DESC, kind"""


def share(episode: str, scratch: Path, codetape: Codetape, *, say: Callable[[str], None]) -> str:
    """Sign, upload, build; returns the DuckDB answer as text."""
    uploads, dataset = scratch / "uploads", scratch / "dataset"
    say("signing it with a demo key made in the scratch home (your own key is never touched)")
    codetape(["keys", "init", "--no-passphrase"])
    codetape(["sign", episode, "--yes"])
    say(f"uploading it to {uploads.as_uri()}")
    codetape(["upload", "--to", uploads.as_uri(), "--quiet"])
    say(f"building the dataset from the uploads into {dataset} (every signature checked again)")
    codetape(["dataset", "build", uploads.as_uri(), "-o", str(dataset), "--quiet"])
    return first_answer(dataset)


def first_answer(dataset: Path) -> str:
    """Steps per kind, asked of the dataset's Parquet by DuckDB."""
    try:
        # optional: the `demo` extra
        import duckdb
    except ImportError:
        raise CodetapeError("the demo's last step queries the dataset with DuckDB: "
                            "pip install 'codetape[demo]'") from None
    query = FIRST_QUESTION.format(steps=(dataset / "steps").as_posix())
    rows = duckdb.execute(query).fetchall()
    width = max(len(str(kind)) for kind, _ in rows) if rows else 4
    lines = [f"{query}\n", *(f"  {kind:<{width}}  {steps:>6,}" for kind, steps in rows)]
    return "\n".join(lines) + "\n"
