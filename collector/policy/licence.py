"""Which licence a repository is under, read from the LICENSE / COPYING files at its root.

Each file is matched against the distinctive sentences of the common licences; where several could
match (the MPL names the GPL, the GPL names the AGPL), the one whose words come first in the file wins,
as licence titles do. An SPDX-License-Identifier line says it outright.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from collector.platform.files import NONBLOCK
from collector.workspace.beneath import open_beneath, real_relpath
from schemas.consent import LICENCE_IDS

_NAME = re.compile(r"^(?:un)?licen[cs]e(?:[-._].*)?$|^copying(?:[-._].*)?$", re.IGNORECASE)
_MAX_READ = 1024 * 1024
_MAX_FILES = 32
_POINTER_SIZE = 1024

_GNU = re.compile(
    r"gnu (affero |lesser |library )?general public license,? (?:as published by the free software "
    r"foundation,? )?(?:either )?version (\d(?:\.\d)?)")
_GNU_IDS = {("", "2"): "GPL-2.0", ("", "2.0"): "GPL-2.0", ("", "3"): "GPL-3.0", ("", "3.0"): "GPL-3.0",
            ("lesser ", "2.1"): "LGPL-2.1", ("lesser ", "3"): "LGPL-3.0", ("lesser ", "3.0"): "LGPL-3.0",
            ("library ", "2"): "LGPL-2.0", ("library ", "2.0"): "LGPL-2.0",
            ("affero ", "3"): "AGPL-3.0", ("affero ", "3.0"): "AGPL-3.0"}
_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((spdx, re.compile(pattern)) for spdx, pattern in (
    ("Apache-2.0", r"apache license,? version 2\.0"),
    ("MPL-2.0", r"mozilla public license,? (?:version |v\. ?)2\.0"),
    ("MIT", r"permission is hereby granted, free of charge, to any person obtaining a copy"),
    ("MIT", r"\bthe mit license\b|^mit license\b"),
    ("ISC", r"permission to use, copy, modify, and(?:/or)? distribute this software for any purpose with "
            r"or without fee is hereby granted"),
    ("BSD", r"redistribution and use in source and binary forms, with or without modification, are "
            r"permitted"),
    ("Unlicense", r"this is free and unencumbered software released into the public domain"),
    ("BSL-1.0", r"boost software license,? (?:- )?version 1\.0"),
    ("CC0-1.0", r"\bcc0 1\.0 universal\b"),
    ("PSF-2.0", r"psf license agreement|python software foundation license,? version 2"),
    ("Zlib", r"permission is granted to anyone to use this software for any purpose, including "
             r"commercial applications"),
))
_SPDX = re.compile(r"spdx-license-identifier:\s*([a-z0-9.+-]+)")


@dataclass(frozen=True)
class FoundLicence:
    """One licence file and what it says (`spdx` None when not recognised)."""

    file: str
    spdx: str | None


def normalise(text: str) -> str:
    """Lower case, markup stripped, runs of whitespace as one space."""
    text = re.sub(r"[#*_>`|]+", " ", text.lower())
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def detect(text: str) -> str | None:
    """The SPDX id of the licence `text` is, or None when it is none codetape knows."""
    body = normalise(text)
    spdx = _SPDX.search(body)
    if spdx is not None:
        known = {name.lower(): name for name in LICENCE_IDS}
        base = spdx.group(1).removesuffix("+").removesuffix("-only").removesuffix("-or-later")
        return known.get(base)
    candidates: list[tuple[int, str]] = []
    gnu = _GNU.search(body)
    if gnu is not None:
        spdx_id = _GNU_IDS.get(((gnu.group(1) or ""), gnu.group(2)))
        if spdx_id is not None:
            candidates.append((gnu.start(), spdx_id))
    for spdx_id, pattern in _PHRASES:
        found = pattern.search(body)
        if found is not None:
            candidates.append((found.start(), spdx_id))
    if not candidates:
        return None
    first = min(candidates)[1]
    if first == "BSD":
        return _bsd(body)
    if first == "ISC" and "provided that the above copyright notice and this permission notice appear" \
            not in body:
        return "0BSD"
    return first


def _bsd(body: str) -> str | None:
    if "all advertising materials mentioning features" in body:
        return None  # the 4-clause licence: not one codetape lets a policy allow
    if "neither the name" in body or "may be used to endorse or promote products" in body:
        return "BSD-3-Clause"
    return "BSD-2-Clause"


def licence_files(root: Path) -> list[Path]:
    """The LICENSE / LICENCE / COPYING / UNLICENSE files (any suffix) at the top of `root`, sorted."""
    try:
        names = sorted(os.listdir(root))
    except OSError:
        return []
    return [root / name for name in names if _NAME.match(name) and (root / name).is_file()][:_MAX_FILES]


def find_licences(root: Path) -> list[FoundLicence]:
    """What each licence file at `root` says.

    Not counted: an LGPL's accompanying GPL text, and a short file that only points at the others
    ("under the terms of either of the licenses found in LICENSE.APACHE or LICENSE.BSD").
    """
    root = root.resolve()
    paths = licence_files(root)
    found: list[FoundLicence] = []
    for path in paths:
        relpath = real_relpath(root, path)  # a link to docs/LICENSE.md counts, one out of the workspace not
        if relpath is None:
            continue
        try:
            with open(open_beneath(root, relpath, os.O_RDONLY | NONBLOCK), "rb") as handle:
                text = handle.read(_MAX_READ).decode("utf-8", "replace")
        except OSError:
            continue
        spdx = detect(text)
        others = [other.name.lower() for other in paths if other != path]
        if spdx is None and len(text) <= _POINTER_SIZE and any(name in text.lower() for name in others):
            continue
        found.append(FoundLicence(path.name, spdx))
    ids = {item.spdx for item in found}
    if "LGPL-3.0" in ids:
        found = [item for item in found if item.spdx != "GPL-3.0"]
    return found
