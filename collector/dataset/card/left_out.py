"""What each export left out of the dataset's episodes, by reason, summed over the builds (each build's
record holds its own: `BuildRecord.left_out`, `_builds/*.json`): the card's `left out` line of a training
export's section, and its list for the other exports (zeta2's bursts with no known caret, no HEAD...).
"""

from __future__ import annotations

from collections import Counter

from collector.dataset.output.manifest import DatasetManifest


def left_out(manifest: DatasetManifest) -> dict[str, Counter[str]]:
    """format -> why -> how many, over every build the manifest lists."""
    counts: dict[str, Counter[str]] = {}
    for build in manifest.builds:
        for fmt, reasons in build.left_out.items():
            counts.setdefault(fmt, Counter()).update(reasons)
    return counts


def said(reasons: Counter[str]) -> str:
    """The counts as the card says them, the most first: `3 bursts with no known caret; 1 ...`."""
    if not reasons:
        return "nothing"
    ordered = sorted(reasons.items(), key=lambda reason: (-reason[1], reason[0]))
    return "; ".join(f"{count:,} {why}" for why, count in ordered)
