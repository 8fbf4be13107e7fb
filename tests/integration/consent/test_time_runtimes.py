"""The time spellings' templates (tests/support/instants.py) equal what the runtimes print (issue 84,
item 2): Node's Date methods, Go's time.Format layouts and log prefix, Java's Instant, ZonedDateTime and
Date.toString, in a zone of +9 and of -5. Each runtime's check is skipped where it is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest

from tests.support.instants import (
    GO_SOURCE,
    GO_TEMPLATES,
    JAVA_SOURCE,
    JAVA_TEMPLATES,
    NODE_TEMPLATES,
    RUNTIME_CHECKS,
    ZONES,
    instant,
    nanoseconds,
)

Template = Callable[[datetime], str]


def printed(tmp_path: Path, runtime: str, offset_h: int, argument: str) -> list[str]:
    if shutil.which(runtime) is None:
        pytest.skip(f"{runtime} is not installed here")
    (tmp_path / "main.go").write_text(GO_SOURCE, encoding="utf-8")
    (tmp_path / "Main.java").write_text(JAVA_SOURCE, encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp_path), "LANG": "C.UTF-8",
           "TZ": ZONES[offset_h].key, "GOCACHE": str(tmp_path / "gocache"), "GO111MODULE": "off"}
    done = subprocess.run([*RUNTIME_CHECKS[runtime], argument], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("offset_h", [9, -5])
@pytest.mark.parametrize(("runtime", "templates", "argument"), [
    ("node", NODE_TEMPLATES, "seconds"), ("go", GO_TEMPLATES, "nanoseconds"),
    ("java", JAVA_TEMPLATES, "nanoseconds")])
def test_a_template_prints_what_its_runtime_prints(tmp_path: Path, runtime: str, templates: list[Template],
                                                     argument: str, offset_h: int) -> None:
    moment = instant(offset_h)
    value = str(moment.timestamp()) if argument == "seconds" else str(nanoseconds(moment))
    lines = printed(tmp_path, runtime, offset_h, value)
    # ICU 72 and later put a narrow no-break space before AM/PM, older ones a space: either is Node's
    assert [line.replace("\u202f", " ") for line in lines] == [
        template(moment).replace("\u202f", " ") for template in templates]
