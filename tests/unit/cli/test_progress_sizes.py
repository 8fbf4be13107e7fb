"""The upload bar's sizes are the ones every command shows: binary units (collector/text/sizes.py)."""

from __future__ import annotations

from rich.progress import Progress

from collector.cli.progress import BytesColumn


def test_the_bar_counts_bytes_in_binary_units() -> None:
    progress = Progress()
    progress.add_task("upload", total=48 * 1024 * 1024, completed=12 * 1024 * 1024)
    assert BytesColumn().render(progress.tasks[0]).plain == "12.0 MiB/48.0 MiB"
