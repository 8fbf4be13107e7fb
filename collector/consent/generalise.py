"""What describes the contributor rather than the episode, generalised for unlinkable mode: an exact build
or a setting of her own is in all her episodes and in nobody else's.

    major_minor(version)     a version's release level: "1.96.2" -> "1.96", "2026.12.3+custom2" -> "2026.12"
    model_family(name)       a model name's family, or None when it is not a name this knows: Claude's
                             tier (opus, sonnet, haiku; else its major version), GPT's and Gemini's major
                             version, the o-series' number: "claude-sonnet-4-5-20250929" -> "claude-sonnet",
                             "claude-3-5-haiku-20241022" -> "claude-haiku", "gpt-5.1-codex-max" -> "gpt-5",
                             "gemini-2.5-pro" -> "gemini-2", "o4-mini" -> "o4"; a provider before a `/`
                             stays ("openai/gpt-5.1" -> "openai/gpt-5")
    agent_label(label)       how an agent names itself (ACP's `session_start` detail, "NAME VERSION"),
                             each version-like word to major.minor and each model name to its family
    default_capture(capture) the header's capture settings with `idle_timeout_s` and `max_file_bytes` at
                             their defaults (a receiver needs neither: a file left out for its size says
                             so in its own step) and the channels in the canonical order (ALL_CHANNELS)

codetape records no model name in a field of its own (the agents' hooks pass one, and it is not read); a
model named in an agent's self-description is generalised by `agent_label`. The channels stay: a receiver
must know what was recorded; the review says when a set of them other than the default singles the
contributor out (collector/review/unlinkable.py).
"""

from __future__ import annotations

import re

from schemas.header import CaptureSettings
from schemas.settings import ALL_CHANNELS

CLAUDE_TIERS = ("opus", "sonnet", "haiku", "instant")
_MAJOR_MINOR = re.compile(r"\A[^.]*(?:\.[^.]*)?")
_DIGITS = re.compile(r"\d+")
_WORD = re.compile(r"[^\s()\[\]{},;'\"]+")
_VERSION = re.compile(r"\A(v?)(\d+(?:\.\d+)+\S*)\Z")
_MODEL = re.compile(r"\A(?P<provider>[\w.-]+/)?(?P<line>claude|gpt|gemini)-(?P<rest>\S+)\Z", re.IGNORECASE)
_O_SERIES = re.compile(r"\A(?P<provider>[\w.-]+/)?(?P<line>o\d+)(?:-\S*)?\Z", re.IGNORECASE)


def major_minor(version: str) -> str:
    """The first two dot-separated parts of a version before any `+` (build metadata), each cut after its
    leading digits when it has any ("1.96.2" -> "1.96", "0.10.0-dev+abc" -> "0.10", "25.1-1ubuntu2" ->
    "25.1", "unknown+review2" -> "unknown")."""
    version = version.split("+", 1)[0] or version
    parts = _MAJOR_MINOR.match(version)
    kept = (parts.group(0) if parts else version).split(".")
    return ".".join(_leading(part) for part in kept)


def _leading(part: str) -> str:
    digits = _DIGITS.match(part)
    return digits.group(0) if digits else part


def model_family(name: str) -> str | None:
    """The family of a model name (see the module's docstring), None when `name` is not one this knows."""
    series = _O_SERIES.match(name)
    if series is not None:
        return f"{series.group('provider') or ''}{series.group('line').lower()}"
    found = _MODEL.match(name)
    if found is None:
        return None
    line, parts = found.group("line").lower(), found.group("rest").lower().split("-")
    tier = next((part for part in parts if part in CLAUDE_TIERS), None) if line == "claude" else None
    major = _DIGITS.match(parts[0])
    if tier is not None:
        generation = tier
    elif major is not None:
        generation = major.group(0)
    else:
        return None
    return f"{found.group('provider') or ''}{line}-{generation}"


def agent_label(label: str) -> str:
    """An agent's self-description with its versions at major.minor and its model names as families."""
    return _WORD.sub(_general_word, label)


def _general_word(found: re.Match[str]) -> str:
    word = found.group()
    version = _VERSION.match(word)
    if version is not None:
        return version.group(1) + major_minor(version.group(2))
    return model_family(word) or word


def default_capture(capture: CaptureSettings) -> CaptureSettings:
    """`capture` with the settings no receiver needs at their defaults and the channels in canonical order
    (the globs of `exclude` stay: writers leave it empty, and signing binds them as a keyed hash)."""
    order: dict[str, int] = {channel: number for number, channel in enumerate(ALL_CHANNELS)}
    channels = sorted(dict.fromkeys(capture.channels), key=lambda name: (order.get(name, len(order)), name))
    return CaptureSettings(channels=channels, exclude=list(capture.exclude))
