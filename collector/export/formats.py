"""The export formats by name: how each one starts, what it writes (see each module's docstring).

Each format's module is imported when an export in that format starts, so that listing the formats
(`codetape export --help`) costs nothing."""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from collector.export.result import ExportResult

if TYPE_CHECKING:
    from collector.episode import Episode


class Exporter(Protocol):
    def add(self, episode: Episode) -> None:
        """Export one episode, streaming its steps; count what was written in the export's result."""


Opener = Callable[[Path, ExportResult], AbstractContextManager[Exporter]]


@dataclass(frozen=True)
class Format:
    name: str
    summary: str  # one line for --help
    open: Opener  # into a directory that exists
    suffix: str | None = None  # a file per episode, `<episode id><suffix>`; None: one dataset for all


def _loaded(module: str, name: str) -> Any:
    return getattr(importlib.import_module(f"collector.export.{module}"), name)


def _per_episode(module: str, name: str, suffix: str) -> Opener:
    """A format writing `<episode id><suffix>` per episode, through the PerEpisode class `name`."""
    return lambda out_dir, result: contextlib.nullcontext(_loaded(module, name)(out_dir, result, suffix))


def _whole(module: str, name: str) -> Opener:
    """A format writing one dataset for all the episodes, opened by the function `name`."""
    return lambda out_dir, result: _loaded(module, name)(out_dir, result)


FORMATS: dict[str, Format] = {fmt.name: fmt for fmt in (
    Format("jsonl", "<id>.jsonl: the header line, then every step as `codetape cat` prints it",
           _per_episode("jsonl", "JsonlExporter", ".jsonl"), ".jsonl"),
    Format("jsonl-rows", "<id>.rows.jsonl: the jsonl lines as rows of one shape, for Hugging Face datasets",
           _per_episode("jsonl_rows", "JsonlRowsExporter", ".rows.jsonl"), ".rows.jsonl"),
    Format("atif", "<id>.atif.json: an Agent Trajectory Interchange Format (v1.8) trajectory",
           _per_episode("traces.atif", "AtifExporter", ".atif.json"), ".atif.json"),
    Format("zeta", "<id>.zeta.jsonl: next-edit examples (events, input, output) as in Zed's zeta dataset",
           _per_episode("edits.zeta", "ZetaExporter", ".zeta.jsonl"), ".zeta.jsonl"),
    Format("zeta2", "<id>.zeta2.jsonl: next-edit examples as Zed's ExampleSpec (edit_prediction crate)",
           _per_episode("edits.zeta2", "Zeta2Exporter", ".zeta2.jsonl"), ".zeta2.jsonl"),
    Format("dpo", "<id>.dpo.jsonl: preference pairs (prompt, chosen, rejected, suffix) for TRL's DPOTrainer",
           _per_episode("preferences.dpo", "DpoExporter", ".dpo.jsonl"), ".dpo.jsonl"),
    Format("dpo-fim", "<id>.dpo-fim.jsonl: the dpo pairs, the text after in a fill-in-the-middle prompt",
           _per_episode("preferences.dpo", "DpoFimExporter", ".dpo-fim.jsonl"), ".dpo-fim.jsonl"),
    Format("dpo-agent", "<id>.dpo-agent.jsonl: an AI agent's lines (rejected) and the developer's rewrite of "
           "them before the next commit or prompt (chosen), for TRL's DPOTrainer",
           _per_episode("preferences.dpo_agent", "DpoAgentExporter", ".dpo-agent.jsonl"), ".dpo-agent.jsonl"),
    Format("kto", "<id>.kto.jsonl: AI suggestions taken or written over, true if kept 5 minutes, for TRL's "
           "KTOTrainer",
           _per_episode("preferences.kto", "KtoExporter", ".kto.jsonl"), ".kto.jsonl"),
    Format("stepwise", "<id>.stepwise.jsonl: the edits from failing tests to passing, each labelled by "
           "whether it stayed, for TRL's PRMTrainer",
           _per_episode("preferences.stepwise", "StepwiseExporter", ".stepwise.jsonl"), ".stepwise.jsonl"),
    Format("swe-messages", "<id>.swe-messages.jsonl: a row of tool-call messages per task, for agent "
           "fine-tuning",
           _per_episode("traces.swe_messages", "SweMessagesExporter", ".swe-messages.jsonl"),
           ".swe-messages.jsonl"),
    Format("swe-messages-developer", "<id>.swe-messages-developer.jsonl: swe-messages with an AI agent's "
           "calls as user turns, so that the assistant's are the developer's alone",
           _per_episode("traces.swe_messages", "SweMessagesDeveloperExporter",
                        ".swe-messages-developer.jsonl"),
           ".swe-messages-developer.jsonl"),
    Format("agent-trace",
           "<id>.agent-trace.jsonl: an Agent Trace 0.1 record per commit, who wrote which of its lines",
           _per_episode("traces.agent_trace", "AgentTraceExporter", ".agent-trace.jsonl"),
           ".agent-trace.jsonl"),
    Format("progsnap2", "one ProgSnap2 dataset: DatasetMetadata.csv, MainTable.csv, CodeStates/",
           _whole("progsnap2.progsnap2", "progsnap2")),
    Format("progsnap2-zip", "<id>.progsnap2.zip: one ProgSnap2 dataset per episode (for dataset builds)",
           _per_episode("progsnap2.progsnap2_zip", "ProgSnap2ZipExporter", ".progsnap2.zip"),
           ".progsnap2.zip"),
)}


def per_episode_formats() -> list[str]:
    """The formats that write a file per episode (a dataset build can add to them episode by episode)."""
    return [name for name, fmt in FORMATS.items() if fmt.suffix is not None]
