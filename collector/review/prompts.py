"""Leaving out agent prompts: what the developer typed to an AI agent stays on this machine.

Each `agent` step that carries a prompt keeps its place (the agent was asked something, then) without the
prompt's text. Where else the text is written (a prompt given on an agent's command line, `claude -p
"..."`, `codex exec ...`; a commit message, a note, a command's output) it is masked as the lines of an
excluded file are (see `contents`), under the rule `left-out-prompt`: `PromptMasks` says how it is
written there. A prompt is known only as far as its step holds it (a longer one was cut at a space); one
word of letters (`continue`, `yes`) is ordinary text, left wherever else it is written.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from msgspec.structs import replace

from schemas import Step
from schemas.steps import AgentStep

PROMPT_RULE = "left-out-prompt"
_DOUBLE_QUOTED = re.compile(r'(["\\$`])')  # what a backslash escapes inside a shell's double quotes


@dataclass
class PromptsReport:
    """How many prompts were left out."""

    prompts: int = 0


def leave_out_prompts(steps: Iterable[Step], report: PromptsReport) -> Iterator[Step]:
    """`steps` with every agent prompt's text removed; `report` counts them as they go by."""
    for step in steps:
        if isinstance(step, AgentStep) and step.prompt is not None:
            report.prompts += 1
            yield replace(step, prompt=None, truncated=False if step.command_line is None else step.truncated)
        else:
            yield step


def words(text: str) -> str:
    """`text` with every run of blanks one space (how a shell splits it into arguments, joined again)."""
    return " ".join(text.split())


def ordinary(prompt: str) -> bool:
    """A prompt that is one word of letters (`continue`, `yes`): ordinary text, which masking would take
    out of every command that uses the word, so it is masked only in its own `agent` step."""
    return prompt.strip().isalpha()


def spellings(prompt: str) -> set[str]:
    """`prompt` as it is written elsewhere: as typed, inside a shell's single quotes (`'\\''` or
    `'"'"'` for a quote) or double quotes (`\\"`), in a JSON or Python string literal, and each of those
    in a string literal again (a test failure's repr of a JSON body)."""
    once = {prompt, prompt.replace("'", "'\\''"), shlex.quote(prompt).removeprefix("'").removesuffix("'"),
            _DOUBLE_QUOTED.sub(r"\\\1", prompt), *_literals(prompt)}
    return once | {twice for form in once for twice in _literals(form)}


def _literals(text: str) -> tuple[str, ...]:
    """`text` inside a JSON string (non-ASCII escaped or not) and a Python one, without the quotes."""
    return json.dumps(text)[1:-1], json.dumps(text, ensure_ascii=False)[1:-1], repr(text)[1:-1]


@dataclass
class PromptMasks:
    """Where the left-out prompts are looked for besides the free text's lines: `texts` (each prompt's
    words, see `words`) as a run of arguments of a command, and `shell` as shell words of a command line:
    a prompt inside single or double quotes (`quoted`: how it is written there -> its words), or its
    words unquoted. There a prompt is masked whatever its length; in other text, only its lines of 8
    characters or more are (as an excluded file's: a short prompt, `go on`, is ordinary text). A prompt
    of one word of letters (`ordinary`) is masked in neither."""

    texts: set[str] = field(default_factory=set)
    quoted: dict[str, str] = field(default_factory=dict)
    shell: re.Pattern[str] | None = None

    @classmethod
    def of(cls, prompts: Iterable[str]) -> PromptMasks:
        masks = cls()
        forms: set[str] = set()
        for prompt in prompts:
            said = words(prompt)
            if not said or ordinary(said):
                continue
            masks.texts.add(said)
            for form in ("'" + prompt.replace("'", "'\\''") + "'", shlex.quote(prompt),
                         '"' + _DOUBLE_QUOTED.sub(r"\\\1", prompt) + '"'):
                masks.quoted.setdefault(form, said)
                forms.add(re.escape(form))
            forms.add(r"\s+".join(map(re.escape, said.split(" "))))
        if forms:
            either = "|".join(sorted(forms, key=lambda form: (-len(form), form)))
            masks.shell = re.compile(rf"(?<!\S)(?:{either})(?!\S)")
        return masks

    def arguments(self, argv: list[str], secret: Callable[[str], str]) -> list[str]:
        """`argv` with every run of arguments that spells a prompt made one argument, its placeholder
        (`secret` gives it for the prompt's words)."""
        if not self.texts:
            return argv
        longest = max(map(len, self.texts))
        out: list[str] = []
        at = 0
        while at < len(argv):
            joined, end = "", 0
            for stop in range(at, len(argv)):
                joined = words(argv[stop]) if stop == at else f"{joined} {words(argv[stop])}".rstrip()
                if len(joined) > longest:
                    break
                if joined in self.texts:
                    end = stop + 1
            if end:
                out.append(secret(words(" ".join(argv[at:end]))))
                at = end
            else:
                out.append(argv[at])
                at += 1
        return out

    def command_line(self, line: str, secret: Callable[[str], str]) -> str:
        """`line` with every prompt written as shell words replaced by its placeholder."""
        if self.shell is None:
            return line
        return self.shell.sub(lambda match: secret(self.quoted.get(match[0]) or words(match[0])), line)
